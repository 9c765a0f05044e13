"""The test news site: deterministic articles plus every page a crawler meets, as plain responses.

`NewsSite` is independent of any server: `handle(method, target, headers, base_url)` returns a
`Response`; `SiteServer` (server.py) puts it on 127.0.0.1.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from urllib.parse import parse_qs, unquote

from . import pages, seed
from .content import SECTIONS, TAGS, make_sentence, make_story
from .model import AUTHORS, SITE_NAME, Article, Author, slugify, tag_slug
from .themes import render_magazine, render_wordpress

logger = logging.getLogger(__name__)

NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
TZ_WP = timezone(timedelta(hours=-5))
TZ_MAG = timezone(timedelta(hours=1))

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
#: 1x1 GIF served for every image path.
PIXEL = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

#: Broken or special pages linked from the home page, with the status a client first sees.
#: Both redirect chains have two hops: /go/latest/ -> /go/latest/2/ -> the newest article (200);
#: /old/moved-story/ -> /old/moved-story/2/ -> /old/gone/ (404).
BROKEN: dict[str, int] = {
    "/archive/2019/the-lost-story/": 404,
    "/live/status/": 500,
    "/special-report/": 200,  # empty body
    "/go/latest/": 301,
    "/old/moved-story/": 301,
}
SENTENCE_SPLIT = re.compile(r"(?<=[.\u201d])\s+(?=[A-Z\u201c])")


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def http_date(d: datetime) -> str:
    return format_datetime(d.astimezone(UTC), usegmt=True)


class NewsSite:
    """A deterministic fake news site with `n_articles` stories (article 0 is the seed story)."""

    per_page = 5
    feed_size = 20
    news_sitemap_size = 50
    sitemap_chunk = 250

    def __init__(self, n_articles: int = 40, seed: int = 2026, *, feed_tracking_params: bool = False,
                 inline_noise: bool = False, copies: bool = False) -> None:
        if n_articles < 8:
            raise ValueError("n_articles must be at least 8")
        self.seed = seed
        self.n_articles = n_articles
        #: If true, story containers also hold noise paragraphs ("Also read: ...", newsletter and
        #: "follow us" lines): harder than the default pages, where all noise sits outside the story.
        self.inline_noise = inline_noise
        #: If true, feed item links carry ``?utm_source=...`` (the canonical link stays clean).
        self.feed_tracking_params = feed_tracking_params
        #: The site's "today" (fixed, so pages are deterministic); edits move `clock` forward.
        self.now = NOW
        self.clock = NOW
        self._lock = threading.RLock()
        self.articles: list[Article] = [self._seed_article()]
        rng = random.Random(seed)
        titles = {self.articles[0].title}
        used = {self.articles[0].slug}
        for i in range(1, n_articles):
            self.articles.append(self._generate(i, rng, titles, used))
        self.by_date = sorted(self.articles, key=lambda a: a.published, reverse=True)
        self._rank = {a.index: r for r, a in enumerate(self.by_date)}
        self._by_path = {a.path: a for a in self.articles}
        self._by_slug = {a.slug: a for a in self.articles}
        self._tags: dict[str, str] = {}
        for a in self.articles:
            for t in a.tags:
                self._tags.setdefault(tag_slug(t), t)
        self._authors = {au.name: au for au in AUTHORS}
        #: Republished copies of stories (with ``copies=True``): see `make_copies`.
        self.copies: dict[str, tuple[Article, Article]] = self.make_copies() if copies else {}
        for copy, _original in self.copies.values():
            self._by_path[copy.path] = copy
        for a in self.articles:
            noise: list[str] = []
            self.render_article(a, "http://127.0.0.1", noise)
            story = a.text
            a.noise = [s for s in dict.fromkeys(noise) if s and s not in story]

    # -- generation -----------------------------------------------------------------------------

    def make_copies(self) -> dict[str, tuple[Article, Article]]:
        """Two republished stories, listed in the posts sitemap, as ``{kind: (copy, original)}``.

        ``near``: article 1 republished by a wire partner in the other theme, with an agency line in
        front of the story and a "Source link" after it (a near duplicate: one record linked to it).
        ``exact``: article 2's story word for word under a "printable" URL (the same article: an alias).
        """
        near_of, exact_of = self.articles[1], self.articles[2]
        other = "wordpress" if near_of.theme == "magazine" else "magazine"
        near = replace(near_of, slug=near_of.slug + "-wire", path=f"/wire/{near_of.slug}-wire/", theme=other,
                       paragraphs=[f"(Partner wire) {near_of.paragraphs[0]}", *near_of.paragraphs[1:]],
                       noise=[])
        exact = replace(exact_of, slug=exact_of.slug + "-printable", path=f"/print/{exact_of.slug}-printable/",
                        noise=[])
        return {"near": (near, near_of), "exact": (exact, exact_of)}

    def _seed_article(self) -> Article:
        published = seed.DATE_PUBLISHED
        return Article(
            index=0, slug=seed.SLUG, path=f"/2026/02/02/{seed.SLUG}/", title=seed.TITLE,
            authors=[AUTHORS[0].name], date_published=published, date_modified=None, language="en",
            section="world", tags=list(seed.TAGS), paragraphs=list(seed.PARAGRAPHS),
            subheadings=[seed.SUBHEADING_INDEX], theme="wordpress",
            description="Havana's foreign ministry offers security cooperation to Washington after days of harsh rhetoric.",
            image="/wp-content/uploads/2026/02/cuba-minrex.jpg", pull_quote=seed.PULL_QUOTE,
            links=list(seed.LINKS),
        )

    def _generate(self, i: int, rng: random.Random, titles: set[str], used: set[str]) -> Article:
        section = SECTIONS[(i - 1) % len(SECTIONS)] if i <= len(SECTIONS) else rng.choice(SECTIONS)
        theme = "magazine" if i % 2 else "wordpress"
        while True:
            title, paragraphs, sub_at = make_story(rng, section)
            slug = slugify(title)
            if title not in titles and slug not in used:
                break
        titles.add(title)
        used.add(slug)
        tz = TZ_WP if theme == "wordpress" else TZ_MAG
        published = (self.now - timedelta(hours=1 + 7 * i, minutes=rng.randrange(0, 300, 5))).astimezone(tz)
        modified = None
        if rng.random() < 0.35:
            mod = published + timedelta(hours=rng.randint(1, 30), minutes=rng.randrange(0, 60, 5))
            if mod < self.now:
                modified = mod.isoformat()
        n_authors = 2 if rng.random() < 0.25 else 1
        authors = [au.name for au in rng.sample(AUTHORS[1:], n_authors)]
        tags = rng.sample(TAGS[section], rng.randint(1, 3))
        sentences = [s for k, p in enumerate(paragraphs) if k != sub_at for s in SENTENCE_SPLIT.split(p)
                     if not s.startswith("\u201c") and 8 <= len(s.split()) <= 35]
        pull = rng.choice(sentences) if sentences else paragraphs[0]
        if theme == "wordpress":
            path = f"/{published:%Y/%m/%d}/{slug}/"
            image = f"/wp-content/uploads/{published:%Y/%m}/{slug[:40]}.jpg"
        else:
            path = f"/{section}/{published:%Y/%m}/{slug}.html"
            image = f"/images/{i}.jpg"
        return Article(
            index=i, slug=slug, path=path, title=title, authors=authors,
            date_published=published.isoformat(), date_modified=modified, language="en", section=section,
            tags=tags, paragraphs=paragraphs, subheadings=[] if sub_at is None else [sub_at], theme=theme,
            description=make_sentence(rng, section), image=image, pull_quote=pull,
        )

    # -- queries used by the templates ------------------------------------------------------------

    @property
    def now_iso(self) -> str:
        return self.now.isoformat()

    def author(self, name: str) -> Author:
        return self._authors[name]

    def tag_slug(self, tag: str) -> str:
        return tag_slug(tag)

    def latest(self, n: int, exclude: Article | None = None) -> list[Article]:
        return [a for a in self.by_date if a is not exclude][:n]

    def neighbours(self, a: Article) -> tuple[Article | None, Article | None]:
        """(previous = older story, next = newer story) in publication order."""
        r = self._rank[a.index]
        older = self.by_date[r + 1] if r + 1 < len(self.by_date) else None
        newer = self.by_date[r - 1] if r > 0 else None
        return older, newer

    def related(self, a: Article, n: int, rng: random.Random) -> list[Article]:
        same = [x for x in self.articles if x.section == a.section and x is not a]
        others = [x for x in self.articles if x.section != a.section]
        pool = rng.sample(same, min(n, len(same)))
        return pool + rng.sample(others, n - len(pool))

    def pick(self, rng: random.Random, n: int, exclude: Article | None = None) -> list[Article]:
        pool = [x for x in self.articles if x is not exclude]
        return rng.sample(pool, n)

    def render_article(self, a: Article, base: str, noise: list[str] | None = None) -> str:
        sink: list[str] = [] if noise is None else noise
        if a.theme == "wordpress":
            return render_wordpress(self, a, base, sink)
        return render_magazine(self, a, base, sink)

    # -- what a correct crawl finds ---------------------------------------------------------------

    def article(self, key: int | str) -> Article:
        """An article by index, slug or path."""
        if isinstance(key, int):
            return self.articles[key]
        found = self._by_slug.get(key) or self._by_path.get(key)
        if found is None:
            raise KeyError(key)
        return found

    @property
    def seed_article(self) -> Article:
        return self.articles[0]

    def article_urls(self, base_url: str) -> set[str]:
        """The exact set of URLs a correct crawl stores."""
        return {a.url(base_url) for a in self.articles}

    def _pages(self, prefix: str, n_items: int) -> list[str]:
        n_pages = max(1, -(-n_items // self.per_page))
        return [prefix] + [f"{prefix}page/{p}/" for p in range(2, n_pages + 1)]

    def section_paths(self) -> list[str]:
        """Section pages and their pagination."""
        return [p for s in SECTIONS for p in self._pages(f"/section/{s}/", sum(a.section == s for a in self.articles))]

    def non_article_paths(self) -> list[str]:
        """Pages that answer 200 with HTML, are linked from the site, and must never be stored.

        Home, sections, tags and authors (with pagination), a search, login and about pages.
        """
        tags: dict[str, int] = {}
        authors: dict[str, int] = {}
        for a in self.articles:
            for t in a.tags:
                tags[tag_slug(t)] = tags.get(tag_slug(t), 0) + 1
            for n in a.authors:
                authors[self.author(n).slug] = authors.get(self.author(n).slug, 0) + 1
        out = ["/", *self.section_paths()]
        out += [p for slug, n in sorted(tags.items()) for p in self._pages(f"/tag/{slug}/", n)]
        out += [p for slug, n in sorted(authors.items()) for p in self._pages(f"/author/{slug}/", n)]
        return [*out, "/search?q=election", "/login/", "/login/?action=lostpassword", "/about/"]

    def disallowed_paths(self) -> list[str]:
        """Linked from the home page but disallowed by robots.txt: a polite crawler never asks."""
        return ["/admin/", "/admin/drafts/"]

    def broken_paths(self) -> dict[str, int]:
        """Broken or special pages and the status of their first response (see `BROKEN`)."""
        return dict(BROKEN)

    # -- changes ----------------------------------------------------------------------------------

    def edit_article(self, key: int | str, new_paragraph: str | None = None,
                     paragraphs: list[str] | None = None) -> Article:
        """Change an article's text (append `new_paragraph`, or replace all `paragraphs`).

        Bumps its version (so its ETag), `date_modified` (so Last-Modified and sitemap lastmod). An edit
        happens at the real current time (or an hour after the previous edit, if that is later), so a
        crawler comparing the sitemap's lastmod with when it fetched the page sees the change.
        """
        with self._lock:
            a = self.article(key)
            if paragraphs is not None:
                a.paragraphs = list(paragraphs)
                a.subheadings = []
            else:
                text = new_paragraph or (
                    f"Update {a.version}: " + make_sentence(random.Random(f"edit-{a.index}-{a.version}"), a.section)
                )
                a.paragraphs = [*a.paragraphs, text]
            a.version += 1
            self.clock = max(max(self.clock, a.modified) + timedelta(hours=1),
                             datetime.now(UTC).replace(microsecond=0))
            a.date_modified = self.clock.astimezone(a.published.tzinfo).isoformat()
            story = a.text
            a.noise = [s for s in a.noise if s not in story]
            return a

    # -- HTTP -------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], base_url: str) -> Response:
        """Answer one request. `headers` keys are lower-case; `base_url` has no trailing slash."""
        with self._lock:
            resp = self._route(target, {k.lower(): v for k, v in headers.items()}, base_url.rstrip("/"))
        if method == "HEAD":
            resp.headers.setdefault("Content-Length", str(len(resp.body)))
            resp.body = b""
        return resp

    def _html(self, text: str, status: int = 200) -> Response:
        return Response(status, {"Content-Type": HTML}, text.encode("utf-8"))

    def _not_found(self, base: str) -> Response:
        main = '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1><p>Try a search.</p>'
        return self._html(pages.page(self, base, "Page not found", main, robots="noindex"), 404)

    def _redirect(self, status: int, location: str) -> Response:
        return Response(status, {"Location": location, "Content-Type": HTML}, b"<html><body>Moved</body></html>")

    def _route(self, target: str, headers: dict[str, str], base: str) -> Response:
        path, _, query = target.partition("?")
        path = unquote(path)
        params = parse_qs(query)
        fixed = {
            "/": lambda: self._html(pages.home(self, base)),
            "/robots.txt": lambda: Response(200, {"Content-Type": TEXT}, self.robots_txt(base).encode()),
            "/sitemap_index.xml": lambda: Response(200, {"Content-Type": XML}, self.sitemap_index(base).encode()),
            "/sitemap-news.xml": lambda: Response(200, {"Content-Type": XML}, self.news_sitemap(base).encode()),
            "/sitemap-pages.xml": lambda: Response(200, {"Content-Type": XML}, self.pages_sitemap(base).encode()),
            "/feed/": lambda: Response(200, {"Content-Type": RSS}, self.rss(base).encode()),
            "/feed/atom/": lambda: Response(200, {"Content-Type": ATOM}, self.atom(base).encode()),
            "/login/": lambda: self._html(pages.login(self, base)),
            "/about/": lambda: self._html(pages.about(self, base)),
            "/search": lambda: self._html(pages.search(self, base, params.get("q", [""])[0])),
            "/special-report/": lambda: Response(200, {"Content-Type": HTML}, b""),
            "/live/status/": lambda: self._html("<html><body><h1>Internal Server Error</h1></body></html>", 500),
            "/go/latest/": lambda: self._redirect(301, f"{base}/go/latest/2/"),
            "/go/latest/2/": lambda: self._redirect(302, f"{base}{self.by_date[0].path}"),
            "/old/moved-story/": lambda: self._redirect(301, "/old/moved-story/2/"),
            "/old/moved-story/2/": lambda: self._redirect(302, "/old/gone/"),
        }
        if path in fixed:
            return fixed[path]()
        if path.startswith("/admin"):
            return self._html(pages.admin(self, base, path))
        article = self._by_path.get(path)
        if article is not None:
            return self._article_response(article, headers, base)
        if path.endswith((".jpg", ".png")) and path.startswith(("/images/", "/wp-content/uploads/", "/logo")):
            return Response(200, {"Content-Type": "image/gif"}, PIXEL)
        m = re.fullmatch(r"/sitemap-posts-(\d+)\.xml", path)
        if m and (text := self.posts_sitemap(base, int(m.group(1)))) is not None:
            return Response(200, {"Content-Type": XML}, text.encode())
        m = re.fullmatch(r"/(section|tag|author)/([a-z0-9-]+)/(?:page/(\d+)/)?", path)
        if m:
            kind, slug, page_no = m.group(1), m.group(2), int(m.group(3) or params.get("page", ["1"])[0] or 1)
            html = self._archive(kind, slug, page_no, base)
            return self._html(html) if html is not None else self._not_found(base)
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            if self._route(path + "/", headers, base).status == 200:
                return self._redirect(301, path + "/" + (f"?{query}" if query else ""))
        return self._not_found(base)

    def _archive(self, kind: str, slug: str, page_no: int, base: str) -> str | None:
        if kind == "section":
            if slug not in SECTIONS:
                return None
            items = [a for a in self.by_date if a.section == slug]
            return pages.listing(self, base, slug.capitalize(), f"/section/{slug}/", items, page_no)
        if kind == "tag":
            tag = self._tags.get(slug)
            if tag is None:
                return None
            items = [a for a in self.by_date if tag in a.tags]
            return pages.listing(self, base, f"Tag: {tag}", f"/tag/{slug}/", items, page_no)
        author = next((au for au in AUTHORS if au.slug == slug), None)
        if author is None:
            return None
        items = [a for a in self.by_date if author.name in a.authors]
        intro = f'<div class="author-description">{escape(author.bio)}</div>'
        return pages.listing(self, base, f"Author: {author.name}", f"/author/{slug}/", items, page_no, intro)

    def _article_response(self, a: Article, headers: dict[str, str], base: str) -> Response:
        validators = {"ETag": a.etag, "Last-Modified": http_date(a.modified), "Cache-Control": "max-age=60"}
        inm = headers.get("if-none-match")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            if "*" in tags or a.etag in tags:
                return Response(304, validators)
        elif (ims := headers.get("if-modified-since")) is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                since = None
            if since is not None and since.tzinfo is not None and a.modified.replace(microsecond=0) <= since:
                return Response(304, validators)
        resp = self._html(self.render_article(a, base))
        resp.headers.update(validators)
        return resp

    # -- discovery documents ----------------------------------------------------------------------

    def robots_txt(self, base: str) -> str:
        return (
            f"# robots.txt for {SITE_NAME}\n"
            "User-agent: *\n"
            "Disallow: /admin/\n"
            "Disallow: /wp-comments-post.php\n"
            "\n"
            "User-agent: BadBot\n"
            "Disallow: /\n"
            "\n"
            f"Sitemap: {base}/sitemap_index.xml\n"
        )

    def _post_chunks(self) -> list[list[Article]]:
        ordered = self.by_date
        return [ordered[i: i + self.sitemap_chunk] for i in range(0, len(ordered), self.sitemap_chunk)]

    def sitemap_index(self, base: str) -> str:
        entries = [(f"{base}/sitemap-news.xml", self.by_date[0].modified)]
        for k, chunk in enumerate(self._post_chunks(), start=1):
            entries.append((f"{base}/sitemap-posts-{k}.xml", max(a.modified for a in chunk)))
        entries.append((f"{base}/sitemap-pages.xml", self.now))
        entries[0] = (entries[0][0], max(a.modified for a in self.by_date[: self.news_sitemap_size]))
        body = "".join(f"<sitemap><loc>{loc}</loc><lastmod>{d.isoformat()}</lastmod></sitemap>\n" for loc, d in entries)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}</sitemapindex>\n')

    def posts_sitemap(self, base: str, k: int) -> str | None:
        chunks = self._post_chunks()
        if not 1 <= k <= len(chunks):
            return None
        listed = chunks[k - 1] + ([copy for copy, _ in self.copies.values()] if k == len(chunks) else [])
        urls = "".join(
            f"<url><loc>{escape(a.url(base))}</loc><lastmod>{a.modified.isoformat()}</lastmod>"
            f"<image:image><image:loc>{base}{a.image}</image:loc></image:image></url>\n"
            for a in listed
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
                f"{urls}</urlset>\n")

    def news_sitemap(self, base: str) -> str:
        urls = "".join(
            f"<url><loc>{escape(a.url(base))}</loc><news:news><news:publication><news:name>{SITE_NAME}</news:name>"
            f"<news:language>{a.language}</news:language></news:publication>"
            f"<news:publication_date>{a.date_published}</news:publication_date>"
            f"<news:title>{escape(a.title)}</news:title><news:keywords>{escape(', '.join(a.tags))}</news:keywords>"
            "</news:news></url>\n"
            for a in self.by_date[: self.news_sitemap_size]
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
                f"{urls}</urlset>\n")

    def pages_sitemap(self, base: str) -> str:
        paths = ["/", "/about/", *[f"/section/{s}/" for s in SECTIONS]]
        urls = "".join(f"<url><loc>{base}{p}</loc><lastmod>{self.now.isoformat()}</lastmod></url>\n" for p in paths)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')

    def _feed_link(self, a: Article, base: str, medium: str) -> str:
        url = a.url(base)
        return f"{url}?utm_source={medium}&utm_medium=feed" if self.feed_tracking_params else url

    def feed_articles(self) -> list[Article]:
        """Articles listed in the RSS and Atom feeds (the most recent `feed_size`)."""
        return self.by_date[: self.feed_size]

    def rss(self, base: str) -> str:
        items = []
        for a in self.feed_articles():
            cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in [a.section_title, *a.tags])
            creators = "".join(f"<dc:creator><![CDATA[{n}]]></dc:creator>" for n in a.authors)
            items.append(
                f"<item><title>{escape(a.title)}</title><link>{escape(self._feed_link(a, base, 'rss'))}</link>"
                f"<comments>{escape(a.url(base))}#comments</comments>{creators}"
                f"<pubDate>{http_date(a.published).replace('GMT', '+0000')}</pubDate>{cats}"
                f'<guid isPermaLink="false">{base}/?p={a.index}</guid>'
                f"<description><![CDATA[{a.description}]]></description></item>\n"
            )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n'
                f"<title>{SITE_NAME}</title>\n<link>{base}/</link>\n"
                f'<atom:link href="{base}/feed/" rel="self" type="application/rss+xml"/>\n'
                "<description>Independent news, every day</description>\n<language>en-US</language>\n"
                f"<lastBuildDate>{http_date(self.now).replace('GMT', '+0000')}</lastBuildDate>\n"
                f"{''.join(items)}</channel>\n</rss>\n")

    def atom(self, base: str) -> str:
        entries = []
        for a in self.feed_articles():
            authors = "".join(f"<author><name>{escape(n)}</name></author>" for n in a.authors)
            cats = "".join(f'<category term="{escape(t)}"/>' for t in [a.section_title, *a.tags])
            entries.append(
                f"<entry><title>{escape(a.title)}</title>"
                f'<link rel="alternate" type="text/html" href="{escape(self._feed_link(a, base, "atom"))}"/>'
                f"<id>tag:courier.example,2026:article-{a.index}</id>"
                f"<published>{a.date_published}</published><updated>{a.modified.isoformat()}</updated>"
                f"{authors}{cats}<summary>{escape(a.description)}</summary></entry>\n"
            )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
                f"<title>{SITE_NAME}</title>\n<id>{base}/</id>\n"
                f'<link rel="self" type="application/atom+xml" href="{base}/feed/atom/"/>\n'
                f'<link rel="alternate" type="text/html" href="{base}/"/>\n'
                f"<updated>{max(a.modified for a in self.articles).isoformat()}</updated>\n"
                f"{''.join(entries)}</feed>\n")
