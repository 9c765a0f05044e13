"""``scrapy db upgrade`` and ``scrapy db current``: the database schema, by hand.

Crawls upgrade the schema themselves unless ``NEWSCLEAN_AUTO_MIGRATE`` is off; this command is for
that case, and for checking which revision a database has.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import (
    CommandError,
    command_config,
    database_reason,
    newer_schema,
    open_engine,
    read_revision,
    report,
)
from crawler.config import Config
from crawler.storage import SchemaError, current_revision, head_revision, upgrade

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "upgrade|current [--database URL]"

    def short_desc(self) -> str:
        return "Upgrade the newsclean database schema, or show its revision"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--database", metavar="URL", help="database URL (default: NEWSCLEAN_DATABASE_URL)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ("upgrade", "current"):
            raise UsageError("say `scrapy db upgrade` or `scrapy db current`")
        assert self.settings is not None
        config = command_config(self.settings, opts.database)
        try:
            print(self._current(config) if args[0] == "current" else self._upgrade(config))
        except CommandError as exc:
            report(self, f"db {args[0]}", exc)

    @staticmethod
    def _current(config: Config) -> str:
        """The database's revision; only reads (a SQLite file that does not exist is not created)."""
        have, head = read_revision(config)
        if have == head:
            state = "up to date"
        elif newer_schema(have):
            state = f"newer than this version's {head}: upgrade newsclean"
        else:
            state = f"behind, head is {head}: run `scrapy db upgrade`"
        return f"{config.database_url_masked}: revision {have or 'none'} ({state})"

    @staticmethod
    def _upgrade(config: Config) -> str:
        """Bring the schema to the head (creating a SQLite file that does not exist yet)."""
        engine = open_engine(config, read_only=False)
        try:
            have = current_revision(engine)
            if newer_schema(have):
                raise CommandError(f"database {config.database_url_masked} has schema {have}, newer than this "
                                   f"version's {head_revision()}: upgrade newsclean")
            before, after = upgrade(engine)
        except SQLAlchemyError as exc:
            logger.debug("upgrade failed", exc_info=True)
            raise CommandError(f"cannot upgrade the database {config.database_url_masked}: "
                               f"{database_reason(exc)}") from None
        except SchemaError as exc:
            raise CommandError(str(exc)) from None
        finally:
            engine.dispose()
        return (f"{config.database_url_masked}: "
                f"{'upgraded from ' + (before or 'nothing') + ' to ' if before != after else 'already at '}"
                f"revision {after}")
