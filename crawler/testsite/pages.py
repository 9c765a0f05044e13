"""Non-article pages of the test site: home, listings (section, tag, author, search), login, about, admin."""

from __future__ import annotations

import random
from html import escape
from typing import TYPE_CHECKING

from .content import FILLERS, SECTIONS
from .model import SITE_NAME, Article
from .themes import feed_links, long_date, wp_footer, wp_header, wp_sidebar

if TYPE_CHECKING:
    from .site import NewsSite


def e(text: str) -> str:
    return escape(text, quote=True)


def page(site: NewsSite, base: str, title: str, main: str, *, canonical: str | None = None,
         sidebar: bool = True, robots: str | None = None, footer_extra: str = "") -> str:
    rng = random.Random(f"page-{title}")
    side = wp_sidebar(site, None, [], rng) if sidebar else ""
    head = f'<link rel="canonical" href="{e(base + canonical)}">\n' if canonical else ""
    if robots:
        head += f'<meta name="robots" content="{robots}">\n'
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{e(title)} &#8211; {SITE_NAME}</title>
{head}<meta property="og:type" content="website">
<meta property="og:site_name" content="{SITE_NAME}">
{feed_links(base)}</head>
<body class="archive">
{wp_header(site, f"Today: {long_date(site.now_iso)}")}
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
{side}
</div>
{wp_footer(footer_extra)}
</body>
</html>
"""


def teaser(site: NewsSite, a: Article, comments: bool = True) -> str:
    authors = ", ".join(f'<a href="/author/{site.author(n).slug}/">{e(n)}</a>' for n in a.authors)
    more = f' <a class="comments-link" href="{a.path}#comments">Comments</a>' if comments else ""
    return (
        f'<article class="post type-post category-{a.section}"><h2 class="entry-title"><a href="{a.path}" '
        f'rel="bookmark">{e(a.title)}</a></h2><div class="entry-meta"><a href="/section/{a.section}/">'
        f'{a.section_title}</a> &middot; <time datetime="{a.date_published}">{long_date(a.date_published)}</time> '
        f'&middot; by {authors}{more}</div><div class="entry-summary"><p>{e(a.description)}</p></div></article>'
    )


def pagination(prefix: str, current: int, n_pages: int) -> str:
    if n_pages <= 1:
        return ""
    links = []
    if current > 1:
        prev = prefix if current == 2 else f"{prefix}page/{current - 1}/"
        links.append(f'<a class="prev page-numbers" href="{prev}">&laquo; Previous</a>')
    for n in range(1, n_pages + 1):
        href = prefix if n == 1 else f"{prefix}page/{n}/"
        links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>' if n == current
                     else f'<a class="page-numbers" href="{href}">{n}</a>')
    if current < n_pages:
        links.append(f'<a class="next page-numbers" href="{prefix}page/{current + 1}/">Next &raquo;</a>')
    return f'<nav class="navigation pagination"><div class="nav-links">{"".join(links)}</div></nav>'


def listing(site: NewsSite, base: str, title: str, prefix: str, items: list[Article], current: int,
            intro: str = "") -> str | None:
    """A paginated archive page (section, tag, author); None if `current` is past the last page."""
    per = site.per_page
    n_pages = max(1, -(-len(items) // per))
    if current < 1 or current > n_pages:
        return None
    chunk = items[(current - 1) * per: current * per]
    body = "".join(teaser(site, a) for a in chunk) or "<p>Nothing found.</p>"
    canonical = prefix if current == 1 else f"{prefix}page/{current}/"
    heading = title if current == 1 else f"{title} \u2013 Page {current}"
    main = (f'<header class="page-header"><h1 class="page-title">{e(title)}</h1>{intro}</header>'
            f"{body}{pagination(prefix, current, n_pages)}")
    return page(site, base, heading, main, canonical=canonical)


def home(site: NewsSite, base: str) -> str:
    latest = site.latest(12)
    blocks = []
    for s in SECTIONS:
        top = [a for a in site.by_date if a.section == s][:3]
        items = "".join(f'<li><a href="{a.path}">{e(a.title)}</a></li>' for a in top)
        n = len([a for a in site.articles if a.section == s])
        more = (f'<a class="more" href="/section/{s}/page/2/">More {s.capitalize()} &raquo;</a>'
                if n > site.per_page else "")
        blocks.append(f'<section class="home-section section-{s}"><h2><a href="/section/{s}/">{s.capitalize()}</a>'
                      f'</h2><ul>{items}</ul>{more}</section>')
    tags = sorted({t for a in site.articles for t in a.tags})[:12]
    tag_cloud = " ".join(f'<a href="/tag/{site.tag_slug(t)}/">{e(t)}</a>' for t in tags)
    main = f"""<h1 class="screen-reader-text">{SITE_NAME}</h1>
