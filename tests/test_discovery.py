"""Discovery on 127.0.0.1: article patterns against listing words, big sitemaps, the /sitemap.xml
fallback when robots.txt is missing, and which sitemap and feed dates become a date hint."""

from __future__ import annotations

import gzip
import logging
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler import settings as project_settings
from crawler.testsite.server import Reply, RouteServer
from spiders.news import SITEMAP_MAX_BYTES, NewsSpider

from .conftest import CrawlResult, run_crawl, stats_of

MB = 1024 * 1024
#: A sitemap just over the page limit (DOWNLOAD_MAXSIZE, 16 MB) and well under the protocol's 50 MB.
BIG_SITEMAP_BYTES = project_settings.DOWNLOAD_MAXSIZE + MB
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
WORDS = ("harbour council ferry budget vote mayor river pier market teachers school energy court report "
         "village farmers festival railway hospital election bridge library museum tram").split()

#: The Atlantic's story URL shape: a listing word (`archive`) in the path of every story.
ATLANTIC = "/ideas/archive/2024/05/council-votes-on-the-ferry-budget/678285/"
TAG_PAGE = "/tag/ferry/"
BIG = "/news/big-sitemap-story-of-the-harbour"
BIG_GZIP = "/news/gzipped-big-sitemap-story-of-the-pier"
LASTMOD_ONLY = "/news/lastmod-only-story-without-a-date"
PUBLISHED = "/news/news-sitemap-story-with-publication-date"
ATOM_UPDATED = "/news/atom-updated-only-story-without-a-date"
RSS_PUBDATE = "/news/rss-pubdate-story-without-a-date"
LASTMOD = "2026-03-04T05:06:07+00:00"
PUBLICATION = "2025-11-12T08:00:00+00:00"


def xml(body: str | bytes, **headers: str) -> Reply:
    return Reply(200, {"Content-Type": "application/xml", **headers}, body.encode() if isinstance(body, str) else body)


def story_page(seed: int, title: str) -> Reply:
    """A story of its own words (no two pages near-duplicates), with no date anywhere in the page."""
    rng = random.Random(seed)
    paragraphs = "".join("<p>" + " ".join(f"{rng.choice(WORDS)}{rng.randrange(1000)}" for _ in range(60)) + ".</p>"
                         for _ in range(5))
    body = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:type' content='article'><meta name='author' content='Jane Doe'></head>"
            f"<body><header><nav><a href='/'>Home</a></nav></header><article><h1>{title}</h1>{paragraphs}"
            "</article><footer>(c) Local News</footer></body></html>")
    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body.encode())


def urlset(base: str, paths: list[str], pad: int = 0, extra: dict[str, str] | None = None) -> str:
    """A sitemap of ``paths`` (each ``<url>`` with ``extra[path]`` after its ``<loc>``), ``pad`` bytes larger."""
    comment = f"<!-- {'x' * pad} -->" if pad else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{comment}<urlset {NS} {NEWS_NS}>'
            + "".join(f"<url><loc>{base}{p}</loc>{(extra or {}).get(p, '')}</url>" for p in paths) + "</urlset>")


@dataclass
class Crawl:
    server: RouteServer
    result: CrawlResult
    stats: dict[str, int]
    dates: dict[str, str | None]  # path -> date_published of the stored record


@pytest.fixture(scope="module")
def sitemaps_and_feeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    """One crawl of a source given by sitemaps and feeds (no link following)."""
    workdir = tmp_path_factory.mktemp("discovery")
    with RouteServer() as server:
        b = server.base_url
        for seed, path in enumerate((ATLANTIC, BIG, BIG_GZIP, LASTMOD_ONLY, PUBLISHED, ATOM_UPDATED, RSS_PUBDATE)):
            server.routes[path] = story_page(seed, f"Story {seed} of the harbour town")
        server.routes[TAG_PAGE] = story_page(99, "Ferry")
        server.routes["/listing.xml"] = xml(urlset(b, [ATLANTIC, TAG_PAGE]))
        server.routes["/big.xml"] = xml(urlset(b, [BIG], pad=BIG_SITEMAP_BYTES))
        server.routes["/big-gzip.xml"] = xml(gzip.compress(urlset(b, [BIG_GZIP], pad=BIG_SITEMAP_BYTES).encode()),
                                             **{"Content-Encoding": "gzip"})
        server.routes["/dates.xml"] = xml(urlset(b, [LASTMOD_ONLY, PUBLISHED], extra={
            LASTMOD_ONLY: f"<lastmod>{LASTMOD}</lastmod>",
            PUBLISHED: f"<lastmod>{LASTMOD}</lastmod><news:news><news:publication><news:name>Local</news:name>"
                       "<news:language>en</news:language></news:publication><news:publication_date>"
                       f"{PUBLICATION}</news:publication_date><news:title>t</news:title></news:news>",
        }))
        server.routes["/atom.xml"] = Reply(200, {"Content-Type": "application/atom+xml"}, (
            '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            f'<entry><title>a</title><link href="{b}{ATOM_UPDATED}"/><updated>{LASTMOD}</updated></entry></feed>'
        ).encode())
        server.routes["/rss.xml"] = Reply(200, {"Content-Type": "application/rss+xml"}, (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>{b}/</link>'
            f"<item><title>r</title><link>{b}{RSS_PUBDATE}</link><pubDate>Wed, 12 Nov 2025 08:00:00 +0000</pubDate>"
            "</item></channel></rss>"
        ).encode())
        sitemaps = ", ".join(f'"{b}{p}"' for p in ("/listing.xml", "/big.xml", "/big-gzip.xml", "/dates.xml",
                                                    "/missing-sitemap.xml"))
        (workdir / "sources.toml").write_text(
            f'[[site]]\nname = "Local"\nsitemaps = [{sitemaps}]\nfeeds = ["{b}/atom.xml", "{b}/rss.xml"]\n'
            "article_patterns = ['/archive/\\d{4}/', '/news/']\nfollow_links = false\n", encoding="utf-8")
        db = f"sqlite:///{workdir / 'newsclean.db'}"
        result = run_crawl(workdir, db, settings={"LOG_LEVEL": "DEBUG"}, sources=str(workdir / "sources.toml"))
        assert result.returncode == 0, result.log[-3000:]
        dates = {r["url"].removeprefix(b): r["date_published"] for r in result.records()}
        yield Crawl(server, result, stats_of(result.log), dates)


