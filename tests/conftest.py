"""Shared fixtures: database URLs (SQLite, and PostgreSQL for real), and a crawl runner.

PostgreSQL tests connect to the machine's server (127.0.0.1:5432, user postgres, database test),
each test in a schema of its own that is dropped afterwards. Without a server they skip with the
reason, except under ``CI=true``, where a missing server fails the run instead of hiding tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("NEWSCLEAN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_error() -> str | None:
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def _require(service: str, url: str, error: str | None) -> str:
    """``url`` when the service answers; else a skip with the reason, or a failure under ``CI=true``."""
    if error is not None:
        if IN_CI:
            pytest.fail(f"CI=true but {service} at {url} does not answer: {error}")
        pytest.skip(f"no {service} server at {url}: {error}")
    return url


@pytest.fixture(scope="session")
def postgres_available() -> str:
    return _require("PostgreSQL", POSTGRES_URL, _postgres_error())


@pytest.fixture
def postgres_url(postgres_available: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = postgres_available.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{postgres_available}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using it runs twice: on a SQLite file and on a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newsclean.db'}"
    return str(request.getfixturevalue("postgres_url"))


REDIS_URL = os.environ.get("NEWSCLEAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_error() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=3).ping()
    except redis.RedisError as exc:
        return str(exc).strip().splitlines()[0]
    return None


@pytest.fixture(scope="session")
def redis_available() -> str:
    """The test Redis URL; skips without a server, except under ``CI=true`` (as PostgreSQL)."""
    return _require("Redis", REDIS_URL, _redis_error())


@pytest.fixture
def redis_key(redis_available: str) -> Iterator[str]:
    """A Redis key prefix of the test's own; every key under it is deleted afterwards."""
    import redis

    prefix = f"newsclean-test:{uuid.uuid4().hex[:12]}"
    yield prefix
    client = redis.Redis.from_url(redis_available)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


#: Settings for crawling the loopback test site: politeness delays off (it is our own server).
FAST_CRAWL = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
    # the test site is on 127.0.0.1, which the SSRF guard refuses by default
    "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES": "True",
}


class CrawlResult:
    def __init__(self, proc: subprocess.CompletedProcess[str], feed: Path) -> None:
        self.returncode = proc.returncode
        self.log = proc.stderr + proc.stdout
        self.feed = feed

    def records(self) -> list[dict[str, Any]]:
        if not self.feed.exists():
            return []
        return [json.loads(line) for line in self.feed.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_scrapy(args: list[str], *, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy ARGS`` in a subprocess (a fresh reactor each time), from the project's settings."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def run_crawl(workdir: Path, database_url: str, *, settings: dict[str, str] | None = None,
              **spider_args: str) -> CrawlResult:
    """Run ``scrapy crawl news`` in ``workdir`` with spider arguments and settings, feed to a new file."""
    feed = workdir / f"articles-{uuid.uuid4().hex[:8]}.jsonl"
    args = ["crawl", "news", "-O", str(feed), "-s", f"NEWSCLEAN_DATABASE_URL={database_url}"]
    for key, value in {**FAST_CRAWL, **(settings or {})}.items():
        args += ["-s", f"{key}={value}"]
    for key, value in spider_args.items():
        args += ["-a", f"{key}={value}"]
    return CrawlResult(run_scrapy(args, cwd=workdir), feed)


@pytest.fixture
def crawl(tmp_path: Path) -> Any:
    """``run_crawl`` in the test's own folder."""

    def _crawl(database_url: str, *, settings: dict[str, str] | None = None, **spider_args: str) -> CrawlResult:
        return run_crawl(tmp_path, database_url, settings=settings, **spider_args)

    return _crawl


def stored_urls(database_url: str) -> list[str]:
    """Canonical URLs of the articles stored in a database, oldest first."""
    from crawler.storage import ArticleStore

    store = ArticleStore(database_url, migrate=False)
    try:
        return [r["canonical_url"] for r in store.iter_records()]
    finally:
        store.close()


def stats_of(log: str) -> dict[str, int]:
    """Integer stats from the "Dumping Scrapy stats" block of a crawl log."""
    block = log[log.rfind("Dumping Scrapy stats"):]
    return {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)\b", block)}
