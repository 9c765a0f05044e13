"""Validation pipeline: a record reaches storage only if it is well formed and wanted.

Checks, each a logged drop reason counted as ``newsclean/dropped/<reason>``: an absolute http(s)
canonical URL, a non-empty text, ISO 8601 dates with an offset, list fields that are lists of
strings, and the source's ``since`` limit (articles published before it are not kept).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.items import ArticleItem

logger = logging.getLogger(__name__)


def problems(record: ItemAdapter) -> list[str]:
    """What is wrong with a record, as short reasons (empty when it may be stored)."""
    out = []
    for name in ("url", "canonical_url"):
        parts = urlsplit(record.get(name) or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            out.append(f"{name} is not an absolute http(s) URL")
    if not (record.get("text") or "").strip():
        out.append("empty text")
    for name in ("date_published", "date_modified"):
        value = record.get(name)
        if value is None:
            continue
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            out.append(f"{name} {value!r} is not ISO 8601")
            continue
        if parsed.tzinfo is None:
            out.append(f"{name} {value!r} has no UTC offset")
        elif value[4:5] != "-":  # fromisoformat takes the basic form (20240503T...) too; the record is extended
            out.append(f"{name} {value!r} is not in ISO 8601's extended form (YYYY-MM-DDThh:mm:ss+hh:mm)")
    for name in ("authors", "tags", "categories"):
        value = record.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            out.append(f"{name} is not a list of strings")
    return out


class ValidatePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler)

    def _since(self, url: str) -> date | None:
        spider = self.crawler.spider
        source_for = getattr(spider, "source_for", None)
        source = source_for(url) if source_for else None
        return source.since if source is not None else None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        record = ItemAdapter(item)
        found = problems(record)
        if found:
            self.stats.inc_value("newsclean/dropped/invalid record")
            raise DropItem(f"{record['url']}: invalid record ({'; '.join(found)})")
        since = self._since(record["url"])
        published = record.get("date_published")
        if since and published and datetime.fromisoformat(published).date() < since:
            self.stats.inc_value("newsclean/dropped/older than since")
            raise DropItem(f"{record['url']}: older than since ({published[:10]} < {since})", log_level="INFO")
        return item
