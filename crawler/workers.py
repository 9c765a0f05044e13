"""A pool of worker processes that run `crawler.extraction.extract` off the crawl's reactor thread.

Extraction costs tens of milliseconds of CPU per page; run on the reactor thread it stalls downloads
and leaves the other cores idle. `ExtractionPool` sends each page to one of N worker processes and
awaits the result on the asyncio loop, with at most ``max_in_flight`` pages submitted at a time (the
rest wait in `ExtractionPool.extract`, where Scrapy's scraper counts them against
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` and stops downloading new pages while it is full: memory stays flat).

Workers are started with the ``forkserver`` method (never ``fork``: forking a process that runs a
reactor and its threads is unsafe). The fork server itself imports nothing heavy (preloading
trafilatura there would save each worker ~1 s of start-up but keep a third copy of the libraries in
memory, ~60 MB RSS); each worker imports the extraction modules and runs one warm-up extraction, so
the first real page does not pay for lazy initialisation.

A worker that dies (killed, out of memory, a crash in C code) breaks the whole pool: the pool is
recreated and the pages that were in it are submitted again, once. A page that breaks the pool a
second time is the likely culprit: it is returned as the rejection ``worker crashed``.

``workers=-1`` (`IN_PROCESS`) runs extraction in the calling process, on the reactor thread, as
before the pool existed: for debuggers and profilers.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, TypeVar

from crawler.duplicates import simhash
from crawler.extraction import MIN_TEXT_CHARS, Article, Rejection, extract, to_item
from crawler.items import ArticleItem

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

#: ``workers`` value meaning "no pool: extract in this process, on the calling thread".
IN_PROCESS = -1
#: Pages submitted to the pool per worker when ``max_in_flight`` is 0 (auto): one being extracted and
#: one or two queued, so a worker never waits for the reactor to hand it the next page.
IN_FLIGHT_PER_WORKER = 3
#: Rejection reason for a page whose extraction killed its worker twice.
WORKER_CRASHED = "worker crashed"
#: Attempts per page when workers die under it (the first failure may be another page's fault).
ATTEMPTS = 2

_WARM_UP_HTML = (
    b"<html><head><title>Warm-up</title><meta property='og:type' content='article'></head><body>"
    b"<article><h1>Warm-up</h1><p>" + b"This page warms up the extraction libraries once per worker. " * 8
    + b"</p></article></body></html>"
)


def cpu_count() -> int:
    """CPU cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_workers(setting: int) -> int:
    """The number of worker processes for a ``NEWSCLEAN_EXTRACT_WORKERS`` value (0: one per core)."""
    if setting == 0:
        return cpu_count()
    return setting


def _load_libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 (glibc only: musl has neither)
    except (OSError, AttributeError):
        return None
    return libc


_libc = _load_libc()
#: glibc ``mallopt`` parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Blocks at least this large (page bodies, their decoded text) get their own mapping, returned to
#: the OS when freed. glibc's default raises this threshold as big blocks are freed, after which page
#: bodies land in the heap, fragment it, and the process's RSS creeps up over a long crawl.
MMAP_THRESHOLD = 128 * 1024


def tune_malloc() -> None:
    """Keep a long-running process's RSS flat (glibc only; a no-op elsewhere): big blocks always
    mmapped (`MMAP_THRESHOLD`), free heap top returned early. Called in the crawl process and workers."""
    if _libc is not None:
        _libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _libc.mallopt(_M_TRIM_THRESHOLD, MMAP_THRESHOLD)


def release_memory() -> None:
    """Hand the heap's free pages back to the OS (glibc ``malloc_trim``), so RSS after a big page
    falls back instead of staying at its high-water mark; a no-op where it is unavailable."""
    if _libc is not None:
        _libc.malloc_trim(0)


#: A worker trims its heap (`release_memory`) after every this many pages. Every page: measured over
#: the development sets' 261 pages twice in one process, peak RSS 155 MB against 185 MB when trimming
#: every 8 pages, for ~1 ms of CPU a page (within the run-to-run noise of 20 s for 522 pages): a big
#: page's trees are handed back before the next page, not after 8.
TRIM_EVERY = 1
_pages_since_trim = 0


