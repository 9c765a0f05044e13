"""The deduplicate pipeline on a real store: one record per story, and no story lost to a wrong
canonical tag."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from crawler.config import Config
from crawler.duplicates import StoredKeys, simhash
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


def record(url: str, canonical: str, text: str, title: str | None = None) -> ArticleItem:
    """A record whose headline is its text's first words (another story, another headline), unless given."""
    return ArticleItem(url=url, canonical_url=canonical, title=title or " ".join(text.split()[:4]), text=text,
                       word_count=len(text.split()), content_hash=content_hash(text))


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] += count


class StoringPipeline(DeduplicatePipeline):
    """The pipeline with the store pipeline's part played at once: each record it passes on is written
    and reported stored (`records_stored`), so that every later decision must come from the database."""

    run: int

    def process_item(self, item: Any) -> Any:
        out = super().process_item(item)
        assert self.store is not None
        self.store.upsert([ItemAdapter(out).asdict()], run_id=self.run)
        self.records_stored(canonical_urls=[ItemAdapter(out)["canonical_url"]], run_id=self.run)
        assert not self.by_url and not self.by_hash and not len(self.near)  # nothing kept in memory
        return out


@pytest.fixture(params=["in memory", "stored"])
def pipeline(database_url: str, request: pytest.FixtureRequest) -> Any:
    """The pipeline with its earlier records in memory (not written yet), or each already stored."""
    stats = Stats()
    config = Config.from_settings(Settings({"NEWSCLEAN_DATABASE_URL": database_url}))
    pipe = DeduplicatePipeline(config, stats) if request.param == "in memory" else StoringPipeline(config, stats)
    pipe.store = ArticleStore(database_url)
    if isinstance(pipe, StoringPipeline):
        pipe.run = pipe.store.start_run("test", {})
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
    own, other = "https://news.example/politics/e-5", "https://news.example/politics/f-6"
    earlier = pipeline.process_item(record(other, own, story(6)))
    item = pipeline.process_item(record(own, own, story(5)))
    assert item.canonical_url == own and item.text == story(5)
    assert pipeline.stats.values["newsclean/canonical_conflicts"] == 1
    # the earlier page's story is looked up under its own URL now, as the store will hold it
    if isinstance(pipeline, StoringPipeline):
        assert pipeline.by_hash == {} and len(pipeline.near) == 0
    else:
        assert pipeline.by_hash == {content_hash(story(5)): own, content_hash(story(6)): other}
        assert len(pipeline.near) == 2
        pipeline.store.upsert([ItemAdapter(earlier).asdict(), ItemAdapter(item).asdict()])  # one batch
    stored = {r["canonical_url"]: r["text"] for r in pipeline.store.iter_records()}
    assert stored == {own: story(5), other: story(6)}
    assert sum(1 for _ in pipeline.store.iter_revisions()) == 0


def test_a_wrong_canonical_tag_naming_an_article_stored_by_an_earlier_run_does_not_replace_it(
        database_url: str) -> None:
    """Night 1 stored a story; night 2 a new page's theme names that story's URL as its canonical URL: the
    new page is stored under its own URL and the stored story stays as it was."""
    stored_url, new_url = "https://news.example/politics/i-10", "https://news.example/politics/j-11"
    store = ArticleStore(database_url)
    try:
        store.upsert([{**ItemAdapter(record(stored_url, stored_url, story(10))).asdict(), "simhash": simhash(story(10))}])
        pipe = DeduplicatePipeline(Config.from_settings(Settings({"NEWSCLEAN_DATABASE_URL": database_url})), Stats())
        pipe.store = store
        item = pipe.process_item(record(new_url, stored_url, story(11)))
        assert item.canonical_url == new_url
        assert pipe.stats.values["newsclean/canonical_conflicts"] == 1
        # the same story under the stored key (an AMP or tracking variant) is no conflict: keyed as declared
        assert pipe.process_item(record(stored_url + "?amp=1", stored_url, story(10))).canonical_url == stored_url
        assert pipe.stats.values["newsclean/canonical_conflicts"] == 1
        store.upsert([ItemAdapter(item).asdict()])
        assert {r["canonical_url"]: r["text"] for r in store.iter_records()} == {
            stored_url: story(10), new_url: story(11)}
    finally:
        store.close()


def test_the_same_text_under_another_url_is_an_alias_and_a_near_copy_is_linked(pipeline: Any) -> None:
    text = story(7)
    pipeline.process_item(record("https://news.example/a/g-7", "https://news.example/a/g-7", text))
    with pytest.raises(DropItem, match="same text as https://news.example/a/g-7"):
        pipeline.process_item(record("https://mirror.example/g-7", "https://mirror.example/g-7", text))
    near = pipeline.process_item(record("https://wire.example/g-7", "https://wire.example/g-7", text + " Source link"))
    assert ItemAdapter(near)["duplicate_of"] == "https://news.example/a/g-7"


def test_a_record_this_pipeline_did_not_pass_on_is_not_a_duplicate_url(database_url: str) -> None:
    """A record written in this run without passing here (an earlier crawl's journal, replayed at the
    start) does not make this run's fresh page of the same URL a duplicate: the fresh text is stored."""
    pipe = StoringPipeline(Config.from_settings(Settings({"NEWSCLEAN_DATABASE_URL": database_url})), Stats())
    pipe.store = ArticleStore(database_url)
    try:
        pipe.run = pipe.store.start_run("test", {})
        url = "https://news.example/a/h-8"
        pipe.store.upsert([ItemAdapter(record(url, url, story(8))).asdict()], run_id=pipe.run)
        pipe.records_stored(canonical_urls=[url], run_id=pipe.run)
        assert ItemAdapter(pipe.process_item(record(url, url, story(9))))["text"] == story(9)
    finally:
        pipe.store.close()


def test_stored_keys_answer_yes_for_every_key_added_in_fixed_memory() -> None:
    keys = StoredKeys(bits=1 << 16, hashes=7)
    added = [f"https://news.example/{i}" for i in range(4000)]
    for key in added:
        keys.add(key)
    assert all(key in keys for key in added)
    false = sum(f"https://other.example/{i}" in keys for i in range(4000))
    assert false < 4000 * 0.05  # ~1% at this fill
    assert 3 not in keys
