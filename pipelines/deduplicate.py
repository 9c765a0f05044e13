"""Deduplication pipeline: one record per story within a run.

The same story can be reached under several URLs (a redirect, a ``rel=canonical`` pointing
elsewhere, tracking parameters): records whose canonical URL or exact text was already passed on
in this run are dropped with the URL they repeat. Across runs the store's upsert on canonical URL
keeps one row per story.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import ArticleItem


class DeduplicatePipeline:
    def __init__(self, stats: Any) -> None:
        self.stats = stats
        self.by_url: dict[str, str] = {}
        self.by_hash: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DeduplicatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        record = ItemAdapter(item)
        url, key, digest = record["url"], record["canonical_url"], record.get("content_hash")
        first = self.by_url.get(key) or (self.by_hash.get(digest) if digest else None)
        if first is not None:
            self.stats.inc_value("newsclean/dropped/duplicate")
            raise DropItem(f"{url}: duplicate of {first} already stored in this run", log_level="INFO")
        self.by_url[key] = url
        if digest:
            self.by_hash[digest] = url
        return item
