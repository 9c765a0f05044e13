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


def test_json_lists_are_encoded_as_json_dumps_encodes_them() -> None:
    import json

    from crawler.storage import _JSON_COLUMNS, _JSON_LIST_COLUMNS, _json_list

    assert set(_JSON_COLUMNS) == {*_JSON_LIST_COLUMNS, "extraction"}  # extraction is the one JSON object
    values: list[Any] = [None, [], (), "", ["a"], ("a", "b"), AWKWARD, ["\ud800 lone surrogate", "\x00\x1f"],
                         [1, "a"], [None], [{"k": "v"}], ["a", 1.5, True], "ab", {"x": 1}, iter(["g", "h"])]
    for value in values:
        expected = json.dumps(list(value or [])) if not hasattr(value, "__next__") else '["g", "h"]'
        assert _json_list(value) == expected, value


def _article_row(store: ArticleStore, url: str) -> dict[str, Any]:
    from sqlalchemy import select

    from crawler.storage import Article

    with store.engine.connect() as conn:
        return dict(conn.execute(select(Article.__table__).where(Article.canonical_url == url)).one()._mapping)


def test_a_rewrite_of_the_same_text_refreshes_the_other_fields(database_url: str) -> None:
    """Same text, fingerprint, date and site: SQLite takes the UPDATE that leaves the indexed columns alone."""
    from sqlalchemy import event

    from crawler.duplicates import bands

    store = ArticleStore(database_url)
    try:
        fingerprint = "0123456789abcdef"
        first = record(1, simhash=fingerprint, fetched_at="2026-01-01T00:00:00+00:00")
        store.upsert([first], run_id=None)
        before = _article_row(store, first["canonical_url"])
        again = {**first, "title": "New title", "authors": ["C"], "fetched_at": "2026-02-01T00:00:00+00:00",
                 "extraction": {"path": "again"}, "etag": '"v2"', "duplicate_of": "https://n.example/other"}
        counts: dict[str, int] = {}
        statements: list[str] = []
        event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(" ".join(args[2].split()[:3])))
        store.upsert([again], counts=counts)
        assert counts == {"new": 0, "updated": 0, "same_text": 1}
        if store.dialect == "sqlite":
            # the refresh, and no upsert of the article after it (the alias is written as ever)
            assert [s for s in statements if "articles" in s] == ["UPDATE articles SET"], statements
        after = _article_row(store, first["canonical_url"])
        for name in ("title", "fetched_at", "etag", "duplicate_of"):
            assert after[name] == again[name], name
        assert after["authors"] == ["C"] and after["extraction"] == {"path": "again"}
        assert after["last_seen_at"] > before["last_seen_at"]
        for name in ("text", "content_hash", "simhash", "site", "date_published", "first_seen_at", "updated_at",
                     "simhash_band0", "simhash_band1", "simhash_band2", "id"):
            assert after[name] == before[name], name
        assert [after[f"simhash_band{i}"] for i in range(3)] == list(bands(fingerprint))
        # A new date or fingerprint with the same text goes through the upsert, which rewrites them.
        moved = {**again, "date_published": "2026-01-09T10:00:00+01:00", "simhash": "fedcba9876543210"}
        store.upsert([moved])
        after = _article_row(store, first["canonical_url"])
        assert after["date_published"] == moved["date_published"] and after["simhash"] == moved["simhash"]
        assert [after[f"simhash_band{i}"] for i in range(3)] == list(bands("fedcba9876543210"))
        assert after["updated_at"] == before["updated_at"]
        assert list(store.iter_revisions()) == []
    finally:
        store.close()


def test_a_row_changed_after_it_was_read_is_written_by_the_upsert(database_url: str) -> None:
    """The refresh matches the stored values it read; when another writer changed them in between, the
    upsert writes the record instead, as it would have without the refresh."""
    store = ArticleStore(database_url)
    try:
        store.upsert([record(2, text="Old text.", content_hash="old")])
        newer = record(2, text="New text.", content_hash="new")
        url = newer["canonical_url"]
        # What the look-up would have read before another writer stored "Old text.": the record's own values.
        stale = [(url, "new", None, None, newer["date_published"], "n.example")]
        store._stored = lambda conn, urls: stale  # type: ignore[method-assign]
        store.upsert([newer])
        row = _article_row(store, url)
        assert (row["text"], row["content_hash"]) == ("New text.", "new")
        assert row["updated_at"] > row["first_seen_at"]
    finally:
        store.close()


