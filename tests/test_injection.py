"""Injection and secrets: hostile strings are stored verbatim (parameterized SQL, on SQLite and
PostgreSQL), and passwords in URLs never reach logs, stats or error messages."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from crawler.config import Config, ConfigError, mask_password
from crawler.extraction import content_hash
from crawler.items import ArticleItem
from crawler.middlewares import install_secret_masking
from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer

from .conftest import run_scrapy

HOSTILE_STRINGS = [
    "'; DROP TABLE articles; --",
    "Robert'); DROP TABLE articles;--",
    '" OR "1"="1',
    "' OR 1=1 --",
    "1; DELETE FROM articles WHERE 1=1; --",
    "\\'; SELECT pg_sleep(10); --",
    "$$; DROP TABLE articles; $$",
    "%s %(x)s {0} ? :name $1",
    "E'\\\\x00' || chr(0)",
    "/* comment */ -- line comment",
    "\u202eRTL override\u202c and \u200fright-to-left mark\u200e, \u05e2\u05d1\u05e8\u05d9\u05ea \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "emoji 📰🗞️👩🏽‍💻🏳️‍🌈 and astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱",
    "combining: e\u0301 a\u0308 Z\u0351\u0334\u0353 n\u0303, zero width\u200b joiner\u200d non-joiner\u200c",
    "line\nbreaks\r\nand\ttabs \u2028 \u2029",
    "BOM \ufeff and replacement \ufffd and noncharacter-free",
    "quotes ' \" ` ´ ‘ ’ “ ” « » „",
    "backslashes \\ \\\\ \\n \\x00 (escaped, not NUL)",
]


def record(i: int, value: str) -> dict[str, Any]:
    item = ArticleItem(
        url=f"https://news.example/2026/02/10/story-{i}/?q={value[:20]}",
        canonical_url=f"https://news.example/2026/02/10/story-{i}/'\"--",
        title=value, authors=[value, "Ana"], description=value, site_name=value, tags=[value], categories=[value],
        text=f"{value}\n\n{value} body", word_count=3, language="en", image=None,
        date_published="2026-02-10T08:00:00+00:00", fetched_at="2026-02-10T09:00:00+00:00",
        discovered_via="link", content_hash=content_hash(f"{value}\n\n{value} body"),
        extraction={"note": value, value: [value]},
    )
    return ItemAdapter(item).asdict()


def test_hostile_strings_round_trip(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        records = [record(i, value) for i, value in enumerate(HOSTILE_STRINGS)]
        assert store.upsert(records) == len(records)
        store.upsert(records[:3])  # the update path too
        back = {r["canonical_url"]: r for r in store.iter_records()}
        assert store.count() == len(records)  # the table is still there, with every row
    finally:
        store.close()
    for want in records:
        got = back[want["canonical_url"]]
        for key in ("url", "title", "authors", "description", "site_name", "tags", "categories", "text",
                    "extraction"):
            assert got[key] == want[key], (key, want["title"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=200))
def test_any_nul_free_text_round_trips_on_sqlite(tmp_path: Path, value: str) -> None:
    store = ArticleStore(f"sqlite:///{tmp_path / 'fuzz.db'}")
    try:
        store.upsert([record(0, value)])
        got = next(r for r in store.iter_records() if r["canonical_url"] == record(0, value)["canonical_url"])
    finally:
        store.close()
    assert got["title"] == value and got["text"] == f"{value}\n\n{value} body" and got["tags"] == [value]


# ------------------------------------------------------------------------------------ secrets


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://user:s3cr3t@host/db", "postgresql://user:***@host/db"),
        ("postgresql+psycopg://u:p%40ss@h:5432/db?sslmode=require", "postgresql+psycopg://u:***@h:5432/db?sslmode=require"),
        ("postgresql://u:raw@pass@h/db", "postgresql://u:***@h/db"),
        ("redis://:s3cr3t@cache:6379/0", "redis://:***@cache:6379/0"),
        ("rediss://default:s3cr3t@cache/0", "rediss://default:***@cache/0"),
        ("postgresql//u:s3cr3t@h/db", "postgresql//u:***@h/db"),
        ("two: a://u:x@h and b://v:y@k.", "two: a://u:***@h and b://v:***@k."),
        ("host=db password=s3cr3t user=u", "host=db password=*** user=u"),
        ("postgresql://u@h/db?password=s3cr3t", "postgresql://u@h/db?password=***"),
        ("sqlite:///x.db", "sqlite:///x.db"),
        ("http://host:8080/@user/story", "http://host:8080/@user/story"),
        ("u:s3cr3t@db.example/news", "u:***@db.example/news"),
        ("Crawled (200) <GET https://news.example/2026/02/10/story/>", "Crawled (200) <GET https://news.example/2026/02/10/story/>"),
    ],
)
def test_mask_password(text: str, masked: str) -> None:
    assert mask_password(text) == masked


def test_config_errors_never_show_the_password() -> None:
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    for url in ("postgresql//u:s3cr3t@h/db", "not a url u:s3cr3t@", "mysql://u:s3cr3t@h/db"):
        s = Settings()
        s.setmodule(project_settings)
        s.set("NEWSCLEAN_DATABASE_URL", url)
        with pytest.raises(ConfigError) as error:
            Config.from_settings(s)
        assert "s3cr3t" not in str(error.value)
    s = Settings()
    s.setmodule(project_settings)
    s.set("NEWSCLEAN_DATABASE_URL", "postgresql://u:s3cr3t@h/db")
    config = Config.from_settings(s)
    assert "s3cr3t" not in config.database_url_masked and "s3cr3t" in config.database_url


def test_log_records_are_masked(caplog: pytest.LogCaptureFixture) -> None:
    install_secret_masking()
    log = logging.getLogger("newsclean.test")
    with caplog.at_level(logging.INFO):
        log.info("connecting to %s", "postgresql://u:s3cr3t@h/db")
        log.info("settings: %(s)s", {"s": {"X": "redis://:s3cr3t@r/0"}})
        try:
            raise RuntimeError("could not open postgresql://u:s3cr3t@h/db")
        except RuntimeError:
            log.exception("failed")
    text = caplog.text
    assert "s3cr3t" not in text
    assert "postgresql://u:***@h/db" in text and "redis://:***@r/0" in text


def test_records_no_handler_writes_are_not_formatted_for_masking() -> None:
    """Masking formats a record's message; a record below every handler's level is left alone (Scrapy
    creates a DEBUG record with each scraped item's repr for every page, whatever LOG_LEVEL says)."""
    install_secret_masking()
    formatted: list[str] = []

    class Item:
        def __repr__(self) -> str:
            formatted.append("repr")
            return "item at postgresql://u:s3cr3t@h/db"

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.INFO)
    log = logging.getLogger("newsclean.test.quiet")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(handler)
    try:
        log.debug("scraped %r", Item())
        assert formatted == []
        log.info("scraped %r", Item())
        assert formatted == ["repr"]  # once: masked, then written from the masked message
    finally:
        log.removeHandler(handler)
        log.propagate = True
    assert "s3cr3t" not in stream.getvalue() and "postgresql://u:***@h/db" in stream.getvalue()


