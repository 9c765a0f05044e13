"""Several crawl processes share one Redis frontier and one PostgreSQL: every article page is
requested once and stored once, and a worker killed with SIGKILL loses nothing.

Request counts come from the test server's own log. Each test has its own Redis key prefix and
PostgreSQL schema (fixtures ``redis_key``, ``postgres_url``), removed afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from scrapy_redis import picklecompat

from crawler.testsite import NewsSite, SiteServer

from .conftest import FAST_CRAWL, REPO, stored_urls

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

N_ARTICLES = 500
#: A short idle wait and heartbeat timeout, so the tests do not wait out production defaults.
SHARED = {
    "NEWSCLEAN_REDIS_IDLE_SECONDS": "2",
    "NEWSCLEAN_REDIS_WORKER_TIMEOUT": "3",
    "NEWSCLEAN_EXTRACT_WORKERS": "1",  # two crawl processes on a 2-core machine
    "NEWSCLEAN_BATCH_SIZE": "20",
}


def start_worker(workdir: Path, database_url: str, redis_url: str, key: str, sitemap: str,
                 **settings: str) -> subprocess.Popen[str]:
    """One ``scrapy crawl news`` worker in a folder of its own (as on a machine of its own)."""
    workdir.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap={sitemap}", "-O", "articles.jsonl",
            "-s", f"NEWSCLEAN_DATABASE_URL={database_url}", "-s", f"NEWSCLEAN_REDIS_URL={redis_url}",
            "-s", f"NEWSCLEAN_REDIS_KEY={key}"]
    for name, value in {**FAST_CRAWL, **SHARED, **settings}.items():
        args += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(args, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def article_gets(server: SiteServer, site: NewsSite) -> dict[str, int]:
    paths = {a.path for a in site.articles}
    counts = dict.fromkeys(paths, 0)
    for r in server.requests:
        if r.method == "GET" and r.path in paths:
            counts[r.path] += 1
    return counts


def pages_fetched(log: str) -> int:
    found = re.search(r"newsclean run: \w+; (\d+) pages fetched", log)
    assert found, log[-3000:]
    return int(found.group(1))


def test_two_workers_request_and_store_each_article_once(tmp_path: Path, postgres_url: str,
                                                         redis_available: str, redis_key: str) -> None:
    site = NewsSite(n_articles=N_ARTICLES)
    with SiteServer(site) as server:
        sitemap = server.base_url + "/sitemap_index.xml"
        workers = [start_worker(tmp_path / f"w{i}", postgres_url, redis_available, redis_key, sitemap)
                   for i in (1, 2)]
        logs = [w.communicate(timeout=400)[0] for w in workers]
        for worker, log in zip(workers, logs, strict=True):
            assert worker.returncode == 0, log[-4000:]
        gets = article_gets(server, site)
    assert sorted(set(gets.values())) == [1], {p: n for p, n in gets.items() if n != 1}
    urls = stored_urls(postgres_url)
    assert len(urls) == len(set(urls)) == N_ARTICLES
    assert set(urls) == site.article_urls(server.base_url)
    # seeded once: one worker yielded the start requests, the other took requests from the queue
    assert sum("Another worker seeds this shared crawl" in log for log in logs) == 1
    assert all(pages_fetched(log) > 0 for log in logs), "both workers shared the work"
    # the end was detected and the last worker deleted the crawl's keys
    assert all("The shared crawl is done" in log for log in logs)
    assert list(redis.Redis.from_url(redis_available).scan_iter(match=f"{redis_key}:*")) == []


def inflight_urls(client: redis.Redis, key: str, pid: int) -> set[str]:
    """The URLs in the in-flight record of the worker process ``pid``."""
    workers = [w.decode() for w in client.smembers(f"{key}:workers") if f":{pid}:" in w.decode()]
    assert len(workers) == 1, workers
    urls = set()
    for value in client.hgetall(f"{key}:inflight:{workers[0]}").values():
        _, _, data = value.partition(b"|")
        urls.add(picklecompat.loads(data)["url"])
    return urls


def test_worker_killed_midway_loses_nothing(tmp_path: Path, postgres_url: str, redis_available: str,
                                            redis_key: str) -> None:
    site = NewsSite(n_articles=N_ARTICLES)
    client = redis.Redis.from_url(redis_available)
    with SiteServer(site) as server:
        paths = {a.path for a in site.articles}
        sitemap = server.base_url + "/sitemap_index.xml"
        slower = {"CONCURRENT_REQUESTS_PER_DOMAIN": "4", "DOWNLOAD_DELAY": "0.01"}
        victim = start_worker(tmp_path / "w1", postgres_url, redis_available, redis_key, sitemap, **slower)
        survivor = start_worker(tmp_path / "w2", postgres_url, redis_available, redis_key, sitemap, **slower)
        deadline = time.monotonic() + 180
        while sum(r.path in paths for r in server.requests) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
            for worker in (victim, survivor):
                assert worker.poll() is None, f"a worker ended before the kill: {worker.communicate()[0][-4000:]}"
        os.killpg(victim.pid, signal.SIGKILL)         # the crawl and its extraction worker, as an OOM kill would
        victim.communicate(timeout=60)
        in_flight = inflight_urls(client, redis_key, victim.pid)
        stored_at_kill = len(stored_urls(postgres_url))
        log = survivor.communicate(timeout=400)[0]
        assert survivor.returncode == 0, log[-4000:]
        gets = article_gets(server, site)
    assert 0 < stored_at_kill < N_ARTICLES
    assert in_flight, "the kill caught requests in flight (popped, fetched, or stored but not committed)"
    assert "taking over its" in log
    in_flight_paths = {u.removeprefix(server.base_url) for u in in_flight}
    assert all(n == 1 for p, n in gets.items() if p not in in_flight_paths), \
        {p: n for p, n in gets.items() if n != 1 and p not in in_flight_paths}
    # pages in flight in the killed worker are requested again when it had fetched them: at most twice
    assert all(1 <= n <= 2 for p, n in gets.items() if p in in_flight_paths), \
        {p: n for p, n in gets.items() if p in in_flight_paths}
    urls = stored_urls(postgres_url)
    assert len(urls) == len(set(urls)) == N_ARTICLES
    assert set(urls) == site.article_urls(server.base_url)
    assert list(client.scan_iter(match=f"{redis_key}:*")) == []


def _stored_now(database_url: str) -> int:
    """Articles stored so far (0 while the worker has not created the schema yet)."""
    from crawler.storage import SchemaError

    try:
        return len(stored_urls(database_url))
    except SchemaError:
        return 0


def test_a_worker_whose_redis_lost_the_crawl_stops_as_failed(tmp_path: Path, postgres_url: str,
                                                              redis_available: str, redis_key: str) -> None:
    """The crawl's keys vanish under a running worker (a Redis restarted without its data): the worker
    stops with the finish reason redis_failed and exit status 1, instead of taking an empty Redis for a
    new crawl and ending "finished" with pages never fetched."""
    site = NewsSite(n_articles=200)
    r = redis.Redis.from_url(redis_available)
    with SiteServer(site) as server:
        worker = start_worker(tmp_path / "w1", postgres_url, redis_available, redis_key,
                              server.base_url + "/sitemap_index.xml", DOWNLOAD_DELAY="0.05",
                              CONCURRENT_REQUESTS_PER_DOMAIN="2")
        deadline = time.monotonic() + 120
        while _stored_now(postgres_url) < 20 and time.monotonic() < deadline:
            time.sleep(0.2)
            assert worker.poll() is None, worker.communicate()[0][-3000:]
        keys = list(r.scan_iter(f"{redis_key}:*"))
        assert keys
        r.delete(*keys)                            # what a Redis restarted empty looks like to the worker
        log, _ = worker.communicate(timeout=120)
    assert worker.returncode == 1, log[-3000:]
    assert "Redis lost this crawl's keys" in log
    assert "newsclean run: redis_failed; " in log
