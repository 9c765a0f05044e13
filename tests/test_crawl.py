"""End to end: ``scrapy crawl news`` against the offline test news site on 127.0.0.1."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.storage import ArticleStore
from crawler.testsite import NewsSite, SiteServer, seed

from .conftest import CrawlResult, run_crawl

pytestmark = pytest.mark.slow


def stored(database_url: str) -> list[dict[str, Any]]:
    store = ArticleStore(database_url, migrate=False)
    try:
        return list(store.iter_records())
    finally:
        store.close()


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def assert_paragraphs_in_order_once(text: str, paragraphs: list[str] | tuple[str, ...]) -> None:
    flat = fold(text)
    position = 0
    for paragraph in paragraphs:
        p = fold(paragraph)
        assert flat.count(p) == 1, f"paragraph not exactly once: {p[:80]!r}"
        found = flat.index(p)
        assert found >= position, f"paragraph out of order: {p[:80]!r}"
        position = found + len(p)


class Crawled:
    def __init__(self, site: NewsSite, server: SiteServer, result: CrawlResult, database_url: str) -> None:
        self.site, self.server, self.result, self.database_url = site, server, result, database_url
        self.base = server.base_url
        self.records = result.records()
        self.rows = stored(database_url)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One crawl of a 40-article site from its home page, into SQLite and a JSON lines feed."""
    workdir = tmp_path_factory.mktemp("crawl")
    site = NewsSite(n_articles=40)
    with SiteServer(site) as server:
        db = f"sqlite:///{workdir / 'newsclean.db'}"
        result = run_crawl(workdir, db, url=server.base_url + "/")
        assert result.returncode == 0, result.log[-3000:]
        yield Crawled(site, server, result, db)


def test_stores_exactly_the_site_articles(crawled: Crawled) -> None:
    expected = crawled.site.article_urls(crawled.base)
    assert len(expected) == 40
    feed_urls = [r["canonical_url"] for r in crawled.records]
    row_urls = [r["canonical_url"] for r in crawled.rows]
    assert len(feed_urls) == len(set(feed_urls)), "duplicate records in the feed"
    assert set(feed_urls) == expected
    assert sorted(row_urls) == sorted(expected)


def test_database_rows_and_json_lines_agree(crawled: Crawled) -> None:
    rows = {r["canonical_url"]: r for r in crawled.rows}
    for record in crawled.records:
        assert rows[record["canonical_url"]] == record


def test_records_match_the_site(crawled: Crawled) -> None:
    by_url = {r["canonical_url"]: r for r in crawled.records}
    for article in crawled.site.articles:
        want = article.expected_record(crawled.base)
        got = by_url[want["canonical_url"]]
        for key in ("title", "authors", "date_published", "language", "site_name"):
            assert got[key] == want[key], (key, want["url"])
        assert got["date_modified"] == want["date_modified"], want["url"]
        assert_paragraphs_in_order_once(got["text"], article.paragraphs)
        for noise in article.noise:
            assert fold(noise) not in fold(got["text"]), (noise, want["url"])
        assert got["discovered_via"] in ("sitemap", "feed", "link")
        assert got["word_count"] == len(got["text"].split())
        assert re.fullmatch(r"[0-9a-f]{64}", got["content_hash"])


def test_seed_article_is_the_story_and_nothing_else(crawled: Crawled) -> None:
    record = next(r for r in crawled.records if seed.SLUG in r["url"])
    assert record["title"] == seed.TITLE
    assert record["date_published"][:10] == "2026-02-02"
    text = record["text"]
    assert text.startswith("In a very different tone than exhibited by Miguel Díaz-Canel Last Friday,")
    assert text.endswith("after the capture of Nicolás Maduro, with Delcy Rodríguez.")
    assert_paragraphs_in_order_once(text, seed.PARAGRAPHS)
    for noise in seed.NOISE:
        assert noise not in text, noise
    assert "day before Trump" in text and "beforeTrump" not in text
    assert "Carlos Cabrera Cuba" in text and "CabreraCuba" not in text
    assert seed.PULL_QUOTE not in text
    assert "Go to" not in text and "Top" not in text.split()


