"""``scrapy crawl``, with newsclean's arguments checked first and an exit status cron can read.

Scrapy's own command would report a bad argument as a traceback from inside the running crawl;
this one checks first (spiders that define ``check_arguments``) and prints a usage error instead.
After the crawl it prints a one-line summary and exits non-zero when the run failed: it did not
finish normally (killed, shut down, an error; not a ``CLOSESPIDER_*`` limit), or records are still waiting in the
journal because the database stayed unreachable (status 1); or it asked for pages and received no response at
all, every request failed or was refused (status 69). A folder it cannot write (``NEWSCLEAN_LOCK_DIR``,
``JOBDIR``) stops it before crawling, with one line and status 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.commands import CommandError, command_config, open_engine
from crawler.config import Config, ConfigError
from crawler.resume import JobDirError, ensure_jobdir, jobdir_in_use
from crawler.runlock import LockDirError, RunLock, RunLocked

logger = logging.getLogger(__name__)

#: Exit status of a run skipped because the same job is still running (EX_TEMPFAIL: try again later).
EXIT_OVERLAP = 75
#: Exit status of a run that received no response at all (EX_UNAVAILABLE: every site unreachable or refused),
#: which would otherwise look like a run that found nothing new.
EXIT_NOTHING_FETCHED = 69
#: Exit status of a run that could not start (an unusable folder) or failed (see `failed`).
EXIT_FAILED = 1


def summary(stats: dict[str, Any]) -> str:
    """One line about a finished run, from its stats."""
    dropped = {k.removeprefix("newsclean/dropped/"): v for k, v in stats.items() if k.startswith("newsclean/dropped/")}
    failed = {k.removeprefix("newsclean/fetch_failed/"): v for k, v in stats.items()
              if k.startswith("newsclean/fetch_failed/")}
    parts = [
        # no reason: the run was stopped (Ctrl-C, SIGTERM) while its pipelines were still opening, so
        # Scrapy never closed the spider (scrapy/scrapy#6916)
        str(stats.get("finish_reason") or "stopped before the crawl started"),
        f"{stats.get('response_received_count', 0)} pages fetched",
        f"{stats.get('newsclean/store/written', 0)} articles stored",
    ]
    if stats.get("newsclean/articles/unchanged"):
        parts.append(f"{stats['newsclean/articles/unchanged']} unchanged (304)")
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


def fetched_nothing(stats: dict[str, Any]) -> bool:
    """True when the run sent requests (through the scheduler) and received no response at all.

    Any response counts, a 404 or a 304 included: an incremental run that fetched only its discovery
    pages fetched something. A run that asked for nothing (every article already stored, or a worker of
    a shared crawl given no request) fetched nothing and did not fail.
    """
    asked = int(stats.get("scheduler/dequeued", 0)) or int(stats.get("scheduler/dequeued/redis", 0))
    # ``response_received_count`` misses the responses a middleware turned into an ignored request (a 304
    # of a revisit is marked seen and dropped before the engine counts it); the downloader counts all
    return asked > 0 and not stats.get("response_received_count") and not stats.get("downloader/response_count")


def nothing_fetched_reason(stats: dict[str, Any]) -> str:
    """The last line of a run that received no response: what went wrong, and the usual fix."""
    errors = {k.removeprefix("newsclean/fetch_error/"): v for k, v in stats.items()
              if k.startswith("newsclean/fetch_error/")}
    line = "newsclean run: failed, no response received: every request failed or was refused"
    if errors:
        line += " (" + ", ".join(f"{n} {k}" for k, n in sorted(errors.items())) + ")"
    if any(k.startswith("newsclean/ssrf/refused/") for k in stats):
        line += ("; private, loopback and link-local addresses are refused unless "
                 "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True")
    return line


class Command(ScrapyCrawlCommand):
    def _check_database(self, config: Config) -> None:
        """Stop before crawling when the database cannot be reached at all (a wrong URL, a server down)."""
        assert self.settings is not None
        if "pipelines.store.StorePipeline" not in self.settings.getdict("ITEM_PIPELINES"):
            return
        open_engine(config, read_only=False).dispose()

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
        try:
            self._check_database(config)
        except CommandError as exc:
            self._cannot_start(exc)
            return
        if config.redis_url:
            self._check_redis(config)
        jobdir = self.settings.get("JOBDIR")
        if jobdir:
            try:
                ensure_jobdir(jobdir)
            except JobDirError as exc:
                self._cannot_start(exc)
                return
        # The job is the spider and its own arguments; the scheduler's (scrapyd's `_job`, `_version`) are not.
        lock = RunLock(config.lock_dir, spidercls.name, dict(opts.spargs))
        try:
            if config.redis_url:
                # Workers of one shared crawl run at once by design (on one machine or many); the
                # shared frontier, not the lock, keeps them from doing the same work twice.
                logger.info("Shared frontier (NEWSCLEAN_REDIS_URL): no per-job run lock")
            else:
                lock.acquire(wait=False)
        except LockDirError as exc:
            self._cannot_start(exc)
            return
        except RunLocked as exc:
            if config.on_overlap == "exit":
                logger.warning("Not crawling: %s (NEWSCLEAN_ON_OVERLAP=exit)", exc)
                print(f"newsclean run: skipped, {exc}", file=sys.stderr)
                self.exitcode = EXIT_OVERLAP
                return
            logger.warning("Waiting: %s (NEWSCLEAN_ON_OVERLAP=wait)", exc)
            print(f"newsclean run: waiting, {exc}", file=sys.stderr, flush=True)
            lock.acquire(wait=True)
        holder = jobdir_in_use(jobdir) if jobdir and not config.redis_url else None
        if holder:
            # another job (other arguments, so not held off by the run lock) crawls from this folder
            lock.release()
            self._cannot_start(JobDirError(f"JOBDIR {jobdir}: in use by a running crawl ({holder}); "
                                           "give each job a folder of its own"))
            return
        try:
            crawler = self._create_crawler(spidercls)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            lock.release()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = EXIT_FAILED
            return
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        print(summary(stats), file=sys.stderr)
        if failed(stats):
            self.exitcode = EXIT_FAILED
        elif fetched_nothing(stats):
            # The last line of the log (under scrapyd the log file is what is kept), and on standard
            # error when the log does not show it there.
            line = nothing_fetched_reason(stats)
            logger.error("%s", line)
            if not self._logs_errors_to_stderr():
                print(line, file=sys.stderr)
            self.exitcode = EXIT_NOTHING_FETCHED

    def _logs_errors_to_stderr(self) -> bool:
        assert self.settings is not None
        level = logging.getLevelName(str(self.settings.get("LOG_LEVEL", "DEBUG")).upper())
        return (self.settings.getbool("LOG_ENABLED") and not self.settings.get("LOG_FILE")
                and isinstance(level, int) and level <= logging.ERROR)

    def _cannot_start(self, exc: Exception) -> None:
        """A folder the crawl needs cannot be used: one line, and a failed exit status."""
        print(f"scrapy crawl: error: {exc}", file=sys.stderr)
        self.exitcode = EXIT_FAILED
