"""429/503 with ``Retry-After`` (`crawler.middlewares.RetryAfterMiddleware`): the retry waits what the
server asks (delta-seconds or HTTP-date), at most ``NEWSCLEAN_RETRY_AFTER_MAX_SECONDS`` (beyond it the
request is given up with a logged reason), the site's download slot is slowed meanwhile, and the
waits do not use up ``RETRY_TIMES``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import RETRY_AFTER_MAX_TIMES, RetryAfterMiddleware, retry_after_seconds
from crawler.testsite.server import Reply, Route, RouteServer
from crawler.testsite.server import article_reply as article
from crawler.testsite.server import sitemap_reply as sitemap

from .conftest import run_crawl, stats_of, stored_urls

# ---------------------------------------------------------------------------------- a small site


def throttled(times: int, retry_after: str, then: Route) -> Route:
    """A route answering 429 with ``Retry-After`` the first ``times`` requests, then ``then``."""
    count = 0

    def route() -> Reply:
        nonlocal count
        count += 1
        if count <= times:
            return Reply(429, {"Retry-After": retry_after, "Content-Type": "text/plain"}, b"slow down\n")
        return then if isinstance(then, Reply) else then()

    return route


@pytest.fixture
def site() -> Iterator[RouteServer]:
    with RouteServer() as server:
        yield server


# ------------------------------------------------------------------------------------- end to end

STORY = "/2026/02/10/council-votes-on-ferry-budget"


@pytest.mark.slow
def test_a_429_is_retried_after_its_retry_after_and_the_article_stored(site: RouteServer, tmp_path: Path) -> None:
    # three 429s: more than RETRY_TIMES=1 allows, so the Retry-After waits must not use it up
    site.routes[STORY] = throttled(3, "1", article("Council votes on the ferry budget"))
    site.routes["/sitemap.xml"] = sitemap(site.base_url, STORY)
    db = f"sqlite:///{tmp_path / 'n.db'}"
    result = run_crawl(tmp_path, db, settings={"RETRY_TIMES": "1", "ROBOTSTXT_OBEY": "False"},
                       sitemap=site.base_url + "/sitemap.xml")
    assert result.returncode == 0, result.log[-3000:]
    hits = site.seen(STORY)
    assert [h.status for h in hits] == [429, 429, 429, 200]
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:], strict=False)]
    assert all(gap >= 1.0 for gap in gaps), gaps  # the server's own clock: never sooner than asked
    assert stored_urls(db) == [site.base_url + STORY]
    stats = stats_of(result.log)
    assert stats["newsclean/retry_after/retried"] == 3
    assert "newsclean/fetch_error/http_429" not in stats
    assert "retrying in 1.0 s, as its Retry-After asks" in result.log


@pytest.mark.slow
def test_a_retry_after_beyond_the_maximum_gives_the_request_up(site: RouteServer, tmp_path: Path) -> None:
    site.routes[STORY] = throttled(99, "3600", article("Council votes on the ferry budget"))
    site.routes["/sitemap.xml"] = sitemap(site.base_url, STORY)
    db = f"sqlite:///{tmp_path / 'n.db'}"
    result = run_crawl(tmp_path, db, settings={"NEWSCLEAN_RETRY_AFTER_MAX_SECONDS": "5", "ROBOTSTXT_OBEY": "False"},
                       sitemap=site.base_url + "/sitemap.xml")
    assert result.returncode == 0, result.log[-3000:]
    assert [h.status for h in site.seen(STORY)] == [429]  # not retried at once by RetryMiddleware either
    stats = stats_of(result.log)
    assert stats["newsclean/retry_after/beyond_max"] == 1
    assert stats["newsclean/fetch_error/http_429"] == 1
    assert "retry/count" not in stats
    assert (f"Giving up {site.base_url}{STORY} for this run: HTTP 429 asks to retry after 3600 s, "
            "more than NEWSCLEAN_RETRY_AFTER_MAX_SECONDS=5") in result.log


# ------------------------------------------------------------------------------------ the header

NOW = 1_790_000_000.0


@pytest.mark.parametrize(("value", "date", "seconds"), [
    ("120", None, 120.0),
    (b" 0 ", None, 0.0),
    (formatdate(NOW + 30, usegmt=True), None, 30.0),  # measured from our clock without a Date
    (formatdate(NOW + 30, usegmt=True), formatdate(NOW - 60, usegmt=True), 90.0),  # from the server's Date
    (formatdate(NOW + 30, usegmt=True), "not a date", 30.0),
    (formatdate(NOW - 30, usegmt=True), None, 0.0),  # a date past: now
    ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:27:00 GMT", 60.0),
    (None, None, None),
    ("", None, None),
    ("soon", None, None),
    ("-5", None, None),
    ("1.5", None, None),
    ("²", None, None),  # a digit to str.isdigit, not to HTTP
])
def test_retry_after_header(value: str | bytes | None, date: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, date=date, now=NOW) == seconds


# ------------------------------------------------------------------------------ the middleware


def middleware(**settings: Any) -> RetryAfterMiddleware:
    crawler = get_crawler(settings_dict={"NEWSCLEAN_RETRY_AFTER_MAX_SECONDS": 60, **settings})
    crawler.spider = SimpleNamespace(crawler=crawler)
    slots = {"news.example": SimpleNamespace(delay=0.25)}
    crawler.engine = SimpleNamespace(downloader=SimpleNamespace(slots=slots))  # type: ignore[assignment]
    return RetryAfterMiddleware.from_crawler(crawler)


def fetched(url: str = "https://news.example/a", **meta: Any) -> Request:
    return Request(url, meta={"download_slot": "news.example", **meta})


def answer(request: Request, status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Response(request.url, status=status, headers=headers, request=request)


def respond(mw: RetryAfterMiddleware, request: Request, response: Response) -> Request | Response:
    return asyncio.run(mw.process_response(request, response))  # type: ignore[no-any-return]


def test_a_retry_is_a_copy_that_keeps_retry_times_and_skips_scrapys_retry() -> None:
    mw = middleware()
    request = fetched(retry_times=1)
    retry = respond(mw, request, answer(request, 503, "0"))
    assert isinstance(retry, Request) and retry is not request and retry.dont_filter
    assert retry.meta["retry_times"] == 1 and retry.meta["nc_retry_after_times"] == 1
    assert "dont_retry" not in retry.meta and request.meta["dont_retry"] is True
    assert mw.stats.get_value("newsclean/retry_after/retried") == 1


def test_waits_are_bounded_in_number() -> None:
    mw = middleware()
    request = fetched(nc_retry_after_times=RETRY_AFTER_MAX_TIMES)
    response = answer(request, 429, "0")
    assert respond(mw, request, response) is response and request.meta["dont_retry"] is True
    assert mw.stats.get_value("newsclean/retry_after/max_reached") == 1


def test_the_site_is_slowed_then_put_back() -> None:
    mw = middleware()
    slot = mw.crawler.engine.downloader.slots["news.example"]
    request = fetched()
    respond(mw, request, answer(request, 429, "7200"))  # beyond the maximum: slowed to the maximum
    assert slot.delay == 60
    other = fetched("https://news.example/b")
    ok = answer(other, 200)
    assert respond(mw, other, ok) is ok
    assert slot.delay == 0.25


def test_left_to_retry_middleware_without_the_header_or_when_told_not_to_retry() -> None:
    mw = middleware()
    for request, status, header in [(fetched(), 429, None), (fetched(), 503, "soon"),
                                    (fetched(dont_retry=True), 429, "1"), (fetched(), 500, "1")]:
        response = answer(request, status, header)
        assert respond(mw, request, response) is response
    assert mw.stats.get_value("newsclean/retry_after/retried") is None
    assert mw.crawler.engine.downloader.slots["news.example"].delay == 0.25


@pytest.mark.parametrize("settings", [{"RETRY_ENABLED": False}, {"RETRY_HTTP_CODES": [500, 502]}])
def test_off_with_scrapys_retry_or_without_429_and_503(settings: dict[str, Any]) -> None:
    with pytest.raises(NotConfigured):
        middleware(**settings)