def _after_page() -> None:
    global _pages_since_trim
    _pages_since_trim += 1
    if _pages_since_trim >= TRIM_EVERY:
        _pages_since_trim = 0
        release_memory()


def _noop() -> None:
    return None


#: Seconds between a worker's checks that the crawl process that started it is still alive.
ORPHAN_CHECK_SECONDS = 2.0


def _process_started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``), or None where ``/proc``
    does not tell (another OS, or no such process)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (command)", which may hold spaces
    return fields[19].decode() if len(fields) > 19 else None


def _crawl_gone(crawl_pid: int, started: str | None) -> bool:
    """Whether the crawl process is gone: no process has its pid, or one that started at another time
    (the pid was reused by a new process, which would otherwise keep the workers alive)."""
    try:
        os.kill(crawl_pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # the pid was reused by another user's process: ours is gone
        return True
    return started is not None and _process_started(crawl_pid) != started


def _exit_when_orphaned(crawl_pid: int) -> None:
    """Worker thread: exit when the crawl process is gone. A crawl killed with SIGKILL never shuts its
    pool down, and the workers (children of the fork server, not of the crawl) would wait forever."""
    started = _process_started(crawl_pid)  # the crawl is alive while its workers start
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if _crawl_gone(crawl_pid, started):
            os._exit(0)


def _init_worker(crawl_pid: int | None = None) -> None:
    """Worker initialiser: watch the crawl process, and run one extraction, so trafilatura's lazy
    set-up happens once, here."""
    if crawl_pid is not None:
        threading.Thread(target=_exit_when_orphaned, args=(crawl_pid,), name="orphan-check", daemon=True).start()
    tune_malloc()
    extract(_WARM_UP_HTML, "http://warm-up.invalid/news/2026/01/01/warm-up.html")
    release_memory()


def _extract_job(html: bytes | str, url: str, min_text_chars: int, encoding: str | None,
                 hinted_date: str | None) -> Article | Rejection:
    try:
        return extract(html, url, min_text_chars=min_text_chars, encoding=encoding, hinted_date=hinted_date)
    finally:
        _after_page()


def extract_item(html: bytes | str, url: str, *, min_text_chars: int = MIN_TEXT_CHARS,
                 encoding: str | None = None, hinted_date: str | None = None, fetched_at: str | None = None,
                 discovered_via: str | None = None) -> ArticleItem | Rejection:
    """The record of one page (`extract`, then `to_item`), with its SimHash fingerprint filled in, or
    the rejection: all the per-page CPU work, so that a worker does it and the crawl process does not."""
    result = extract(html, url, min_text_chars=min_text_chars, encoding=encoding, hinted_date=hinted_date)
    if isinstance(result, Rejection):
        return result
    item = to_item(result, fetched_at=fetched_at, discovered_via=discovered_via)
    item.simhash = simhash(item.text)
    return item


def _extract_item_job(html: bytes | str, url: str, min_text_chars: int, encoding: str | None,
                      hinted_date: str | None, fetched_at: str | None,
                      discovered_via: str | None) -> ArticleItem | Rejection:
    try:
        return extract_item(html, url, min_text_chars=min_text_chars, encoding=encoding,
                            hinted_date=hinted_date, fetched_at=fetched_at, discovered_via=discovered_via)
    finally:
        _after_page()


@dataclass
class PoolStats:
    """What the pool did, for the crawl stats."""

    restarts: int = 0
    crashed_pages: int = 0


class ExtractionPool:
    """Extraction in ``workers`` processes with at most ``max_in_flight`` pages submitted at once.

    Use from coroutines running on one asyncio loop (Scrapy's asyncio reactor): ``await
    pool.extract(...)``. ``close()`` shuts the workers down; it is safe to call twice.
    """

    def __init__(self, workers: int, *, max_in_flight: int = 0, start_method: str = "forkserver") -> None:
        if workers == 0 or workers < IN_PROCESS:
            raise ValueError(f"workers must be at least 1, or {IN_PROCESS} for in-process extraction")
        self.workers = workers
        self.in_process = workers == IN_PROCESS
        self.max_in_flight = max_in_flight or max(1, workers) * IN_FLIGHT_PER_WORKER
        self.stats = PoolStats()
        self._start_method = start_method
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._closed = False

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the worker processes now (else on the first page)."""
        if not self.in_process:
            executor = self._ensure_executor()
            # ProcessPoolExecutor starts workers on demand: one no-op job per worker starts them all
            for _ in range(self.workers):
                executor.submit(_noop)

    def _ensure_executor(self) -> ProcessPoolExecutor:
        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        if self._executor is None:
            context = multiprocessing.get_context(self._start_method)
            started = time.monotonic()
            self._executor = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_init_worker,
                                                 initargs=(os.getpid(),))
            self._generation += 1
            logger.debug("Extraction pool %d: %d %s workers (set up in %.2fs)", self._generation,
                         self.workers, self._start_method, time.monotonic() - started)
        return self._executor

    def _restart(self, generation: int) -> None:
        """Replace a broken executor, once per breakage (many pending pages report the same one)."""
        if generation != self._generation or self._closed:
            return
        broken, self._executor = self._executor, None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        self.stats.restarts += 1
        logger.warning("An extraction worker died; restarting the pool of %d workers", self.workers)
        self._ensure_executor()

    def close(self) -> None:
        """Shut the workers down (pending pages are cancelled); idempotent."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
            logger.debug("Extraction pool shut down")

    @property
    def executor(self) -> ProcessPoolExecutor | None:
        """The current executor (None in-process, before the first page, or after `close`)."""
        return self._executor

    # ------------------------------------------------------------------ work
    async def extract(self, html: bytes | str, url: str, *, min_text_chars: int = MIN_TEXT_CHARS,
                      encoding: str | None = None, hinted_date: str | None = None) -> Article | Rejection:
        """`crawler.extraction.extract` in a worker; waits while ``max_in_flight`` pages are submitted."""
        if self.in_process:
            return extract(html, url, min_text_chars=min_text_chars, encoding=encoding, hinted_date=hinted_date)
        return await self.run(_extract_job, url, html, url, min_text_chars, encoding, hinted_date)

    async def extract_item(self, html: bytes | str, url: str, *, min_text_chars: int = MIN_TEXT_CHARS,
                           encoding: str | None = None, hinted_date: str | None = None,
                           fetched_at: str | None = None,
                           discovered_via: str | None = None) -> ArticleItem | Rejection:
        """`extract_item` in a worker; waits while ``max_in_flight`` pages are submitted."""
        if self.in_process:
            return extract_item(html, url, min_text_chars=min_text_chars, encoding=encoding,
                                hinted_date=hinted_date, fetched_at=fetched_at, discovered_via=discovered_via)
        return await self.run(_extract_item_job, url, html, url, min_text_chars, encoding, hinted_date,
                               fetched_at, discovered_via)

    async def run(self, job: Callable[..., _T | Rejection], url: str, *args: Any) -> _T | Rejection:
        """``job(*args)`` in a worker (``job`` importable by name); waits while ``max_in_flight`` pages
        are submitted. When the pool breaks under it, it is retried once on a new pool; when it breaks
        again, the result is the rejection `WORKER_CRASHED` of ``url``."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
        async with self._semaphore:
            for attempt in range(1, ATTEMPTS + 1):
                executor = self._ensure_executor()
                generation = self._generation
                try:
                    future = executor.submit(job, *args)
                    return await asyncio.wrap_future(future)
                except BrokenProcessPool as exc:
                    if self._closed:
                        raise
                    logger.warning("Extraction worker died while %s was in the pool (attempt %d of %d): %s",
                                   url, attempt, ATTEMPTS, exc)
                    self._restart(generation)
            self.stats.crashed_pages += 1
            return Rejection(url, WORKER_CRASHED, f"the extraction worker died {ATTEMPTS} times on this page")
