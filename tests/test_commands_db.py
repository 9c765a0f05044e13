"""`scrapy db`, `scrapy export` and `scrapy extract` on a database or output file they cannot use:
one line on standard error (passwords masked), exit status 1, and no file created by a command that
only reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from crawler.storage import ArticleStore, head_revision, make_engine

from .conftest import run_scrapy

#: Hosts under .example never resolve (RFC 2606); port 1 on loopback refuses.
UNRESOLVABLE = "postgresql://news:hunter2@db.example/news"
REFUSED = "postgresql://news:hunter2@127.0.0.1:1/news"
PAGE = sorted((Path(__file__).parent / "pages").glob("*.html"))[0]


def one_error(proc: subprocess.CompletedProcess[str], command: str) -> str:
    """The command's only line of standard error, checked to be a one-line error with exit status 1."""
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
    assert lines[0].startswith(f"scrapy {command}: error: ")
    return lines[0]


@pytest.mark.parametrize("url", [UNRESOLVABLE, REFUSED])
@pytest.mark.parametrize(("args", "command"), [(["export", "--format", "csv"], "export"),
                                               (["db", "upgrade"], "db upgrade"), (["db", "current"], "db current")])
def test_an_unreachable_server_is_one_line(tmp_path: Path, args: list[str], command: str, url: str) -> None:
    proc = run_scrapy([*args, "--database", url], cwd=tmp_path, timeout=60)
    masked = url.replace("postgresql://", "postgresql+psycopg://").replace("hunter2", "***")
    assert f"cannot open the database {masked}: " in one_error(proc, command)
    assert proc.stdout == ""


def test_db_upgrade_on_an_unwritable_sqlite_path_is_one_line(tmp_path: Path) -> None:
    proc = run_scrapy(["db", "upgrade", "--database", "sqlite:////proc/newsclean/x.db"], cwd=tmp_path, timeout=60)
    assert "cannot open the database sqlite:////proc/newsclean/x.db: unable to open database file" in \
        one_error(proc, "db upgrade")


@pytest.mark.parametrize(("args", "command"), [(["export"], "export"), (["export", "-o", "out.jsonl"], "export"),
                                               (["db", "current"], "db current")])
def test_read_only_commands_do_not_create_a_sqlite_file(tmp_path: Path, args: list[str], command: str) -> None:
    proc = run_scrapy([*args, "--database", "sqlite:///nonexist.db"], cwd=tmp_path, timeout=60)
    assert one_error(proc, command).endswith(": no database at nonexist.db")
    assert list(tmp_path.iterdir()) == []  # neither the database nor the output file


def test_db_upgrade_creates_the_sqlite_file(tmp_path: Path) -> None:
    proc = run_scrapy(["db", "upgrade", "--database", "sqlite:///new.db"], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0 and f"upgraded from nothing to revision {head_revision()}" in proc.stdout
    proc = run_scrapy(["db", "current", "--database", "sqlite:///new.db"], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0 and "(up to date)" in proc.stdout


def test_a_schema_newer_than_this_version_asks_for_a_newer_newsclean(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'news.db'}"
    ArticleStore(url).close()
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    proc = run_scrapy(["db", "upgrade", "--database", url], cwd=tmp_path, timeout=60)
    assert one_error(proc, "db upgrade").endswith(f"has schema 9999, newer than this version's {head_revision()}: "
                                                  "upgrade newsclean")
    proc = run_scrapy(["db", "current", "--database", url], cwd=tmp_path, timeout=60)
    assert proc.returncode == 0 and "revision 9999 (newer than this version's" in proc.stdout
    proc = run_scrapy(["export", "--database", url], cwd=tmp_path, timeout=60)
    assert one_error(proc, "export").endswith("; upgrade newsclean")


def test_extract_to_an_unwritable_output_fails_before_extracting(tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "out.jsonl"
    proc = run_scrapy(["extract", str(PAGE), "-o", str(out)], cwd=tmp_path, timeout=60)
    assert one_error(proc, "extract") == f"scrapy extract: error: cannot write {out}: No such file or directory"
    assert not out.parent.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_extract_to_a_full_disk_is_one_line(tmp_path: Path) -> None:
    proc = run_scrapy(["extract", str(PAGE), "-o", "/dev/full"], cwd=tmp_path, timeout=60)
    assert one_error(proc, "extract") == "scrapy extract: error: cannot write /dev/full: No space left on device"
