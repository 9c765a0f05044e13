"""The bounded frontier: article requests beyond NEWSCLEAN_MAX_QUEUED wait compacted, none is lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import scrapy

from crawler.frontier import CHUNK, HeldRequests, compact, rebuild
from crawler.testsite import NewsSite, SiteServer

from .conftest import run_crawl, stored_urls


class _Spider(scrapy.Spider):
    name = "t"

    def parse_page(self, response: Any) -> None:
        pass

    def on_error(self, failure: Any) -> None:
        pass


def _request(spider: _Spider, n: int, **kwargs: Any) -> scrapy.Request:
    return scrapy.Request(f"https://news.example/2026/story-{n}.html", callback=spider.parse_page,
                          errback=spider.on_error, priority=10, dont_filter=True,
                          meta={"nc_role": "article", "nc_date": "2026-01-02", "depth": 1, "nc_source": 0},
                          **kwargs)


def _same(a: scrapy.Request, b: scrapy.Request) -> bool:
    fields = ("url", "callback", "errback", "priority", "meta", "headers", "dont_filter", "method", "body",
              "cookies", "cb_kwargs", "flags")
    return all(getattr(a, name) == getattr(b, name) for name in fields) and type(a) is type(b)


@pytest.mark.parametrize("kwargs", [{}, {"headers": {"If-None-Match": '"abc"'}}, {"method": "POST", "body": b"x=1"},
                                    {"cookies": {"a": "b"}}, {"cb_kwargs": {"page": 2}}, {"flags": ["revisit"]}])
def test_a_request_comes_back_equal(kwargs: dict[str, Any]) -> None:
    spider = _Spider()
    request = _request(spider, 1, **kwargs)
    entry = compact(request, spider)
    assert entry is not None
    assert _same(rebuild(entry, spider), request)


def test_requests_it_cannot_rebuild_exactly_pass_through() -> None:
    spider = _Spider()
    foreign = scrapy.Request("https://news.example/a", callback=lambda r: None)
    assert compact(foreign, spider) is None
    odd_meta = _request(spider, 1)
    odd_meta.meta["obj"] = object()
    assert compact(odd_meta, spider) is None
    assert compact(_request(spider, 1, cb_kwargs={"obj": object()}), spider) is None


def test_held_requests_keep_their_order_across_compressed_chunks() -> None:
    spider = _Spider()
    held = HeldRequests()
    n = 2 * CHUNK + 7
    for i in range(n):
        entry = compact(_request(spider, i), spider)
        assert entry is not None
        held.push(entry)
    assert len(held) == n
    out = [rebuild(held.pop(), spider).url for _ in range(CHUNK + 3)]
    for i in range(n, n + 3):  # pushed while others wait: still after them
        entry = compact(_request(spider, i), spider)
        assert entry is not None
        held.push(entry)
    while len(held):
        out.append(rebuild(held.pop(), spider).url)
    assert out == [f"https://news.example/2026/story-{i}.html" for i in range(n + 3)]


@pytest.mark.slow
def test_a_sitemap_larger_than_the_queue_is_crawled_whole_and_once(tmp_path: Path) -> None:
    site = NewsSite(n_articles=120)
    with SiteServer(site) as server:
        db = f"sqlite:///{tmp_path / 'db.sqlite'}"
        result = run_crawl(tmp_path, db, settings={"NEWSCLEAN_MAX_QUEUED": "10", "CONCURRENT_REQUESTS": "2",
                                                     # Scrapy reads up to 2 x CONCURRENT_ITEMS outputs ahead
                                                     "CONCURRENT_ITEMS": "1"},
                           sitemap=server.url("/sitemap_index.xml"))
        assert result.returncode == 0, result.log[-3000:]
        wanted = site.article_urls(server.base_url)
        assert set(stored_urls(db)) == wanted
        fetched = Counter(r.path for r in server.requests)
        for url in wanted:
            assert fetched[urlsplit(url).path] == 1, url
    assert "further article requests wait in a compact queue" in result.log
    assert "'newsclean/frontier/max_held': " in result.log
