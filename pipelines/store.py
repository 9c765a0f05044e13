"""Storage pipeline: batched upserts of article records into SQLite or PostgreSQL.

Records are buffered and written `NEWSCLEAN_BATCH_SIZE` at a time in one transaction (and the rest
when the spider closes). A batch the database refuses is retried record by record, so one bad record
cannot sink the others; the refused one is logged with its URL and the database's reason.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from sqlalchemy.exc import SQLAlchemyError

from crawler.config import Config
from crawler.items import ArticleItem
from crawler.storage import ArticleStore

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, config: Config, stats: Any) -> None:
        self.config = config
        self.stats = stats
        self.store: ArticleStore | None = None
        self.buffer: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(Config.from_settings(crawler.settings), crawler.stats)

    def open_spider(self) -> None:
        self.store = ArticleStore(self.config.database_url, migrate=self.config.auto_migrate)
        logger.info("Storing articles in %s", self.config.database_url_masked)

    def close_spider(self) -> None:
        self.flush()
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleItem):
            self.buffer.append(ItemAdapter(item).asdict())
            if len(self.buffer) >= self.config.batch_size:
                self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer or self.store is None:
            return
        batch, self.buffer = self.buffer, []
        try:
            written = self.store.upsert(batch)
        except SQLAlchemyError as exc:
            logger.warning("Batch of %d records refused (%s); retrying one by one", len(batch),
                           exc.__class__.__name__)
            written = 0
            for record in batch:
                try:
                    written += self.store.upsert([record])
                except SQLAlchemyError as row_exc:
                    self.stats.inc_value("newsclean/store/failed")
                    reason = getattr(row_exc, "orig", None) or row_exc
                    logger.error("Could not store %s: %s: %s", record.get("url"), type(reason).__name__,
                                 str(reason).strip().splitlines()[0] if str(reason).strip() else "")
        self.stats.inc_value("newsclean/store/written", written)
        logger.debug("Stored %d records", written)