def test_exact_duplicates_are_found_by_the_hash_prefix_and_told_apart_after_it(database_url: str) -> None:
    prefix = "f" * 16
    store = ArticleStore(database_url)
    try:
        store.upsert([record(1, content_hash=prefix + "a" * 48), record(2, content_hash=prefix + "b" * 48),
                      record(3, content_hash="short")])
        url = {n: record(n)["canonical_url"] for n in (1, 2, 3)}
        assert store.find_exact(prefix + "b" * 48, exclude="x") == url[2]
        assert store.find_exact(prefix + "a" * 48, exclude="x") == url[1]
        assert store.find_exact(prefix + "a" * 48, exclude=url[1]) is None
        assert store.find_exact(prefix, exclude="x") is None
        assert store.find_exact("short", exclude="x") == url[3]
    finally:
        store.close()


def test_export_filters_and_duplicate_look_ups_use_an_index(tmp_path: Any) -> None:
    """EXPLAIN QUERY PLAN of the queries that need an index (a filter that selects a slice of the table,
    and the per-item duplicate look-ups) names one."""
    from datetime import UTC, datetime

    from sqlalchemy import or_, select

    from crawler.duplicates import probes
    from crawler.storage import _BAND_COLUMNS, Article, ExportFilter, _same_hash_key

    store = ArticleStore(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        store.upsert([record(n, canonical_url=f"https://s{n % 7}.example/{n}", url=f"https://s{n % 7}.example/{n}",
                             content_hash=f"h{n}") for n in range(1, 100)])
        day = datetime(2026, 1, 3, tzinfo=UTC)
        later = datetime(2026, 1, 5, tzinfo=UTC)
        columns = [getattr(Article, c.name) for c in Article.__table__.columns]
        queries = {
            f"filter {where}": select(*columns).where(*store._conditions(where)).order_by(Article.id)
            for where in (ExportFilter(site="s3.example"), ExportFilter(site="www.s3.example", since=day),
                          ExportFilter(since=day, until=later), ExportFilter(since=day, until=later, by="first_seen"))
        }
        queries["find_exact"] = _same_hash_key("h7").where(Article.canonical_url != "x")
        queries["find_near"] = select(Article.id).where(
            or_(*(getattr(Article, c).in_(v) for c, v in zip(_BAND_COLUMNS, probes("0123456789abcdef"), strict=True))))
        queries["known"] = select(Article.fetched_at).where(Article.canonical_url == "https://s1.example/1")
        with store.engine.connect() as conn:
            for name, query in queries.items():
                sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                plan = " | ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
                assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, f"{name}: {plan}"
    finally:
        store.close()


def test_a_new_sqlite_database_gets_large_pages_and_an_old_one_keeps_its_own(tmp_path: Any) -> None:
    import sqlite3

    from crawler.storage import SQLITE_PAGE_SIZE, SQLITE_WAL_CHECKPOINT_BYTES

    def pragma(path: Any, name: str) -> int:
        with sqlite3.connect(path) as conn:
            return int(conn.execute(f"PRAGMA {name}").fetchone()[0])

    new = tmp_path / "new.db"
    store = ArticleStore(f"sqlite:///{new}")
    try:
        store.upsert([record(1)])
        with store.engine.connect() as conn:  # the store's own connection: its checkpoint in its pages
            checkpoint = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
        assert checkpoint == SQLITE_WAL_CHECKPOINT_BYTES // SQLITE_PAGE_SIZE
    finally:
        store.close()
    assert pragma(new, "page_size") == SQLITE_PAGE_SIZE > 4096

    old = tmp_path / "old.db"  # a database an earlier version created with SQLite's default pages
    with sqlite3.connect(old) as conn:
        conn.execute("PRAGMA page_size=4096")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE unrelated (x INTEGER)")
    store = ArticleStore(f"sqlite:///{old}")
    try:
        store.upsert([record(2)])
        assert [r["canonical_url"] for r in store.iter_records()] == [record(2)["canonical_url"]]
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == SQLITE_WAL_CHECKPOINT_BYTES // 4096
    finally:
        store.close()
    assert pragma(old, "page_size") == 4096


#: Metadata of a page, then what a revisit of the same page without it (a template change) brings.
FULL_METADATA: dict[str, Any] = {
    "title": "Council votes on the ferry budget", "authors": ["Jane Doe"], "date_modified": "2026-01-02T09:00:00+01:00",
    "language": "en", "site_name": "The News", "description": "The vote.", "tags": ["ferry"], "categories": ["Local"],
    "image": "https://n.example/a.jpg",
}
NO_METADATA: dict[str, Any] = {
    "title": None, "authors": [], "date_modified": "", "language": None, "site_name": "", "description": None,
    "tags": [], "categories": None, "image": "",
}


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in (*FULL_METADATA, "date_published")}