def test_robots_txt_obeyed_and_non_articles_never_stored(crawled: Crawled) -> None:
    assert crawled.server.requests_for("/robots.txt")
    for path in crawled.site.disallowed_paths():
        assert not crawled.server.requests_for(path), f"{path} is disallowed by robots.txt"
    stored_paths = {r["canonical_url"].removeprefix(crawled.base) for r in crawled.records}
    listing = set(crawled.site.non_article_paths()) | set(crawled.site.broken_paths())
    assert not stored_paths & listing
    # listing pages were fetched for discovery
    assert any(crawled.server.requests_for(p) for p in crawled.site.non_article_paths() if "/tag/" in p)


def test_user_agent_names_the_project(crawled: Crawled) -> None:
    agents = {r.headers.get("user-agent", "") for r in crawled.server.requests}
    assert agents and all(a.startswith("newsclean/") for a in agents)


def test_second_crawl_updates_and_never_duplicates(tmp_path: Path, database_url: str) -> None:
    site = NewsSite(n_articles=32)
    with SiteServer(site) as server:
        first = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert first.returncode == 0, first.log[-3000:]
        before = {r["canonical_url"]: r for r in stored(database_url)}
        assert len(before) == 32
        edited = site.article(5)
        site.edit_article(5, new_paragraph="A correction was added to this story on Friday evening.")
        second = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert second.returncode == 0, second.log[-3000:]
        after = {r["canonical_url"]: r for r in stored(database_url)}
    assert after.keys() == before.keys()
    url = edited.url(server.base_url)
    assert "A correction was added to this story on Friday evening." in after[url]["text"]
    assert after[url]["content_hash"] != before[url]["content_hash"]
    unchanged = [u for u in after if u != url]
    assert all(after[u]["text"] == before[u]["text"] for u in unchanged)
    # the earlier text is kept as a revision, and only for the edited article
    from .conftest import run_scrapy

    proc = run_scrapy(["export", "--revisions", "--database", database_url], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    revisions = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["canonical_url"] for r in revisions] == [url]
    assert revisions[0]["text"] == before[url]["text"]


@pytest.fixture(scope="module")
def site_server() -> Iterator[tuple[NewsSite, SiteServer]]:
    site = NewsSite(n_articles=40)
    with SiteServer(site) as server:
        yield site, server


def urls_of(result: CrawlResult) -> set[str]:
    assert result.returncode == 0, result.log[-3000:]
    return {r["canonical_url"] for r in result.records()}


def test_sitemap_mode(site_server: tuple[NewsSite, SiteServer], tmp_path: Path) -> None:
    site, server = site_server
    result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", sitemap=server.url("/sitemap_index.xml"))
    assert urls_of(result) == site.article_urls(server.base_url)
    assert {r["discovered_via"] for r in result.records()} == {"sitemap"}


def test_feed_mode(site_server: tuple[NewsSite, SiteServer], tmp_path: Path) -> None:
    site, server = site_server
    result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", feed=server.url("/feed/atom/"))
    assert urls_of(result) == {a.url(server.base_url) for a in site.feed_articles()}
    assert {r["discovered_via"] for r in result.records()} == {"feed"}


def test_url_list_mode(site_server: tuple[NewsSite, SiteServer], tmp_path: Path) -> None:
    site, server = site_server
    wanted = [a.url(server.base_url) for a in site.articles[3:8]]
    listing = tmp_path / "urls.txt"
    listing.write_text("# five stories\n" + "\n".join(wanted) + "\n" + server.url("/tag/cuba/") + "\n")
    result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", urls=str(listing))
    assert urls_of(result) == set(wanted)
    assert {r["discovered_via"] for r in result.records()} == {"url list"}


