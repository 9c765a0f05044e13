"""Property tests on arbitrary input: extraction, URL canonicalization and date parsing never raise.

Each property is a plain function ``check_*`` (raises AssertionError or the bug's exception), used
here with modest example counts and by ``benchmarks/fuzz.py`` with many more.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.dates import parse_date
from crawler.extraction import Article, Rejection, extract
from crawler.urls import UrlKind, canonicalize, classify, host_of, in_domains

# ------------------------------------------------------------------------------------ strategies

_TAGS = ["html", "head", "body", "title", "meta", "p", "div", "span", "a", "article", "main", "h1", "h2", "ul",
         "li", "table", "tr", "td", "script", "style", "br", "img", "nav", "footer", "time", "b", "svg", "noscript",
         "template", "iframe", "form", "!--", "![CDATA[", "?xml"]
_ATTRS = ['class="entry-content"', 'id="main"', 'property="og:type" content="article"', 'name="author" content="A"',
          'itemprop="datePublished" content="2026-02-10"', 'rel="canonical" href="/x"', 'href="javascript:x"',
          'charset="shift_jis"', 'content="text/html; charset=utf-16"', 'lang="\x00"', "x=", '"', "'"]
_TEXT = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Z", "S", "Cc", "Mn", "Cf"]), max_size=60)


@st.composite
def html_documents(draw: Any) -> str:
    """Tag soup: random open/close tags, attributes, text (controls, RTL, emoji), entities, JSON-LD."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 6))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            parts.append(f"</{tag}>")
        elif kind == 1:
            attrs = " ".join(draw(st.lists(st.sampled_from(_ATTRS), max_size=3)))
            parts.append(f"<{tag} {attrs}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&bogus;", "&#65;"])))
        elif kind == 3:
            ld = draw(st.sampled_from(['{"@type":"NewsArticle","headline":', '{"@graph":[', '[[[[', '{"author":{"name":']))
            parts.append(f'<script type="application/ld+json">{ld}{draw(_TEXT)!r}</script>')
        else:
            parts.append(draw(_TEXT))
    return "".join(parts)


@st.composite
def http_urls(draw: Any) -> str:
    """Valid absolute http(s) URLs: host, optional port, path, query (tracking parameters too), fragment."""
    label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)
    host = ".".join(draw(st.lists(label, min_size=1, max_size=3))) + draw(st.sampled_from([".example", ".com", ".de"]))
    scheme = draw(st.sampled_from(["http", "https"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    seg = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.~%", max_size=12).filter(lambda s: s not in (".", ".."))
    path = "/" + "/".join(draw(st.lists(seg, max_size=4))) + draw(st.sampled_from(["", "/", ".html"]))
    keys = st.sampled_from(["id", "page", "q", "utm_source", "fbclid", "ref", "a", "b"])
    query = "&".join(f"{k}={v}" for k, v in draw(st.lists(st.tuples(keys, label), max_size=4)))
    fragment = draw(st.sampled_from(["", "#top", "#comments"]))
    return f"{scheme}://{host}{port}{path}{'?' + query if query else ''}{fragment}"


_DATE_PIECES = ["2024", "1999", "2026", "0000", "9999", "99999999999", "12", "31", "02", "30", "-", "/", ".", " ",
                "T", ":", "Z", "+02:00", "-0530", "+14", "UTC", "GMT", "EST", "CEST", "Mon,", "Feb", "February",
                "März", "de", "am", "pm", "1712345678", "1712345678123", "10:30", "25:61", "st", "th", ",", "\x00",
                "\u2013", "\u00a0", "Ⅻ", "٢٠٢٤"]
date_like = st.lists(st.sampled_from(_DATE_PIECES), max_size=12).map("".join)

# ------------------------------------------------------------------------------------ properties

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def check_extract(html: bytes | str, encoding: str | None = None) -> None:
    """extract() returns an Article or a Rejection, and never through its internal-failure fallback
    (the ``unparseable`` rejection that hides an exception)."""
    result = extract(html, "https://news.example/2026/02/10/a-story-about-something/", encoding=encoding)
    assert isinstance(result, Article | Rejection)
    if isinstance(result, Rejection):
        assert result.reason != "unparseable", result.detail
    else:
        assert result.text and "\x00" not in result.text


def check_urls(text: str) -> None:
    """canonicalize(), classify(), host_of() and in_domains() take any string."""
    out = canonicalize(text)
    assert isinstance(out, str)
    for value in (text, out):
        assert isinstance(classify(value), UrlKind)
        assert isinstance(host_of(value), str)
        assert isinstance(in_domains(value, frozenset({"example.com"})), bool)


def check_canonical_idempotent(url: str) -> None:
    once = canonicalize(url)
    assert canonicalize(once) == once, (url, once)
    assert "utm_source" not in once and "#" not in once


def check_date(value: object) -> None:
    """parse_date() returns None or ISO 8601 with an offset that datetime.fromisoformat reads back."""
    out = parse_date(value)
    if out is not None:
        assert ISO_WITH_OFFSET.match(out), out
        assert datetime.fromisoformat(out).tzinfo is not None


# ------------------------------------------------------------------------------------ tests

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.binary(max_size=3000))
def test_extract_arbitrary_bytes(data: bytes) -> None:
    check_extract(data)


@FAST
@given(html_documents(), st.sampled_from([None, "utf-8", "cp1252", "shift_jis", "utf-16", "x-bogus"]))
def test_extract_tag_soup(html: str, encoding: str | None) -> None:
    check_extract(html)
    check_extract(html.encode("utf-8", errors="surrogatepass"), encoding)


@FAST
@given(st.text(max_size=2000))
def test_extract_arbitrary_text(text: str) -> None:
    check_extract(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), http_urls().map(lambda u: u.replace("/", "\\", 1)),
                 st.builds(lambda a, b: a + b, st.sampled_from(["http://", "https://", "//", "mailto:", "http://["]),
                           st.text(max_size=80))))
def test_urls_never_raise(text: str) -> None:
    check_urls(text)


# Found by the fuzzer: urlsplit raises ValueError ("Invalid IPv6 URL") on an unbalanced [ or ] in the host.
@pytest.mark.parametrize("url", ["http://[", "A://[", "http://]x/", "https://[::1/story", "http://[2,xm]/"])
def test_classify_unbalanced_brackets(url: str) -> None:
    assert classify(url) is UrlKind.SKIP
    assert host_of(url) == "" and not in_domains(url, frozenset({"x"}))


@settings(max_examples=200, deadline=None)
@given(http_urls())
def test_canonicalize_is_idempotent(url: str) -> None:
    check_canonical_idempotent(url)


@settings(max_examples=300, deadline=None)
@given(st.one_of(date_like, st.text(max_size=60), st.integers(), st.floats(), st.none(),
                 st.datetimes().map(str), st.datetimes().map(datetime.isoformat)))
def test_parse_date_never_raises(value: object) -> None:
    check_date(value)


# Found by the fuzzer: parse_date raised ValueError ("offset must be a timedelta strictly between...")
# for a UTC offset of 24 h or more, and ValueError/OverflowError for NaN and infinite floats (fixed).
@pytest.mark.parametrize("value", ["Mon, 01 Jan 2024 10:00:00 -9999", "10:30-053010:301230Mon,1999",
                                   "Mon, 01 Jan 2024 10:00:00 +2400", "1 January 2024 10:00 -3000"])
def test_parse_date_huge_offsets(value: str) -> None:
    check_date(value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_parse_date_non_finite_floats(value: float) -> None:
    check_date(value)