def test_a_crawl_never_logs_a_password(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """A real crawl (subprocess, DEBUG log) given passwords in the database URL, the start URL and a
    feed URI (which Scrapy prints in "Overridden settings" and in the feed error): none is printed."""
    try:
        postgres: str | None = str(request.getfixturevalue("postgres_url"))
    except pytest.skip.Exception:
        postgres = None
    secrets = ["S3cretDbPw", "S3cretSitePw", "S3cretFeedPw"]
    database = (postgres.replace("postgres@", "postgres:S3cretDbPw@", 1) if postgres
                else f"sqlite:///{tmp_path / 'db.sqlite'}")
    site = NewsSite(n_articles=8)
    with SiteServer(site) as server:
        start = server.base_url.replace("http://", "http://reader:S3cretSitePw@") + "/"
        feeds = {"ftp://feeduser:S3cretFeedPw@127.0.0.1:1/articles.jsonl": {"format": "jsonlines"},
                 str(tmp_path / "out.jsonl"): {"format": "jsonlines"}}
        proc = run_scrapy(["crawl", "news", "-a", f"url={start}", "-s", f"NEWSCLEAN_DATABASE_URL={database}",
                           "-s", "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True", "-s", "LOG_LEVEL=DEBUG",
                           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                           "-s", f"FEEDS={json.dumps(feeds)}", "-s", "NEWSCLEAN_MAX_PAGES=3"],
                          cwd=tmp_path, timeout=300)
    log = proc.stdout + proc.stderr
    assert "Overridden settings" in log and "feeduser:***@127.0.0.1" in log, log[-2000:]
    assert "reader:***@127.0.0.1" in log
    for secret in secrets:
        assert secret not in log, [line for line in log.splitlines() if secret in line][:3]
    if postgres:
        assert re.search(r"postgres:\*\*\*@127\.0\.0\.1", log)
