"""``scrapy crawl``, with newsclean's arguments checked first and an exit status cron can read.

Scrapy's own command would report a bad argument as a traceback from inside the running crawl;
this one checks first (spiders that define ``check_arguments``) and prints a usage error instead.
After the crawl it prints a one-line summary and exits non-zero when the run failed: it did not
finish normally (killed, shut down, an error; not a ``CLOSESPIDER_*`` limit), or records are still waiting in the
journal because the database stayed unreachable.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import command_config
from crawler.config import Config, ConfigError
from crawler.runlock import RunLock, RunLocked
from crawler.storage import make_engine

logger = logging.getLogger(__name__)

#: Exit status of a run skipped because the same job is still running (EX_TEMPFAIL: try again later).
EXIT_OVERLAP = 75


def summary(stats: dict[str, Any]) -> str:
    """One line about a finished run, from its stats."""
    dropped = {k.removeprefix("newsclean/dropped/"): v for k, v in stats.items() if k.startswith("newsclean/dropped/")}
    failed = {k.removeprefix("newsclean/fetch_failed/"): v for k, v in stats.items()
              if k.startswith("newsclean/fetch_failed/")}
    parts = [
        f"{stats.get('finish_reason', 'unknown')}",
        f"{stats.get('response_received_count', 0)} pages fetched",
        f"{stats.get('newsclean/store/written', 0)} articles stored",
    ]
    if dropped:
        parts.append("dropped: " + ", ".join(f"{n} {k}" for k, n in sorted(dropped.items())))
    if failed:
        parts.append("fetch failures: " + ", ".join(f"{n} {k}" for k, n in sorted(failed.items())))
    if stats.get("newsclean/store/journaled_at_close"):
        parts.append(f"{stats['newsclean/store/journaled_at_close']} records waiting in the journal")
    elapsed = stats.get("elapsed_time_seconds")
    if elapsed is not None:
        parts.append(f"{elapsed:.0f} s")
    return "newsclean run: " + "; ".join(parts)


def failed(stats: dict[str, Any]) -> bool:
    """A run failed when it stopped short (killed, shut down, an error) or left records unwritten.

    Limits the user set (``CLOSESPIDER_*``) end a run normally.
    """
    reason = str(stats.get("finish_reason", ""))
    stopped_short = reason != "finished" and not reason.startswith("closespider_")
    return stopped_short or bool(stats.get("newsclean/store/journaled_at_close"))


class Command(ScrapyCrawlCommand):
    def _check_database(self, config: Config) -> None:
        """Stop before crawling when the database cannot be reached at all (a wrong URL, a server down)."""
        assert self.settings is not None
        if "pipelines.store.StorePipeline" not in self.settings.getdict("ITEM_PIPELINES"):
            return
        engine = make_engine(config.database_url)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise UsageError(f"cannot open the database {config.database_url_masked}: {reason}",
                             print_help=False) from None
        finally:
            engine.dispose()

    def _check_redis(self, config: Config) -> None:
        """Stop before crawling when the shared frontier cannot work: unsupported versions, no Redis."""
        from crawler import redis_frontier

        try:
            redis_frontier.check_compatibility()
            redis_frontier.connect(config.redis_url).close()
        except ConfigError as exc:
            raise UsageError(str(exc), print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) < 1:
            raise UsageError
        if len(args) > 1:
            raise UsageError("running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None and self.settings is not None
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
        config = command_config(self.settings)
        self._check_database(config)
        if config.redis_url:
            self._check_redis(config)
        lock = RunLock(config.lock_dir, spidercls.name, dict(opts.spargs))
        try:
            if config.redis_url:
                # Workers of one shared crawl run at once by design (on one machine or many); the
                # shared frontier, not the lock, keeps them from doing the same work twice.
                logger.info("Shared frontier (NEWSCLEAN_REDIS_URL): no per-job run lock")
            else:
                lock.acquire(wait=False)
        except RunLocked as exc:
            if config.on_overlap == "exit":
                logger.warning("Not crawling: %s (NEWSCLEAN_ON_OVERLAP=exit)", exc)
                print(f"newsclean run: skipped, {exc}", file=sys.stderr)
                self.exitcode = EXIT_OVERLAP
                return
            logger.warning("Waiting: %s (NEWSCLEAN_ON_OVERLAP=wait)", exc)
            print(f"newsclean run: waiting, {exc}", file=sys.stderr, flush=True)
            lock.acquire(wait=True)
        try:
            crawler = self._create_crawler(spidercls)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        print(summary(stats), file=sys.stderr)
        if failed(stats):
            self.exitcode = 1
