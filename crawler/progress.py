"""Progress lines in the crawl log: pages and articles per minute, drops, and the queue size.

Replaces Scrapy's LogStats line with one that says what a news crawl is doing, every
``NEWSCLEAN_PROGRESS_INTERVAL`` seconds::

    Progress: 1,204 pages (212/min), 380 articles stored (71/min), 12 waiting to be stored, 95 dropped, 2,310 queued

"stored" counts records the database committed (the store pipeline's ``newsclean/store/written``);
"waiting to be stored" those extracted and kept but not committed yet: in the store's batch (written
within ``NEWSCLEAN_BATCH_SECONDS``) and, while the database is away, in its journal (then shown as
``(N in the journal)``); "queued" counts requests waiting in the scheduler.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.config import Config

logger = logging.getLogger(__name__)


def queued_requests(stats: Any) -> int:
    """Requests waiting in the scheduler, from Scrapy's own counts (any scheduler keeps them)."""
    return int(stats.get_value("scheduler/enqueued", 0)) - int(stats.get_value("scheduler/dequeued", 0))


class ProgressLog:
    def __init__(self, stats: Any, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.task: LoopingCall | None = None
        self.last = (time.monotonic(), 0, 0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressLog:
        interval = Config.from_settings(crawler.settings).progress_interval
        if not interval:
            raise NotConfigured
        extension = cls(crawler.stats, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        self.last = (time.monotonic(), 0, 0)
        self.task = LoopingCall(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def line(self) -> str:
        get = self.stats.get_value
        pages, stored = int(get("response_received_count", 0)), int(get("newsclean/store/written", 0))
        dropped = sum(int(v) for k, v in self.stats.get_stats().items() if k.startswith("newsclean/dropped/"))
        journaled = int(get("newsclean/store/in_journal", 0) or 0)
        waiting = int(get("newsclean/store/buffered", 0) or 0) + journaled
        queued = queued_requests(self.stats)
        now = time.monotonic()
        then, pages_then, stored_then = self.last
        minutes = max(now - then, 1e-9) / 60
        self.last = (now, pages, stored)
        in_journal = f" ({journaled:,} in the journal)" if journaled else ""
        return (f"Progress: {pages:,} pages ({(pages - pages_then) / minutes:,.0f}/min), {stored:,} articles stored "
                f"({(stored - stored_then) / minutes:,.0f}/min), {waiting:,} waiting to be stored{in_journal}, "
                f"{dropped:,} dropped, {queued:,} queued")

    def log(self) -> None:
        logger.info(self.line())
