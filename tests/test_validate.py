"""The validate pipeline: a malformed record is dropped with its URL and reasons, and so is an article
published before its source's ``since`` day; a well-formed record passes unchanged."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ArticleItem
from pipelines.validate import ValidatePipeline, problems

URL = "https://news.example/2026/01/02/story"
GOOD = ArticleItem(url=URL, canonical_url=URL, title="A story", text="The council met.", word_count=3,
                   date_published="2026-01-02T10:00:00-05:00", authors=["Ann Lee"], tags=["council"])


def pipeline(since: date | None = None) -> ValidatePipeline:
    crawler = get_crawler()
    source = SimpleNamespace(since=since)
    crawler.spider = SimpleNamespace(source_for=lambda url: source if "news.example" in url else None)
    return ValidatePipeline.from_crawler(crawler)


def test_a_well_formed_record_passes() -> None:
    assert problems(ItemAdapter(GOOD)) == []
    assert pipeline().process_item(GOOD) is GOOD


@pytest.mark.parametrize(("change", "reason"), [
    ({"canonical_url": "/2026/01/02/story"}, "canonical_url is not an absolute http(s) URL"),
    ({"url": "ftp://news.example/x"}, "url is not an absolute http(s) URL"),
    ({"text": "  \n "}, "empty text"),
    ({"date_published": "2 January 2026"}, "date_published '2 January 2026' is not ISO 8601"),
    ({"date_modified": "2026-01-02T10:00:00"}, "date_modified '2026-01-02T10:00:00' has no UTC offset"),
    ({"date_published": "20260102T100000+0000"}, "is not in ISO 8601's extended form"),
    ({"authors": "Ann Lee"}, "authors is not a list of strings"),
    ({"tags": ["a", 3]}, "tags is not a list of strings"),
])
def test_a_malformed_record_is_dropped_with_its_url_and_reason(change: dict[str, Any], reason: str) -> None:
    bad = replace(GOOD, **change)
    found = problems(ItemAdapter(bad))
    assert any(reason in p for p in found), found
    validate = pipeline(since=date(2025, 1, 1))
    with pytest.raises(DropItem, match="invalid record") as dropped:
        validate.process_item(bad)
    assert str(dropped.value).startswith(f"{bad.url}: ") and reason in str(dropped.value)
    assert validate.stats.get_value("newsclean/dropped/invalid record") == 1


def test_older_than_the_source_since_day_is_dropped() -> None:
    validate = pipeline(since=date(2026, 1, 2))
    assert validate.process_item(GOOD) is GOOD  # that day itself is kept
    old = replace(GOOD, date_published="2026-01-01T23:59:00+00:00")
    with pytest.raises(DropItem, match=r"older than since \(2026-01-01 < 2026-01-02\)"):
        validate.process_item(old)
    assert validate.stats.get_value("newsclean/dropped/older than since") == 1
    undated = replace(GOOD, date_published=None)
    assert validate.process_item(undated) is undated  # no date: kept (nothing says it is older)


def test_other_items_pass_untouched() -> None:
    other = {"url": "not a record"}
    assert pipeline().process_item(other) is other
