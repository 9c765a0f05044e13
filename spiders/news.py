"""The ``news`` spider: discovers article pages of news sites and yields them as `PageItem`s.

Discovery, per source: robots.txt sitemaps (sitemap indexes, Google News sitemaps, plain sitemaps),
RSS/Atom feeds named on the home page, and links inside the site up to a bounded depth. Listing
pages (tags, authors, search, login, pagination, sections) are fetched for their links but never
yielded. The spider only fetches and yields; extraction, validation and storage are pipelines.

Usage (exactly one kind of input, see README)::

    scrapy crawl news -a url=https://news.example/
    scrapy crawl news -a sitemap=https://news.example/sitemap.xml
    scrapy crawl news -a feed=https://news.example/feed/
    scrapy crawl news -a urls=urls.txt
    scrapy crawl news -a sources=sources.toml
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import scrapy
from lxml import etree
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from crawler.config import Config, ConfigError
from crawler.dates import day_of, parse_date
from crawler.items import PageItem
from crawler.middlewares import NotModified, failure_kind
from crawler.signals import frontier_for
from crawler.sources import Source, check_url, load_sources, make_source, read_url_list
from crawler.urls import UrlKind, UrlSet, canonicalize, classify, in_domains

logger = logging.getLogger(__name__)

#: Scheduler priorities: sitemaps and feeds first (they name the most articles per request),
#: then articles (finishing pages keeps the queue small), listings last.
PRIORITY_DISCOVERY = 20
PRIORITY_ARTICLE = 10
PRIORITY_LISTING = 0

#: Largest decompressed sitemap accepted (bytes): the sitemap protocol's own limit is 50 MB. It is the
#: download limit of sitemap requests too (``download_maxsize``, which Scrapy's HttpCompressionMiddleware
#: also applies to a ``Content-Encoding: gzip`` body), above the 16 MB ``DOWNLOAD_MAXSIZE`` for pages:
#: a sitemap of 30 MB is valid and names tens of thousands of articles.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
#: Sitemaps over this size are logged by Scrapy as large (``download_warnsize``); the 4 MB
#: ``DOWNLOAD_WARNSIZE`` of pages would warn about every big news site's sitemap on every run.
SITEMAP_WARN_BYTES = 40 * 1024 * 1024

_INPUTS = ("url", "sitemap", "feed", "urls", "sources")
#: What each input expects, for the message about an empty one (``-a feed=``).
_INPUT_VALUES = {"url": "a home page URL", "sitemap": "a sitemap URL", "feed": "a feed URL",
                 "urls": "a file of URLs", "sources": "a sources file (.toml)"}
#: Spider attributes Scrapy's own middlewares read (UserAgentMiddleware, HttpAuthMiddleware), which
#: Scrapy documents setting with ``-a``; they work as strings, so they stay accepted.
SCRAPY_ARGUMENTS = frozenset({"user_agent", "http_user", "http_pass", "http_auth_domain"})
#: Keys of a sources-file site that are no spider argument, and the setting that does the same for
#: a single-input crawl (None: only the sources file has it).
_SOURCE_KEYS_AS_ARGUMENTS: dict[str, str | None] = {
    "max_pages": "NEWSCLEAN_MAX_PAGES", "max_depth": "NEWSCLEAN_MAX_DEPTH",
    "follow_links": "NEWSCLEAN_FOLLOW_LINKS", "since": None, "name": None, "allowed_domains": None,
    "article_patterns": None, "deny_patterns": None, "sitemaps": None, "feeds": None,
}


def check_argument_names(arguments: dict[str, Any]) -> dict[str, Any]:
    """The inputs among the spider arguments; a ConfigError for an unknown argument or an empty input.

    Arguments starting with ``_`` are accepted and ignored: scrapyd passes ``_job`` (and ``_version``)."""
    for name in sorted(arguments):
        if name.startswith("_") or name in SCRAPY_ARGUMENTS:
            continue
        if name in _INPUTS:
            if str(arguments[name] if arguments[name] is not None else "").strip() == "":
                raise ConfigError(f"-a {name}= is empty: give {_INPUT_VALUES[name]}")
            continue
        known = f"known: {', '.join(_INPUTS)} (and Scrapy's {', '.join(sorted(SCRAPY_ARGUMENTS))})"
        if name in _SOURCE_KEYS_AS_ARGUMENTS:
            setting = _SOURCE_KEYS_AS_ARGUMENTS[name]
            instead = f"-s {setting}=... for a single-input crawl, or " if setting else ""
            single = {"sitemaps": " (one sitemap: -a sitemap=URL)", "feeds": " (one feed: -a feed=URL)"}.get(name, "")
            raise ConfigError(f"-a {name}: not a spider argument but a key of a sources file (-a sources=FILE.toml)"
                              f"{single}; use {instead}{name} = ... in a [[site]] table; {known}")
        raise ConfigError(f"-a {name}: unknown spider argument; {known}")
    return {k: v for k, v in arguments.items() if k in _INPUTS}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _LinkCollector:
    """lxml parser target: the ``href`` of every ``<a>``, in document order (no tree is built)."""

    def __init__(self) -> None:
        self.hrefs: list[str] = []

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "a":
            href = attrib.get("href")
            if href is not None:
                self.hrefs.append(href)

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> list[str]:
        return self.hrefs


def hrefs(response: TextResponse) -> list[str]:
    """The ``href`` of every link of an HTML page, as ``response.xpath("//a/@href")`` gives them, read by
    lxml's parser straight from the body without building a tree or decoding the page into a string
    (the page itself goes to the extraction workers; here only its links are wanted): measured on the
    261 real pages of the development sets, 1.6 ms a page against 2.3 ms, the same links, and nothing
    cached on the response while it waits for extraction."""
    collector = _LinkCollector()
    try:
        parser = etree.HTMLParser(target=collector, encoding=response.encoding)
        parser.feed(response.body)
        parser.close()
    except (LookupError, ValueError, etree.ParserError):  # an encoding libxml2 does not know, an empty page
        return [str(h) for h in response.xpath("//a/@href").getall()]
    return collector.hrefs


def _entry_day(value: str | None) -> date | None:
    day = day_of(parse_date(value))
    return date.fromisoformat(day) if day else None


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: Every spider argument, checked in `from_crawler` (`check_argument_names`).
        self.arguments = dict(kwargs)
        self.inputs = {k: kwargs.pop(k) for k in _INPUTS if kwargs.get(k) not in (None, "")}
        super().__init__(*args, **kwargs)
        self.sources: list[Source] = []
        self._scheduled: dict[int, int] = {}
        #: Article URLs yielded in this run (for max_pages). Article requests bypass Scrapy's duplicate
        #: filter (dont_filter): `crawler.incremental.IncrementalMiddleware` lets each through once.
        self._article_urls = UrlSet()
        self._limit_logged: set[int] = set()
        #: With NEWSCLEAN_REDIS_URL, every request goes through the shared duplicate filter (Redis keeps
        #: it across worker restarts, so a resumed crawl needs no dont_filter); else discovery and article
        #: requests bypass Scrapy's filter, as explained above and in `_start_requests`.
        self.shared_frontier = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        config = Config.from_settings(crawler.settings)
        check_argument_names(spider.arguments)
        spider.sources = cls.build_sources(config, spider.inputs)
        spider.shared_frontier = bool(config.redis_url)
        return spider

    @classmethod
    def check_arguments(cls, settings: Any, arguments: dict[str, Any]) -> None:
        """Raise ConfigError for bad settings or spider arguments (``scrapy crawl`` calls it first)."""
        inputs = check_argument_names(arguments)
        cls.build_sources(Config.from_settings(settings), inputs)

    @staticmethod
    def build_sources(config: Config, inputs: dict[str, Any]) -> list[Source]:
        """The sources a run crawls, from the spider arguments; a ConfigError explains a bad one."""
        given = sorted(inputs)
        if len(given) != 1:
            raise ConfigError(
                "the news spider takes exactly one input: -a url=HOME_PAGE, -a sitemap=URL, -a feed=URL, "
                f"-a urls=FILE or -a sources=FILE.toml (got {', '.join(given) or 'none'})"
            )
        kind, value = given[0], str(inputs[given[0]])
        defaults: dict[str, Any] = {"max_pages": config.max_pages, "max_depth": config.max_depth,
                                    "follow_links": config.follow_links}
        if kind == "sources":
            return load_sources(value, **defaults)
        defaults["follow_links"] = config.follow_links and kind == "url"
        if kind == "urls":
            return [make_source({"urls": list(read_url_list(value))}, where=f"-a urls={value}", **defaults)]
        key = {"url": "url", "sitemap": "sitemaps", "feed": "feeds"}[kind]
        # checked under the argument's own name first: make_source would name the sources-file key
        return [make_source({key: check_url(value, f"-a {kind}")}, where="-a", **defaults)]

    def source_for(self, url: str) -> Source | None:
        """The source whose domains hold ``url`` (the first one listed, when several do)."""
        return next((s for s in self.sources if in_domains(url, s.allowed_domains)), None)

    # ------------------------------------------------------------------ start
    async def start(self) -> AsyncIterator[scrapy.Request]:
        frontier = frontier_for(self.crawler)
        if frontier is not None and not frontier.claim_seeding():
            logger.info("Another worker seeds this shared crawl; taking requests from the shared queue")
            return
        for request in self.seed_requests():
            yield request
        if frontier is not None:
            frontier.seeding_done()

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """Every source's entry points."""
        for index, source in enumerate(self.sources):
            logger.info("Source %s: %s", source.name, source.url or ", ".join(source.sitemaps + source.feeds) or
                        f"{len(source.urls)} URLs")
            yield from self._start_requests(index, source)

    def _start_requests(self, index: int, source: Source) -> Iterator[scrapy.Request]:
        """Discovery entry points; never filtered as duplicates, so a resumed run (JOBDIR) reads them again.
        With the shared frontier they go through the Redis filter: seeding twice (a successor of a seeding
        worker that died) then queues each once, and a resumed crawl finds them in the Redis queue."""
        meta = {"nc_source": index}
        unfiltered = not self.shared_frontier
        if source.url and source.discover_sitemaps:
            yield scrapy.Request(urljoin(source.url, "/robots.txt"), self.parse_robots, errback=self.on_error,
                                 meta={**meta, "nc_role": "robots"}, priority=PRIORITY_DISCOVERY,
                                 dont_filter=unfiltered)
        for url in source.sitemaps:
            yield self._sitemap_request(index, url).replace(dont_filter=unfiltered)
        for url in source.feeds:
            yield self._feed_request(index, url).replace(dont_filter=unfiltered)
        for url in source.urls:
            request = self._article_request(index, url, via="url list", depth=0)
            if request is not None:
                yield request
        if source.url:
            yield scrapy.Request(source.url, self.parse_page, errback=self.on_error, dont_filter=unfiltered,
                                 meta={**meta, "nc_role": "home", "nc_depth": 0}, priority=PRIORITY_LISTING)

    # --------------------------------------------------------------- requests
    def _sitemap_request(self, index: int, url: str) -> scrapy.Request:
        return scrapy.Request(url, self.parse_sitemap, errback=self.on_error,
                              meta={"nc_source": index, "nc_role": "sitemap",
                                    "download_maxsize": SITEMAP_MAX_BYTES, "download_warnsize": SITEMAP_WARN_BYTES},
                              priority=PRIORITY_DISCOVERY)

    def _feed_request(self, index: int, url: str) -> scrapy.Request:
        return scrapy.Request(url, self.parse_feed, errback=self.on_error,
                              meta={"nc_source": index, "nc_role": "feed"}, priority=PRIORITY_DISCOVERY)

    def _article_request(self, index: int, url: str, *, via: str, depth: int,
                         hinted_date: str | None = None, changed: str | None = None) -> scrapy.Request | None:
        source = self.sources[index]
        url = canonicalize(url)
        counted = url in self._article_urls
        if not counted and source.max_pages and self._scheduled.get(index, 0) >= source.max_pages:
            if index not in self._limit_logged:
                self._limit_logged.add(index)
                logger.info("Source %s: reached max_pages=%d, no more articles scheduled",
                            source.name, source.max_pages)
            self._stat("newsclean/articles_over_max_pages")
            return None
        if not counted:
            self._scheduled[index] = self._scheduled.get(index, 0) + 1
            self._article_urls.add(url)
        return scrapy.Request(
            url, self.parse_page, errback=self.on_error, priority=PRIORITY_ARTICLE,
            dont_filter=not self.shared_frontier,
            meta={"nc_source": index, "nc_role": "article", "nc_via": via, "nc_depth": depth,
                  "nc_date": hinted_date, "nc_changed": changed},
        )

    def _join(self, base: str, href: str) -> str:
        """``urljoin(base, href)``, or "" (which no source's domains hold) for a link Python's URL parser
        rejects, such as ``http://[``: one bad link must not end the parsing of the page."""
        try:
            url = urljoin(base, href)
            urlsplit(url).hostname  # noqa: B018 - raises ValueError for a broken host
        except ValueError:
            self._stat("newsclean/discovery/bad_link")
            logger.debug("Unparseable link %r on %s", href[:200], base)
            return ""
        return url

    def _stat(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    # -------------------------------------------------------------- callbacks
    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        index = response.meta["nc_source"]
        sitemaps = [u for u in sitemap_urls_from_robots(response.body, base_url=response.url)
                    if in_domains(u, self.sources[index].allowed_domains)]
        if not sitemaps:
            logger.info("%s names no sitemap; trying %s", response.url, urljoin(response.url, "/sitemap.xml"))
            yield self._fallback_sitemap_request(index, response.url)
            return
        for url in sitemaps:
            yield self._sitemap_request(index, url)

    def _fallback_sitemap_request(self, index: int, robots_url: str) -> scrapy.Request:
        """``/sitemap.xml`` of the site, for a robots.txt that names no sitemap or could not be read."""
        self._stat("newsclean/discovery/sitemap_fallback")
        request = self._sitemap_request(index, urljoin(robots_url, "/sitemap.xml"))
        request.meta["nc_guessed"] = True
        return request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        index = response.meta["nc_source"]
        source = self.sources[index]
        body = self._sitemap_body(response)
        if body is None:
            logger.warning("Not a sitemap, ignored: %s", response.url)
            self._stat("newsclean/discovery/bad_sitemap")
            return
        sel = Selector(body=body, type="xml")
        root = sel.xpath("local-name(/*)").get()
        if root == "sitemapindex":
            for loc in sel.xpath("//*[local-name()='sitemap']/*[local-name()='loc']/text()").getall():
                url = self._join(response.url, loc.strip())
                if in_domains(url, source.allowed_domains):
                    yield self._sitemap_request(index, url)
            return
        if root != "urlset":
            logger.warning("Not a sitemap (root <%s>), ignored: %s", root, response.url)
            self._stat("newsclean/discovery/bad_sitemap")
            return
        found = 0
        for entry in sel.xpath("//*[local-name()='url']"):
            loc = (entry.xpath("*[local-name()='loc']/text()").get() or "").strip()
            if not loc:
                continue
            url = self._join(response.url, loc)
            published = (entry.xpath(".//*[local-name()='publication_date']/text()").get() or "").strip() or None
            lastmod = (entry.xpath("*[local-name()='lastmod']/text()").get() or "").strip() or None
            # `since` may use <lastmod>: a page last changed before the day was published before it too.
            if not self._wanted(index, url, published or lastmod):
                continue
            # Only the publication date is a date hint (date_published of a page that states none):
            # <lastmod> is the last change, and only tells the incremental skip that the page changed.
            request = self._article_request(index, url, via="sitemap", depth=0, hinted_date=published,
                                            changed=lastmod)
            if request is not None:
                found += 1
                yield request
        logger.info("Sitemap %s: %d article URLs", response.url, found)

    def _sitemap_body(self, response: Response) -> bytes | None:
        if gzip_magic_number(response):
            try:
                return gunzip(response.body, max_size=SITEMAP_MAX_BYTES)
            except ValueError:
                return None
        head = response.body[:512].lstrip().lower()
        return response.body if head.startswith(b"<?xml") or b"<urlset" in head or b"<sitemapindex" in head else None

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        index = response.meta["nc_source"]
        parsed = feedparser.parse(response.body, response_headers={"content-location": response.url})
        if not parsed.entries:
            logger.warning("Feed %s has no entries%s", response.url,
                           f" ({parsed.bozo_exception})" if parsed.get("bozo") else "")
            self._stat("newsclean/discovery/empty_feed")
            return
        found = 0
        for entry in parsed.entries:
            link = entry.get("link")
            if not link:
                continue
            url = self._join(response.url, link)
            published, updated = entry.get("published"), entry.get("updated")
            # as in sitemaps: Atom's <updated> bounds the publication for `since`, but is no date hint
            if not self._wanted(index, url, published or updated):
                continue
            request = self._article_request(index, url, via="feed", depth=0, hinted_date=published,
                                            changed=updated or published)
            if request is not None:
                found += 1
                yield request
        logger.info("Feed %s: %d article URLs", response.url, found)

    def _wanted(self, index: int, url: str, latest_publication: str | None) -> bool:
        """Whether a sitemap or feed entry is worth fetching as an article; ``latest_publication`` is a
        date the article was published on or before (its publication date, else its last change)."""
        source = self.sources[index]
        if not in_domains(url, source.allowed_domains):
            return False
        kind = classify(url, article_patterns=source.article_patterns, deny_patterns=source.deny_patterns)
        if kind in (UrlKind.SKIP, UrlKind.LISTING):
            self._stat("newsclean/discovery/not_article")
            logger.debug("Source %s: %s is a %s URL, not fetched as an article (article_patterns of the "
                         "source win over the listing words)", source.name, url, kind.value)
            return False
        if source.since and latest_publication:
            day = _entry_day(latest_publication)
            if day is not None and day < source.since:
                self._stat("newsclean/discovery/older_than_since")
                return False
        return True

    def parse_page(self, response: Response) -> Iterator[PageItem | scrapy.Request]:
        meta = response.meta
        index, role, depth = meta["nc_source"], meta["nc_role"], meta.get("nc_depth", 0)
        source = self.sources[index]
        if not isinstance(response, TextResponse):
            logger.info("Not a text page, skipped: %s (%s)", response.url,
                        (response.headers.get(b"Content-Type") or b"?").decode("latin-1"))
            self._stat("newsclean/skipped/not_text")
            return
        if role == "article":
            yield PageItem(
                url=canonicalize(response.url),
                body=response.body,
                encoding=response.encoding,
                fetched_at=_now(),
                discovered_via=meta.get("nc_via") or "link",
                status=response.status,
                hinted_date=meta.get("nc_date"),
                etag=(response.headers.get(b"ETag") or b"").decode("latin-1") or None,
                source=source.name,
                redirect_urls=[canonicalize(u) for u in meta.get("redirect_urls") or ()],
            )
        if role == "home" and not source.feeds:
            for href in response.xpath(
                "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
            ).getall():
                feed_url = self._join(response.url, href.strip())
                if in_domains(feed_url, source.allowed_domains):
                    yield self._feed_request(index, feed_url)
        if source.follow_links and depth < source.max_depth:
            yield from self._follow(response, index, depth + 1)

    def _follow(self, response: TextResponse, index: int, depth: int) -> Iterator[scrapy.Request]:
        source = self.sources[index]
        for href in hrefs(response):
            url = canonicalize(self._join(response.url, href.strip()))
            if not in_domains(url, source.allowed_domains):
                continue
            kind = classify(url, article_patterns=source.article_patterns, deny_patterns=source.deny_patterns)
            if kind is UrlKind.ARTICLE:
                request = self._article_request(index, url, via="link", depth=depth)
                if request is not None:
                    yield request
            elif kind in (UrlKind.LISTING, UrlKind.OTHER):
                yield scrapy.Request(url, self.parse_page, errback=self.on_error, priority=PRIORITY_LISTING,
                                     meta={"nc_source": index, "nc_role": "listing", "nc_depth": depth})

    def on_error(self, failure: Failure) -> list[scrapy.Request]:
        """Log and count a failed fetch; for robots.txt (missing, an error), the ``/sitemap.xml`` fallback.

        A list rather than a generator: the logging and counting happen when the errback is called."""
        request = getattr(failure, "request", None)
        if failure.check(NotModified):
            # a revisit answered 304: the stored article is current (counted newsclean/articles/unchanged)
            frontier = frontier_for(self.crawler)
            if frontier is not None and request is not None:
                frontier.settle_request(request)
            return []
        role = request.meta.get("nc_role") if request is not None else None
        url = request.url if request is not None else "?"
        # A lost sitemap loses every article it names: as loud as a lost article or home page. Not so
        # the /sitemap.xml guessed for a site whose robots.txt names none: many sites have none there.
        guessed = request is not None and bool(request.meta.get("nc_guessed"))
        level = logging.WARNING if role in ("article", "home", "sitemap") and not guessed else logging.INFO
        kind = failure_kind(failure)
        logger.log(level, "Could not fetch %s %s (%s): %s", role or "page", url, kind, failure.getErrorMessage())
        self._stat(f"newsclean/fetch_failed/{role or 'other'}")
        self._stat(f"newsclean/fetch_error/{kind}")
        frontier = frontier_for(self.crawler)
        if frontier is not None:
            frontier.settle_request(request)
        if role == "robots" and request is not None:
            logger.info("No robots.txt to read at %s; trying %s", url, urljoin(url, "/sitemap.xml"))
            return [self._fallback_sitemap_request(request.meta["nc_source"], url)]
        return []
