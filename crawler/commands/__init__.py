"""newsclean's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` (checked arguments), ``demo``, ``extract``."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import UsageError

from crawler.config import Config, ConfigError


def command_config(settings: Any, database: str | None = None) -> Config:
    """newsclean's settings for a command, with ``--database URL`` applied; a bad value is a usage error."""
    if database:
        settings.set("NEWSCLEAN_DATABASE_URL", database, priority="cmdline")
    try:
        return Config.from_settings(settings)
    except ConfigError as exc:
        raise UsageError(str(exc), print_help=False) from None
