"""The extraction worker pool: same results as in-process extraction, crashes survived, clean shut-down."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction import Rejection, extract
from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer
from crawler.workers import (
    IN_PROCESS,
    WORKER_CRASHED,
    ExtractionPool,
    _crawl_gone,
    _process_started,
    extract_item,
    resolve_workers,
)

from .conftest import run_crawl

PAGES = Path(__file__).parent / "pages"


def _pages() -> list[tuple[str, bytes]]:
    pages = [(f"https://news.example/2026/01/0{i}/{p.stem}.html", p.read_bytes())
             for i, p in enumerate(sorted(PAGES.glob("*.html")), 1)]
    site = NewsSite(n_articles=8)
    base = "http://127.0.0.1:8000"
    for article in site.articles[:3]:
        url = article.expected_record(base)["url"]
        pages.append((url, site.render_article(article, base).encode()))
    pages += [
        ("https://news.example/2026/01/09/empty.html", b"   "),
        ("https://news.example/2026/01/09/binary.html", b"%PDF-1.4 binary"),
        ("https://news.example/2026/01/09/stub.html",
         b"<html><body><nav>" + b"<p>Menu item words here and there for navigation</p>" * 60
         + b"</nav><article><p>Too short a story.</p></article></body></html>"),
    ]
    return pages


def _suicide(url: str) -> Rejection:
    """A job that kills its worker, as a segfault or the OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)
    return Rejection(url, "unreachable", "")


async def _extract_all(pool: ExtractionPool, pages: list[tuple[str, bytes]]) -> list[Any]:
    return await asyncio.gather(*(pool.extract(html, url) for url, html in pages))


@pytest.fixture
def pool() -> Any:
    p = ExtractionPool(2, max_in_flight=3)
    yield p
    p.close()


def test_results_equal_in_process_extraction(pool: ExtractionPool) -> None:
    pages = _pages()
    got = asyncio.run(_extract_all(pool, pages))
    want = [extract(html, url) for url, html in pages]
    assert got == want
    assert {type(r).__name__ for r in got} == {"Article", "Rejection"}


def test_items_equal_in_process_items(pool: ExtractionPool) -> None:
    pages = _pages()

    async def run() -> list[Any]:
        return await asyncio.gather(*(pool.extract_item(html, url, fetched_at="2026-01-01T00:00:00+00:00",
                                                        discovered_via="sitemap") for url, html in pages))

    got = asyncio.run(run())
    want = [extract_item(html, url, fetched_at="2026-01-01T00:00:00+00:00", discovered_via="sitemap")
            for url, html in pages]
    assert got == want
    articles = [r for r in got if not isinstance(r, Rejection)]
    assert articles and all(a.content_hash and a.fetched_at for a in articles)


def test_rejections_keep_their_reasons(pool: ExtractionPool) -> None:
    pages = [p for p in _pages() if "/09/" in p[0]]
    got = asyncio.run(_extract_all(pool, pages))
    assert [r.reason for r in got] == ["empty page", "not html", "too short"]
    assert [r.url for r in got] == [url for url, _ in pages]
    assert got == [extract(html, url) for url, html in pages]


def test_killed_worker_does_not_hang_and_pool_is_recreated(pool: ExtractionPool) -> None:
    pages = _pages() * 3

    async def run() -> list[Any]:
        tasks = [asyncio.ensure_future(pool.extract(html, url)) for url, html in pages]
        await asyncio.sleep(0)  # let the first pages reach the workers
        executor = pool.executor
        assert executor is not None
        victim = next(iter(executor._processes))  # a worker pid
        os.kill(victim, signal.SIGKILL)
        return await asyncio.wait_for(asyncio.gather(*tasks), timeout=180)

    got = asyncio.run(run())
    want = [extract(html, url) for url, html in pages]
    # every page has a result: its extraction, or (only if it was in the pool both times) the crash reason
    assert all(g == w or (isinstance(g, Rejection) and g.reason == WORKER_CRASHED) for g, w in zip(got, want,
                                                                                                    strict=True))
    assert pool.stats.restarts >= 1
    # the new pool works
    url, html = pages[0]
    assert asyncio.run(pool.extract(html, url)) == want[0]


def test_page_that_kills_every_worker_is_dropped_with_a_reason(pool: ExtractionPool) -> None:
    url, html = _pages()[0]

    async def run() -> tuple[Any, Any]:
        return await asyncio.wait_for(asyncio.gather(pool.run(_suicide, "https://x.example/poison", "p"),
                                                     pool.extract(html, url)), timeout=180)

    poisoned, fine = asyncio.run(run())
    assert isinstance(poisoned, Rejection) and poisoned.reason == WORKER_CRASHED
    assert poisoned.url == "https://x.example/poison"
    assert fine == extract(html, url) or (isinstance(fine, Rejection) and fine.reason == WORKER_CRASHED)
    assert pool.stats.crashed_pages >= 1 and pool.stats.restarts >= 2


def test_pool_shuts_down() -> None:
    pool = ExtractionPool(2)
    pool.start()
    executor = pool.executor
    assert executor is not None
    url, html = _pages()[0]
    asyncio.run(pool.extract(html, url))
    pids = list(executor._processes)
    assert 1 <= len(pids) <= 2
    pool.close()
    pool.close()  # idempotent
    assert pool.executor is None
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(RuntimeError):
        asyncio.run(pool.extract(html, url))


def test_in_process_mode_and_worker_counts() -> None:
    pool = ExtractionPool(IN_PROCESS)
    pool.start()
    assert pool.executor is None
    url, html = _pages()[0]
    assert asyncio.run(pool.extract(html, url)) == extract(html, url)
    pool.close()
    assert resolve_workers(0) >= 1 and resolve_workers(3) == 3 and resolve_workers(-1) == IN_PROCESS
    with pytest.raises(ValueError):
        ExtractionPool(0)


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["2", str(IN_PROCESS)])
def test_crawl_with_workers_stores_exactly_the_site_articles(tmp_path: Path, workers: str) -> None:
    site = NewsSite(n_articles=12)
    with SiteServer(site) as server:
        db = f"sqlite:///{tmp_path / 'newsclean.db'}"
        result = run_crawl(tmp_path, db, settings={"NEWSCLEAN_EXTRACT_WORKERS": workers,
                                                   "NEWSCLEAN_MAX_PAGES_IN_FLIGHT": "2"},
                           url=server.base_url + "/")
        assert result.returncode == 0, result.log[-3000:]
        expected = site.article_urls(server.base_url)
    store = ArticleStore(db, migrate=False)
    try:
        rows = [r["canonical_url"] for r in store.iter_records()]
    finally:
        store.close()
    assert sorted(rows) == sorted(expected)
    assert sorted(r["canonical_url"] for r in result.records()) == sorted(expected)
    mode = "in the crawl process" if workers == str(IN_PROCESS) else f"in {workers} worker processes"
    assert f"Extracting {mode}" in result.log


def test_orphan_check_sees_a_gone_or_reused_crawl_pid() -> None:
    """Workers exit when the crawl's pid is gone, and also when it now names another process (one
    that started at another time), which a bare "does this pid exist" check would take for the crawl."""
    import subprocess
    import sys

    me = os.getpid()
    started = _process_started(me)
    if started is None:
        pytest.skip("no /proc here: the start-time check is not available, only the pid check")
    assert not _crawl_gone(me, started)
    assert _crawl_gone(me, str(int(started) + 1))  # same pid, another start: reused
    assert not _crawl_gone(me, None)  # where /proc told nothing at start, only the pid is checked
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert _crawl_gone(child.pid, None)  # no such process any more
