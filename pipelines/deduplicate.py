"""Deduplication pipeline: each story is stored once; copies become aliases or linked duplicates.

For every record, in this order:

1. the same canonical URL already passed on in this run: dropped (its URL is kept as an alias),
   unless the two texts are different stories (SimHash farther apart than a near duplicate): then
   the page's canonical tag is wrong for it (a theme that names a section page as every article's
   canonical URL), and the record is keyed by its own URL instead, so that no story is lost (the
   first page keeps the key it declared; when the key is the second page's own URL, that page's text
   is the key's). Counted as ``newsclean/canonical_conflicts``, with a warning;
2. the exact same text already stored, or passed on in this run, under another canonical URL: one
   article with an alias. The URL is recorded in ``url_aliases`` and the record is dropped;
3. a near duplicate (SimHash within `crawler.duplicates.NEAR_DUPLICATE_MAX_BITS` bits of a stored or
   earlier article: a syndicated copy, a wire story on several sites, a republished page with a
   "Source link"): stored with ``duplicate_of`` set to the original's canonical URL, or dropped when
   ``NEWSCLEAN_NEAR_DUPLICATES = "drop"``.

Each drop has its reason in the log and in the stats (``newsclean/dropped/duplicate ...``).

Memory: the pipeline keeps in memory only the records it passed on that are not in the database yet
(the store writes in batches, and keeps records in its journal while the database is away). When the
store pipeline reports records stored (`crawler.signals.records_stored`), they are forgotten here and
found in the database instead (by canonical URL and crawl run, content hash, fingerprint bands), so
the same decisions are made however long the crawl: no per-page memory grows with it.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.config import Config
from crawler.duplicates import NEAR_DUPLICATE_MAX_BITS, NearDuplicateIndex, StoredKeys, distance, simhash
from crawler.items import ArticleItem
from crawler.signals import records_stored
from crawler.storage import ArticleStore, open_shared, release_shared

logger = logging.getLogger(__name__)


class DeduplicatePipeline:
    def __init__(self, config: Config, stats: Any, crawler: Any = None) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = stats
        self.store: ArticleStore | None = None
        #: Canonical URL -> (URL, text fingerprint, content hash) of the record passed on under it in this
        #: run and not stored yet; with the two indexes below, what the database does not hold yet.
        self.by_url: dict[str, tuple[str, str | None, str | None]] = {}
        self.by_hash: dict[str, str] = {}
        self.near = NearDuplicateIndex()
        #: The canonical URLs forgotten above because the store wrote them (a fixed-size filter: only for
        #: these is the database asked whether this run passed a record on under a URL), and this
        #: crawl's run in the database, known from the first batch stored.
        self.stored = StoredKeys()
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DeduplicatePipeline:
        pipeline = cls(Config.from_settings(crawler.settings), crawler.stats, crawler)
        crawler.signals.connect(pipeline.records_stored, signal=records_stored)
        return pipeline

    def records_stored(self, canonical_urls: list[str], run_id: int | None, **_kwargs: Any) -> None:
        """Forget records the store has written: the database answers for them from now on."""
        if run_id is None:
            return  # no crawl run to find them by: keep them
        self.run_id = run_id
        for key in canonical_urls:
            if key in self.by_url:
                self._forget(key)
                self.stored.add(key)
            # else: not passed on by this pipeline in this run (a journal of an earlier crawl)

    def _forget(self, key: str) -> None:
        """Remove the record passed on under ``key`` from the in-memory look-ups."""
        _url, fingerprint, digest = self.by_url.pop(key)
        if digest and self.by_hash.get(digest) == key:
            del self.by_hash[digest]
        if fingerprint:
            self.near.remove(fingerprint, key)

    def _passed_on(self, key: str) -> tuple[str, str | None] | None:
        """``(url, fingerprint)`` of the record passed on under canonical URL ``key`` in this run, if any:
        from memory, or from the database once it was stored."""
        entry = self.by_url.get(key)
        if entry is not None:
            return entry[0], entry[1]
        if key not in self.stored or self.run_id is None or self.store is None:
            return None
        return self.store.stored_in_run(key, self.run_id)

    def open_spider(self) -> None:
        self.store = open_shared(self.crawler, self.config.database_url, migrate=self.config.auto_migrate)

    def close_spider(self) -> None:
        if self.store is not None:
            release_shared(self.crawler, self.store)
            self.store = None

    def _drop(self, reason: str, message: str) -> DropItem:
        self.stats.inc_value(f"newsclean/dropped/{reason}")
        return DropItem(message, log_level="INFO")

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        assert self.store is not None, "open_spider was not called"
        record = ItemAdapter(item)
        url, key, digest = record["url"], record["canonical_url"], record.get("content_hash")
        fingerprint = record.get("simhash") or simhash(record.get("text") or "")
        record["simhash"] = fingerprint

        passed = self._passed_on(key)
        if passed is not None:
            first, earlier = passed
            other_story = bool(earlier and fingerprint and distance(earlier, fingerprint) > NEAR_DUPLICATE_MAX_BITS)
            if not other_story or (url != key and self._passed_on(url) is not None):
                self.store.add_aliases([(url, key)])
                raise self._drop("duplicate url", f"{url}: duplicate of {key}, already passed on in this run")
            self.stats.inc_value("newsclean/canonical_conflicts")
            if url == key:
                # the key's own page: its text is the key's (the store's upsert replaces the earlier one)
                logger.warning("%s: %s declared this page's URL as its canonical URL with another story;"
                               " this page's own text is stored under it", url, first)
            else:
                logger.warning("%s: declares the canonical URL %s, which %s already declared with another"
                               " story; stored under its own URL", url, key, first)
                record["canonical_url"] = key = url

        original = (self.by_hash.get(digest) if digest else None) or (
            self.store.find_exact(digest, exclude=key) if digest else None)
        if original is not None and original != key:
            self.store.add_aliases([(key, original), (url, original)])
            raise self._drop("duplicate text", f"{url}: same text as {original}; stored as an alias of it")

        if fingerprint:
            near = self.near.find(fingerprint, exclude=key) or self.store.find_near(fingerprint, exclude=key)
            if near is not None:
                if self.config.near_duplicates == "drop":
                    raise self._drop("near duplicate", f"{url}: near duplicate of {near}")
                record["duplicate_of"] = near
                self.stats.inc_value("newsclean/near_duplicates_linked")
                logger.info("%s: near duplicate of %s, stored with duplicate_of", url, near)

        if key in self.by_url:
            self._forget(key)  # the key's own page replaces the text passed on under it (see above)
        self.by_url[key] = (url, fingerprint, digest)
        if digest:
            self.by_hash[digest] = key
        if fingerprint and not record.get("duplicate_of"):
            self.near.add(fingerprint, key)
        return item
