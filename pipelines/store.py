"""Storage pipeline: batched upserts of article records into SQLite or PostgreSQL, nothing lost.

Records are buffered and written `NEWSCLEAN_BATCH_SIZE` at a time in one transaction, or sooner when
the oldest buffered record has waited `NEWSCLEAN_BATCH_SECONDS` (checked on each record and by a
timer, so a slow or idle crawl writes too), and the rest when the spider closes. A fast crawl still
writes full batches. Each crawl is a row of ``crawl_runs`` (arguments, start, end, status, stats),
and every article row names the run that last wrote it.

When the database refuses a batch:
- a record it refuses (bad data) is found by retrying the batch record by record, so one bad
  record cannot sink the others; it is logged with its URL and the database's reason, counted, and
  kept in ``<journal dir>/rejected.jsonl`` for inspection;
- when the database is unreachable (connection refused or cut, SQLite locked), the batch goes to a
  local journal file (`crawler.journal`), and the crawl goes on. Each later flush (and the timer,
  while no record comes) first tries to replay the journal (at most every
  `NEWSCLEAN_DB_RETRY_SECONDS`, doubling up to a minute while the database stays away); the end of
  the crawl tries again for a while; what is still journaled when the crawl ends is replayed at the
  start of the next one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.task import LoopingCall

from crawler.config import Config
from crawler.items import ArticleItem
from crawler.journal import Journal, journal_path
from crawler.signals import records_committed, records_stored
from crawler.storage import ArticleStore, error_reason, is_outage, open_shared, release_shared

logger = logging.getLogger(__name__)

#: Longest wait between two attempts to reach a database that went away (seconds).
MAX_RETRY_SECONDS = 60.0
#: How long the end of a crawl keeps trying to write the journal to an absent database (seconds).
CLOSE_RETRY_SECONDS = 30.0
#: Longest interval between two checks of the timer that writes a batch waiting too long (seconds).
TIMER_SECONDS = 1.0


class StorePipeline:
    def __init__(self, crawler: Any, config: Config) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.store: ArticleStore | None = None
        self.run_id: int | None = None
        self.buffer: list[dict[str, Any]] = []
        #: When the oldest record of the buffer came (time.monotonic()).
        self.buffer_since = 0.0
        self.timer: LoopingCall | None = None
        #: Rows written so far that were new, updated (text changed) or same_text (fetched again, unchanged).
        self.counts: dict[str, int] = {}
        self.journal = Journal(journal_path(config.journal_dir, config.database_url))
        self.rejected = Journal(self.journal.path.parent / "rejected.jsonl")
        self.retry_delay = config.db_retry_seconds
        self.next_attempt = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler, Config.from_settings(crawler.settings))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # ------------------------------------------------------------- lifecycle
    def open_spider(self) -> None:
        self.store = open_shared(self.crawler, self.config.database_url, migrate=self.config.auto_migrate)
        logger.info("Storing articles in %s", self.config.database_url_masked)
        spider = self.crawler.spider
        self.run_id = self.store.start_run(getattr(spider, "name", "?"), dict(getattr(spider, "inputs", {}) or {}))
        if len(self.journal):
            logger.info("Replaying %d journaled records from an earlier crawl (%s)", len(self.journal), self.journal.path)
            self._replay()

    def spider_opened(self, spider: Any) -> None:
        """Start the timer that writes a batch whose oldest record waited ``NEWSCLEAN_BATCH_SECONDS``
        although no record came since (a slow site, a crawl waiting on its last pages)."""
        if self.config.batch_seconds > 0 and self.timer is None:
            self.timer = LoopingCall(self.tick)
            self.timer.start(min(TIMER_SECONDS, self.config.batch_seconds), now=False)

    def _stop_timer(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.timer = None

    def tick(self) -> None:
        """The timer: write the buffer if it waited too long, or retry the journal when it is time."""
        try:
            if self._due() or (not self.buffer and time.monotonic() >= self.next_attempt and len(self.journal)):
                self.flush()
        except Exception:  # a timer that raises stops for good; records would wait for a full batch again
            logger.exception("Timed write of the store's buffer failed; will try again")

    def _due(self) -> bool:
        """Whether the buffer's oldest record has waited ``NEWSCLEAN_BATCH_SECONDS`` (0: never)."""
        return (bool(self.buffer) and self.config.batch_seconds > 0
                and time.monotonic() - self.buffer_since >= self.config.batch_seconds)

    def close_spider(self) -> None:
        self._stop_timer()
        self.flush()
        deadline = time.monotonic() + CLOSE_RETRY_SECONDS
        while len(self.journal) and time.monotonic() < deadline:
            time.sleep(min(self.retry_delay, max(0.0, deadline - time.monotonic())))
            self._replay()
        left = len(self.journal)
        if left:
            self.stats.set_value("newsclean/store/journaled_at_close", left)
            logger.error("The database is still unreachable: %d records stay in %s and will be written by the "
                         "next crawl (or `scrapy db upgrade` after it is back)", left, self.journal.path)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self._stop_timer()
        if self.store is None:
            return
        if self.run_id is not None:
            try:
                self.store.finish_run(self.run_id, reason, self.stats.get_stats())
            except SQLAlchemyError as exc:
                logger.warning("Could not record the end of crawl run %s: %s", self.run_id, error_reason(exc))
        release_shared(self.crawler, self.store)
        self.store = None

    # ----------------------------------------------------------------- items
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            if not self.buffer:
                self.buffer_since = time.monotonic()
            self.buffer.append(ItemAdapter(item).asdict())
            self.stats.set_value("newsclean/store/buffered", len(self.buffer))
            if len(self.buffer) >= self.config.batch_size or self._due():
                self.flush()
        return item

    def flush(self) -> None:
        if self.store is None:
            return
        if len(self.journal) and time.monotonic() >= self.next_attempt:
            self._replay()
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        self.stats.set_value("newsclean/store/buffered", 0)
        if len(self.journal):
            # The database was away at the last attempt: keep the order of writes, journal this batch too.
            unwritten = batch
        else:
            unwritten = self._write(batch)
        if unwritten:
            self.journal.append(unwritten)
            self.stats.inc_value("newsclean/store/journaled", len(unwritten))
            self._journal_size()
        self._committed(batch[: len(batch) - len(unwritten)])

    def _committed(self, records: list[dict[str, Any]]) -> None:
        """``records`` are committed or rejected (kept in rejected.jsonl): the shared frontier may forget the
        requests behind them. Not so for journaled ones: the journal is this machine's, and if the worker
        died before replaying it, another worker must fetch those pages again (`records_committed` is
        sent for them when the replay commits them)."""
        if records:
            self.crawler.signals.send_catch_log(signal=records_committed, urls=[r.get("url") for r in records])

    def _write(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Write a batch; returns the records left unwritten because the database went away."""
        assert self.store is not None
        try:
            written = self.store.upsert(batch, run_id=self.run_id, counts=self.counts)
        except SQLAlchemyError as exc:
            if is_outage(exc):
                self._outage(exc, len(batch))
                return batch
            logger.warning("Batch of %d records refused (%s); retrying one by one", len(batch), error_reason(exc))
            return self._write_one_by_one(batch)
        self._written(written)
        self._stored(batch)
        return []

    def _stored(self, records: list[dict[str, Any]]) -> None:
        """Tell the pipelines before this one that ``records`` are in the database (see `records_stored`)."""
        self.crawler.signals.send_catch_log(signal=records_stored, run_id=self.run_id,
                                            canonical_urls=[r.get("canonical_url") or r.get("url") for r in records])

    def _journal_size(self, n: int | None = None) -> None:
        """Keep ``newsclean/store/in_journal`` (records waiting in the journal now) for the progress line."""
        self.stats.set_value("newsclean/store/in_journal", len(self.journal) if n is None else n)

    def _written(self, n: int) -> None:
        self.stats.inc_value("newsclean/store/written", n)
        for key, value in self.counts.items():
            self.stats.set_value(f"newsclean/articles/{key}", value)
        self.retry_delay = self.config.db_retry_seconds

    def _write_one_by_one(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert self.store is not None
        for n, record in enumerate(batch):
            try:
                self._written(self.store.upsert([record], run_id=self.run_id, counts=self.counts))
                self._stored([record])
            except SQLAlchemyError as exc:
                if is_outage(exc):
                    self._outage(exc, len(batch) - n)
                    return batch[n:]
                self.stats.inc_value("newsclean/store/rejected")
                self.rejected.append([{**record, "error": error_reason(exc)}])
                logger.error("Could not store %s: %s (kept in %s)", record.get("url"), error_reason(exc), self.rejected.path)
        return []

    def _outage(self, exc: SQLAlchemyError, pending: int) -> None:
        self.stats.inc_value("newsclean/store/outages")
        self.next_attempt = time.monotonic() + self.retry_delay
        logger.warning("Database unreachable (%s); %d records go to the journal %s, next attempt in %.0f s",
                       error_reason(exc), pending, self.journal.path, self.retry_delay)
        self.retry_delay = min(self.retry_delay * 2, MAX_RETRY_SECONDS)

    def _replay(self) -> None:
        """Write the journal to the database. The journal file is replaced only after each commit, so a
        crash at any point leaves every record either committed or still journaled (upserts make a
        record written twice harmless)."""
        records = list(self.journal.read())
        total = len(records)
        while records:
            chunk = records[: self.config.batch_size]
            unwritten = self._write(chunk)
            records = unwritten + records[len(chunk):]
            self.journal.rewrite(records)
            self._journal_size(len(records))
            self._committed(chunk[: len(chunk) - len(unwritten)])
            if unwritten:
                logger.info("%d journaled records still wait for the database", len(records))
                return
        self.journal.clear()
        self._journal_size(0)
        self.stats.inc_value("newsclean/store/replayed", total)
        logger.info("Wrote %d journaled records to the database", total)
