"""Schema migrations: a database of the first schema upgrades in place and keeps every row."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text

from crawler.storage import (
    HEAD_REVISION,
    ArticleStore,
    SchemaError,
    _alembic_config,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)

ROWS = 25
REPO = Path(__file__).resolve().parent.parent


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


def _article_indexes(engine: Any) -> set[str]:
    """Names of the articles table's indexes (read from the catalogue: SQLAlchemy does not reflect
    SQLite's expression indexes, it warns and skips them)."""
    query = ("SELECT indexname FROM pg_indexes WHERE tablename = 'articles' AND schemaname = current_schema()"
             if engine.dialect.name == "postgresql" else
             "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'articles' AND sql IS NOT NULL")
    with engine.connect() as conn:
        return {name for (name,) in conn.execute(text(query))} - {"articles_pkey", "articles_canonical_url_key"}


def test_the_migrated_indexes_are_the_models_and_0004_goes_both_ways(database_url: str) -> None:
    """0004 swaps two indexes for smaller ones; upgrade and downgrade keep every row."""
    from crawler.storage import Article

    first_schema_database(database_url, with_revision=True)
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        model = {ix.name for ix in Article.__table__.indexes if ix.name}
        assert _article_indexes(engine) == model
        assert {"ix_articles_content_hash_key", "ix_articles_site"} <= model
        with engine.begin() as conn:
            command.downgrade(_alembic_config(conn), "0003")
        old = _article_indexes(engine)
        assert {"ix_articles_content_hash", "ix_articles_site_date"} <= old
        assert not {"ix_articles_content_hash_key", "ix_articles_site"} & old
        upgrade(engine)
        assert _article_indexes(engine) == model
    finally:
        engine.dispose()
    store = ArticleStore(database_url)
    try:
        assert store.count() == ROWS
        # the old rows' hashes are found through the new index
        assert store.find_exact(f"{7:064x}", exclude="x") == "https://old.example/story-7"
    finally:
        store.close()


def test_head_revision_is_the_migrations_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(_alembic_config()).get_current_head() == HEAD_REVISION == head_revision()


def test_opening_a_current_database_does_not_load_alembic(tmp_path: Path) -> None:
    """A crawl opening a database whose schema is current reads its revision with plain SQL: Alembic
    (9 MB of the crawl process) is imported only to migrate."""
    url = f"sqlite:///{tmp_path / 'news.db'}"
    ArticleStore(url).close()  # creates the schema (Alembic loaded here)
    probe = (
        "import sys\n"
        "from crawler.storage import ArticleStore\n"
        f"store = ArticleStore({url!r})\n"
        "assert store.count() == 0\n"
        "store.close()\n"
        "print(sorted(m for m in sys.modules if m == 'alembic' or m.startswith('alembic.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


#: Processes that open one new database at the same moment in the test below.
RACERS = 4


def test_processes_starting_together_on_a_new_database_migrate_it_once(database_url: str, tmp_path: Path) -> None:
    """Crawls started together (cron, scrapyd) on a database that does not exist yet: one migrates it
    while the others wait for the migration lock, then find it current; none fails."""
    go = tmp_path / "go"
    script = (
        "import sys, time, pathlib\n"
        "from crawler.storage import ArticleStore\n"
        "go = pathlib.Path(sys.argv[2])\n"
        "while not go.exists():\n"
        "    time.sleep(0.005)\n"
        "ArticleStore(sys.argv[1]).close()\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, database_url, str(go)], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(RACERS)]
    go.touch()
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * RACERS, "\n".join(outputs)
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == HEAD_REVISION
    finally:
        engine.dispose()