def test_a_revisit_without_metadata_keeps_the_stored_metadata(database_url: str) -> None:
    """Empty metadata (NULL, "", []) does not overwrite stored metadata, on the refresh of an unchanged
    article (SQLite's UPDATE), on the upsert, and when the text changed; the text and the fetch's own
    fields are written as ever."""
    store = ArticleStore(database_url)
    try:
        first = record(1, **FULL_METADATA, simhash="0123456789abcdef", etag='"v1"',
                       fetched_at="2026-01-01T00:00:00+00:00", duplicate_of="https://n.example/other")
        url = first["canonical_url"]
        store.upsert([first])
        stored = _metadata(_article_row(store, url))
        assert stored == {**FULL_METADATA, "date_published": first["date_published"]}
        bare = {**first, **NO_METADATA, "etag": None, "fetched_at": "2026-02-01T00:00:00+00:00", "duplicate_of": None,
                "extraction": {"path": "bare"}}
        revisits = [
            bare,                                                                       # the refresh on SQLite
            {**bare, "date_published": None},                                          # the upsert: no date
            {**bare, "date_published": "", "simhash": "fedcba9876543210"},             # the upsert: new fingerprint
        ]
        for revisit in revisits:
            counts: dict[str, int] = {}
            store.upsert([revisit], counts=counts)
            assert counts == {"new": 0, "updated": 0, "same_text": 1}
            row = _article_row(store, url)
            assert _metadata(row) == stored, revisit
            assert (row["etag"], row["fetched_at"], row["duplicate_of"]) == (None, bare["fetched_at"], None)
            assert row["extraction"] == {"path": "bare"} and row["simhash"] == revisit["simhash"]
        # a changed text is written, the metadata it lacks kept; the revision has the earlier text
        edited = {**bare, "text": "The corrected story.", "content_hash": "hash-1b", "date_published": None}
        store.upsert([edited])
        row = _article_row(store, url)
        assert row["text"] == "The corrected story." and row["content_hash"] == "hash-1b"
        assert {**_metadata(row), "date_modified": None} == {**stored, "date_modified": None}
        assert row["date_modified"] > stored["date_modified"]  # the time the change was found, as before
        (revision,) = store.iter_revisions()
        assert (revision["title"], revision["text"]) == (first["title"], first["text"])
        # metadata the page states again replaces the stored metadata
        restated = {**edited, "title": "Ferry budget passes", "authors": ["A. N. Other"], "tags": ["budget"],
                    "date_published": "2026-01-01T11:00:00+01:00"}
        store.upsert([restated])
        row = _article_row(store, url)
        assert (row["title"], row["authors"], row["tags"], row["date_published"]) == (
            "Ferry budget passes", ["A. N. Other"], ["budget"], "2026-01-01T11:00:00+01:00")
        assert row["categories"] == ["Local"] and row["description"] == "The vote."
    finally:
        store.close()


def test_a_guessed_date_does_not_replace_a_stored_one(database_url: str) -> None:
    """A date the page did not state (the sitemap's lastmod, htmldate's guess) is stored for a new article,
    and keeps to the stored date of one already stored; a date the page states replaces it."""
    from crawler.storage import GUESSED_DATE_SOURCES

    def sourced(n: int, date: str | None, source: str, **overrides: Any) -> dict[str, Any]:
        return record(n, date_published=date, extraction={"metadata_sources": {"date_published": source}},
                      **overrides)

    store = ArticleStore(database_url)
    try:
        stated = "2026-01-01T10:00:00+01:00"
        store.upsert([sourced(1, stated, "json-ld datePublished"), sourced(2, "2026-01-02T00:00:00+00:00", "hinted")])
        url = {n: record(n)["canonical_url"] for n in (1, 2)}
        assert _article_row(store, url[2])["date_published"] == "2026-01-02T00:00:00+00:00"
        for source in GUESSED_DATE_SOURCES:
            for text_hash in ("hash-1", f"hash-1-{source}"):  # same text, then a changed one
                store.upsert([sourced(1, "2026-05-05T12:00:00+00:00", source, content_hash=text_hash)])
                assert _article_row(store, url[1])["date_published"] == stated, (source, text_hash)
        store.upsert([sourced(1, "2026-01-01T11:00:00+01:00", "meta article:published_time")])
        assert _article_row(store, url[1])["date_published"] == "2026-01-01T11:00:00+01:00"
        store.upsert([sourced(2, "2026-01-01T08:00:00+01:00", "json-ld datePublished")])
        assert _article_row(store, url[2])["date_published"] == "2026-01-01T08:00:00+01:00"
    finally:
        store.close()