def test_source_article_patterns_win_over_listing_words(sitemaps_and_feeds: Crawl) -> None:
    crawl = sitemaps_and_feeds
    assert crawl.server.hits(ATLANTIC) == 1
    assert ATLANTIC in crawl.dates
    # a tag page in a sitemap is still not fetched, but counted and logged, not dropped silently
    assert crawl.server.hits(TAG_PAGE) == 0
    assert crawl.stats.get("newsclean/discovery/not_article") == 1
    assert re.search(rf"DEBUG: Source Local: {re.escape(crawl.server.base_url + TAG_PAGE)} is a listing URL",
                     crawl.result.log)


def test_sitemaps_over_the_page_limit_are_read(sitemaps_and_feeds: Crawl) -> None:
    crawl = sitemaps_and_feeds
    assert BIG in crawl.dates
    assert BIG_GZIP in crawl.dates
    assert "newsclean/fetch_error/too_large" not in crawl.stats
    assert "newsclean/fetch_error/decompression_too_large" not in crawl.stats


def test_a_lost_sitemap_is_a_warning(sitemaps_and_feeds: Crawl) -> None:
    missing = re.escape(sitemaps_and_feeds.server.base_url + "/missing-sitemap.xml")
    assert re.search(rf"WARNING: Could not fetch sitemap {missing} \(http_404\)", sitemaps_and_feeds.result.log)


def test_only_publication_dates_are_date_hints(sitemaps_and_feeds: Crawl) -> None:
    dates = sitemaps_and_feeds.dates
    assert dates[LASTMOD_ONLY] is None  # the sitemap's <lastmod> is no publication date
    assert dates[ATOM_UPDATED] is None  # nor is an Atom entry's <updated>
    assert dates[PUBLISHED] == PUBLICATION
    assert dates[RSS_PUBDATE] == PUBLICATION


def test_robots_txt_missing_falls_back_to_sitemap_xml(tmp_path: Path) -> None:
    with RouteServer() as server:
        story = "/2025/06/01/council-votes-on-the-ferry-budget"  # named by /sitemap.xml only
        server.routes[story] = story_page(1, "Council votes on the ferry budget")
        server.routes["/"] = Reply(200, {"Content-Type": "text/html"}, b"<html><body><p>home</p></body></html>")
        server.routes["/sitemap.xml"] = xml(urlset(server.base_url, [story]))
        result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'n.db'}", url=server.base_url + "/")
        assert result.returncode == 0, result.log[-3000:]
        assert server.hits("/robots.txt") >= 1
        assert server.hits("/sitemap.xml") == 1
        assert [r["url"] for r in result.records()] == [server.base_url + story]
        assert stats_of(result.log).get("newsclean/discovery/sitemap_fallback") == 1


def spider(**arguments: str) -> NewsSpider:
    crawler = get_crawler(NewsSpider, {"NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES": True})
    news: NewsSpider = NewsSpider.from_crawler(crawler, **arguments)
    return news


def failed(request: Request, failure: Failure) -> Failure:
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy sets it before the errback
    return failure


@pytest.mark.parametrize("failure", [
    Failure(DNSLookupError("no such host")),
    Failure(HttpError(Response("https://news.example/robots.txt", status=404))),
], ids=["dns", "http_404"])
def test_robots_errback_yields_the_fallback_sitemap(failure: Failure) -> None:
    news = spider(url="https://news.example/")
    robots = next(r for r in news.seed_requests() if r.meta.get("nc_role") == "robots")
    requests = news.on_error(failed(robots, failure))
    assert [r.url for r in requests] == ["https://news.example/sitemap.xml"]
    assert requests[0].meta["download_maxsize"] == SITEMAP_MAX_BYTES
    assert requests[0].callback == news.parse_sitemap


def test_other_failures_yield_nothing_and_a_guessed_sitemap_is_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    news = spider(sitemap="https://news.example/news-sitemap.xml")
    named = next(iter(news.seed_requests()))
    guessed = news._fallback_sitemap_request(0, "https://news.example/robots.txt")
    caplog.set_level(logging.INFO, logger="spiders.news")
    levels: dict[str, Any] = {}
    for request in (named, guessed):
        caplog.clear()
        assert news.on_error(failed(request, Failure(HttpError(Response(request.url, status=404))))) == []
        levels[request.url] = [r.levelno for r in caplog.records if "Could not fetch" in r.getMessage()]
    assert levels == {"https://news.example/news-sitemap.xml": [logging.WARNING],
                      "https://news.example/sitemap.xml": [logging.INFO]}
