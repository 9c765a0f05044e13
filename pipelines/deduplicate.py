"""Deduplication pipeline: each story is stored once; copies become aliases or linked duplicates.

For every record, in this order:

1. the same canonical URL already passed on in this run: dropped (its URL is kept as an alias),
   unless the two texts are different stories (SimHash farther apart than a near duplicate): then
   the page's canonical tag is wrong for it (a theme that names a section page as every article's
   canonical URL), and the record is keyed by its own URL instead, so that no story is lost (the
   first page keeps the key it declared; when the key is the second page's own URL, that page's text
   is the key's and the first page's record moves to its own URL, in the store as here). The same when
   the key holds another page's story stored by an earlier run. Counted as
   ``newsclean/canonical_conflicts``, with a warning;
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

When the database is unreachable (the store journals records meanwhile), a look-up it cannot answer
counts as "not stored": the record is passed on (the store's upsert by canonical URL keeps one row
a URL, so at worst a copy under another URL is stored instead of becoming an alias) rather than lost.
Aliases it cannot record wait in memory and are written with the next answered look-up or at close.
Counted as ``newsclean/dedup/unanswered``, with one warning when the database goes away and one when
it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.config import Config
from crawler.duplicates import NearDuplicateIndex, StoredKeys, Story, other_article, simhash
from crawler.items import ArticleItem
from crawler.signals import frontier_for, records_stored
from crawler.storage import ArticleStore, OutageGuard, open_shared, release_shared

logger = logging.getLogger(__name__)

T = TypeVar("T")


class DeduplicatePipeline:
    def __init__(self, config: Config, stats: Any, crawler: Any = None) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = stats
        self.store: ArticleStore | None = None
        #: Canonical URL -> (URL, what tells its story: fingerprint, title, date; content hash) of the record
        #: passed on under it in this run and not stored yet; with the two indexes below, what the
        #: database does not hold yet.
        self.by_url: dict[str, tuple[str, Story, str | None]] = {}
        self.by_hash: dict[str, str] = {}
        self.near = NearDuplicateIndex()
        #: The canonical URLs forgotten above because the store wrote them (a fixed-size filter: only for
        #: these is the database asked whether this run passed a record on under a URL), and this
        #: crawl's run in the database, known from the first batch stored.
        self.stored = StoredKeys()
        self.run_id: int | None = None
        #: Aliases not recorded yet because the database was away; whether it is away now.
        self.pending_aliases: list[tuple[str, str]] = []
        self.guard = OutageGuard("duplicate look-ups (records pass on unchecked against stored ones,"
                                 " URL aliases wait)", retry_seconds=config.db_retry_seconds, stats=stats,
                                 stat="newsclean/dedup/unanswered")

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
        _url, story, digest = self.by_url.pop(key)
        if digest and self.by_hash.get(digest) == key:
            del self.by_hash[digest]
        if story.fingerprint:
            self.near.remove(story.fingerprint, key)

    def _passed_on(self, key: str) -> tuple[str, Story] | None:
        """``(url, story)`` of the record passed on under canonical URL ``key`` in this run, if any: from
        memory, or from the database once it was stored."""
        entry = self.by_url.get(key)
        if entry is not None:
            return entry[0], entry[1]
        if key not in self.stored or self.run_id is None or self.store is None:
            return None
        return self._ask(self.store.stored_page, key, self.run_id)

    def _ask(self, call: Callable[..., T | None], *args: Any, **kwargs: Any) -> T | None:
        """A look-up in the database (None while it is away); aliases waiting for it go first."""
        if self.pending_aliases:
            self._write_aliases()
        return self.guard.ask(call, *args, **kwargs)

    def _alias(self, pairs: list[tuple[str, str]]) -> None:
        """Record ``(alias URL, canonical URL)`` pairs; kept for later while the database is away."""
        self.pending_aliases.extend(pairs)
        self._write_aliases()

    def _write_aliases(self) -> bool:
        assert self.store is not None
        if self.guard.do(self.store.add_aliases, self.pending_aliases):
            self.pending_aliases = []
        return not self.pending_aliases

    def open_spider(self) -> None:
        self.store = open_shared(self.crawler, self.config.database_url, migrate=self.config.auto_migrate)

    def close_spider(self) -> None:
        if self.store is not None:
            self.guard.next_attempt = 0.0  # the last chance: try even within the retry wait
            if self.pending_aliases and not self._write_aliases():
                self.stats.set_value("newsclean/dedup/aliases_unrecorded", len(self.pending_aliases))
                logger.warning("%d URL aliases could not be recorded: the database is unreachable (the"
                               " records behind them were dropped as duplicates of stored ones)",
                               len(self.pending_aliases))
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
        redirected = list((record.get("extraction") or {}).get("redirected_from") or ())
        record["simhash"] = fingerprint
        story = Story(fingerprint, record.get("title"), record.get("date_published"))

        passed = self._passed_on(key)
        if passed is not None:
            first, earlier = passed
            if not other_article(earlier, story) or (url != key and self._passed_on(url) is not None):
                self._alias([(u, key) for u in (url, *redirected)])
                raise self._drop("duplicate url", f"{url}: duplicate of {key}, already passed on in this run")
            self.stats.inc_value("newsclean/canonical_conflicts")
            if url == key:
                # the key's own page: its text is the key's; the store moves the earlier page's article
                # to that page's own URL (`ArticleStore.upsert`, by the same test), and so does this memory
                logger.warning("%s: %s declared this page's URL as its canonical URL with another story;"
                               " this page's own text is stored under it, that page's under its own URL", url, first)
                entry = self.by_url.get(key)
                if entry is not None and first not in self.by_url:
                    self._forget(key)
                    self._remember(first, entry[0], entry[1], entry[2])
            else:
                logger.warning("%s: declares the canonical URL %s, which %s already declared with another"
                               " story; stored under its own URL", url, key, first)
                record["canonical_url"] = key = url

        elif url != key:
            held = self._ask(self.store.stored_page, key)
            if held is not None and held[0] != url and other_article(held[1], story):
                # the key is another page's, stored by an earlier run, with another story: a wrong canonical
                # tag (a theme repeating an older article's) must not replace that story
                self.stats.inc_value("newsclean/canonical_conflicts")
                logger.warning("%s: declares the canonical URL %s, stored with another story (from %s);"
                               " stored under its own URL", url, key, held[0])
                record["canonical_url"] = key = url

        original = (self.by_hash.get(digest) if digest else None) or (
            self._ask(self.store.find_exact, digest, exclude=key) if digest else None)
        if original is not None and original != key:
            self._alias([(u, original) for u in (key, url, *redirected)])
            raise self._drop("duplicate text", f"{url}: same text as {original}; stored as an alias of it")

        if fingerprint:
            near = self.near.find(fingerprint, exclude=key) or self._ask(self.store.find_near, fingerprint,
                                                                         exclude=key)
            if near is not None:
                if self.config.near_duplicates == "drop":
                    raise self._drop("near duplicate", f"{url}: near duplicate of {near}")
                record["duplicate_of"] = near
                self.stats.inc_value("newsclean/near_duplicates_linked")
                logger.info("%s: near duplicate of %s, stored with duplicate_of", url, near)

        if digest:
            # with several workers (the shared Redis frontier), the same text may be in another worker's
            # batch, not committed yet: the text is claimed in Redis, and the later copy becomes an alias
            frontier = frontier_for(self.crawler) if self.crawler is not None else None
            claim = getattr(frontier, "claim_text", None)
            other = claim(digest, key) if claim is not None else None
            if other is not None:
                self._alias([(u, other) for u in (key, url, *redirected)])
                raise self._drop("duplicate text", f"{url}: same text as {other} (passed on by another worker);"
                                                    " stored as an alias of it")

        if key in self.by_url:
            self._forget(key)  # the key's own page replaces the text passed on under it (see above)
        self._remember(key, url, story, digest, linked=bool(record.get("duplicate_of")))
        return item

    def _remember(self, key: str, url: str, story: Story, digest: str | None, *, linked: bool = False) -> None:
        """Note a record passed on under ``key`` (a near duplicate, ``linked``, is no original to match)."""
        self.by_url[key] = (url, story, digest)
        if digest:
            self.by_hash[digest] = key
        if story.fingerprint and not linked:
            self.near.add(story.fingerprint, key)
