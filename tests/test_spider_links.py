"""The spider reads a page's links with lxml's parser (no tree, no decoded copy): the same links as
``response.xpath("//a/@href")``, whatever the page's encoding."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.testsite import NewsSite
from spiders.news import hrefs

SITE = NewsSite(n_articles=8)


@pytest.mark.parametrize(("body", "encoding"), [
    (b"<html><body><a href='/a'>x</a><!-- <a href='/c'> --><p><a href=\"b?x=1&amp;y=2\">y</a><a>no href</a>",
     "utf-8"),
    ("<html><head><meta charset='windows-1252'></head><a href='/caf\xe9'>caf\xe9</a></html>".encode("cp1252"),
     "cp1252"),
    ("<html><a href='/\u65e5\u672c'>\u65e5\u672c</a></html>".encode("shift_jis"), "shift_jis"),
    ("<html><a href='/x'>x</a></html>".encode("utf-16"), "utf-16"),
    (b"<a href=' /spaced '>unclosed <div><a href=/bare>", "utf-8"),
    (SITE.render_article(SITE.articles[2], "http://127.0.0.1:8000").encode(), "utf-8"),
])
def test_links_are_those_xpath_finds(body: bytes, encoding: str) -> None:
    response = HtmlResponse("https://news.example/story", body=body, encoding=encoding)
    assert hrefs(response) == response.xpath("//a/@href").getall()


def test_an_empty_page_has_no_links() -> None:
    assert hrefs(HtmlResponse("https://news.example/", body=b"", encoding="utf-8")) == []
