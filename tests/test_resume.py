"""Runs that overlap, and a run killed with SIGKILL and resumed: nothing duplicated, nothing missed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.testsite import NewsSite, SiteServer

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
