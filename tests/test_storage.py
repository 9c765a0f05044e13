from __future__ import annotations

from typing import Any

from crawler.storage import ArticleStore


def record(n: int, **overrides: Any) -> dict[str, Any]:
    base = {
        "url": f"https://n.example/2026/01/0{n}/story-{n}?utm_source=x",
        "canonical_url": f"https://n.example/2026/01/0{n}/story-{n}",
        "title": f"Story {n} with 'quotes'; DROP TABLE articles; --",
        "authors": ["Ana Pérez", "Li Wei"],
        "date_published": f"2026-01-0{n}T10:00:00+01:00",
        "text": f"Paragraph one of story {n}.\n\nParagraph two, «unicode» ✓.",
        "word_count": 9,
        "tags": ["world"],
        "content_hash": f"hash-{n}",
        "extraction": {"path": "test"},
    }
    return {**base, **overrides}


def test_upsert_inserts_then_updates_without_duplicates(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        assert store.upsert([record(1), record(2)]) == 2
        assert store.upsert([record(1, text="Edited text.", content_hash="hash-1b"), record(2)]) == 2
        assert store.count() == 2
        rows = {r["canonical_url"]: r for r in store.iter_records()}
        assert rows[record(1)["canonical_url"]]["text"] == "Edited text."
        assert rows[record(2)["canonical_url"]] == {
            **{k: v for k, v in record(2).items()},
            **{k: rows[record(2)["canonical_url"]][k] for k in rows[record(2)["canonical_url"]] if k not in record(2)},
        }
    finally:
        store.close()


def test_same_key_twice_in_one_batch_keeps_the_last(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        store.upsert([record(3, text="first"), record(3, text="second")])
        assert store.count() == 1
        assert [r["text"] for r in store.iter_records()] == ["second"]
    finally:
        store.close()


def test_updated_at_moves_only_when_text_changes(database_url: str) -> None:
    from sqlalchemy import select

    from crawler.storage import Article

    store = ArticleStore(database_url)
    try:
        store.upsert([record(4)])
        with store.Session() as s:
            first = s.scalars(select(Article)).one()
            t0, seen0 = first.updated_at, first.last_seen_at
        store.upsert([record(4)])
        with store.Session() as s:
            same = s.scalars(select(Article)).one()
            assert same.updated_at == t0 and same.last_seen_at >= seen0
        store.upsert([record(4, content_hash="other")])
        with store.Session() as s:
            assert s.scalars(select(Article)).one().updated_at > t0
    finally:
        store.close()


def test_a_changed_text_keeps_a_revision(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        store.upsert([record(5), record(6)])
        counts: dict[str, int] = {}
        store.upsert([record(5), record(6)])                      # unchanged: no revision
        assert list(store.iter_revisions()) == []
        edited = record(5, text="The corrected story.", content_hash="hash-5b")
        store.upsert([edited, record(6), record(7)], counts=counts)
        assert counts == {"new": 1, "updated": 1, "same_text": 1}
        (revision,) = store.iter_revisions()
        assert revision["canonical_url"] == record(5)["canonical_url"]
        assert revision["text"] == record(5)["text"] and revision["content_hash"] == "hash-5"
        rows = {r["canonical_url"]: r for r in store.iter_records()}
        now = rows[edited["canonical_url"]]
        assert now["text"] == "The corrected story."
        assert now["date_modified"] is not None and now["date_modified"] > record(5)["date_published"]
        assert rows[record(6)["canonical_url"]]["date_modified"] is None
        # a page that states its own new modification date keeps it
        store.upsert([record(5, text="Third version.", content_hash="hash-5c",
                             date_modified="2026-03-01T08:00:00+01:00")])
        assert len(list(store.iter_revisions())) == 2
        assert {r["canonical_url"]: r for r in store.iter_records()}[edited["canonical_url"]]["date_modified"] == \
            "2026-03-01T08:00:00+01:00"
    finally:
        store.close()


def test_a_record_without_a_hash_still_updates_its_text(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        store.upsert([record(8, content_hash=None)])
        store.upsert([record(8, text="Rewritten.", content_hash=None)])
        assert [r["text"] for r in store.iter_records()] == ["Rewritten."]
    finally:
        store.close()


AWKWARD = ['NULL', '', ' ', '{a,b}', '"quoted", \\back\\slash', "it's", 'tab\tnew\nline', '«ünï» ✓ 漢字 🙂', ',', '{}']


def test_awkward_values_round_trip_through_the_batched_write(database_url: str) -> None:
    """Every field written column by column (PostgreSQL: as arrays) comes back as it went in."""
    store = ArticleStore(database_url)
    try:
        records = [record(1, title=value, description=value, site_name=value, text=f"text {i} {value}",
                          authors=[value, "B"], tags=[value], categories=[], image=None, etag=value or None,
                          extraction={"path": value, "n": i, "nested": {"list": [value, None, 1.5]}},
                          canonical_url=f"https://n.example/story-{i}", url=f"https://n.example/story-{i}?v={i}",
                          content_hash=f"h{i}", simhash=None, word_count=i)
                   for i, value in enumerate(AWKWARD)]
        assert store.upsert(records) == len(AWKWARD)
        stored = list(store.iter_records())
        # stored in the batch's order, every field as written
        assert [r["canonical_url"] for r in stored] == [r["canonical_url"] for r in records]
        for want, got in zip(records, stored, strict=True):
            assert {k: got[k] for k in want} == want
        assert store.aliases() == {r["url"]: r["canonical_url"] for r in records}
        store.upsert(records)  # the update path too
        assert list(store.iter_records()) == stored
    finally:
        store.close()


def test_many_batches_count_new_updated_and_same(database_url: str) -> None:
    store = ArticleStore(database_url)
    try:
        records = [record(1, canonical_url=f"https://n.example/s-{i}", url=f"https://n.example/s-{i}",
                          content_hash=f"h{i}") for i in range(250)]
        counts: dict[str, int] = {}
        for start in range(0, 250, 100):
            store.upsert(records[start:start + 100], counts=counts)
        changed = [{**r, "content_hash": "new"} if i % 5 == 0 else r for i, r in enumerate(records)]
        store.upsert(changed, counts=counts)
        assert counts == {"new": 250, "updated": 50, "same_text": 200}
        assert store.count() == 250 and len(list(store.iter_revisions())) == 50
    finally:
        store.close()


def test_site_is_parsed_once_per_origin_with_the_same_result() -> None:
    from crawler.storage import _site, site_of

    urls = ["https://www.Example.COM:8443/a?b#c", "http://user:pw@news.example/x", "https://[::1]:80/p",
            "example.com/no-scheme", "", "https://", "  https://www.a.example/ lead", "ftp://h.example",
            "https://h.example?q", "https://h.example#f", "mailto:a@b.example", "weird scheme://host.example/"]
    for url in urls:
        assert _site(url) == site_of(url), url
