"""Meta refresh redirects: ours reads only the page's start, and decides exactly as Scrapy's does."""

from __future__ import annotations

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.middlewares import MetaRefreshHeadMiddleware

FILLER = "<p>" + "Words of the story, " * 400 + "</p>"  # past the 4,096 characters both read

PAGES = [
    b'<html><head><meta http-equiv="refresh" content="0;url=/next/"></head></html>',
    b'<html><head><base href="https://other.example/a/"><meta http-equiv="refresh" content="0; url=b.html">',
    b'<html><head><meta http-equiv="refresh" content="600;url=/slow/"></head></html>',  # over MAXDELAY
    b'<html><head><noscript><meta http-equiv="refresh" content="0;url=/js/"></noscript></head></html>',
    b"<html><head><title>No refresh</title></head><body><p>Story</p></body></html>",
    f'<html><body>{FILLER}<meta http-equiv="refresh" content="0;url=/late/"></body></html>'.encode(),
    '<html><head><meta charset="windows-1252"><meta http-equiv="refresh" content="0;url=/caf\xe9/">'.encode("cp1252"),
    '<html><head><meta http-equiv="refresh" content="0;url=/\u65e5/"></head></html>'.encode("utf-16"),
]


@pytest.mark.parametrize("body", PAGES)
def test_same_decision_as_scrapys(body: bytes) -> None:
    crawler = get_crawler(settings_dict={})
    ours, scrapys = MetaRefreshHeadMiddleware.from_crawler(crawler), MetaRefreshMiddleware.from_crawler(crawler)
    request = Request("https://news.example/story/")
    got = ours.process_response(request, HtmlResponse(request.url, body=body))
    want = scrapys.process_response(request, HtmlResponse(request.url, body=body))
    assert type(got) is type(want)
    if isinstance(want, Request):
        assert isinstance(got, Request) and got.url == want.url and got.meta == want.meta


def test_the_page_is_not_decoded_whole() -> None:
    crawler = get_crawler(settings_dict={})
    request = Request("https://news.example/story/")
    response = HtmlResponse(request.url, body=f"<html><body>{FILLER}</body></html>".encode(),
                            headers={"Content-Type": "text/html; charset=utf-8"})  # no encoding to infer
    assert MetaRefreshHeadMiddleware.from_crawler(crawler).process_response(request, response) is response
    assert response._cached_ubody is None  # Scrapy's own would have cached the whole page's text
