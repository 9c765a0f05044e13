"""The scrapy-redis glue (`crawler.redis_frontier`): version checks, the settings switch, seeding once,
the shared filter, in-flight records and their recovery, on a real Redis and a real PostgreSQL."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import scrapy
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.addon import NewscleanAddon
from crawler.config import Config, ConfigError
from crawler.redis_frontier import (
    TOKEN_META,
    FrontierAckMiddleware,
    RedisScheduler,
    check_compatibility,
    installed_versions,
    key_prefix,
)
from crawler.storage import ArticleStore
from spiders.news import NewsSpider

from .conftest import run_scrapy

SUPPORTED = {"scrapy": "2.19.0", "scrapy-redis": "0.9.1", "redis": "8.1.0"}
PG = "postgresql+psycopg://u@db.example/news"


# ------------------------------------------------------------------------------ compatibility
def test_installed_versions_are_supported() -> None:
    check_compatibility()  # what pyproject.toml pins, installed here
    check_compatibility(SUPPORTED)
    assert installed_versions()["scrapy-redis"] == "0.9.1"


@pytest.mark.parametrize(("changed", "message"), [
    ({"scrapy-redis": "0.7.3"}, "scrapy-redis 0.7.3 is installed; newsclean's adapter supports 0.9.1"),
    ({"scrapy-redis": None}, "scrapy-redis is not installed"),
    ({"scrapy": "2.11.2"}, "Scrapy 2.11.2 is installed; the Redis frontier needs Scrapy >=2.14,<3.0"),
    ({"scrapy": "3.0.0"}, "Scrapy 3.0.0 is installed"),
    ({"redis": "3.5.3"}, "redis-py 3.5.3 is installed; the Redis frontier needs redis >=4.2,<9.0"),
])
def test_unsupported_combinations_fail_with_what_to_do(changed: dict[str, str | None], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_compatibility({**SUPPORTED, **changed})
    assert message in str(caught.value)
    assert str(caught.value).startswith("NEWSCLEAN_REDIS_URL is set, but ")
    assert "pip install" in str(caught.value)


# ------------------------------------------------------------------------------ settings
def project(**values: Any) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    for name, value in values.items():
        settings.set(name, value, priority="cmdline")
    return settings


def test_without_redis_url_the_single_machine_scheduler_is_unchanged() -> None:
    settings = project()
    NewscleanAddon().update_settings(settings)
    assert Config.from_settings(settings).redis_url == ""
    assert settings["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"
    assert "crawler.redis_frontier.FrontierAckMiddleware" not in str(settings.getdict("SPIDER_MIDDLEWARES"))


def test_redis_url_switches_to_the_shared_scheduler() -> None:
    settings = project(NEWSCLEAN_REDIS_URL="redis://127.0.0.1:6379/0", NEWSCLEAN_DATABASE_URL=PG)
    NewscleanAddon().update_settings(settings)
    config = Config.from_settings(settings)
    assert (config.redis_url, config.redis_idle_seconds, config.redis_worker_timeout) == (
        "redis://127.0.0.1:6379/0", 30.0, 60.0)
    assert settings["SCHEDULER"] == "crawler.redis_frontier.RedisScheduler"
    assert settings.getdict("SPIDER_MIDDLEWARES")[FrontierAckMiddleware] == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"NEWSCLEAN_REDIS_URL": "redis://127.0.0.1:6379/0"}, "store into one PostgreSQL database, but NEWSCLEAN_DATABASE_URL is sqlite"),
    ({"NEWSCLEAN_REDIS_URL": "127.0.0.1:6379", "NEWSCLEAN_DATABASE_URL": PG}, "must be a redis://, rediss:// or unix:// URL"),
    ({"NEWSCLEAN_REDIS_URL": "redis://h/0", "NEWSCLEAN_DATABASE_URL": PG, "NEWSCLEAN_REDIS_IDLE_SECONDS": "-1"},
     "NEWSCLEAN_REDIS_IDLE_SECONDS must be at least 0"),
    ({"NEWSCLEAN_REDIS_URL": "redis://h/0", "NEWSCLEAN_DATABASE_URL": PG, "NEWSCLEAN_REDIS_WORKER_TIMEOUT": "0.5"},
     "NEWSCLEAN_REDIS_WORKER_TIMEOUT must be at least 1"),
])
def test_bad_redis_settings_stop_at_start(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_settings(project(**values))


def test_key_prefix_is_per_spider_and_arguments_unless_given() -> None:
    config = Config.from_settings(project(NEWSCLEAN_REDIS_URL="redis://h/0", NEWSCLEAN_DATABASE_URL=PG))
    a = key_prefix(config, "news", {"url": "https://a.example/"})
    assert a == key_prefix(config, "news", {"url": "https://a.example/"}) != key_prefix(config, "news", {"url": "https://b.example/"})
    assert a.startswith("newsclean:news:")
    given = Config.from_settings(project(NEWSCLEAN_REDIS_URL="redis://h/0", NEWSCLEAN_DATABASE_URL=PG,
                                         NEWSCLEAN_REDIS_KEY="crawls:today"))
    assert key_prefix(given, "news", {"url": "https://a.example/"}) == "crawls:today"


@pytest.mark.postgres
def test_crawl_stops_before_any_request_when_redis_does_not_answer(tmp_path: Path, postgres_url: str) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_scrapy(["crawl", "news", "-a", "url=http://127.0.0.1:9/", "-s", f"NEWSCLEAN_DATABASE_URL={postgres_url}",
                       "-s", f"NEWSCLEAN_REDIS_URL=redis://:secret@127.0.0.1:{port}/0"], cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert f"cannot reach Redis at redis://:***@127.0.0.1:{port}/0 (NEWSCLEAN_REDIS_URL)" in proc.stderr
    assert "secret" not in proc.stderr + proc.stdout
    assert "Spider opened" not in proc.stderr


# ------------------------------------------------------------------------------ the scheduler, on real Redis
@pytest.fixture
def open_worker(postgres_url: str, redis_available: str, redis_key: str) -> Iterator[Any]:
    """Opens workers (scheduler + spider) of one shared crawl; closes those still open afterwards."""
    opened: list[RedisScheduler] = []

    def _open(**settings: str) -> RedisScheduler:
        crawler = get_crawler(NewsSpider, {
            "NEWSCLEAN_DATABASE_URL": postgres_url, "NEWSCLEAN_REDIS_URL": redis_available,
            "NEWSCLEAN_REDIS_KEY": redis_key, "NEWSCLEAN_REDIS_WORKER_TIMEOUT": "60", **settings})
        spider = NewsSpider.from_crawler(crawler, sitemap="http://127.0.0.1:9/sitemap.xml")
        crawler.spider = spider
        scheduler = RedisScheduler.from_crawler(crawler)
        scheduler.open(spider)
        opened.append(scheduler)
        return scheduler

    yield _open
    for scheduler in opened:
        if not scheduler._stop.is_set():
            scheduler.close("shutdown")


def die(worker: RedisScheduler) -> None:
    """What SIGKILL leaves in Redis: no more heartbeats, the heartbeat key gone (expired)."""
    worker._stop.set()
    assert worker._heartbeat_thread is not None
    worker._heartbeat_thread.join(timeout=5)
    worker.server.delete(worker._key(f"alive:{worker.worker}"))


def article(worker: RedisScheduler, url: str, **meta: Any) -> scrapy.Request:
    return scrapy.Request(url, worker.spider.parse_page, errback=worker.spider.on_error, priority=10,
                          meta={"nc_source": 0, "nc_role": "article", **meta})


@pytest.mark.postgres
def test_one_worker_seeds_and_a_successor_takes_over_from_a_dead_seeder(open_worker: Any) -> None:
    first, second, third = open_worker(), open_worker(), open_worker()
    assert first.claim_seeding() is True
    assert second.claim_seeding() is False and first.claim_seeding() is False
    die(first)                                             # died while seeding
    assert second.claim_seeding() is True and third.claim_seeding() is False
    second.seeding_done()
    assert third.claim_seeding() is False
    assert first.server.get(first._key("seed")) == b"done"


@pytest.mark.postgres
def test_the_shared_filter_keeps_articles_and_other_pages_apart(open_worker: Any) -> None:
    one, two = open_worker(), open_worker()
    url = "http://127.0.0.1:9/2026/01/02/a-story/"
    assert one.enqueue_request(article(one, url)) is True
    assert two.enqueue_request(article(two, url)) is False          # requested once, by any worker
    listing = scrapy.Request(url, two.spider.parse_page, meta={"nc_source": 0, "nc_role": "listing"})
    assert two.enqueue_request(listing) is True                      # a redirect target is not the article
    assert two.article_requested(url) and not two.article_requested(url + "other/")
    assert len(one) == len(two) == 2


@pytest.mark.postgres
def test_popped_requests_are_in_flight_until_settled(open_worker: Any) -> None:
    worker = open_worker()
    worker.enqueue_request(article(worker, "http://127.0.0.1:9/2026/01/02/a/"))
    worker.enqueue_request(article(worker, "http://127.0.0.1:9/2026/01/02/b/"))
    first = worker.next_request()
    assert first is not None and first.callback == worker.spider.parse_page and TOKEN_META in first.meta
    assert worker.server.hlen(worker.inflight_key) == 1 and len(worker) == 1
    retry = first.replace(dont_filter=True)                         # a retry: queued, and settles its parent
    assert worker.enqueue_request(retry) is True
    assert worker.server.hlen(worker.inflight_key) == 0 and len(worker) == 2
    second = worker.next_request()
    assert second is not None
    worker.await_item(second.url, second.meta[TOKEN_META])         # became an item, in the store's buffer
    worker._records_committed(urls=[second.url])
    assert worker.server.hlen(worker.inflight_key) == 0


@pytest.mark.postgres
def test_dead_workers_requests_are_requeued_except_stored_articles(open_worker: Any, postgres_url: str) -> None:
    victim, survivor = open_worker(), open_worker()
    stored, lost = "http://127.0.0.1:9/2026/01/02/stored/", "http://127.0.0.1:9/2026/01/02/lost/"
    sitemap = scrapy.Request("http://127.0.0.1:9/sitemap.xml", victim.spider.parse_sitemap,
                             meta={"nc_source": 0, "nc_role": "sitemap"}, priority=20)
    for request in (sitemap, article(victim, stored), article(victim, lost)):
        victim.enqueue_request(request)
    popped = [victim.next_request() for _ in range(3)]
    assert [r.url for r in popped if r is not None][0] == sitemap.url       # higher priority first
    assert {r.url for r in popped if r is not None} == {sitemap.url, stored, lost}
    store = ArticleStore(postgres_url, migrate=False)
    try:
        store.upsert([{"url": stored, "canonical_url": stored, "title": "Stored", "text": "Stored text. " * 30,
                       "fetched_at": "2026-01-02T00:00:00+00:00", "content_hash": "0" * 64}], run_id=None)
    finally:
        store.close()
    die(victim)
    assert survivor._recover_dead() == 3
    again = [survivor.next_request(), survivor.next_request(), survivor.next_request()]
    assert [r.url if r is not None else None for r in again] == [sitemap.url, lost, None]
    assert survivor.server.sismember(survivor._key("workers"), victim.worker) == 0
    assert not survivor.server.exists(victim.inflight_key)


@pytest.mark.postgres
def test_the_last_worker_of_a_finished_crawl_deletes_its_keys(open_worker: Any, redis_key: str) -> None:
    one, two = open_worker(), open_worker()
    assert one.claim_seeding()
    one.enqueue_request(article(one, "http://127.0.0.1:9/2026/01/02/a/"))
    request = two.next_request()
    assert request is not None
    two.ack(request.meta[TOKEN_META])
    one.seeding_done()
    one._finished = two._finished = True
    one.close("finished")
    assert two.server.exists(two._key("dupefilter"))               # the other worker is still there
    two.close("finished")
    assert list(redis.Redis.from_url(two.config.redis_url).scan_iter(match=f"{redis_key}:*")) == []


@pytest.mark.postgres
def test_the_same_text_passed_on_by_two_workers_is_stored_once(open_worker: Any, postgres_url: str) -> None:
    """Worker A passes a text on (its batch not committed yet); worker B meets the same text under
    another URL: the claim in Redis makes B's copy an alias of A's record instead of a second row."""
    from collections import Counter

    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem

    from crawler.config import Config
    from crawler.extraction import content_hash
    from crawler.items import ArticleItem
    from crawler.signals import frontier_for
    from crawler.storage import ArticleStore
    from pipelines.deduplicate import DeduplicatePipeline

    class Stats(Counter[str]):
        def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
            self[key] += count

    text = " ".join(f"harbour{i} council{i % 7} ferry{i % 11}" for i in range(80)) + "."
    pipes = []
    for worker in (open_worker(), open_worker()):
        pipe = DeduplicatePipeline(Config.from_settings(worker.crawler.settings), Stats(), worker.crawler)
        pipe.store = ArticleStore(postgres_url)
        pipes.append(pipe)
    try:
        first = pipes[0].process_item(ArticleItem(url="https://n.example/news/1", canonical_url="https://n.example/news/1",
                                                  title="Ferry", text=text, content_hash=content_hash(text)))
        assert ItemAdapter(first)["canonical_url"] == "https://n.example/news/1"
        with pytest.raises(DropItem, match="passed on by another worker"):
            pipes[1].process_item(ArticleItem(url="https://n.example/print/1", canonical_url="https://n.example/print/1",
                                              title="Ferry", text=text, content_hash=content_hash(text)))
        store = pipes[1].store
        assert store is not None
        assert store.aliases().get("https://n.example/print/1") == "https://n.example/news/1"
        # the claim holder's own key again is no conflict, for any worker
        frontier = frontier_for(pipes[1].crawler)
        assert frontier.claim_text(content_hash(text), "https://n.example/news/1") is None
    finally:
        for pipe in pipes:
            if pipe.store is not None:
                pipe.store.close()
