"""scrapyd runs the news spider: a real scrapyd on loopback, the job scheduled through its HTTP API."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer

from .conftest import REPO, stored_urls

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(port: int, endpoint: str, data: list[tuple[str, str]] | None = None) -> Any:
    url = f"http://127.0.0.1:{port}/{endpoint}"
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.loads(response.read())


@contextmanager
def running_scrapyd(folder: Path, *, max_proc: int = 1) -> Iterator[int]:
    """A scrapyd on loopback serving the project from ``folder``, up and answering; yields its port."""
    scrapyd = shutil.which("scrapyd", path=str(Path(sys.executable).parent))
    assert scrapyd, "scrapyd is a test dependency (pip install -e '.[test]')"
    port = free_port()
    # scrapyd started in a folder with the project's scrapy.cfg finds the project (SCRAPY_PROJECT=newsclean)
    shutil.copy(REPO / "scrapy.cfg", folder / "scrapy.cfg")
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {folder / 'eggs'}\nlogs_dir = {folder / 'logs'}\ndbs_dir = {folder / 'dbs'}\n"
        f"items_dir =\npoll_interval = 0.5\nmax_proc = {max_proc}\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([scrapyd], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert call(port, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.3)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def wait_finished(port: int, jobids: set[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not jobids <= {j["id"] for j in call(port, "listjobs.json?project=newsclean")["finished"]}:
        assert time.monotonic() < deadline, "the jobs did not finish"
        time.sleep(0.5)


def test_scrapyd_schedules_the_news_spider(tmp_path: Path) -> None:
    database = tmp_path / "newsclean.db"
    site = NewsSite(n_articles=16)
    with SiteServer(site) as server, running_scrapyd(tmp_path) as port:
        assert call(port, "listspiders.json?project=newsclean")["spiders"] == ["news"]
        job = call(port, "schedule.json", [
            ("project", "newsclean"), ("spider", "news"), ("url", server.base_url + "/"),
            ("setting", f"NEWSCLEAN_DATABASE_URL=sqlite:///{database}"),
            ("setting", "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True"),
            ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False"),
        ])
        assert job["status"] == "ok", job
        wait_finished(port, {job["jobid"]})
    store = ArticleStore(f"sqlite:///{database}", migrate=False)
    try:
        assert {r["canonical_url"] for r in store.iter_records()} == site.article_urls(server.base_url)
    finally:
        store.close()
    log = next((tmp_path / "logs" / "newsclean" / "news").glob("*.log")).read_text(encoding="utf-8")
    assert "newsclean run: finished" in log or "'finish_reason': 'finished'" in log


def test_two_scrapyd_jobs_of_the_same_crawl_do_not_overlap(tmp_path: Path) -> None:
    """scrapyd gives each job ``-a _job=<id>``: the run lock must still see one job, and skip the second run."""
    database = tmp_path / "newsclean.db"
    site = NewsSite(n_articles=16)
    schedule = [
        ("project", "newsclean"), ("spider", "news"),
        ("setting", f"NEWSCLEAN_DATABASE_URL=sqlite:///{database}"),
        ("setting", f"NEWSCLEAN_LOCK_DIR={tmp_path / 'locks'}"),
        ("setting", "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True"),
        # slow enough (about 60 pages, 0.1 s apart) that the first job still runs when the second starts
        ("setting", "DOWNLOAD_DELAY=0.1"), ("setting", "AUTOTHROTTLE_ENABLED=False"),
    ]
    with SiteServer(site) as server, running_scrapyd(tmp_path, max_proc=2) as port:
        jobs = [call(port, "schedule.json", [*schedule, ("url", server.base_url + "/")]) for _ in range(2)]
        assert all(job["status"] == "ok" for job in jobs), jobs
        wait_finished(port, {job["jobid"] for job in jobs})
    logs = {path.stem: path.read_text(encoding="utf-8")
            for path in (tmp_path / "logs" / "newsclean" / "news").glob("*.log")}
    assert set(logs) == {job["jobid"] for job in jobs}
    skipped = [jobid for jobid, log in logs.items() if "Not crawling: another run of `news url=" in log]
    crawled = [jobid for jobid, log in logs.items() if "'finish_reason': 'finished'" in log]
    assert len(skipped) == 1 and len(crawled) == 1 and skipped != crawled, {k: v[-2000:] for k, v in logs.items()}
    assert "_job" not in logs[skipped[0]].split("Not crawling:", 1)[1].splitlines()[0]
    assert len(stored_urls(f"sqlite:///{database}")) == len(site.articles)
