"""Incremental crawls: a second run costs a fraction of the first, and edits are noticed.

Request counts come from the test server's own log, not from the crawler's counters.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.testsite import NewsSite, SiteServer

from .conftest import run_crawl, run_scrapy

pytestmark = pytest.mark.slow

N_ARTICLES = 500
EDITED = range(100, 110)


def article_gets(server: SiteServer, site: NewsSite) -> dict[str, int]:
    paths = {a.path for a in site.articles}
    counts: dict[str, int] = {}
    for r in server.requests:
        if r.method == "GET" and r.path in paths:
            counts[r.path] = counts.get(r.path, 0) + 1
    return counts


def test_second_run_skips_known_articles_and_edits_get_revisions(tmp_path: Path) -> None:
    site = NewsSite(n_articles=N_ARTICLES)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    with SiteServer(site) as server:
        first = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert first.returncode == 0, first.log[-3000:]
        first_gets = article_gets(server, site)
        assert len(first.records()) == N_ARTICLES and len(first_gets) == N_ARTICLES

        server.clear_log()
        second = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert second.returncode == 0, second.log[-3000:]
        second_gets = sum(article_gets(server, site).values())
        assert second_gets <= 0.05 * sum(first_gets.values()), second_gets
        assert second.records() == []                              # nothing new stored
        assert "newsclean/skipped/known" in second.log

        for index in EDITED:
            site.edit_article(index, new_paragraph=f"Correction {index}: an earlier version misstated a figure.")
        server.clear_log()
        third = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert third.returncode == 0, third.log[-3000:]
        edited_urls = {site.article(i).url(server.base_url) for i in EDITED}
        assert {r["canonical_url"] for r in third.records()} == edited_urls
        assert sum(article_gets(server, site).values()) <= 0.05 * sum(first_gets.values()) + len(EDITED)

    proc = run_scrapy(["export", "--revisions", "--database", database_url], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    revisions = [json.loads(line) for line in proc.stdout.splitlines()]
    assert sorted(r["canonical_url"] for r in revisions) == sorted(edited_urls)
    proc = run_scrapy(["export", "--database", database_url], cwd=tmp_path, timeout=120)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == N_ARTICLES
    for row in rows:
        if row["canonical_url"] in edited_urls:
            assert "an earlier version misstated a figure" in row["text"]


def test_revisit_sends_a_conditional_request_and_304_costs_no_extraction(tmp_path: Path) -> None:
    site = NewsSite(n_articles=12)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    revisit_all = {"NEWSCLEAN_REVISIT_DAYS": "36500", "NEWSCLEAN_REVISIT_HOURS": "0"}
    with SiteServer(site) as server:
        first = run_crawl(tmp_path, database_url, url=server.base_url + "/")
        assert first.returncode == 0, first.log[-3000:]
        server.clear_log()
        second = run_crawl(tmp_path, database_url, settings=revisit_all, url=server.base_url + "/")
        assert second.returncode == 0, second.log[-3000:]
        paths = {a.path for a in site.articles}
        revisits = [r for r in server.requests if r.path in paths]
    assert revisits and all(r.status == 304 for r in revisits)
    assert all("if-none-match" in r.headers and "if-modified-since" in r.headers for r in revisits)
    assert second.records() == []
    assert "'newsclean/articles/unchanged': 12" in second.log
    assert "newsclean/extracted" not in second.log
    # a 304 is no failure: not logged as one, not counted as one, and the run's summary says what it was
    assert "newsclean/fetch_failed/article" not in second.log and "Could not fetch article" not in second.log
    assert "; 12 unchanged (304); " in second.log


def test_incremental_can_be_turned_off(tmp_path: Path) -> None:
    site = NewsSite(n_articles=10)
    database_url = f"sqlite:///{tmp_path / 'newsclean.db'}"
    with SiteServer(site) as server:
        assert run_crawl(tmp_path, database_url, url=server.base_url + "/").returncode == 0
        again = run_crawl(tmp_path, database_url, settings={"NEWSCLEAN_INCREMENTAL": "False"},
                          url=server.base_url + "/")
    assert again.returncode == 0
    assert len(again.records()) == 10


def test_a_redirected_article_url_is_an_alias_and_not_fetched_again(tmp_path: Path) -> None:
    """The sitemap lists an old URL that redirects to the article: the old URL is recorded as an alias,
    so the next run knows it and asks for neither (without it, every run followed the redirect and
    extracted the page again)."""
    from crawler.storage import ArticleStore
    from crawler.testsite.server import Reply, RouteServer
    from crawler.testsite.server import article_reply as article
    from crawler.testsite.server import sitemap_reply as sitemap

    from .conftest import stats_of

    old, new = "/old/2026/02/10/council-votes", "/2026/02/10/council-votes-on-the-ferry-budget"
    with RouteServer() as site:
        site.routes[old] = Reply(301, {"Location": site.base_url + new}, b"")
        site.routes[new] = article("Council votes on the ferry budget")
        site.routes["/sitemap.xml"] = sitemap(site.base_url, old)
        db = f"sqlite:///{tmp_path / 'n.db'}"
        settings = {"ROBOTSTXT_OBEY": "False"}
        first = run_crawl(tmp_path, db, settings=settings, sitemap=site.base_url + "/sitemap.xml")
        assert first.returncode == 0, first.log[-3000:]
        again = run_crawl(tmp_path, db, settings=settings, sitemap=site.base_url + "/sitemap.xml")
        assert again.returncode == 0, again.log[-3000:]
        assert (site.hits(old), site.hits(new)) == (1, 1)
        assert stats_of(again.log)["newsclean/skipped/known"] == 1
    store = ArticleStore(db, migrate=False)
    try:
        known = store.known(site.base_url + old)
        assert known is not None and known.canonical_url == site.base_url + new
        [record] = list(store.iter_records())
        assert record["extraction"]["redirected_from"] == [site.base_url + old]
    finally:
        store.close()
