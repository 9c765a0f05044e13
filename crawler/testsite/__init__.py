"""An offline, deterministic news site for tests, the demo and benchmarks (standard library only).

    from crawler.testsite import NewsSite, SiteServer

    site = NewsSite(n_articles=40)            # seed=2026; 500+ articles generate in well under a second
    with SiteServer(site) as server:          # 127.0.0.1, free port (or SiteServer(site, port=8080))
        server.base_url                       # "http://127.0.0.1:54321" (no trailing slash)
        site.article_urls(server.base_url)    # exactly what a correct crawl stores
        server.requests_for("/admin/")        # request log: method, path, status, headers
        site.edit_article(3, new_paragraph="...")   # new text, ETag, Last-Modified, sitemap lastmod

``python -m crawler.testsite [--port N] [--articles N]`` serves it until Ctrl-C.

Articles (`Article`: url/path, title, authors, date_published, date_modified, language, section,
tags, paragraphs with subheadings, theme, description, image, pull_quote, noise, etag,
expected_record()). Article 0 (`NewsSite.seed_article`) reproduces the seed page (`seed`). Two themes:

* ``wordpress``: ``/YYYY/MM/DD/slug/``, ``<html lang="en-US">``, OpenGraph + ``article:*`` meta and a
  visible byline, no JSON-LD; title printed twice, today's date, reading time, pull quote, "Source
  link", "Latest Posts" / "Categories" / newsletter / lorem filler sidebar, Previous/Next Story,
  "You may also like", "Latest from Blog", comments and reply form, share buttons, cookie notice,
  "Go to" + "Top" back-to-top link; the story container closed and reopened around its in-story ad
  when both parts hold a few paragraphs (not on the seed page).
* ``magazine``: ``/<section>/YYYY/MM/slug.html``, ``<html lang="en-GB">``, div soup, JSON-LD
  NewsArticle + BreadcrumbList; consent dialog, breaking ticker, photo caption and credit, share
  buttons, pull quote, inline "Read more:", ads, a gallery of numbered pictures ("3/6", titles and
  captions) inside the story, related cards, previous/next article, comments, "Most read", newsletter,
  sponsored links, "Back to top".

Most noise sits outside the story container; ``NewsSite(inline_noise=True)`` puts more inside it
(harder: "Also read:", newsletter and "follow us" paragraphs, a list of the site's other stories). ``feed_tracking_params=True`` adds
``?utm_source=...`` to feed links (canonical links stay clean).

Other pages: ``/`` (links feeds, sections, tags, login, search, /admin/ and the broken pages),
``/section/<s>/`` + ``page/N/`` (or ``?page=N``), ``/tag/<slug>/``, ``/author/<slug>/`` (paginated),
``/search?q=``, ``/login/``, ``/about/``, ``/admin/...`` (disallowed by robots.txt), ``/robots.txt``,
``/sitemap_index.xml`` -> ``/sitemap-news.xml`` (Google News, 50 newest), ``/sitemap-posts-N.xml``
(all articles, 250 per file, lastmod), ``/sitemap-pages.xml``; ``/feed/`` (RSS 2.0) and
``/feed/atom/`` (Atom), both the 20 newest. Broken (`BROKEN`): ``/archive/2019/the-lost-story/``
404, ``/live/status/`` 500, ``/special-report/`` empty 200, ``/go/latest/`` 301 -> 302 -> newest
article (200), ``/old/moved-story/`` 301 -> 302 -> ``/old/gone/`` 404. Paths missing their
trailing slash get a 301. Articles answer 304 to ``If-None-Match`` / ``If-Modified-Since``.
"""

from __future__ import annotations

from . import seed
from .model import SITE_NAME, THEMES, Article, Author
from .server import LoggedRequest, SiteServer
from .site import BROKEN, NewsSite, Response

__all__ = [
    "BROKEN",
    "SITE_NAME",
    "THEMES",
    "Article",
    "Author",
    "LoggedRequest",
    "NewsSite",
    "Response",
    "SiteServer",
    "seed",
]
