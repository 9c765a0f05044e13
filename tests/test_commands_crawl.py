"""``scrapy crawl`` and ``scrapy demo`` as a scheduler sees them: exit statuses, start-up errors, the job's lock."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from crawler.commands.crawl import EXIT_NOTHING_FETCHED, fetched_nothing, nothing_fetched_reason
from crawler.commands.demo import Command as DemoCommand
from crawler.resume import JobDirError, ensure_jobdir
from crawler.runlock import LockDirError, RunLock, RunLocked, job_arguments
from crawler.testsite import NewsSite, SiteServer

from .conftest import REPO, run_crawl, run_scrapy, stored_urls

#: A folder no process can create (procfs refuses new entries, even to root).
UNCREATABLE = "/proc/newsclean-no-such-folder"

#: Stats of a crawl of 127.0.0.1 without NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES: every request refused.
REFUSED_STATS = {
    "finish_reason": "finished",
    "downloader/exception_count": 3,
    "newsclean/fetch_error/ssrf_loopback": 3,
    "newsclean/fetch_failed/home": 1,
    "newsclean/ssrf/refused/loopback": 3,
    "scheduler/dequeued": 3,
    "scheduler/dequeued/memory": 3,
}
#: Stats of an incremental re-run: discovery pages fetched, every article known, nothing stored.
RERUN_STATS = {
    "finish_reason": "finished",
    "response_received_count": 59,
    "newsclean/skipped/known": 697,
    "scheduler/dequeued": 57,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the run lock: one job, whatever scrapyd calls the run ----------------------------------------------


def test_lock_key_leaves_out_the_schedulers_arguments(tmp_path: Path) -> None:
    first = RunLock(tmp_path, "news", {"url": "https://news.example/", "_job": "a1", "_version": "r1"})
    second = RunLock(tmp_path, "news", {"url": "https://news.example/", "_job": "b2"})
    plain = RunLock(tmp_path, "news", {"url": "https://news.example/"})
    other = RunLock(tmp_path, "news", {"url": "https://other.example/", "_job": "a1"})
    assert first.path == second.path == plain.path
    assert other.path != first.path
    assert first.description == "news url=https://news.example/"
    assert job_arguments({"url": "u", "_job": "j", "_version": "v"}) == {"url": "u"}


def test_two_scrapyd_runs_of_one_job_share_the_lock(tmp_path: Path) -> None:
    first = RunLock(tmp_path, "news", {"sources": "s.toml", "_job": "a1"})
    first.acquire(wait=False)
    try:
        with pytest.raises(RunLocked, match=r"another run of `news sources=s.toml` is still going"):
            RunLock(tmp_path, "news", {"sources": "s.toml", "_job": "b2"}).acquire(wait=False)
    finally:
        first.release()


@pytest.mark.parametrize("kind", ["procfs", "below a file"])
def test_an_unusable_lock_dir_is_one_message(tmp_path: Path, kind: str) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    directory = UNCREATABLE if kind == "procfs" else str(tmp_path / "file" / "locks")
    with pytest.raises(LockDirError, match=r"^NEWSCLEAN_LOCK_DIR .+: cannot create the run lock there \(.+\)$"):
        RunLock(directory, "news", {"url": "u"}).acquire(wait=False)


# -- JOBDIR -----------------------------------------------------------------------------------------------


def test_ensure_jobdir_creates_the_folder(tmp_path: Path) -> None:
    assert ensure_jobdir(tmp_path / "jobs" / "news") == tmp_path / "jobs" / "news"
    assert (tmp_path / "jobs" / "news").is_dir()


def test_an_unusable_jobdir_is_one_message(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(JobDirError, match=r"^JOBDIR .+/file: not a folder$"):
        ensure_jobdir(tmp_path / "file")
    with pytest.raises(JobDirError, match=r"^JOBDIR /proc/.+: cannot create the job folder \(.+\)$"):
        ensure_jobdir(UNCREATABLE)


# -- a run that fetched nothing --------------------------------------------------------------------------


def test_a_run_with_every_request_refused_fetched_nothing() -> None:
    assert fetched_nothing(REFUSED_STATS)
    line = nothing_fetched_reason(REFUSED_STATS)
    assert "no response received" in line and "3 ssrf_loopback" in line
    assert "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True" in line


def test_a_shared_crawl_worker_given_requests_that_all_failed_fetched_nothing() -> None:
    stats = {"finish_reason": "finished", "scheduler/dequeued/redis": 4, "newsclean/fetch_error/dns": 4}
    assert fetched_nothing(stats)
    assert "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES" not in nothing_fetched_reason(stats)


def test_runs_that_fetched_something_or_asked_for_nothing_did_not_fail() -> None:
    assert not fetched_nothing(RERUN_STATS)
    assert not fetched_nothing({"finish_reason": "finished", "response_received_count": 1, "scheduler/dequeued": 1})
    # every listed URL already stored: no request at all; a shared-crawl worker given no request
    assert not fetched_nothing({"finish_reason": "finished", "newsclean/skipped/known": 12})


def test_crawl_refused_everywhere_exits_69_with_a_clear_last_line(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    with SiteServer(NewsSite(n_articles=8)) as server:
        result = run_crawl(tmp_path, database_url, settings={"NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES": "False"},
                           url=server.base_url + "/")
    assert result.returncode == EXIT_NOTHING_FETCHED, result.log[-3000:]
    last = result.log.strip().splitlines()[-1]
    assert "newsclean run: failed, no response received" in last
    assert "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True" in last
    assert "Traceback" not in result.log


def test_incremental_rerun_that_fetched_only_discovery_pages_exits_0(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    site = NewsSite(n_articles=8)
    with SiteServer(site) as server:
        first = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert first.returncode == 0, first.log[-3000:]
        again = run_crawl(tmp_path, database_url, url=server.base_url + "/")
    assert again.returncode == 0, again.log[-3000:]
    assert "; 0 articles stored" in again.log
    assert set(stored_urls(database_url)) == site.article_urls(server.base_url)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("NEWSCLEAN_LOCK_DIR", UNCREATABLE,
     f"scrapy crawl: error: NEWSCLEAN_LOCK_DIR {UNCREATABLE}: cannot create the run lock there"),
    ("JOBDIR", UNCREATABLE, f"scrapy crawl: error: JOBDIR {UNCREATABLE}: cannot create the job folder"),
])
def test_an_unusable_folder_stops_the_crawl_at_start_up(tmp_path: Path, setting: str, value: str,
                                                         message: str) -> None:
    with SiteServer(NewsSite(n_articles=8)) as server:
        result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'newsclean.db'}", settings={setting: value},
                           url=server.base_url + "/")
        requests = list(server.requests)
    assert result.returncode == 1, result.log[-3000:]
    assert "Traceback" not in result.log
    errors = [line for line in result.log.splitlines() if "error" in line.lower()]
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert requests == []


# -- scrapy demo -------------------------------------------------------------------------------------------


def test_demo_repeat_run_that_stored_nothing_new_succeeds() -> None:
    assert DemoCommand.problem("finished", pages=59, total=40) is None
    assert DemoCommand.problem("shutdown", pages=59, total=40) == "The crawl did not finish normally: shutdown"
    assert DemoCommand.problem("finished", pages=0, total=40) == "The crawl fetched no page from the test site."
    assert DemoCommand.problem("finished", pages=10, total=0) == "The crawl stored no article: the database is empty."


@pytest.mark.parametrize(("args", "message"), [
    (["--articles", "3"], "--articles must be at least 8 (got 3)"),
    (["--port", "99999"], "--port must be between 0 and 65535 (got 99999)"),
    (["--port", "-1"], "--port must be between 0 and 65535 (got -1)"),
])
def test_demo_rejects_bad_options_with_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_scrapy(["demo", *args], cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(f"error: {message}")
    assert "Serving the test news site" not in result.stdout


@pytest.mark.slow
def test_demo_run_twice_succeeds_and_keeps_one_copy(tmp_path: Path) -> None:
    (tmp_path / "scrapy.cfg").write_bytes((REPO / "scrapy.cfg").read_bytes())
    fast = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "--articles", "8",
            "--port", str(free_port())]
    first = run_scrapy(["demo", *fast], cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr[-3000:]
    assert "Stored 8 articles in this run (8 rows in the database)." in first.stdout
    again = run_scrapy(["demo", *fast], cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr[-3000:]
    assert "Stored 0 articles in this run (8 rows in the database): the articles already stored" in again.stdout
    assert "did not finish" not in again.stdout


def test_a_revisit_run_answered_only_304s_fetched_something() -> None:
    """A 304 ends as an ignored request, which the engine does not count as a response; the downloader does."""
    stats = {"scheduler/dequeued": 5, "downloader/response_count": 5, "newsclean/articles/unchanged": 5}
    assert not fetched_nothing(stats)