<section class="home-latest"><h2>Latest news</h2>{"".join(teaser(site, a) for a in latest)}</section>
{"".join(blocks)}
<section class="tag-cloud"><h2>Trending topics</h2>{tag_cloud}</section>
<section class="home-links"><h2>More from the Courier</h2><ul>
<li><a href="/go/latest/">Read our latest story</a></li>
<li><a href="/old/moved-story/">An old story that moved</a></li>
<li><a href="/special-report/">Special report</a></li>
<li><a href="/archive/2019/the-lost-story/">From the archive (2019)</a></li>
<li><a href="/live/status/">Live service status</a></li>
<li><a href="/search?q=election">Search: election</a></li>
<li><a href="/login/">Subscriber login</a></li>
</ul></section>"""
    extra = ('<div class="staff-links"><a href="/admin/">Site administration</a> '
             '<a href="/admin/drafts/">Drafts</a></div>')
    return page(site, base, f"{SITE_NAME} \u2013 Independent news, every day", main, canonical="/",
                footer_extra=extra)


def search(site: NewsSite, base: str, query: str) -> str:
    q = query.strip().lower()
    hits = [a for a in site.by_date if q and (q in a.title.lower() or any(q in t.lower() for t in a.tags)
                                              or q in a.section)][:10]
    results = "".join(teaser(site, a, comments=False) for a in hits) or "<p>Sorry, no results were found.</p>"
    main = (f'<header class="page-header"><h1 class="page-title">Search results for: {e(query)}</h1></header>'
            f'<form action="/search" method="get"><input type="search" name="q" value="{e(query)}">'
            f'<button>Search</button></form>{results}')
    return page(site, base, f"You searched for {query}", main, robots="noindex, follow")


def login(site: NewsSite, base: str) -> str:
    main = """<h1>Subscriber login</h1>
<form method="post" action="/login/" class="login-form">
<label>Email <input type="email" name="log"></label>
<label>Password <input type="password" name="pwd"></label>
<label><input type="checkbox" name="rememberme"> Remember me</label>
<button type="submit">Log in</button></form>
<p><a href="/login/?action=lostpassword">Lost your password?</a></p>"""
    return page(site, base, "Log in", main, sidebar=False, robots="noindex, follow")


def about(site: NewsSite, base: str) -> str:
    main = f"""<h1>About us</h1>
<p>{SITE_NAME} is an independent newsroom. Contact: newsroom@courier.example.</p>
<h2 id="privacy">Privacy</h2><p>We use cookies. See our partners list.</p>
<p class="filler">{FILLERS[1]}</p>"""
    return page(site, base, "About us", main, canonical="/about/")


def admin(site: NewsSite, base: str, path: str) -> str:
    drafts = "".join(
        f'<li><a href="/admin/drafts/{a.slug}-draft/">[Draft] {e(a.title)}</a></li>' for a in site.latest(3)
    )
    main = f"<h1>Site administration</h1><p>Staff only. Path: {e(path)}</p><ul>{drafts}</ul>"
    return page(site, base, "Administration", main, sidebar=False, robots="noindex, nofollow")
