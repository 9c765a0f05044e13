"""The newsclean Scrapy add-on: validates our settings at start-up and sets up the default feed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from crawler.config import Config
from crawler.middlewares import install_secret_masking

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


class NewscleanAddon:
    """Parse ``NEWSCLEAN_*`` once (a bad value stops the crawl before it starts) and add the default feed.

    The default feed (``NEWSCLEAN_FEED``, ``articles.jsonl``) is added to ``FEEDS`` only when no feed
    was given on the command line or in settings, so ``scrapy crawl news -O other.jsonl`` replaces it.
    """

    @classmethod
    def update_pre_crawler_settings(cls, settings: Settings) -> None:
        install_secret_masking()  # before anything logs a setting that may hold a password

    def update_settings(self, settings: Settings) -> None:
        install_secret_masking()
        config = Config.from_settings(settings)
        if config.redis_url:
            self._use_shared_frontier(settings)
        if config.feed and not settings.getdict("FEEDS"):
            settings.set(
                "FEEDS",
                {
                    config.feed: {
                        "format": "jsonlines",
                        "encoding": "utf-8",
                        "overwrite": config.feed_overwrite,
                    }
                },
                priority="addon",
            )

    @staticmethod
    def _use_shared_frontier(settings: Settings) -> None:
        """``NEWSCLEAN_REDIS_URL``: the shared Redis scheduler (`crawler.redis_frontier`) and its
        acknowledging spider middleware; an unsupported scrapy-redis/Scrapy/redis-py stops here."""
        from crawler import redis_frontier

        redis_frontier.check_compatibility()
        settings.set("SCHEDULER", "crawler.redis_frontier.RedisScheduler", priority="addon")
        settings.setdefault_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", redis_frontier.FrontierAckMiddleware, redis_frontier.ACK_MIDDLEWARE_ORDER)
        if settings.get("JOBDIR"):
            logger.warning("JOBDIR is ignored with NEWSCLEAN_REDIS_URL: the queue and the duplicate filter live in Redis")