def test_sources_mode_with_limits(site_server: tuple[NewsSite, SiteServer], tmp_path: Path) -> None:
    site, server = site_server
    since = sorted(a.date_published for a in site.articles)[20][:10]
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "[[site]]\n"
        f'name = "test site"\nurl = "{server.base_url}/"\n'
        f'since = "{since}"\n'
        "deny_patterns = ['/business/']\n"
    )
    result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}", sources=str(sources))
    expected = {a.url(server.base_url) for a in site.articles
                if a.date_published[:10] >= since and "/business/" not in a.url(server.base_url)}
    assert expected and urls_of(result) == expected

    capped = tmp_path / "capped.toml"
    capped.write_text(f'[[site]]\nsitemaps = ["{server.base_url}/sitemap_index.xml"]\nmax_pages = 7\n')
    result = run_crawl(tmp_path, f"sqlite:///{tmp_path / 'db2.sqlite'}", sources=str(capped))
    assert len(urls_of(result)) == 7


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "takes exactly one input"),
        (["-a", "url=http://127.0.0.1:1/", "-a", "feed=http://127.0.0.1:1/feed"], "got feed, url"),
        (["-a", "url=news.example"], "not an absolute http(s) URL"),
        (["-a", "urls=does-not-exist.txt"], "does not exist"),
        (["-a", "url=http://127.0.0.1:1/", "-s", "NEWSCLEAN_BATCH_SIZE=none"], "NEWSCLEAN_BATCH_SIZE"),
        (["-a", "url=http://127.0.0.1:1/", "-s", "NEWSCLEAN_DATABASE_URL=postgresql://u:hunter2@127.0.0.1:1/x"],
         "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/x"),
    ],
)
def test_bad_arguments_fail_at_start(tmp_path: Path, args: list[str], message: str) -> None:
    from .conftest import run_scrapy

    proc = run_scrapy(["crawl", "news", *args], cwd=tmp_path, timeout=60)
    # a usage error (2), except a database that cannot be opened: well-formed, it fails (1) in one line
    assert proc.returncode == (1 if "cannot open the database" in message else 2)
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and "hunter2" not in proc.stderr
    assert not (tmp_path / "newsclean.db").exists()


def test_run_summary_and_exit_status(crawled: Crawled) -> None:
    assert crawled.result.returncode == 0
    assert "newsclean run: finished; " in crawled.result.log
    assert "; 40 articles stored; " in crawled.result.log


def test_interrupted_run_exits_non_zero(site_server: tuple[NewsSite, SiteServer], tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from .conftest import FAST_CRAWL, REPO

    _site, server = site_server
    settings = {**FAST_CRAWL, "DOWNLOAD_DELAY": "0.5", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    args = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"url={server.base_url}/",
            "-s", f"NEWSCLEAN_DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite'}"]
    for key, value in settings.items():
        args += ["-s", f"{key}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines = []
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        lines.append(line)
        # the spider names its sources once the engine runs (after "Spider opened" and the pipelines'
        # start-up, which a loaded machine can make last longer than a second)
        if "[spiders.news] INFO: Source " in line or time.monotonic() > deadline:
            break
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)   # what cron's timeout or an operator's Ctrl-C sends
    out, _ = proc.communicate(timeout=120)
    log = "".join(lines) + out
    assert proc.returncode == 1, log[-2000:]
    assert "newsclean run: shutdown; " in log


def test_a_run_stopped_while_starting_says_so() -> None:
    from crawler.commands.crawl import failed, summary

    # Ctrl-C while the pipelines open: Scrapy never closes the spider, so no finish reason is recorded
    stats = {"response_received_count": 0}
    assert summary(stats).startswith("newsclean run: stopped before the crawl started; 0 pages fetched")
    assert failed(stats)
    assert summary({"finish_reason": "shutdown"}).startswith("newsclean run: shutdown; ")


def test_feed_is_json_lines_with_the_record_fields(crawled: Crawled) -> None:
    from crawler.items import ARTICLE_FIELDS

    lines = crawled.result.feed.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    assert list(json.loads(lines[0])) == list(ARTICLE_FIELDS)


def test_demo_command(tmp_path: Path) -> None:
    """The README's first command: crawls the bundled site with the default settings, offline."""
    from .conftest import run_scrapy

    proc = run_scrapy(["demo", "--port", "0"], cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert re.search(r"Stored (\d+) articles in this run \(\1 rows in the database\)", proc.stdout), proc.stdout
    stored_count = int(re.search(r"Stored (\d+) articles", proc.stdout).group(1))  # type: ignore[union-attr]
    assert stored_count >= 30
    assert f"database: {tmp_path / 'newsclean.db'}" in proc.stdout
    assert f"JSON lines: {tmp_path / 'articles.jsonl'}" in proc.stdout
    lines = (tmp_path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == stored_count
