"""A crawl of a site with republished copies, then `scrapy export` of what was stored."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.items import ARTICLE_FIELDS
from crawler.storage import EXPORT_EXTRA_COLUMNS, ArticleStore, head_revision
from crawler.testsite import NewsSite, SiteServer

from .conftest import run_crawl, run_scrapy

pytestmark = pytest.mark.slow


class Stored:
    def __init__(self, site: NewsSite, base: str, database_url: str, workdir: Path) -> None:
        self.site, self.base, self.database_url, self.workdir = site, base, database_url, workdir
        store = ArticleStore(database_url, migrate=False)
        try:
            self.rows = list(store.iter_records(extra=True))
            self.aliases = store.aliases()
            self.runs = store.runs()
        finally:
            store.close()

    def export(self, *args: str) -> tuple[str, str]:
        proc = run_scrapy(["export", "--database", self.database_url, *args], cwd=self.workdir, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout, proc.stderr


@pytest.fixture
def stored(database_url: str, tmp_path: Path) -> Iterator[Stored]:
    site = NewsSite(n_articles=30, copies=True)
    with SiteServer(site) as server:
        result = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert result.returncode == 0, result.log[-3000:]
        yield Stored(site, server.base_url, database_url, tmp_path)


def test_copies_are_one_article_plus_one_linked_duplicate(stored: Stored) -> None:
    near_copy, near_original = stored.site.copies["near"]
    exact_copy, exact_original = stored.site.copies["exact"]
    by_url = {r["canonical_url"]: r for r in stored.rows}
    expected = stored.site.article_urls(stored.base) | {near_copy.url(stored.base)}
    assert set(by_url) == expected
    assert by_url[near_copy.url(stored.base)]["duplicate_of"] == near_original.url(stored.base)
    assert by_url[near_original.url(stored.base)]["duplicate_of"] is None
    assert exact_copy.url(stored.base) not in by_url
    assert stored.aliases[exact_copy.url(stored.base)] == exact_original.url(stored.base)
    assert sum(r["duplicate_of"] is not None for r in stored.rows) == 1


def test_crawl_run_is_recorded(stored: Stored) -> None:
    (run,) = stored.runs
    assert run.spider == "news" and run.status == "finished" and run.finished_at is not None
    assert run.arguments == {"url": stored.base + "/"}
    assert run.stats and run.stats["newsclean/store/written"] == len(stored.rows)
    assert {r["run_id"] for r in stored.rows} == {run.id}


def _plain(value: Any) -> Any:
    """A stored value as export writes it: times with their UTC offset on both databases."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_export_round_trips_every_stored_field(stored: Stored) -> None:
    out, err = stored.export()
    lines = [json.loads(line) for line in out.splitlines()]
    assert f"Exported {len(stored.rows)} articles" in err
    assert [list(r) for r in lines] == [list(ARTICLE_FIELDS + EXPORT_EXTRA_COLUMNS)] * len(stored.rows)
    assert lines == [{k: _plain(v) for k, v in row.items()} for row in stored.rows]

    csv_out, _ = stored.export("--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(csv_out)))
    assert len(parsed) == len(stored.rows)
    for line, row in zip(lines, parsed, strict=True):
        for key, value in line.items():
            if key in ("authors", "tags", "categories", "extraction"):
                assert json.loads(row[key]) == value
            elif value is None:
                assert row[key] == ""
            else:
                assert row[key] == str(value), key


def test_export_filters(stored: Stored, tmp_path: Path) -> None:
    days = sorted(r["date_published"][:10] for r in stored.rows)
    middle = days[len(days) // 2]
    out, _ = stored.export("--since", middle)
    assert {json.loads(x)["canonical_url"] for x in out.splitlines()} == {
        r["canonical_url"] for r in stored.rows if r["date_published"][:10] >= middle}
    out, _ = stored.export("--until", middle)
    assert len(out.splitlines()) == sum(r["date_published"][:10] < middle for r in stored.rows)
    out, _ = stored.export("--since", "2000-01-01", "--by", "first_seen")
    assert len(out.splitlines()) == len(stored.rows)
    out, _ = stored.export("--since", "2999-01-01", "--by", "first_seen")
    assert out == ""
    out, _ = stored.export("--site", "127.0.0.1", "--language", "en")
    assert len(out.splitlines()) == len(stored.rows)
    out, _ = stored.export("--language", "de")
    assert out == ""
    run_id = stored.rows[0]["run_id"]
    out, _ = stored.export("--run", str(run_id), "-o", str(tmp_path / "run.csv"))
    with (tmp_path / "run.csv").open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == len(stored.rows)
    out, _ = stored.export("--run", str(run_id + 1))
    assert out == ""


def test_export_rejects_a_bad_date(tmp_path: Path) -> None:
    proc = run_scrapy(["export", "--database", f"sqlite:///{tmp_path / 'x.db'}", "--since", "someday"],
                      cwd=tmp_path, timeout=60)
    assert proc.returncode == 2 and "--since: 'someday' is not a date" in proc.stderr


def _database_at(url: str, revision: str) -> None:
    """A database with the current tables, its schema revision set to ``revision``."""
    from sqlalchemy import text

    from crawler.storage import make_engine

    ArticleStore(url).close()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    finally:
        engine.dispose()


def test_export_of_an_old_schema_asks_for_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _database_at(url, "0003")
    proc = run_scrapy(["export", "--database", url], cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        f"scrapy export: error: database {url} has schema 0003, this version reads {head_revision()}; "
        "run `scrapy db upgrade` first"]  # not NEWSCLEAN_AUTO_MIGRATE: export never migrates


def test_export_to_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'news.db'}"
    ArticleStore(url).close()
    out = tmp_path / "no-such-folder" / "a.jsonl"
    proc = run_scrapy(["export", "--database", url, "-o", str(out)], cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"scrapy export: error: cannot write {out}: No such file or directory"]


def test_export_that_cannot_open_the_database_leaves_the_output_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    out.write_text("earlier export\n", encoding="utf-8")
    proc = run_scrapy(["export", "--database", "postgresql://news:hunter2@127.0.0.1:1/news", "-o", str(out)],
                      cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
    assert "cannot open the database postgresql+psycopg://news:***@127.0.0.1:1/news" in proc.stderr
    assert out.read_text(encoding="utf-8") == "earlier export\n"
