from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.deduplication import Simhash

from crawler.duplicates import (
    BAND_WIDTHS,
    BANDS,
    NEAR_DUPLICATE_MAX_BITS,
    PROBE_RADIUS,
    NearDuplicateIndex,
    bands,
    charikar,
    distance,
    probes,
    simhash,
)
from crawler.storage import ArticleStore
from crawler.testsite import NewsSite

STORY = NewsSite(n_articles=8).articles[3].text
OTHER = NewsSite(n_articles=8).articles[4].text


_WORDS = st.sampled_from(["the", "story", "Zürich", "日本語", "x", "a-b", "(AP)", "2026", "über", "—", "。", ""])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=400), st.lists(_WORDS, max_size=300).map(" ".join)))
def test_fingerprint_is_trafilaturas_simhash(text: str) -> None:
    # stored fingerprints must stay comparable with trafilatura's own SimHash, bit for bit
    assert charikar(text) == Simhash(text).hash


def test_fingerprint_of_a_long_story_is_trafilaturas_simhash() -> None:
    for text in (STORY, OTHER, STORY * 40):
        assert charikar(text) == Simhash(text).hash


@pytest.mark.parametrize("spread", [1, 5, 13, 29])
def test_probes_find_every_fingerprint_within_the_threshold(spread: int) -> None:
    assert sum(BAND_WIDTHS) == 64 and PROBE_RADIUS * BANDS + BANDS > NEAR_DUPLICATE_MAX_BITS
    a = "0123456789abcdef"
    # flip NEAR_DUPLICATE_MAX_BITS bits spread over the fingerprint: some band's probes still hit
    flipped = f"{int(a, 16) ^ sum(1 << ((i * spread) % 64) for i in range(NEAR_DUPLICATE_MAX_BITS)):016x}"
    assert distance(a, flipped) == NEAR_DUPLICATE_MAX_BITS
    assert any(value in band_probes for value, band_probes in zip(bands(flipped), probes(a), strict=True))
    index = NearDuplicateIndex()
    index.add(a, "original")
    assert index.find(flipped) == "original"


def test_republished_copy_is_near_and_other_story_is_not() -> None:
    copy = "(Reuters) - " + STORY + "\n\nSource link"
    assert distance(simhash(STORY) or "", simhash(copy) or "") <= NEAR_DUPLICATE_MAX_BITS
    assert distance(simhash(STORY) or "", simhash(OTHER) or "") > NEAR_DUPLICATE_MAX_BITS
    assert simhash("too short to fingerprint") is None


def test_in_memory_index() -> None:
    index = NearDuplicateIndex()
    index.add(simhash(STORY) or "", "https://a.example/story")
    assert index.find(simhash(STORY + " Source link") or "") == "https://a.example/story"
    assert index.find(simhash(STORY) or "", exclude="https://a.example/story") is None
    assert index.find(simhash(OTHER) or "") is None


def record(url: str, text: str, **extra: Any) -> dict[str, Any]:
    from crawler.extraction import content_hash

    return {"url": url, "canonical_url": url, "title": "t", "text": text, "content_hash": content_hash(text),
            "simhash": simhash(text), **extra}


def test_store_finds_exact_and_near_duplicates(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        store.upsert([record("https://a.example/1", STORY), record("https://a.example/2", OTHER)])
        digest = record("x", STORY)["content_hash"]
        assert store.find_exact(digest, exclude="https://b.example/copy") == "https://a.example/1"
        assert store.find_exact(digest, exclude="https://a.example/1") is None
        near = simhash("(AP) " + STORY + " Source link") or ""
        assert store.find_near(near, exclude="https://b.example/copy") == "https://a.example/1"
        assert store.find_near(simhash(OTHER) or "", exclude="https://a.example/2") is None
        # a stored duplicate points to its original; the original is never its own duplicate
        store.upsert([record("https://b.example/copy", "(AP) " + STORY, duplicate_of="https://a.example/1")])
        assert store.find_near(simhash(STORY) or "", exclude="https://a.example/1") is None
        assert store.find_near(near, exclude="https://c.example/x") == "https://a.example/1"
    finally:
        store.close()


def test_aliases(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        store.upsert([{**record("https://a.example/1", STORY), "url": "https://a.example/1?page=all"}])
        store.add_aliases([("https://a.example/print/1", "https://a.example/1")])
        assert store.aliases() == {"https://a.example/1?page=all": "https://a.example/1",
                                   "https://a.example/print/1": "https://a.example/1"}
    finally:
        store.close()
