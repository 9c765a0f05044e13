"""Extraction pipeline: turns a fetched `PageItem` into a clean `ArticleItem`, or drops it with the reason.

The work itself is `crawler.extraction.extract` (pure functions, no Scrapy), then `to_item` and the
near-duplicate fingerprint (`crawler.workers.extract_item`), run in a pool of worker processes (`crawler.workers.ExtractionPool`, ``NEWSCLEAN_EXTRACT_WORKERS``) so the reactor keeps
downloading while pages are extracted; this stage awaits the result, counts rejections by reason in
the crawl stats (``newsclean/dropped/<reason>``) and drops.

``NEWSCLEAN_MIN_TEXT_CHARS`` set (above 0) is a hard floor: the extraction keeps a short text that is
nearly all the page shows (a brief), but a record whose text is shorter than the user's minimum is
dropped here as ``too short`` whatever the page. At 0 (the default) only the extraction's own judgement
applies, with its minimum `crawler.extraction.MIN_TEXT_CHARS`.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.asyncio import is_asyncio_available

from crawler.config import Config
from crawler.extraction import MIN_TEXT_CHARS, Rejection, shorter_than
from crawler.items import PageItem
from crawler.workers import IN_PROCESS, ExtractionPool, release_memory, resolve_workers, tune_malloc

logger = logging.getLogger(__name__)

#: The crawl process hands its free heap back to the OS every this many pages (see `release_memory`).
RELEASE_MEMORY_EVERY = 200

#: Rejections that are the normal outcome of crawling a site (listing pages, stubs) are logged at
#: INFO; anything else (an unparseable page, an empty body, a crashed worker) at WARNING.
EXPECTED_REJECTIONS = frozenset({"not an article", "too short"})


class ExtractPipeline:
    def __init__(self, config: Config, stats: Any) -> None:
        self.min_text_chars = config.min_text_chars or MIN_TEXT_CHARS
        #: The user's NEWSCLEAN_MIN_TEXT_CHARS as a hard floor; 0: none (the extraction decides alone).
        self.text_floor = config.min_text_chars
        self.stats = stats
        workers = resolve_workers(config.extract_workers)
        if workers != IN_PROCESS and not is_asyncio_available():
            logger.warning("Extraction runs in-process: worker processes need Scrapy's asyncio reactor")
            workers = IN_PROCESS
        self.pool = ExtractionPool(workers, max_in_flight=config.max_pages_in_flight)
        self.pages = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(Config.from_settings(crawler.settings), crawler.stats)

    def open_spider(self) -> None:
        tune_malloc()
        self.pool.start()
        if self.pool.in_process:
            logger.info("Extracting in the crawl process (NEWSCLEAN_EXTRACT_WORKERS=%d)", IN_PROCESS)
        else:
            logger.info("Extracting in %d worker processes, at most %d pages in flight",
                        self.pool.workers, self.pool.max_in_flight)

    def close_spider(self) -> None:
        self.pool.close()
        if self.pool.stats.restarts:
            self.stats.set_value("newsclean/extract/pool_restarts", self.pool.stats.restarts)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        page = ItemAdapter(item)
        self.pages += 1
        if self.pages % RELEASE_MEMORY_EVERY == 0:
            release_memory()
        result = await self.pool.extract_item(
            page["body"], page["url"], min_text_chars=self.min_text_chars, encoding=page["encoding"],
            hinted_date=page["hinted_date"], fetched_at=page["fetched_at"], discovered_via=page["discovered_via"])
        if isinstance(result, Rejection):
            self.stats.inc_value(f"newsclean/dropped/{result.reason}")
            level = "INFO" if result.reason in EXPECTED_REJECTIONS else "WARNING"
            raise DropItem(f"{page['url']}: {result.reason} ({result.detail})", log_level=level)
        if self.text_floor and shorter_than(result.text, self.text_floor):
            self.stats.inc_value("newsclean/dropped/too short")
            raise DropItem(f"{page['url']}: too short ({len(result.text)} chars < NEWSCLEAN_MIN_TEXT_CHARS="
                           f"{self.text_floor})", log_level="INFO")
        self.stats.inc_value("newsclean/extracted")
        result.etag = page.get("etag")
        redirected = [u for u in page.get("redirect_urls") or () if u != result.url]
        if redirected:
            # where the page was asked for: the store records these URLs as aliases of the article, so
            # the next run knows them (and does not fetch the redirect again to find a stored story)
            result.extraction["redirected_from"] = redirected
        return result
