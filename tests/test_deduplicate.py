"""The deduplicate pipeline on a real store: one record per story, and no story lost to a wrong
canonical tag."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from crawler.config import Config
from crawler.extraction import content_hash
from crawler.items import ArticleItem
from crawler.storage import ArticleStore
from pipelines.deduplicate import DeduplicatePipeline

WORDS = ("harbour council ferry budget vote mayor river pier market teachers school energy court report "
         "village farmers festival railway hospital election").split()


def story(seed: int) -> str:
    """A text of 120 words, different for each seed (far apart in SimHash)."""
    words = [f"{WORDS[(seed * 7 + i * (seed + 3)) % len(WORDS)]}{(seed * 31 + i) % 97}" for i in range(120)]
    return " ".join(words) + "."


def record(url: str, canonical: str, text: str) -> ArticleItem:
    return ArticleItem(url=url, canonical_url=canonical, title="A story", text=text, word_count=len(text.split()),
                       content_hash=content_hash(text))


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


@pytest.fixture
def pipeline(database_url: str) -> Any:
    stats = Stats()
    pipe = DeduplicatePipeline(Config.from_settings(Settings({"NEWSCLEAN_DATABASE_URL": database_url})), stats)
    pipe.store = ArticleStore(database_url)
    yield pipe
    pipe.store.close()


SECTION = "https://news.example/politics/"


def test_two_stories_declaring_one_canonical_url_are_both_kept(pipeline: Any) -> None:
    """A theme names its section page as every article's canonical URL: the first article keeps that
    key, the next ones are keyed by their own URLs instead of being dropped as duplicates."""
    first = pipeline.process_item(record("https://news.example/politics/a-1", SECTION, story(1)))
    second = pipeline.process_item(record("https://news.example/politics/b-2", SECTION, story(2)))
    third = pipeline.process_item(record("https://news.example/politics/c-3", SECTION, story(3)))
    assert first.canonical_url == SECTION
    assert second.canonical_url == "https://news.example/politics/b-2"
    assert third.canonical_url == "https://news.example/politics/c-3"
    assert pipeline.stats.values["newsclean/canonical_conflicts"] == 2


def test_the_same_story_under_one_canonical_url_is_still_one_record(pipeline: Any) -> None:
    """The same story (a print or AMP version, a tracking variant) under the same canonical URL is
    dropped and its URL kept as an alias, even when its text differs slightly."""
    text = story(4)
    pipeline.process_item(record("https://news.example/politics/d-4", "https://news.example/politics/d-4", text))
    with pytest.raises(DropItem, match="duplicate of"):
        pipeline.process_item(record("https://news.example/amp/politics/d-4", "https://news.example/politics/d-4",
                                     text + " Read more on our website."))
    assert pipeline.stats.values["newsclean/dropped/duplicate url"] == 1
    assert not pipeline.stats.values["newsclean/canonical_conflicts"]


def test_the_key_s_own_page_keeps_its_text_when_another_page_named_it(pipeline: Any) -> None:
    """An earlier page named this page's URL as its canonical URL with another story: this page, whose
    own URL the key is, is passed on (its text is the key's), not dropped."""
    own = "https://news.example/politics/e-5"
    pipeline.process_item(record("https://news.example/politics/f-6", own, story(6)))
    item = pipeline.process_item(record(own, own, story(5)))
    assert item.canonical_url == own and item.text == story(5)
    assert pipeline.stats.values["newsclean/canonical_conflicts"] == 1
