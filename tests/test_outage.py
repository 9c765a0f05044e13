"""The database goes away mid-crawl: records are journaled and written once it is back, none lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from crawler.extraction import content_hash
from crawler.incremental import IncrementalMiddleware, NotModifiedMiddleware
from crawler.items import ArticleItem
from crawler.storage import Article, ArticleStore
from pipelines.deduplicate import DeduplicatePipeline
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


def story_record(url: str, canonical: str, text: str) -> ArticleItem:
    return ArticleItem(url=url, canonical_url=canonical, title="A story", text=text,
                       word_count=len(text.split()), content_hash=content_hash(text))


def words(seed: int) -> str:
    """120 words, a different story for each seed (far apart in SimHash)."""
    return " ".join(f"w{(seed * 7919 + i * (seed + 13)) % 10007}" for i in range(120)) + "."


def crawler_on(database_url: str) -> Any:
    crawler = get_crawler(NewsSpider, {"NEWSCLEAN_DATABASE_URL": database_url, "NEWSCLEAN_DB_RETRY_SECONDS": 0})
    crawler.spider = NewsSpider(url="https://n.example/")
    return crawler


@pytest.mark.postgres
def test_duplicate_look_ups_without_the_database_pass_records_on(
        proxied_postgres: tuple[str, CuttableProxy], postgres_url: str) -> None:
    """The database goes away between the deduplicate and the store pipeline's work: a record the
    look-ups cannot check is passed on (the store journals it) instead of failing and being lost;
    a repeat within the run is still dropped, and its alias is written once the database is back."""
    database_url, proxy = proxied_postgres
    direct = ArticleStore(postgres_url)
    try:
        direct.upsert([dict(story_record("https://n.example/a", "https://n.example/a", words(1)).__dict__)])
        dedup = DeduplicatePipeline.from_crawler(crawler_on(database_url))
        dedup.open_spider()
        with pytest.raises(DropItem, match="same text as https://n.example/a"):
            dedup.process_item(story_record("https://m.example/copy-1", "https://m.example/copy-1", words(1)))

        proxy.cut()
        new = story_record("https://n.example/b", "https://n.example/b", words(2))
        assert dedup.process_item(new) is new
        copy = story_record("https://m.example/copy-2", "https://m.example/copy-2", words(1))
        assert dedup.process_item(copy) is copy  # not checked against the stored text: passed on, not lost
        with pytest.raises(DropItem, match="already passed on in this run"):
            dedup.process_item(story_record("https://n.example/b?from=home", "https://n.example/b", words(2)))
        assert dedup.pending_aliases == [("https://n.example/b?from=home", "https://n.example/b")]
        assert dedup.stats.get_value("newsclean/dedup/unanswered") >= 2

        proxy.restore()
        later = story_record("https://n.example/c", "https://n.example/c", words(3))
        assert dedup.process_item(later) is later  # answered again; the waiting alias is written first
        assert dedup.pending_aliases == []
        dedup.close_spider()
        assert direct.aliases() == {"https://m.example/copy-1": "https://n.example/a",
                                    "https://n.example/b?from=home": "https://n.example/b"}
    finally:
        direct.close()


def seen_at(store: ArticleStore, canonical_url: str) -> datetime:
    with store.engine.connect() as conn:
        value = conn.scalar(select(Article.last_seen_at).where(Article.canonical_url == canonical_url))
    assert isinstance(value, datetime)
    return value


@pytest.mark.postgres
def test_known_article_look_ups_without_the_database_fetch_the_article(
        proxied_postgres: tuple[str, CuttableProxy], postgres_url: str) -> None:
    """While the database is away the incremental gate lets article requests through (the store
    upserts what they bring) instead of raising and cutting off the rest of the page's links; articles
    answered 304 wait to be marked as seen until it is back."""
    database_url, proxy = proxied_postgres
    direct = ArticleStore(postgres_url)
    try:
        url = "https://n.example/2026/01/02/stored"
        direct.upsert([dict(story_record(url, url, words(4)).__dict__, fetched_at="2026-01-02T00:00:00+00:00")])
        before = seen_at(direct, url)
        crawler = crawler_on(database_url)
        gate, seen = IncrementalMiddleware.from_crawler(crawler), NotModifiedMiddleware.from_crawler(crawler)
        for middleware in (gate, seen):
            middleware.spider_opened(crawler.spider)
        assert not gate.keep(Request(url, meta={"nc_role": "article"}))  # known and unchanged: skipped

        proxy.cut()
        other = "https://n.example/2026/01/02/stored?page=1"
        assert gate.keep(Request(other, meta={"nc_role": "article"}))
        assert crawler.stats.get_value("newsclean/incremental/unanswered") == 1
        seen.unchanged.append(url)
        assert not seen._touch() and seen.unchanged == [url]  # waits

        proxy.restore()
        for middleware in (gate, seen):
            middleware.spider_closed(crawler.spider)
        assert seen.unchanged == [] and seen_at(direct, url) > before
    finally:
        direct.close()
