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
from pathlib import Path
from typing import Any

import pytest

from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer

from .conftest import REPO

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


def test_scrapyd_schedules_the_news_spider(tmp_path: Path) -> None:
    scrapyd = shutil.which("scrapyd", path=str(Path(sys.executable).parent))
    assert scrapyd, "scrapyd is a test dependency (pip install -e '.[test]')"
    port = free_port()
    # scrapyd started in a folder with the project's scrapy.cfg finds the project (SCRAPY_PROJECT=newsclean)
    shutil.copy(REPO / "scrapy.cfg", tmp_path / "scrapy.cfg")
    (tmp_path / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {tmp_path / 'eggs'}\nlogs_dir = {tmp_path / 'logs'}\ndbs_dir = {tmp_path / 'dbs'}\n"
        "items_dir =\npoll_interval = 0.5\nmax_proc = 1\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    database = tmp_path / "newsclean.db"
    site = NewsSite(n_articles=16)
    with SiteServer(site) as server:
        proc = subprocess.Popen([scrapyd], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert call(port, "daemonstatus.json")["status"] == "ok"
                    break
                except OSError:
                    assert time.monotonic() < deadline, "scrapyd did not start"
                    time.sleep(0.3)
            assert call(port, "listspiders.json?project=newsclean")["spiders"] == ["news"]
            job = call(port, "schedule.json", [
                ("project", "newsclean"), ("spider", "news"), ("url", server.base_url + "/"),
                ("setting", f"NEWSCLEAN_DATABASE_URL=sqlite:///{database}"),
                ("setting", "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES=True"),
                ("setting", "DOWNLOAD_DELAY=0"), ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ])
            assert job["status"] == "ok", job
            deadline = time.monotonic() + 180
            while not any(j["id"] == job["jobid"] for j in call(port, "listjobs.json?project=newsclean")["finished"]):
                assert time.monotonic() < deadline, "the job did not finish"
                time.sleep(0.5)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    store = ArticleStore(f"sqlite:///{database}", migrate=False)
    try:
        assert {r["canonical_url"] for r in store.iter_records()} == site.article_urls(server.base_url)
    finally:
        store.close()
    log = next((tmp_path / "logs" / "newsclean" / "news").glob("*.log")).read_text(encoding="utf-8")
    assert "newsclean run: finished" in log or "'finish_reason': 'finished'" in log
