"""Extraction pipeline: turns a fetched `PageItem` into a clean `ArticleItem`, or drops it with the reason.

The work itself is `crawler.extraction.extract` (pure functions, no Scrapy); this stage only calls
it, counts rejections by reason in the crawl stats (``newsclean/dropped/<reason>``) and drops.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.config import Config
from crawler.extraction import MIN_TEXT_CHARS, Rejection, extract, to_item
from crawler.items import PageItem

logger = logging.getLogger(__name__)

#: Rejections that are the normal outcome of crawling a site (listing pages, stubs) are logged at
#: INFO; anything else (an unparseable page, an empty body) at WARNING.
EXPECTED_REJECTIONS = frozenset({"not an article", "too short"})


class ExtractPipeline:
    def __init__(self, config: Config, stats: Any) -> None:
        self.min_text_chars = config.min_text_chars or MIN_TEXT_CHARS
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(Config.from_settings(crawler.settings), crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        page = ItemAdapter(item)
        result = extract(page["body"], page["url"], min_text_chars=self.min_text_chars,
                         encoding=page["encoding"], hinted_date=page["hinted_date"])
        if isinstance(result, Rejection):
            self.stats.inc_value(f"newsclean/dropped/{result.reason}")
            level = "INFO" if result.reason in EXPECTED_REJECTIONS else "WARNING"
            raise DropItem(f"{page['url']}: {result.reason} ({result.detail})", log_level=level)
        self.stats.inc_value("newsclean/extracted")
        return to_item(result, fetched_at=page["fetched_at"], discovered_via=page["discovered_via"])
