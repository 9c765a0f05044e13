"""Resuming a crawl from its job folder (``JOBDIR``) after the run before it was killed.

Scrapy keeps a paused crawl in ``JOBDIR``: the request queue (``requests.queue/``), the fingerprints
of requests already scheduled (``requests.seen``) and the spider's state. They are consistent only
when the run closed: a run killed with SIGKILL (an OOM kill, a reboot, a scheduler's timeout) leaves
a queue whose index and files disagree, so the next run fails on every request it pops
(``struct.error``), and a seen-set that lists requests whose pages were fetched but never stored
(they were in the extraction pool or the store's batch): the resumed run would never ask for them.

So this extension marks the job folder while a run is open (``newsclean.running``) and removes the mark
when the spider closes. A run that finds the mark knows the run before it did not close: it discards
the queue and the seen-set before Scrapy opens them, with a warning, and starts from the discovery
pages like a run without ``JOBDIR``; the incremental skip (stored articles are not fetched again)
makes that cost the discovery pages only, with nothing missed and nothing stored twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

#: The mark of an open run in the job folder.
RUNNING_MARK = "newsclean.running"
#: What Scrapy's scheduler keeps in the job folder: discarded after a run that did not close.
SCHEDULER_STATE = ("requests.queue", "requests.seen")


class JobDirError(RuntimeError):
    """``JOBDIR`` cannot be used: it cannot be created, is not a folder, or is not writable."""


def ensure_jobdir(jobdir: str | Path) -> Path:
    """Create the job folder if needed and check that this process can write in it; JobDirError if not.

    ``scrapy crawl`` calls it before crawling, so that a bad ``JOBDIR`` is one line at start-up instead of a
    traceback from inside the crawl (Scrapy's scheduler and this extension both write there).
    """
    path = Path(jobdir)
    if path.exists() and not path.is_dir():
        raise JobDirError(f"JOBDIR {path}: not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise JobDirError(f"JOBDIR {path}: cannot create the job folder ({exc.strerror or exc})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise JobDirError(f"JOBDIR {path}: the job folder is not writable")
    return path


def _hold(mark: Path) -> IO[str] | None:
    """``mark`` opened (created if need be) with an exclusive ``flock`` held, or None when a live process
    holds it. The kernel releases the lock when its holder ends, however it ends (SIGKILL included)."""
    handle = mark.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def jobdir_in_use(jobdir: str | Path) -> str | None:
    """What the mark of a crawl running in ``jobdir`` says ("pid 1234"), or None when no running crawl
    holds it: two runs in one job folder would share one queue file. ``scrapy crawl`` checks it first."""
    mark = Path(jobdir) / RUNNING_MARK
    if not mark.exists():
        return None
    handle = _hold(mark)
    if handle is not None:
        handle.close()  # (closing releases the lock: the process that left the mark is gone)
        return None
    return mark.read_text(encoding="utf-8").strip() or "another process"


class ResumeGuard:
    def __init__(self, jobdir: Path) -> None:
        self.mark = jobdir / RUNNING_MARK
        left = self.mark.exists()  # before opening it: a mark this run creates is no trace of another
        held = _hold(self.mark)
        if held is None:
            raise JobDirError(f"JOBDIR {jobdir}: in use by a running crawl "
                              f"({self.mark.read_text(encoding='utf-8').strip() or 'another process'})")
        self.handle: IO[str] | None = held
        self.discarded = self.prepare(jobdir) if left else False
        held.seek(0)
        held.truncate()
        held.write(f"pid {os.getpid()}\n")
        held.flush()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ResumeGuard:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir or crawler.settings.get("NEWSCLEAN_REDIS_URL"):
            raise NotConfigured  # no job folder (or a shared Redis frontier, which ignores it)
        guard = cls(ensure_jobdir(jobdir))
        if guard.discarded:
            crawler.stats.set_value("newsclean/resume/discarded_queue", 1)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    @staticmethod
    def prepare(jobdir: Path) -> bool:
        """Discard the scheduler's state in ``jobdir`` if the run that left it did not close; True if it did so."""
        mark = jobdir / RUNNING_MARK
        if not mark.exists():
            return False
        found = [name for name in SCHEDULER_STATE if (jobdir / name).exists()]
        logger.warning(
            "JOBDIR %s: the previous run did not close (killed?); its request queue and seen-set are discarded"
            " and the crawl starts again from its discovery pages (stored articles are skipped, so nothing is"
            " fetched twice)", jobdir)
        for name in found:
            target = jobdir / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
        return True

    def spider_closed(self, spider: Any, reason: str) -> None:
        """The spider closed (finished, stopped or shut down): Scrapy saved its queue, which is consistent."""
        try:
            self.mark.unlink()
        except FileNotFoundError:
            pass
        if self.handle is not None:
            self.handle.close()
            self.handle = None
