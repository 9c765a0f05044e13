"""A lock per crawl job, so two runs of the same sources never overlap.

Scheduled crawls can overlap: a slow run is still going when cron starts the next one. The crawl
command takes an exclusive lock (``fcntl.flock`` on a file named after the spider and its
arguments, in ``NEWSCLEAN_LOCK_DIR``) before crawling; the second run then exits at once or waits
for the first, as ``NEWSCLEAN_ON_OVERLAP`` says. The kernel releases the lock when the process ends,
however it ends (SIGKILL included), so a crashed run never leaves a stale lock behind.

The lock is per machine (a file in ``NEWSCLEAN_LOCK_DIR``) and per job. With the shared Redis
frontier (``NEWSCLEAN_REDIS_URL``) the crawl command takes no lock: the workers of one shared crawl,
on one machine or many, are meant to run at once, and a scheduled start while the crawl still runs
just adds a worker to it.

The job is the spider and its own arguments: arguments with a leading underscore are the scheduler's,
not the job's. scrapyd passes ``-a _job=<id>`` (a new id for every scheduled run) and, when a version
is asked for, ``-a _version=<egg>``; with them in the key, two runs of the same schedule would never
share a lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from pathlib import Path
from typing import IO, Any

#: Spider arguments starting with this are the scheduler's (scrapyd: ``_job``, ``_version``), not the job's.
SCHEDULER_PREFIX = "_"


class RunLocked(RuntimeError):
    """Another run of the same job holds the lock."""


class LockDirError(RuntimeError):
    """``NEWSCLEAN_LOCK_DIR`` cannot hold the lock file (it cannot be created, or is not writable)."""


def job_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments that make a job: all but the scheduler's own (``_job``, ``_version``: see the module)."""
    return {k: v for k, v in arguments.items() if not k.startswith(SCHEDULER_PREFIX)}


class RunLock:
    def __init__(self, directory: str | Path, spider: str, arguments: dict[str, Any]) -> None:
        arguments = job_arguments(arguments)
        key = json.dumps({"spider": spider, "arguments": arguments}, sort_keys=True, default=str)
        self.path = Path(directory) / f"{spider}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.lock"
        self.description = f"{spider} {' '.join(f'{k}={v}' for k, v in sorted(arguments.items()))}".strip()
        self._file: IO[str] | None = None

    def holder(self) -> str:
        """Who holds the lock, as written in the lock file by the holder."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self, *, wait: bool) -> None:
        """Take the lock; without ``wait``, raise RunLocked when another run holds it.

        Raises LockDirError when the lock file cannot be created in its directory.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            f = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise LockDirError(f"NEWSCLEAN_LOCK_DIR {self.path.parent}: cannot create the run lock there "
                               f"({exc.strerror or exc})") from None
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            f.close()
            raise RunLocked(f"another run of `{self.description}` is still going ({self.holder()})") from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
