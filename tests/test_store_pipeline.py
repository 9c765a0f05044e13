"""The store pipeline's batches: full batches on a fast crawl, and no record waiting longer than
``NEWSCLEAN_BATCH_SECONDS`` on a slow one (by a check on each record and by a timer), with the
outage journal still in charge while the database is away; and the progress line that says so."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler
from twisted.internet.task import Clock, LoopingCall

import pipelines.store
from crawler.items import ArticleItem
from crawler.progress import ProgressLog
from crawler.signals import records_committed
from crawler.testsite import NewsSite, SiteServer
from pipelines.store import StorePipeline
from spiders.news import NewsSpider

from .conftest import FAST_CRAWL, REPO, stored_urls


def item(n: int) -> ArticleItem:
    url = f"https://n.example/2026/01/02/story-number-{n}"
    return ArticleItem(url=url, canonical_url=url, title=f"Story {n}", text=f"Text of story {n}. " * 20,
                       word_count=100, content_hash=f"{n:064x}")


def pipeline(database_url: str, journal_dir: Path, **settings: Any) -> StorePipeline:
    crawler = get_crawler(NewsSpider, {
        "NEWSCLEAN_DATABASE_URL": database_url, "NEWSCLEAN_BATCH_SIZE": 100, "NEWSCLEAN_BATCH_SECONDS": 5,
        "NEWSCLEAN_JOURNAL_DIR": str(journal_dir), "NEWSCLEAN_DB_RETRY_SECONDS": 0, **settings,
    })
    crawler.spider = NewsSpider(url="https://n.example/")
    crawler.spider.crawler = crawler
    return StorePipeline.from_crawler(crawler)


def count_batches(store: StorePipeline) -> list[int]:
    """Sizes of the batches ``store`` hands to the database from now on."""
    assert store.store is not None
    sizes: list[int] = []
    upsert = store.store.upsert

    def counting(records: list[dict[str, Any]], **kwargs: Any) -> int:
        sizes.append(len(records))
        return upsert(records, **kwargs)

    store.store.upsert = counting  # type: ignore[method-assign]
    return sizes


def close(store: StorePipeline) -> None:
    store.close_spider()
    store.spider_closed(None, "finished")


def test_fast_crawl_still_writes_full_batches(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'x.db'}"
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    sizes = count_batches(store)
    for n in range(250):
        store.process_item(item(n))
    assert sizes == [100, 100]                # no time bound reached: batches of NEWSCLEAN_BATCH_SIZE
    store.tick()                              # the timer finds nothing overdue either
    assert sizes == [100, 100] and len(store.buffer) == 50
    close(store)
    assert sizes == [100, 100, 50]
    assert len(stored_urls(database_url)) == 250


def test_a_record_waits_at_most_batch_seconds(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'x.db'}"
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    sizes = count_batches(store)
    for n in range(3):
        store.process_item(item(n))
    assert sizes == [] and stored_urls(database_url) == []
    assert store.stats.get_value("newsclean/store/buffered") == 3
    store.buffer_since -= 5.0                 # the oldest record has waited NEWSCLEAN_BATCH_SECONDS
    store.tick()                              # an idle crawl: the timer writes them
    assert sizes == [3] and len(stored_urls(database_url)) == 3
    assert store.stats.get_value("newsclean/store/buffered") == 0
    store.process_item(item(3))
    store.buffer_since -= 5.0
    store.process_item(item(4))               # a slow crawl: the next record finds the batch overdue
    assert sizes == [3, 2] and len(stored_urls(database_url)) == 5
    close(store)
    assert sizes == [3, 2]


def test_batch_seconds_zero_writes_only_full_batches(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'x.db'}"
    store = pipeline(database_url, tmp_path, NEWSCLEAN_BATCH_SECONDS=0)
    store.open_spider()
    store.spider_opened(None)
    assert store.timer is None
    store.process_item(item(1))
    store.buffer_since -= 3600.0
    store.tick()
    store.process_item(item(2))
    assert stored_urls(database_url) == []
    close(store)
    assert len(stored_urls(database_url)) == 2


def test_the_timer_runs_from_spider_opened_to_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()

    class FakeClockLoopingCall(LoopingCall):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.clock = clock

    monkeypatch.setattr(pipelines.store, "LoopingCall", FakeClockLoopingCall)
    database_url = f"sqlite:///{tmp_path / 'x.db'}"
    store = pipeline(database_url, tmp_path, NEWSCLEAN_BATCH_SECONDS=2)
    store.open_spider()
    store.spider_opened(None)
    assert store.timer is not None and store.timer.running
    store.process_item(item(1))
    clock.advance(1.0)                        # checked every second; not due yet
    assert stored_urls(database_url) == []
    store.buffer_since -= 2.0
    clock.advance(1.0)
    assert len(stored_urls(database_url)) == 1
    close(store)
    assert store.timer is None and not clock.getDelayedCalls()


def test_database_away_overdue_batches_go_to_the_journal_and_are_replayed_when_idle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.storage

    monkeypatch.setattr(crawler.storage, "SQLITE_BUSY_TIMEOUT_S", 0)
    db_file = tmp_path / "locked.db"
    database_url = f"sqlite:///{db_file}"
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    settled: list[str] = []  # what a shared frontier is told it may forget (`records_committed`)
    store.crawler.signals.connect(lambda urls, **_: settled.extend(urls), signal=records_committed, weak=False)
    blocker = sqlite3.connect(db_file, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")        # another process holds the write lock
    for n in range(4):
        store.process_item(item(n))
    store.buffer_since -= 5.0
    store.tick()                              # overdue, the database away: journaled, not lost
    assert len(store.journal) == 4 and store.buffer == []
    assert settled == []  # journaled on this machine only: another worker must be able to fetch them again
    assert store.stats.get_value("newsclean/store/in_journal") == 4
    assert store.stats.get_value("newsclean/store/outages", 0) >= 1
    store.process_item(item(4))
    store.buffer_since -= 5.0
    store.next_attempt = time.monotonic() + 3600   # not time to retry yet: the order of writes is kept
    store.tick()
    assert len(store.journal) == 5
    blocker.execute("ROLLBACK")
    blocker.close()
    store.next_attempt = 0.0
    store.tick()                              # nothing buffered, the retry is due: the journal is replayed
    assert len(store.journal) == 0
    assert sorted(settled) == sorted(item(n).url for n in range(5))  # committed now
    assert store.stats.get_value("newsclean/store/in_journal") == 0
    assert sorted(stored_urls(database_url)) == sorted(item(n).url for n in range(5))
    close(store)


def test_progress_line_counts_stored_and_waiting_records() -> None:
    stats = MemoryStatsCollector(get_crawler(NewsSpider))
    progress = ProgressLog(stats, 60)
    stats.set_value("response_received_count", 50)
    stats.set_value("newsclean/store/written", 30)
    stats.set_value("newsclean/store/buffered", 7)
    stats.set_value("newsclean/dropped/too short", 2)
    line = progress.line()
    assert ", 30 articles stored (" in line and ", 7 waiting to be stored, 2 dropped, 0 queued" in line
    stats.set_value("newsclean/store/in_journal", 1200)
    assert ", 1,207 waiting to be stored (1,200 in the journal), 2 dropped" in progress.line()


def start_crawl(workdir: Path, database_url: str, url: str, **settings: str) -> subprocess.Popen[str]:
    """``scrapy crawl news -a url=URL`` in the background (the test reads the database meanwhile)."""
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={url}",
            "-s", f"NEWSCLEAN_DATABASE_URL={database_url}"]
    for key, value in {**FAST_CRAWL, **settings}.items():
        args += ["-s", f"{key}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(args, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def article_rows(db_file: Path) -> int:
    """Rows of ``articles`` as another reader sees them (0 while the crawl has not created the table)."""
    if not db_file.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=10) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_slow_crawl_stores_batches_before_it_ends(tmp_path: Path) -> None:
    """A 40-article site at ~4 pages/s: rows are in the database, and the progress line counts them,
    while articles are still being fetched (before, nothing was written until the crawl closed)."""
    site = NewsSite(n_articles=40)
    db_file = tmp_path / "newsclean.db"
    with SiteServer(site) as server:
        paths = {a.path for a in site.articles}
        proc = start_crawl(tmp_path, f"sqlite:///{db_file}", server.base_url + "/",
                           DOWNLOAD_DELAY="0.25", CONCURRENT_REQUESTS_PER_DOMAIN="1",
                           NEWSCLEAN_BATCH_SECONDS="1", NEWSCLEAN_PROGRESS_INTERVAL="1",
                           NEWSCLEAN_EXTRACT_WORKERS="1")
        try:
            fetched_when_stored = None
            deadline = time.monotonic() + 180
            while proc.poll() is None and time.monotonic() < deadline:
                fetched = sum(r.path in paths for r in server.requests)  # read before the rows: no false pass
                if article_rows(db_file) > 0:
                    fetched_when_stored = fetched
                    break
                time.sleep(0.1)
            out, _ = proc.communicate(timeout=180)
        except BaseException:
            proc.kill()
            raise
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, out[-3000:]
    assert fetched_when_stored is not None and fetched_when_stored < len(paths), (fetched_when_stored, out[-3000:])
    stored_in_progress = [int(n.replace(",", "")) for n in re.findall(r"Progress: .*?, ([\d,]+) articles stored", out)]
    assert any(n > 0 for n in stored_in_progress), out[-3000:]
    assert "waiting to be stored" in out
    assert sorted(stored_urls(f"sqlite:///{db_file}")) == sorted(site.article_urls(server.base_url))
