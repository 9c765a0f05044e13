"""``scrapy db upgrade`` and ``scrapy db current``: the database schema, by hand.

Crawls upgrade the schema themselves unless ``NEWSCLEAN_AUTO_MIGRATE`` is off; this command is for
that case, and for checking which revision a database has.
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import command_config
from crawler.config import mask_password
from crawler.storage import current_revision, head_revision, make_engine, upgrade


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
        engine = make_engine(config.database_url)
        try:
            where = mask_password(config.database_url)
            if args[0] == "current":
                have, head = current_revision(engine), head_revision()
                state = "up to date" if have == head else f"behind, head is {head}: run `scrapy db upgrade`"
                print(f"{where}: revision {have or 'none'} ({state})")
            else:
                before, after = upgrade(engine)
                print(f"{where}: {'upgraded from ' + (before or 'nothing') + ' to ' if before != after else 'already at '}"
                      f"revision {after}")
        finally:
            engine.dispose()
