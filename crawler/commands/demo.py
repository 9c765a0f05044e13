"""``scrapy demo``: crawl the bundled offline test news site, to see the whole job work in one command.

Starts `crawler.testsite` on a loopback port, crawls it with the project's default settings
(politeness included, so it takes about half a minute), and prints where the records went and how
many articles were stored. The site has broken pages on purpose (404, 500, an empty page): the log
lines about them are expected.

Running it again updates the same database: the site is on the same port (see `DEMO_PORT`), and the
crawl is incremental, so the articles already stored are not fetched again (the run stores 0 and
still succeeds). The demo fails (status 1) when the crawl did not finish, fetched no page, or left the
database without any article.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.commands import command_config
from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer

logger = logging.getLogger(__name__)

#: The demo serves its site on this port when it is free, so that running the demo again updates the
#: same records (URLs include the port) instead of adding a second copy; another free port otherwise.
DEMO_PORT = 8765
#: Fewest articles the test site can have (`NewsSite` needs them for its sections, tags and feeds).
MIN_ARTICLES = 8
#: Highest TCP port number.
MAX_PORT = 65535


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl the bundled offline test news site into the database and articles.jsonl"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--articles", type=int, default=40, metavar="N",
                            help=f"articles on the test site (default: 40, at least {MIN_ARTICLES})")
        parser.add_argument("--port", type=int, default=DEMO_PORT, metavar="PORT",
                            help=f"loopback port for the site (default: {DEMO_PORT}; 0: any free port)")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        # The crawl's own INFO log would drown the summary; -L or -s LOG_LEVEL=... still win.
        if (self.settings.getpriority("LOG_LEVEL") or 0) < SETTINGS_PRIORITIES["cmdline"]:
            self.settings.set("LOG_LEVEL", "WARNING", priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError("scrapy demo takes no arguments")
        if opts.articles < MIN_ARTICLES:
            raise UsageError(f"--articles must be at least {MIN_ARTICLES} (got {opts.articles})", print_help=False)
        if not 0 <= opts.port <= MAX_PORT:
            raise UsageError(f"--port must be between 0 and {MAX_PORT} (got {opts.port})", print_help=False)
        assert self.settings is not None and self.crawler_process is not None
        config = command_config(self.settings)
        site = NewsSite(n_articles=opts.articles)
        server = SiteServer(site, port=opts.port)
        try:
            server.start()
        except OSError:
            server = SiteServer(site, port=0)
            server.start()
        try:
            print(f"Serving the test news site ({opts.articles} articles) at {server.base_url}/")
            print("Crawling it with the default, polite settings (robots.txt, AutoThrottle, a delay between "
                  "requests); this takes about half a minute...", flush=True)
            crawler = self.crawler_process.create_crawler("news")
            # The demo site is on loopback, which the SSRF guard refuses by default: allow private
            # addresses for this crawl only (its own settings copy, at a priority above -s: crawl() merges
            # the command's settings into it again, and they would win at an equal priority).
            crawler.settings.set("NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES", True,
                                 priority=SETTINGS_PRIORITIES["cmdline"] + 1)
            self.crawler_process.crawl(crawler, url=server.base_url + "/")
            self.crawler_process.start()
        finally:
            server.stop()
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        stored = int(stats.get("newsclean/store/written", 0))
        dropped = {k.removeprefix("newsclean/dropped/"): v for k, v in stats.items()
                   if k.startswith("newsclean/dropped/")}
        store = ArticleStore(config.database_url, migrate=False)
        try:
            total = store.count()
        finally:
            store.close()
        database = config.database_url_masked
        if database.startswith("sqlite:///"):
            database = str(Path(database.removeprefix("sqlite:///")).resolve())
        pages = int(stats.get("response_received_count", 0))
        if stored == 0 and stats.get("newsclean/skipped/known"):
            print(f"Stored 0 articles in this run ({total} rows in the database): the articles already "
                  "stored were not fetched again (an incremental crawl).")
        else:
            print(f"Stored {stored} articles in this run ({total} rows in the database).")
        print(f"  database: {database}")
        if config.feed and not self.settings.getdict("FEEDS").keys() - {config.feed}:
            print(f"  JSON lines: {Path(config.feed).resolve()}")
        if dropped:
            print("  dropped pages: " + ", ".join(f"{n} {reason}" for reason, n in sorted(dropped.items())))
        problem = self.problem(stats.get("finish_reason"), pages, total)
        if problem:
            self.exitcode = 1
            print(problem)

    @staticmethod
    def problem(finish_reason: object, pages: int, total: int) -> str | None:
        """Why the demo failed, or None: a repeat run that stored nothing new (all known) succeeds."""
        if finish_reason != "finished":
            return f"The crawl did not finish normally: {finish_reason}"
        if pages == 0:
            return "The crawl fetched no page from the test site."
        if total == 0:
            return "The crawl stored no article: the database is empty."
        return None