def test_nul_is_removed_from_every_string_before_the_write(database_url: str) -> None:
    """PostgreSQL stores no NUL in text or JSONB (it refused the whole record); both backends store the
    strings without it, in lists and in the extraction object too, on the insert and the update."""
    nul = "\x00"
    store = ArticleStore(database_url)
    try:
        dirty = record(1, title=f"Council{nul}votes", authors=[f"Jane{nul}Doe", "B"], tags=[f"ferry{nul}budget"],
                       categories=[nul], description=f"{nul}d{nul}", site_name=f"The{nul} News",
                       url=f"https://n.example/2026/01/01/story-1?utm{nul}=x", text=f"Para{nul}graph.",
                       extraction={"path": f"p{nul}", f"k{nul}": [f"v{nul}", {"deep": f"x{nul}y", "n": 1}],
                                   "literal": "a \\u0000 backslash-u stays"},
                       content_hash=None, simhash=None)
        clean = {**dirty, "title": "Councilvotes", "authors": ["JaneDoe", "B"], "tags": ["ferrybudget"],
                 "categories": [""], "description": "d", "site_name": "The News",
                 "url": "https://n.example/2026/01/01/story-1?utm=x", "text": "Paragraph.",
                 "extraction": {"path": "p", "k": ["v", {"deep": "xy", "n": 1}],
                                "literal": "a \\u0000 backslash-u stays"}}
        for _ in range(2):  # the insert, then the update of the same article
            assert store.upsert([dirty]) == 1
            (row,) = store.iter_records()
            assert {name: row[name] for name in clean if name not in ("content_hash", "simhash")} == \
                {name: value for name, value in clean.items() if name not in ("content_hash", "simhash")}
        assert store.aliases() == {clean["url"]: clean["canonical_url"]}
        assert store.count() == 1 and list(store.iter_revisions()) == []
    finally:
        store.close()


def _story(seed: int) -> str:
    words = "harbour council ferry budget vote mayor river pier market teachers school energy court".split()
    return " ".join(f"{words[(seed * 5 + i * (seed + 2)) % len(words)]}{(seed * 17 + i) % 89}" for i in range(120))


def _page(url: str, canonical: str, seed: int, **overrides: Any) -> dict[str, Any]:
    """A page of story ``seed``: its own text, headline and publication time."""
    from crawler.duplicates import simhash

    text = overrides.pop("text", _story(seed))
    words = _story(seed).split()
    return record(1, **{"url": url, "canonical_url": canonical, "text": text, "content_hash": f"hash-{seed}",
                        "simhash": simhash(text), "title": f"Headline {seed}: {words[0]} {words[1]}",
                        "date_published": f"2026-01-{seed % 28 + 1:02d}T10:00:00+00:00", **overrides})


def test_the_key_s_own_page_moves_a_claimed_article_to_its_own_url(database_url: str) -> None:
    """A page that declared another page's URL as its canonical URL, with another story, was stored under
    it; when that page itself comes (a later batch or run), the earlier article moves to its own URL."""
    key, claimer = "https://n.example/2026/01/05/own-page", "https://n.example/2026/01/06/other-page"
    store = ArticleStore(database_url)
    try:
        store.upsert([_page(claimer, key, 1)])
        assert store.known(claimer) is not None  # an alias of the key
        counts: dict[str, int] = {}
        store.upsert([_page(key, key, 2)], counts=counts)
        assert {r["canonical_url"]: r["text"] for r in store.iter_records()} == {key: _story(2), claimer: _story(1)}
        assert counts == {"new": 1, "updated": 0, "same_text": 0}
        known = store.known(claimer)
        assert known is not None and known.canonical_url == claimer  # the alias to the key is gone
        assert sum(1 for _ in store.iter_revisions()) == 0
        # within one batch: the claimer first, then the key's own page
        key2, claimer2 = key + "-2", claimer + "-2"
        store.upsert([_page(claimer2, key2, 3), _page(key2, key2, 4)])
        rows = {r["canonical_url"]: r["text"] for r in store.iter_records()}
        assert rows[key2] == _story(4) and rows[claimer2] == _story(3)
    finally:
        store.close()


