"""The offline test news site: pages, discovery documents, broken pages, conditional requests, edits."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import feedparser
import pytest
from parsel import Selector
from scrapy.utils.sitemap import Sitemap

from crawler.testsite import NewsSite, SiteServer, seed

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    with SiteServer(NewsSite(40)) as srv:
        yield srv


def texts(body: bytes) -> tuple[str, str]:
    """Visible text of a page, text nodes glued ("" join) and spaced (" " join), whitespace squeezed."""
    sel = Selector(text=body.decode("utf-8"))
    nodes = sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()

    def squeeze(s: str) -> str:
        return re.sub(r"\s+", " ", s)

    return squeeze("".join(nodes)), squeeze(" ".join(nodes))


def test_generation_is_deterministic_varied_and_fast() -> None:
    a, b = NewsSite(40), NewsSite(40)
    assert [x.text for x in a.articles] == [x.text for x in b.articles]
    assert [x.noise for x in a.articles] == [x.noise for x in b.articles]
    start = time.perf_counter()
    big = NewsSite(500)
    assert time.perf_counter() - start < 5  # ~0.5 s on one core
    assert len({x.path for x in big.articles}) == len({x.title for x in big.articles}) == 500
    assert len({x.text for x in big.articles}) == 500
    generated = big.articles[1:]
    assert all(150 <= x.word_count <= 600 for x in generated)
    assert all(len(x.paragraphs) >= 3 for x in generated)
    assert {x.theme for x in big.articles} == {"wordpress", "magazine"}
    assert any(x.subheadings for x in generated) and any(len(x.authors) == 2 for x in generated)
    assert any(x.date_modified for x in generated) and any(not x.date_modified for x in generated)

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = text.split()
        return {tuple(words[i: i + 5]) for i in range(len(words) - 4)}

    sample = [shingles(x.text) for x in big.articles[:80]]
    worst = max(len(p & q) / len(p | q) for i, p in enumerate(sample) for q in sample[i + 1:])
    assert worst < 0.3, worst


def test_seed_article_matches_the_seed_readme() -> None:
    site = NewsSite(40)
    a = site.seed_article
    assert a.title == "Cuba changes tone towards the United States and reaffirms \u201cits commitment to cooperate\u201d"
    assert a.date_published.startswith("2026-02-02T") and a.theme == "wordpress"
    assert a.paragraphs[0].startswith("In a very different tone than exhibited by Miguel D\u00edaz-Canel Last Friday,")
    assert a.paragraphs[-1].endswith("after the capture of Nicol\u00e1s Maduro, with Delcy Rodr\u00edguez.")
    assert a.paragraphs[a.subheadings[0]] == (
        "According to independent journalist Carlos Cabrera, Cuba and the United States are negotiating in Mexico"
    )
    assert "day before Trump" in a.text and "Carlos Cabrera Cuba" in a.text
    assert len(a.paragraphs) == len(set(a.paragraphs)) == 14
    for line in ("Today: February 2, 2026", "3 mins read", "Source link", "Latest Posts", "Categories",
                 "Previous Story", "Next Story", "Latest from Blog", seed.FILLER, seed.COFFEE_TEASER,
                 seed.BLOG_TITLE, seed.BLOG_EXCERPT, seed.PREVIOUS_HEADLINE, seed.NEXT_HEADLINE, "Go to Top",
                 "Any past interactions involving persons subsequently designated as terrorists"):
        assert any(line in n for n in a.noise), line
    # The repository itself carries the seed text (a clone has no ../shared).
    shared = Path("/work/shared/seed/naive-scrape.txt")
    if shared.exists():
        naive = shared.read_text(encoding="utf-8")
        for p in a.paragraphs:
            assert p.replace("day before Trump", "day beforeTrump").replace(
                "Carlos Cabrera Cuba", "Carlos CabreraCuba") in naive


def test_home_links_feeds_sections_and_discovery(server: SiteServer) -> None:
    status, headers, body = server.get("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    sel = Selector(text=body.decode())
    assert sel.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href').get() == f"{server.base_url}/feed/"
    assert sel.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href').get() == f"{server.base_url}/feed/atom/"
    hrefs = set(sel.xpath("//a/@href").getall())
    for section in ("world", "politics", "business", "science", "culture"):
        assert f"/section/{section}/" in hrefs
    assert {"/admin/", "/login/", "/search?q=election"} <= hrefs
    assert set(server.site.broken_paths()) <= hrefs
    assert sel.xpath("/html/@lang").get() == "en-US"


def test_robots_txt(server: SiteServer) -> None:
    status, headers, body = server.get("/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    text = body.decode()
    assert "User-agent: *\nDisallow: /admin/\n" in text
    assert f"Sitemap: {server.base_url}/sitemap_index.xml" in text
    assert server.site.disallowed_paths()[0] == "/admin/"


def test_sitemaps_list_every_article(server: SiteServer) -> None:
    site = server.site
    status, headers, body = server.get("/sitemap_index.xml")
    assert status == 200 and headers["content-type"].startswith("application/xml")
    index = Sitemap(body)
    assert index.type == "sitemapindex"
    locs = [entry["loc"] for entry in index]
    assert f"{server.base_url}/sitemap-news.xml" in locs
    found: set[str] = set()
    for loc in locs:
        _, _, child = server.get(loc.removeprefix(server.base_url))
        urlset = Sitemap(child)
        assert urlset.type == "urlset"
        for entry in urlset:
            found.add(entry["loc"])
            assert "lastmod" in entry or "news" in loc
    assert site.article_urls(server.base_url) <= found
    assert found - site.article_urls(server.base_url) == {
        server.url(p) for p in ["/", "/about/", *[f"/section/{s}/" for s in ("world", "politics", "business", "science", "culture")]]
    }
    _, _, news = server.get("/sitemap-news.xml")
    assert b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in news
    entries = list(Sitemap(news))
    assert len(entries) == min(site.news_sitemap_size, len(site.articles))
    newest = site.by_date[0]
    assert f"<news:publication_date>{newest.date_published}</news:publication_date>".encode() in news
    assert datetime.fromisoformat(newest.date_published).tzinfo is not None


@pytest.mark.parametrize(("path", "ctype"), [("/feed/", "application/rss+xml"), ("/feed/atom/", "application/atom+xml")])
def test_feeds_parse_and_list_recent_articles(server: SiteServer, path: str, ctype: str) -> None:
    status, headers, body = server.get(path)
    assert status == 200 and headers["content-type"].startswith(ctype)
    feed = feedparser.parse(body)
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    expected = [a.url(server.base_url) for a in server.site.feed_articles()]
    assert links == expected and len(links) == server.site.feed_size
    first = feed.entries[0]
    assert first.title == server.site.by_date[0].title and first.get("published_parsed")


def test_article_pages_contain_story_and_noise(server: SiteServer) -> None:
    site = server.site
    for a in site.articles:
        status, headers, body = server.get(a.path)
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8", a.path
        glued, spaced = texts(body)
        for p in a.paragraphs:
            assert p in glued, (a.path, p)
            if a.paragraphs.index(p) not in a.subheadings:
                assert glued.count(p) == 1, (a.path, p)
        for n in a.noise:
            assert n in glued or n in spaced, (a.path, n)
            assert n not in a.text
        sel = Selector(text=body.decode())
        assert sel.xpath('//link[@rel="canonical"]/@href').get() == a.url(server.base_url)
        ld = sel.xpath('//script[@type="application/ld+json"]/text()').getall()
        if a.theme == "magazine":
            data = json.loads(ld[0])
            assert data["@type"] == "NewsArticle" and data["headline"] == a.title
            assert [x["name"] for x in data["author"]] == a.authors
            assert data["datePublished"] == a.date_published
        else:
            assert ld == []
            assert sel.xpath('//meta[@property="article:published_time"]/@content').get() == a.date_published
            assert sel.xpath('//meta[@property="og:title"]/@content').get() == a.title
            assert sel.xpath('//span[contains(@class, "author")]//a/text()').getall() == a.authors


def test_seed_page_has_seed_noise_and_no_glued_words(server: SiteServer) -> None:
    a = server.site.seed_article
    _, _, body = server.get(a.path)
    glued, _ = texts(body)
    for line in seed.NOISE:
        if line != "Go to Top":
            assert line in glued, line
    assert glued.count(a.title) >= 2
    assert "day beforeTrump" not in glued and "CabreraCuba" not in glued
    assert "day before Trump insisted" in glued and "Carlos Cabrera Cuba and the United States" in glued


def test_non_article_pages_answer_200(server: SiteServer) -> None:
    site = server.site
    articles = site.article_urls(server.base_url)
    paths = site.non_article_paths()
    assert any("/page/2/" in p for p in paths)
    assert any(p.startswith("/tag/") for p in paths) and any(p.startswith("/author/") for p in paths)
    for path in paths:
        status, headers, body = server.get(path)
        assert status == 200 and body, path
        assert server.url(path) not in articles
    status, _, body = server.get("/section/world/?page=2")
    canonical = Selector(text=body.decode()).xpath('//link[@rel="canonical"]/@href').get()
    assert status == 200 and canonical == server.url("/section/world/page/2/")
    assert server.get("/section/world/page/99/")[0] == 404
    assert server.get("/tag/no-such-tag/")[0] == 404


def test_broken_pages(server: SiteServer) -> None:
    assert server.get("/archive/2019/the-lost-story/")[0] == 404
    assert server.get("/live/status/")[0] == 500
    status, headers, body = server.get("/special-report/")
    assert status == 200 and body == b"" and headers["content-length"] == "0"
    status, headers, _ = server.get("/go/latest/")
    assert status == 301 and headers["location"] == server.url("/go/latest/2/")
    status, headers, _ = server.get("/go/latest/2/")
    assert status == 302 and headers["location"] == server.url(server.site.by_date[0].path)
    status, headers, _ = server.get("/old/moved-story/")
    assert status == 301 and headers["location"] == "/old/moved-story/2/"
    status, headers, _ = server.get(headers["location"])
    assert status == 302 and server.get(headers["location"])[0] == 404
    status, headers, _ = server.get("/section/world")
    assert status == 301 and headers["location"] == "/section/world/"
    assert server.get("/", method="POST")[0] == 405


def test_conditional_requests(server: SiteServer) -> None:
    a = server.site.articles[3]
    status, headers, body = server.get(a.path)
    assert status == 200 and headers["etag"] == a.etag
    last_modified = headers["last-modified"]
    assert parsedate_to_datetime(last_modified) == a.modified
    status, headers, body = server.get(a.path, {"If-None-Match": a.etag})
    assert status == 304 and body == b"" and headers["etag"] == a.etag
    assert server.get(a.path, {"If-Modified-Since": last_modified})[0] == 304
    assert server.get(a.path, {"If-None-Match": '"other"'})[0] == 200
    earlier = format_datetime(datetime.fromtimestamp(a.modified.timestamp() - 3600, a.modified.tzinfo), usegmt=False)
    assert server.get(a.path, {"If-Modified-Since": earlier})[0] == 200
    status, headers, body = server.get(a.path, method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000


def test_edit_article_changes_text_etag_and_lastmod() -> None:
    site = NewsSite(12)
    with SiteServer(site) as srv:
        a = site.articles[5]
        old_etag, old_modified, old_len = a.etag, a.modified, len(a.paragraphs)
        _, _, sitemap = srv.get("/sitemap-posts-1.xml")
        edited = site.edit_article(a.slug, new_paragraph="A late correction was published on Friday evening.")
        assert edited is a and len(a.paragraphs) == old_len + 1 and a.version == 2
        assert a.etag != old_etag and a.modified > old_modified and a.date_modified
        status, headers, body = srv.get(a.path, {"If-None-Match": old_etag})
        assert status == 200 and headers["etag"] == a.etag
        assert b"A late correction was published on Friday evening." in body
        assert parsedate_to_datetime(headers["last-modified"]) == a.modified
        _, _, new_sitemap = srv.get("/sitemap-posts-1.xml")
        assert f"<lastmod>{a.modified.isoformat()}</lastmod>".encode() in new_sitemap and new_sitemap != sitemap
        site.edit_article(5)
        assert a.version == 3 and a.paragraphs[-1].startswith("Update 2: ")
        with pytest.raises(KeyError):
            site.edit_article("no-such-slug")


def test_request_log(server: SiteServer) -> None:
    server.clear_log()
    assert server.requests == []
    server.get("/search?q=cuba", {"User-Agent": "newsclean-test"})
    server.get("/search?q=election")
    server.get("/robots.txt")
    assert len(server.requests_for("/search")) == 2
    assert len(server.requests_for("/search?q=cuba")) == 1
    entry = server.requests_for("/robots.txt")[0]
    assert entry.method == "GET" and entry.status == 200
    assert server.requests_for("/search?q=cuba")[0].headers["user-agent"] == "newsclean-test"
    assert server.requests_for("/admin/") == []


def test_module_entry_serves_until_stopped() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.testsite", "--articles", "10"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("GET", "/robots.txt")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_options_inline_noise_and_feed_tracking_params() -> None:
    site = NewsSite(10, inline_noise=True, feed_tracking_params=True)
    with SiteServer(site) as srv:
        for a in site.articles[1:3]:
            assert "Follow us on Telegram and WhatsApp for the latest news." in a.noise
            glued, spaced = texts(srv.get(a.path)[2])
            assert all(n in glued or n in spaced for n in a.noise)
        assert not any("Follow us" in n for n in site.seed_article.noise)
        feed = feedparser.parse(srv.get("/feed/")[2])
        assert all("?utm_source=rss&utm_medium=feed" in e.link for e in feed.entries)
        canonical = {e.link.split("?")[0] for e in feed.entries}
        assert canonical <= site.article_urls(srv.base_url)
