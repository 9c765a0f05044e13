"""Incremental crawls: article pages already stored are not fetched again without a reason.

With ``NEWSCLEAN_INCREMENTAL`` (the default), a spider middleware looks up each article request
(``meta["nc_role"] == "article"``) the spider yields in the store, by canonical URL or alias. A known article is fetched again only when

- its sitemap ``<lastmod>`` or feed entry date is newer than when it was last fetched, or
- the revisit policy says so: it was published less than ``NEWSCLEAN_REVISIT_DAYS`` days ago and
  last fetched at least ``NEWSCLEAN_REVISIT_HOURS`` hours ago;

otherwise the request is dropped (``newsclean/skipped/known``). A revisit is a conditional request
(``If-None-Match`` with the stored ETag, ``If-Modified-Since`` with the last fetch time); a
``304 Not Modified`` costs no extraction: the article is only marked as seen
(``newsclean/articles/unchanged``). Discovery pages (home, sections, sitemaps, feeds) are not
affected: they are fetched on every run.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.config import Config
from crawler.dates import parse_date
from crawler.middlewares import NotModified
from crawler.signals import frontier_for
from crawler.storage import ArticleStore, KnownArticle, OutageGuard, open_shared, release_shared
from crawler.urls import UrlSet

logger = logging.getLogger(__name__)

#: Articles seen unchanged are marked in the database this many at a time.
TOUCH_BATCH = 200


def _when(value: str | None) -> datetime | None:
    iso = parse_date(value) if value else None
    return datetime.fromisoformat(iso) if iso else None


class _StoreUser:
    """Opens the store when the spider opens and closes it with the spider."""

    store: ArticleStore | None

    #: What the crawl goes without while the database is away (see `OutageGuard`).
    purpose = "known-article look-ups (every article is fetched)"

    def __init__(self, config: Config, stats: Any, crawler: Any = None) -> None:
        self.config = config
        self.stats = stats
        self.crawler = crawler
        self.store = None
        self.guard = OutageGuard(self.purpose, retry_seconds=config.db_retry_seconds, stats=stats,
                                 stat="newsclean/incremental/unanswered")

    @classmethod
    def from_crawler(cls, crawler: Any) -> Any:
        middleware = cls(Config.from_settings(crawler.settings), crawler.stats, crawler)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Any) -> None:
        if self.config.incremental:
            self.store = open_shared(self.crawler, self.config.database_url, migrate=self.config.auto_migrate)

    def spider_closed(self, spider: Any) -> None:
        if self.store is not None:
            release_shared(self.crawler, self.store)
            self.store = None


class IncrementalMiddleware(_StoreUser):
    """Spider middleware: the gate for article requests, before the scheduler.

    Each article URL is requested once per run (article requests bypass Scrapy's duplicate filter,
    whose memory survives a run killed under JOBDIR and would then refuse articles that were requested
    but never stored). With ``NEWSCLEAN_INCREMENTAL``, a stored article without a reason to fetch it
    again is dropped, and a revisit is made conditional. A request dropped as known (found by a link)
    does not count as requested, so the same URL can come back later with a reason (a sitemap lastmod).

    With the shared Redis frontier (``NEWSCLEAN_REDIS_URL``) article requests go through the shared
    duplicate filter instead, which holds what every worker requested; ``requested`` is then this
    worker's share of it, and the known-article skip works as here.
    """

    def __init__(self, config: Config, stats: Any, crawler: Any = None) -> None:
        super().__init__(config, stats, crawler)
        #: Article URLs requested in this run.
        self.requested = UrlSet()

    def revisit_reason(self, known: KnownArticle, changed: str | None, now: datetime) -> str | None:
        """Why a stored article should be fetched again now, or None."""
        fetched = _when(known.fetched_at)
        if fetched is None:
            return "never fetched"
        changed_at = _when(changed)
        # ">=": fetch times have whole seconds; an edit in the same second as the fetch is refetched.
        if changed_at is not None and changed_at >= fetched:
            return "changed since last fetch"
        published = _when(known.date_published)
        recent = published is not None and now - published < timedelta(days=self.config.revisit_days)
        if recent and now - fetched >= timedelta(hours=self.config.revisit_hours):
            return "revisit"
        return None

    def keep(self, request: Request) -> bool:
        """Whether a request may go on to the scheduler (always, unless it is an article request)."""
        return self._keep(request)

    def _keep(self, request: Request) -> bool:
        if request.meta.get("nc_role") != "article":
            return True
        if request.url in self.requested:
            return False
        if not self._wanted(request):
            return False
        self.requested.add(request.url)
        return True

    def _wanted(self, request: Request) -> bool:
        if self.store is None:
            return True
        known = self.guard.ask(self.store.known, request.url)
        if known is None:  # not stored, or the database is away: fetched (the store upserts it)
            return True
        reason = self.revisit_reason(known, request.meta.get("nc_changed"), datetime.now(UTC))
        if reason is None:
            self.stats.inc_value("newsclean/skipped/known")
            logger.debug("Already stored and unchanged, not fetched: %s", request.url)
            return False
        self.stats.inc_value(f"newsclean/revisited/{reason}")
        if known.etag:
            request.headers[b"If-None-Match"] = known.etag
        fetched = _when(known.fetched_at)
        if fetched is not None:
            request.headers[b"If-Modified-Since"] = format_datetime(fetched.astimezone(UTC), usegmt=True)
        request.meta["nc_conditional"] = known.canonical_url
        return True

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            if not isinstance(obj, Request) or self._keep(obj):
                yield obj

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in result:
            if not isinstance(obj, Request) or self._keep(obj):
                yield obj


class NotModifiedMiddleware(_StoreUser):
    """Downloader middleware: a revisit answered ``304 Not Modified`` marks the article as seen, and
    goes no further (no extraction). It also drops a discovery request (a listing page that redirects,
    say) for a URL already requested as an article in this run (by any worker, with the shared frontier)."""

    purpose = "marking articles answered 304 Not Modified as seen (they wait)"

    def __init__(self, config: Config, stats: Any, crawler: Any = None) -> None:
        super().__init__(config, stats, crawler)
        self.unchanged: list[str] = []

    def process_request(self, request: Request) -> None:
        if request.meta.get("nc_role") in (None, "article") or self.crawler is None:
            return
        gate = self.crawler.get_spider_middleware(IncrementalMiddleware)
        if gate is not None and request.url in gate.requested:
            raise IgnoreRequest(f"{request.url}: already requested as an article in this run")
        frontier = frontier_for(self.crawler)
        if frontier is not None and frontier.article_requested(request.url):
            raise IgnoreRequest(f"{request.url}: already requested as an article by a worker of this crawl")

    def spider_closed(self, spider: Any) -> None:
        self.guard.next_attempt = 0.0  # the last chance: try even within the retry wait
        if not self._touch():
            self.stats.set_value("newsclean/articles/unchanged_unmarked", len(self.unchanged))
            logger.warning("%d unchanged articles could not be marked as seen: the database is unreachable"
                           " (their last fetch time stays as it was)", len(self.unchanged))
        super().spider_closed(spider)

    def process_response(self, request: Request, response: Response) -> Response:
        canonical = request.meta.get("nc_conditional")
        if response.status == 304 and canonical:
            self.stats.inc_value("newsclean/articles/unchanged")
            self.unchanged.append(canonical)
            if len(self.unchanged) >= TOUCH_BATCH:
                self._touch()
            raise NotModified(f"{request.url}: not modified since the last fetch")
        return response

    def _touch(self) -> bool:
        """Mark the unchanged articles as seen; False when the database is away (they wait)."""
        if self.unchanged and self.store is not None and not self.guard.do(self.store.touch, self.unchanged):
            return False
        self.unchanged = []
        return True