def test_the_same_story_under_a_variant_url_is_replaced_by_the_key_s_own_page(database_url: str) -> None:
    key = "https://n.example/2026/01/07/story"
    store = ArticleStore(database_url)
    try:
        store.upsert([_page(key + "?amp=1", key, 5)])
        store.upsert([_page(key, key, 5)])  # the same story: one article, the key's page
        assert [(r["canonical_url"], r["url"]) for r in store.iter_records()] == [(key, key)]
    finally:
        store.close()


def test_a_claimed_article_takes_its_revisions_and_aliases_along(database_url: str) -> None:
    key, claimer = "https://n.example/2026/01/08/own-page", "https://n.example/2026/01/09/other-page"
    store = ArticleStore(database_url)
    try:
        store.upsert([_page(claimer, key, 6)])
        store.upsert([_page(claimer, key, 6, text=_story(6) + " An update. " + _story(60), content_hash="hash-6b")])
        store.add_aliases([("https://n.example/old/other-page", key)])  # a redirect to the claimer, say
        store.upsert([_page(key, key, 7)])
        assert [r["canonical_url"] for r in store.iter_revisions()] == [claimer]
        known = store.known("https://n.example/old/other-page")
        assert known is not None and known.canonical_url == claimer
        # the claimer stored under its own URL too: the copy under the key goes, its text is no revision of the key
        store.upsert([_page(claimer + "-2", key + "-2", 8), _page(claimer + "-2", claimer + "-2", 8)])
        store.upsert([_page(key + "-2", key + "-2", 9)])
        rows = {r["canonical_url"]: r["text"] for r in store.iter_records()}
        assert rows[key + "-2"] == _story(9) and rows[claimer + "-2"] == _story(8)
        assert not [r for r in store.iter_revisions() if r["canonical_url"] == key + "-2"]
    finally:
        store.close()


def test_an_updated_story_reached_by_another_url_stays_one_article_with_a_revision(database_url: str) -> None:
    """A story that changed much (a live blog, a developing story), first stored from its short URL, then
    fetched from its canonical URL: its headline and date say it is one story, updated, not a claim."""
    key, short = "https://n.example/2026/01/10/council-votes", "https://n.example/news/1234"
    store = ArticleStore(database_url)
    try:
        store.upsert([_page(short, key, 10)])
        counts: dict[str, int] = {}
        store.upsert([_page(key, key, 11, title=_page(short, key, 10)["title"],
                            date_published=_page(short, key, 10)["date_published"])], counts=counts)
        assert [(r["canonical_url"], r["text"]) for r in store.iter_records()] == [(key, _story(11))]
        assert counts["updated"] == 1 and [r["text"] for r in store.iter_revisions()] == [_story(10)]
    finally:
        store.close()


def test_export_filters_compare_publication_instants_and_normalise_language_and_site(database_url: str) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from crawler.storage import ExportFilter

    published = {1: "2026-01-31T23:30:00-05:00",   # 2026-02-01 04:30 UTC
                 2: "2026-02-01T01:00:00+09:00",   # 2026-01-31 16:00 UTC
                 3: "2026-02-01T08:00:00+00:00",
                 4: "2026-02-01T20:00:00+00:00",
                 5: "2026-02-02T03:00:00+00:00"}
    store = ArticleStore(database_url)
    try:
        store.upsert([record(n, date_published=d, language="en", url=f"https://www.n.example/{n}",
                             canonical_url=f"https://www.n.example/{n}") for n, d in published.items()])

        def numbers(**kw: Any) -> list[int]:
            return sorted(int(r["canonical_url"].rsplit("/", 1)[1]) for r in store.iter_records(ExportFilter(**kw)))

        day = datetime(2026, 2, 1, tzinfo=UTC)
        assert numbers(since=day, until=day + timedelta(days=1)) == [1, 3, 4]
        assert numbers(since=day, until=datetime(2026, 2, 1, 23, 59, 59, tzinfo=UTC)) == [1, 3, 4]
        assert numbers(until=datetime(2026, 2, 1, 12, tzinfo=UTC)) == [1, 2, 3]
        assert numbers(since=datetime(2026, 2, 1, tzinfo=timezone(timedelta(hours=9)))) == [1, 2, 3, 4, 5]
        assert numbers(language="EN") == numbers(language="en-US") == [1, 2, 3, 4, 5]
        assert numbers(site="https://www.n.example/") == numbers(site="N.example") == [1, 2, 3, 4, 5]
    finally:
        store.close()
