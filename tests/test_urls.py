from __future__ import annotations

import re

import pytest

from crawler.urls import UrlKind, UrlSet, canonicalize, classify, in_domains


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/story?utm_source=x&id=3#comments", "http://example.com/a/story?id=3"),
        ("https://example.com:443/x?fbclid=abc", "https://example.com/x"),
        ("https://example.com/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
    ],
)
def test_canonicalize(url: str, expected: str) -> None:
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://n.example/news/2026/02/02/cuba-changes-tone.html", UrlKind.ARTICLE),
        ("https://n.example/story/3000000218734/nach-kalifat", UrlKind.ARTICLE),
        ("https://n.example/world/a-long-story-about-something", UrlKind.ARTICLE),
        ("https://n.example/tag/cuba/", UrlKind.LISTING),
        ("https://n.example/author/jane-doe/", UrlKind.LISTING),
        ("https://n.example/search?q=cuba", UrlKind.LISTING),
        ("https://n.example/login", UrlKind.LISTING),
        ("https://n.example/world/?page=2", UrlKind.LISTING),
        ("https://n.example/page/2/", UrlKind.LISTING),
        ("https://n.example/", UrlKind.LISTING),
        ("https://n.example/world/", UrlKind.OTHER),
        ("https://n.example/logo.png", UrlKind.SKIP),
        ("mailto:desk@n.example", UrlKind.SKIP),
    ],
)
def test_classify(url: str, kind: UrlKind) -> None:
    assert classify(url) is kind


def test_site_patterns_override_heuristics() -> None:
    patterns = (re.compile(r"/p/\d+$"),)
    assert classify("https://n.example/p/123", article_patterns=patterns) is UrlKind.ARTICLE
    assert classify("https://n.example/a-long-slug-without-id-here", article_patterns=patterns) is UrlKind.OTHER
    deny = (re.compile(r"/video/"),)
    assert classify("https://n.example/video/2026/01/01/clip", deny_patterns=deny) is UrlKind.SKIP


def test_in_domains() -> None:
    domains = frozenset({"news.example"})
    assert in_domains("https://www.news.example/a", domains)
    assert in_domains("https://cdn.news.example/a", domains)
    assert not in_domains("https://evilnews.example/a", domains)


def test_url_set_answers_as_a_set_of_the_urls() -> None:
    seen = UrlSet()
    urls = [f"https://news.example/2026/01/02/story-{i}" for i in range(5000)] + ["https://news.example/é\udc80"]
    for url in urls:
        seen.add(url)
    seen.add(urls[0])
    assert len(seen) == len(urls)
    assert all(url in seen for url in urls)
    assert not any(f"https://news.example/2026/01/02/story-{i}/" in seen for i in range(5000))
    assert 3 not in seen


def test_site_patterns_win_over_listing_words() -> None:
    story = "https://www.theatlantic.com/ideas/archive/2024/05/council-votes-on-the-ferry-budget/678285/"
    patterns = (re.compile(r"/archive/\d{4}/"),)
    assert classify(story) is UrlKind.LISTING  # "archive" is a listing word to the generic heuristics
    assert classify(story, article_patterns=patterns) is UrlKind.ARTICLE
    # the listing words still hold for URLs the site's patterns do not name, and deny patterns still win
    assert classify("https://www.theatlantic.com/archive/", article_patterns=patterns) is UrlKind.LISTING
    assert classify(story, article_patterns=patterns, deny_patterns=(re.compile(r"/ideas/"),)) is UrlKind.SKIP
