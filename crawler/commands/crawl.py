"""``scrapy crawl``, with newsclean's settings and spider arguments checked before the crawl starts.

Scrapy's own command would report a bad argument as a traceback from inside the running crawl;
this one checks first (spiders that define ``check_arguments``) and prints a usage error instead.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.config import ConfigError


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r} in this project", print_help=False) from None
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(self.settings, opts.spargs)
                except ConfigError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
