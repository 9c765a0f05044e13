"""A bounded in-memory frontier: a 20,000-page crawl holds no more requests in memory than a 2,000-page one.

A sitemap (or a long URL list) names every article at once, and Scrapy's scheduler keeps each queued
request as an object (measured: ~1.3 KB each with our meta, so 26 MB for a 20,000-URL sitemap, on top
of the spider's and pipelines' own per-URL sets). `FrontierMiddleware`, a spider middleware at the
engine's end of the chain, lets article requests into the scheduler while it holds fewer than
``NEWSCLEAN_MAX_QUEUED`` requests; beyond that it keeps them in a compact form (Scrapy's own
`Request.to_dict`, as its disk queues use, pickled and zlib-compressed `CHUNK` at a time: ~50 bytes
per URL), and hands them back to the scheduler, in order, whenever the queue falls below half of that
(checked on every response and when the spider would otherwise go idle). Nothing is dropped: a held
request is the same request, scheduled later. (Scrapy reads up to ``2 x CONCURRENT_ITEMS`` outputs of a
callback ahead of scheduling them, so the queue may overshoot the bound by that many.)

It does nothing when another scheduler than Scrapy's own is configured (the shared Redis frontier keeps
its queue in Redis, and must own every request for crash safety) or with ``JOBDIR`` (the queue is then
on disk, and a resumed crawl finds it there), and nothing for requests it cannot rebuild
exactly (a callback that is not a method of the spider, meta or callback arguments that are not plain
values), which pass through unchanged.
"""

from __future__ import annotations

import logging
import pickle
import zlib
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.request import request_from_dict

from crawler.config import Config
from crawler.progress import queued_requests

logger = logging.getLogger(__name__)

#: The scheduler is refilled (up to ``NEWSCLEAN_MAX_QUEUED`` requests, default 1000: enough to keep every
#: download slot busy between two refills, small enough that the queue weighs ~1 MB) when it holds
#: fewer than this share of it.
LOW_WATER_SHARE = 0.5
#: Held requests compressed together: URLs of one site share most of their bytes, so a chunk of
#: this many compresses ~10x; small enough that the open chunk stays a few hundred KB.
CHUNK = 500
#: Scrapy's own scheduler, the only one whose queue lives in this process's memory.
DEFAULT_SCHEDULER = "scrapy.core.scheduler.Scheduler"

_PLAIN = (str, int, float, bool, type(None))
#: An entry: Scrapy's own serialised form of a request (`Request.to_dict`), rebuilt by `request_from_dict`.
_Entry = dict[str, Any]


def _plain(values: Any) -> bool:
    return all(isinstance(value, _PLAIN) for value in values)


def compact(request: Request, spider: Any) -> _Entry | None:
    """``request`` in the form `rebuild` turns back into an equal request, or None when it cannot be:
    a callback or errback that is not a method of the spider, or meta or callback keyword arguments
    that are not plain values (they are pickled with the queue)."""
    if not _plain(request.meta.values()) or not _plain(request.cb_kwargs.values()):
        return None
    try:
        return request.to_dict(spider=spider)
    except ValueError:  # Scrapy's answer for a callback it cannot name
        return None


def rebuild(entry: _Entry, spider: Any) -> Request:
    return request_from_dict(entry, spider=spider)


class HeldRequests:
    """A FIFO of compact entries, compressed `CHUNK` at a time."""

    def __init__(self) -> None:
        self._chunks: deque[bytes] = deque()
        self._open: list[_Entry] = []
        self._out: deque[_Entry] = deque()
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def push(self, entry: _Entry) -> None:
        self._open.append(entry)
        self._len += 1
        if len(self._open) >= CHUNK:
            self._chunks.append(zlib.compress(pickle.dumps(self._open, protocol=pickle.HIGHEST_PROTOCOL), 1))
            self._open = []

    def pop(self) -> _Entry:
        if not self._out:
            if self._chunks:
                self._out.extend(pickle.loads(zlib.decompress(self._chunks.popleft())))  # our own bytes
            else:
                self._out.extend(self._open)
                self._open = []
        self._len -= 1
        return self._out.popleft()


class FrontierMiddleware:
    """Spider middleware: keeps the scheduler's queue short; see the module's docstring."""

    def __init__(self, crawler: Any, max_queued: int) -> None:
        self.crawler = crawler
        self.high_water = max_queued
        self.low_water = max(1, int(max_queued * LOW_WATER_SHARE))
        scheduler = crawler.settings.get("SCHEDULER")
        name = scheduler if isinstance(scheduler, str) else f"{scheduler.__module__}.{scheduler.__qualname__}"
        self.enabled = bool(max_queued) and name == DEFAULT_SCHEDULER and not crawler.settings.get("JOBDIR")
        self.held = HeldRequests()
        self.most_held = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierMiddleware:
        middleware = cls(crawler, Config.from_settings(crawler.settings).max_queued)
        if middleware.enabled:
            crawler.signals.connect(middleware.response_received, signal=signals.response_received)
            crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def queued(self) -> int:
        return queued_requests(self.crawler.stats)

    def _pass(self, obj: Any) -> bool:
        """True when ``obj`` goes on to the scheduler now; False when it was held."""
        if not self.enabled or not isinstance(obj, Request) or obj.meta.get("nc_role") != "article":
            return True
        if not len(self.held) and self.queued() < self.high_water:
            return True
        entry = compact(obj, self.crawler.spider)
        if entry is None:
            return True
        if not len(self.held):
            logger.info("The scheduler holds %d requests: further article requests wait in a compact queue "
                        "and are scheduled as it empties", self.queued())
        self.held.push(entry)
        if len(self.held) > self.most_held:
            self.most_held = len(self.held)
            self.crawler.stats.set_value("newsclean/frontier/max_held", self.most_held)
        return False

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            if self._pass(obj):
                yield obj

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in result:
            if self._pass(obj):
                yield obj

    def refill(self) -> int:
        """Schedule held requests until the queue holds `high_water`; returns how many."""
        if not len(self.held) or self.queued() >= self.low_water:
            return 0
        engine, spider = self.crawler.engine, self.crawler.spider
        n = 0
        for _ in range(min(len(self.held), self.high_water - self.queued())):
            engine.crawl(rebuild(self.held.pop(), spider))
            n += 1
        return n

    def response_received(self, response: Response, request: Request, spider: Any) -> None:
        self.refill()

    def spider_idle(self, spider: Any) -> None:
        if self.refill():
            raise DontCloseSpider
