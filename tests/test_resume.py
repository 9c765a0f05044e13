"""Runs that overlap, and a run killed with SIGKILL and resumed: nothing duplicated, nothing missed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.resume import RUNNING_MARK, JobDirError, ResumeGuard
from crawler.testsite import NewsSite, SiteServer
from crawler.testsite.site import Response

from .conftest import FAST_CRAWL, REPO, run_crawl, stored_urls

pytestmark = pytest.mark.slow


def start_crawl(workdir: Path, database_url: str, url: str, **settings: str) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={url}",
            "-s", f"NEWSCLEAN_DATABASE_URL={database_url}"]
    for key, value in {**FAST_CRAWL, **settings}.items():
        args += ["-s", f"{key}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(REPO)}
    return subprocess.Popen(args, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)



def test_run_killed_with_sigkill_and_resumed_stores_every_article_once(tmp_path: Path) -> None:
    site = NewsSite(n_articles=500)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    jobdir = str(tmp_path / "job")
    with SiteServer(site) as server:
        paths = {a.path for a in site.articles}
        proc = start_crawl(tmp_path, database_url, server.base_url + "/", JOBDIR=jobdir,
                           CONCURRENT_REQUESTS_PER_DOMAIN="4", DOWNLOAD_DELAY="0.01", NEWSCLEAN_BATCH_SIZE="20")
        deadline = time.monotonic() + 120
        while sum(r.path in paths for r in server.requests) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)           # the crawl and its extraction workers, as an OOM kill would
        proc.communicate(timeout=60)
        killed_at = len(stored_urls(database_url))
        assert 0 < killed_at < 500, killed_at

        resumed = run_crawl(tmp_path, database_url, settings={"JOBDIR": jobdir}, url=server.base_url + "/")
        assert resumed.returncode == 0, resumed.log[-3000:]
    urls = stored_urls(database_url)
    assert len(urls) == len(set(urls)) == 500
    assert set(urls) == site.article_urls(server.base_url)


class LinksOnlySite(NewsSite):
    """The test site without robots.txt, sitemaps or feeds: articles are found by links only, so a resumed run
    cannot rediscover from a sitemap what its seen-set hides."""

    def handle(self, method: str, target: str, headers: dict[str, str], base_url: str) -> Response:
        if re.search(r"robots|sitemap|feed|rss|atom", target.split("?", 1)[0]):
            return self._not_found(base_url)
        return super().handle(method, target, headers, base_url)


def test_links_only_run_killed_with_sigkill_and_resumed_from_its_jobdir_stores_every_article(tmp_path: Path) -> None:
    site = LinksOnlySite(n_articles=200)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    jobdir = tmp_path / "job"
    with SiteServer(site) as server:
        paths = {a.path for a in site.articles}
        proc = start_crawl(tmp_path, database_url, server.base_url + "/", JOBDIR=str(jobdir),
                           CONCURRENT_REQUESTS_PER_DOMAIN="2", DOWNLOAD_DELAY="0.02", NEWSCLEAN_BATCH_SIZE="50")
        deadline = time.monotonic() + 120
        while sum(r.path in paths for r in server.requests) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert (jobdir / RUNNING_MARK).exists()
        assert len(stored_urls(database_url)) < 200

        resumed = run_crawl(tmp_path, database_url, settings={"JOBDIR": str(jobdir)}, url=server.base_url + "/")
        assert resumed.returncode == 0, resumed.log[-3000:]
        assert "the previous run did not close" in resumed.log
        assert "struct.error" not in resumed.log
        assert not (jobdir / RUNNING_MARK).exists()
    urls = stored_urls(database_url)
    assert len(urls) == len(set(urls)) == 200
    assert set(urls) == site.article_urls(server.base_url)


def test_resume_guard_discards_scheduler_state_only_after_a_run_that_did_not_close(tmp_path: Path) -> None:
    (tmp_path / "requests.queue").mkdir()
    (tmp_path / "requests.queue" / "active.json").write_text("{}")
    (tmp_path / "requests.seen").write_text("abc\n")
    (tmp_path / "spider.state").write_bytes(b"state")
    assert ResumeGuard.prepare(tmp_path) is False  # no mark: the last run closed, its queue is consistent
    assert (tmp_path / "requests.seen").exists()
    (tmp_path / RUNNING_MARK).write_text("pid 1\n")
    assert ResumeGuard.prepare(tmp_path) is True
    assert not (tmp_path / "requests.queue").exists() and not (tmp_path / "requests.seen").exists()
    assert (tmp_path / "spider.state").read_bytes() == b"state"


def test_overlapping_run_exits_or_waits(tmp_path: Path) -> None:
    site = NewsSite(n_articles=20)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    with SiteServer(site) as server:
        slow = {"DOWNLOAD_DELAY": "0.3", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "NEWSCLEAN_PROGRESS_INTERVAL": "1"}
        first = start_crawl(tmp_path, database_url, server.base_url + "/", **slow)
        time.sleep(4)                                     # the first run holds the lock
        assert first.poll() is None
        second = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert second.returncode == 75, second.log[-2000:]
        assert "newsclean run: skipped, another run of `news url=" in second.log
        waiting = run_crawl(tmp_path, database_url, settings={"NEWSCLEAN_ON_OVERLAP": "wait"},
                            url=server.base_url + "/")
        assert first.poll() is not None                   # it waited for the first run to end
        out, _ = first.communicate(timeout=60)
    assert first.returncode == 0, out[-2000:]
    assert "Progress: " in out and " articles stored (" in out and " queued" in out
    assert waiting.returncode == 0 and "newsclean run: waiting, another run" in waiting.log
    assert sorted(stored_urls(database_url)) == sorted(site.article_urls(server.base_url))


def test_a_job_folder_in_use_by_a_running_crawl_is_refused_and_its_queue_kept(tmp_path: Path) -> None:
    """Another job (other arguments, so the run lock does not hold it off) in the same JOBDIR: refused at
    start-up instead of taking the running crawl's queue for a killed run's."""
    from crawler.resume import jobdir_in_use

    (tmp_path / "requests.seen").write_text("abc\n")
    running = ResumeGuard(tmp_path)  # what a crawl in this folder holds while it runs
    try:
        assert jobdir_in_use(tmp_path) == f"pid {os.getpid()}"
        with pytest.raises(JobDirError, match="in use by a running crawl"):
            ResumeGuard(tmp_path)
        assert (tmp_path / "requests.seen").exists() and (tmp_path / RUNNING_MARK).exists()
    finally:
        running.spider_closed(None, "finished")
    assert jobdir_in_use(tmp_path) is None and not (tmp_path / RUNNING_MARK).exists()
    # a mark whose process is gone (no lock held) is a killed run's: not in use
    (tmp_path / RUNNING_MARK).write_text("pid 1\n")
    assert jobdir_in_use(tmp_path) is None
