"""Schema migrations: a database of the first schema upgrades in place and keeps every row."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from crawler.storage import ArticleStore, SchemaError, current_revision, head_revision, make_engine, upgrade

ROWS = 25


def first_schema_database(database_url: str, *, with_revision: bool) -> None:
    """A database as the first version of newsclean left it, with ROWS articles."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        now = datetime.now(UTC)
        with engine.begin() as conn:
            for n in range(ROWS):
                conn.execute(
                    text("INSERT INTO articles (canonical_url, url, title, authors, tags, categories, text, word_count,"
                         " content_hash, extraction, site, first_seen_at, last_seen_at, updated_at) VALUES (:c, :c, :t,"
                         " :a, :g, :g, :x, 3, :h, :e, 'old.example', :now, :now, :now)"),
                    {"c": f"https://old.example/story-{n}", "t": f"Old story {n} — «ünïcode»",
                     "a": json.dumps(["Ana Pérez"]), "g": json.dumps([]), "x": f"Text of old story {n}.",
                     "h": f"{n:064x}", "e": json.dumps({}), "now": now},
                )
            if not with_revision:
                conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()


@pytest.mark.parametrize("with_revision", [True, False], ids=["revision-0001", "before-migrations"])
def test_first_schema_upgrades_in_place_keeping_rows(database_url: str, with_revision: bool) -> None:
    first_schema_database(database_url, with_revision=with_revision)
    store = ArticleStore(database_url)  # a crawl opening the database upgrades it
    try:
        assert current_revision(store.engine) == head_revision()
        records = list(store.iter_records())
        assert len(records) == ROWS
        assert records[7]["title"] == "Old story 7 — «ünïcode»" and records[7]["authors"] == ["Ana Pérez"]
        # the upgraded database takes new writes next to the old rows
        store.upsert([{**records[0], "text": "Edited.", "content_hash": "e" * 64}])
        assert store.count() == ROWS
    finally:
        store.close()


def test_without_auto_migrate_an_old_schema_is_refused(database_url: str) -> None:
    first_schema_database(database_url, with_revision=True)
    with pytest.raises(SchemaError, match="run `scrapy db upgrade`"):
        ArticleStore(database_url, migrate=False)


def test_db_command(tmp_path: object) -> None:
    from pathlib import Path

    from .conftest import run_scrapy

    assert isinstance(tmp_path, Path)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    first_schema_database(db, with_revision=True)
    out = run_scrapy(["db", "current", "--database", db], cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and "revision 0001 (behind" in out.stdout
    out = run_scrapy(["db", "upgrade", "--database", db], cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and f"upgraded from 0001 to revision {head_revision()}" in out.stdout
    out = run_scrapy(["db", "current", "--database", db], cwd=tmp_path, timeout=60)
    assert "(up to date)" in out.stdout
