from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.config import Config, ConfigError, mask_password
from crawler.items import PageItem
from crawler.testsite import NewsSite
from pipelines.extract import ExtractPipeline


def settings(**overrides: object) -> Settings:
    s = Settings()
    s.setmodule(project_settings)
    for key, value in overrides.items():
        s.set(key, value)
    return s


def test_defaults_parse() -> None:
    config = Config.from_settings(settings())
    assert config.database_url == "sqlite:///newsclean.db"
    assert config.feed == "articles.jsonl"
    assert config.batch_size == 100


def test_retry_after_maximum() -> None:
    assert Config.from_settings(settings()).retry_after_max_seconds == 60.0
    assert Config.from_settings(settings(NEWSCLEAN_RETRY_AFTER_MAX_SECONDS="5")).retry_after_max_seconds == 5.0


def test_command_line_strings_parse() -> None:
    config = Config.from_settings(settings(NEWSCLEAN_BATCH_SIZE="7", NEWSCLEAN_FOLLOW_LINKS="false"))
    assert config.batch_size == 7 and config.follow_links is False


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("NEWSCLEAN_BATCH_SIZE", "0", "NEWSCLEAN_BATCH_SIZE must be at least 1"),
        ("NEWSCLEAN_BATCH_SIZE", "many", "NEWSCLEAN_BATCH_SIZE must be a whole number"),
        ("NEWSCLEAN_FOLLOW_LINKS", "perhaps", "NEWSCLEAN_FOLLOW_LINKS must be true or false"),
        ("NEWSCLEAN_DATABASE_URL", "not a url", "NEWSCLEAN_DATABASE_URL is not a database URL"),
        ("NEWSCLEAN_DATABASE_URL", "mysql://u:secret@h/db", "supports sqlite, postgresql"),
        ("NEWSCLEAN_DATABASE_URL", "", "NEWSCLEAN_DATABASE_URL is empty"),
        ("NEWSCLEAN_RETRY_AFTER_MAX_SECONDS", "-1", "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS must be at least 0"),
        ("NEWSCLEAN_RETRY_AFTER_MAX_SECONDS", "a minute", "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS must be a number"),
    ],
)
def test_bad_values_are_rejected_with_the_setting_named(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_settings(settings(**{key: value}))


def test_plain_postgresql_url_uses_psycopg3() -> None:
    config = Config.from_settings(settings(NEWSCLEAN_DATABASE_URL="postgresql://u:pw@h:5432/db"))
    assert config.database_url.startswith("postgresql+psycopg://")
    assert "pw" not in config.database_url_masked


def test_mask_password() -> None:
    assert mask_password("postgresql://user:s3cr3t@host/db") == "postgresql://user:***@host/db"
    assert mask_password("sqlite:///x.db") == "sqlite:///x.db"


FLOAT_SETTINGS = ("NEWSCLEAN_PROGRESS_INTERVAL", "NEWSCLEAN_REVISIT_HOURS", "NEWSCLEAN_DB_RETRY_SECONDS",
                  "NEWSCLEAN_REDIS_IDLE_SECONDS", "NEWSCLEAN_REDIS_WORKER_TIMEOUT",
                  "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS")


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "Infinity", "1e400"])
@pytest.mark.parametrize("key", FLOAT_SETTINGS)
def test_non_finite_floats_are_rejected(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{key} must be a finite number, got '{value}'"):
        Config.from_settings(settings(**{key: value}))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("NEWSCLEAN_REVISIT_HOURS", "1e12", "NEWSCLEAN_REVISIT_HOURS must be at most 876000"),
    ("NEWSCLEAN_REVISIT_DAYS", "10000000000", "NEWSCLEAN_REVISIT_DAYS must be at most 36500"),
    ("NEWSCLEAN_REDIS_WORKER_TIMEOUT", "1e300", "NEWSCLEAN_REDIS_WORKER_TIMEOUT must be at most 604800"),
])
def test_values_that_would_overflow_mid_crawl_are_rejected(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_settings(settings(**{key: value}))


def test_large_finite_values_in_range_are_kept() -> None:
    config = Config.from_settings(settings(NEWSCLEAN_REVISIT_HOURS="0.5", NEWSCLEAN_REDIS_WORKER_TIMEOUT="604800",
                                           NEWSCLEAN_PROGRESS_INTERVAL="0", NEWSCLEAN_REVISIT_DAYS="36500"))
    assert (config.revisit_hours, config.redis_worker_timeout) == (0.5, 604800.0)
    assert (config.progress_interval, config.revisit_days) == (0.0, 36500)


PG = "postgresql://u@db.example/news"


@pytest.mark.parametrize(("url", "message"), [
    ("redis://127.0.0.1:notaport/0", r"not a valid Redis URL \(Port could not be cast"),
    ("redis://127.0.0.1:99999/0", r"not a valid Redis URL \(Port out of range"),
    ("redis://h:0/0", "has port 0, not one of 1-65535"),
    ("redis://[::1/0", "not a valid Redis URL"),
    ("redis://:secret@/0", r"has no host .*'redis://:\*\*\*@/0'"),
    ("redis://", "has no host"),
    ("redis://h:6379/zero", "the path is the database number"),
    ("redis://h:6379/0?db=x", "Invalid value for 'db'"),
    ("redis://h:6379/0?socket_timeout=soon", "Invalid value for 'socket_timeout'"),
    ("redis://h:6379/0?sockettimeout=5", "query argument.* redis-py does not know: sockettimeout"),
    ("unix://", "needs the socket's path"),
])
def test_malformed_redis_urls_are_rejected_at_start_up(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_settings(settings(NEWSCLEAN_REDIS_URL=url, NEWSCLEAN_DATABASE_URL=PG))
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("url", [
    "redis://frontier.internal:6379/0", "rediss://:pw@frontier.internal:6380/2?ssl_cert_reqs=none",
    "redis://h/3?socket_timeout=5&health_check_interval=10&max_connections=20", "unix:///run/redis.sock?db=1",
    "redis://[::1]:6379",
])
def test_valid_redis_urls_are_kept(url: str) -> None:
    assert Config.from_settings(settings(NEWSCLEAN_REDIS_URL=url, NEWSCLEAN_DATABASE_URL=PG)).redis_url == url


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://u:secret@h:notaport/db", r"not a database URL: 'postgresql://u:\*\*\*@h:notaport/db' \(invalid"),
    ("postgresql://u@[::1/db", "not a database URL"),
    ("postgresql://u:secret@h:99999/db", "has port 99999, not one of 1-65535"),
    ("postgresql://u@h:-1/db", "has port -1"),
    ("postgresql+pg8000://u@h/db", "needs the driver 'postgresql\\+pg8000', whose module pg8000 is not installed"),
    ("postgresql+nosuch://u@h/db", "unknown driver 'postgresql\\+nosuch'"),
    ("sqlite://newsclean.db", "a SQLite URL names a file, not a host"),
])
def test_malformed_database_urls_are_rejected_at_start_up(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        Config.from_settings(settings(NEWSCLEAN_DATABASE_URL=url))
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("url", ["postgresql:///news", "postgresql://u@:5433/news", "sqlite:///:memory:",
                                 "sqlite+pysqlite:///x.db", "postgresql+psycopg://u@[::1]:5432/db"])
def test_valid_database_urls_are_kept(url: str) -> None:
    Config.from_settings(settings(NEWSCLEAN_DATABASE_URL=url))


def _pipeline(min_text_chars: int) -> tuple[ExtractPipeline, StatsCollector]:
    """The extraction stage extracting in-process (NEWSCLEAN_EXTRACT_WORKERS=-1), and its stats."""
    stats = StatsCollector(get_crawler())
    config = Config.from_settings(settings(NEWSCLEAN_EXTRACT_WORKERS=-1, NEWSCLEAN_MIN_TEXT_CHARS=min_text_chars))
    return ExtractPipeline(config, stats), stats


def _page() -> PageItem:
    site = NewsSite(n_articles=8)
    html = site.render_article(site.articles[0], "http://127.0.0.1:8000")
    return PageItem(url="http://127.0.0.1:8000/story", body=html.encode(), encoding="utf-8",
                    fetched_at="2026-01-01T00:00:00+00:00", discovered_via="url list", status=200)


def test_min_text_chars_set_by_the_user_is_a_hard_floor() -> None:
    kept, _ = _pipeline(0)
    text = asyncio.run(kept.process_item(_page())).text
    assert len(text) > 250
    floor, stats = _pipeline(100_000)
    with pytest.raises(DropItem, match=r"too short \(\d+ chars < NEWSCLEAN_MIN_TEXT_CHARS=100000\)"):
        asyncio.run(floor.process_item(_page()))
    assert stats.get_value("newsclean/dropped/too short") == 1
    just_enough, _ = _pipeline(len(text))
    assert asyncio.run(just_enough.process_item(_page())).text == text
