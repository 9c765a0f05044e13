"""The database goes away mid-crawl: records are journaled and written once it is back, none lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines.store import StorePipeline
from spiders.news import NewsSpider

from .conftest import stored_urls
from .proxy import CuttableProxy


def item(n: int) -> ArticleItem:
    url = f"https://n.example/2026/01/02/story-number-{n}"
    return ArticleItem(url=url, canonical_url=url, title=f"Story {n}", text=f"Text of story {n}. " * 20,
                       word_count=100, content_hash=f"{n:064x}")


def pipeline(database_url: str, journal_dir: Path) -> StorePipeline:
    crawler = get_crawler(NewsSpider, {
        "NEWSCLEAN_DATABASE_URL": database_url, "NEWSCLEAN_BATCH_SIZE": 5,
        "NEWSCLEAN_JOURNAL_DIR": str(journal_dir), "NEWSCLEAN_DB_RETRY_SECONDS": 0,
    })
    crawler.spider = NewsSpider(url="https://n.example/")
    crawler.spider.crawler = crawler
    return StorePipeline.from_crawler(crawler)



@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[str, CuttableProxy]]:
    parts = urlsplit(postgres_url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432)).start()
    try:
        yield postgres_url.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}"), proxy
    finally:
        proxy.stop()


@pytest.mark.postgres
def test_postgres_cut_mid_crawl_loses_nothing(proxied_postgres: tuple[str, CuttableProxy], tmp_path: Path) -> None:
    database_url, proxy = proxied_postgres
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    for n in range(12):                       # two batches written, two records buffered
        store.process_item(item(n))
    proxy.cut()                               # the server goes away, connections reset
    for n in range(12, 30):                   # these batches go to the journal
        store.process_item(item(n))
    stats: Any = store.stats
    assert stats.get_value("newsclean/store/outages", 0) >= 1
    assert len(store.journal) > 0
    proxy.restore()                           # back: the next flush replays the journal first
    for n in range(30, 40):
        store.process_item(item(n))
    store.close_spider()
    store.spider_closed(None, "finished")
    urls = stored_urls(database_url)
    assert sorted(urls) == sorted(item(n).url for n in range(40))
    assert len(store.journal) == 0
    assert stats.get_value("newsclean/store/replayed", 0) > 0


@pytest.mark.postgres
def test_journal_left_at_close_is_replayed_by_the_next_crawl(
        proxied_postgres: tuple[str, CuttableProxy], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pipelines.store

    monkeypatch.setattr(pipelines.store, "CLOSE_RETRY_SECONDS", 0.5)
    database_url, proxy = proxied_postgres
    first = pipeline(database_url, tmp_path)
    first.open_spider()
    proxy.cut()
    for n in range(7):
        first.process_item(item(n))
    first.close_spider()                      # still away: records stay journaled
    first.spider_closed(None, "finished")
    assert len(first.journal) == 7
    proxy.restore()
    second = pipeline(database_url, tmp_path)
    second.open_spider()                      # the next crawl writes them first
    second.close_spider()
    second.spider_closed(None, "finished")
    assert sorted(stored_urls(database_url)) == sorted(item(n).url for n in range(7))
    assert len(second.journal) == 0


def test_sqlite_locked_by_another_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.storage

    monkeypatch.setattr(crawler.storage, "SQLITE_BUSY_TIMEOUT_S", 0)
    db_file = tmp_path / "locked.db"
    database_url = f"sqlite:///{db_file}"
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    blocker = sqlite3.connect(db_file, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")        # another process holds the write lock
    for n in range(10):
        store.process_item(item(n))
    assert len(store.journal) == 10
    blocker.execute("ROLLBACK")
    blocker.close()
    store.close_spider()
    store.spider_closed(None, "finished")
    assert sorted(stored_urls(database_url)) == sorted(item(n).url for n in range(10))


def test_a_bad_record_does_not_sink_its_batch(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'x.db'}"
    store = pipeline(database_url, tmp_path)
    store.open_spider()
    bad = item(99)
    bad.text = None  # type: ignore[assignment]  # NOT NULL column: refused by the database
    bad.canonical_url = None  # type: ignore[assignment]
    bad.url = None  # type: ignore[assignment]
    for record in [item(1), item(2), bad, item(3), item(4)]:
        store.process_item(record)
    store.close_spider()
    store.spider_closed(None, "finished")
    assert sorted(stored_urls(database_url)) == sorted(item(n).url for n in (1, 2, 3, 4))
    assert store.stats.get_value("newsclean/store/rejected") == 1
    assert len(store.rejected) == 1
