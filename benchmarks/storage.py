#!/usr/bin/env python3
"""Storage throughput: articles/s through the store's batched path, SQLite and PostgreSQL side by side.

    .venv/bin/python benchmarks/storage.py [--records 50000] [--batch 1000] [--postgres URL]

Writes N records with 4 KB texts (fingerprints computed beforehand, as the deduplicate pipeline
does during a crawl) through `ArticleStore.upsert` in batches, into a fresh SQLite file and a fresh
PostgreSQL schema, then re-writes them all (the update path of a second crawl), and streams them back
out the way `scrapy export` does, printing records/s and the export's peak memory growth.
PostgreSQL is skipped with a message when no server answers. For scale, it also runs the store's own
SQLite upsert statement straight through the sqlite3 module (same schema and settings, parameters built
beforehand), measured in the same run, before and after the store's own run: the machine's SQLite floor
for the schema; and the store's SQLite inserts in batches of a crawl's NEWSCLEAN_BATCH_SIZE. Each SQLite
run starts from a fresh file with the earlier runs' files deleted and their writes flushed to disk.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.duplicates import simhash
from crawler.extraction import content_hash
from crawler.settings import NEWSCLEAN_BATCH_SIZE
from crawler.storage import ArticleStore

GOALS = {"sqlite": 20_000, "postgresql": 5_000}
WORDS = ("government", "minister", "harbour", "council", "budget", "river", "election", "court", "report",
         "village", "teachers", "market", "energy", "festival", "hospital", "railway", "farmers", "agreement")


def records(n: int, text_bytes: int = 4096) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for i in range(n):
        words: list[str] = []
        length = 0  # of the words so far, a space after each (summing them anew took minutes)
        while length < text_bytes:
            words.append(rng.choice(WORDS) + str(rng.randrange(1000)))
            length += len(words[-1]) + 1
        text = " ".join(words)[:text_bytes]
        url = f"https://news{i % 50}.example/2026/01/{1 + i % 28:02d}/story-{i}"
        out.append({
            "url": url, "canonical_url": url, "title": f"Story {i}", "authors": ["Ana Pérez", "Li Wei"],
            "date_published": f"2026-01-{1 + i % 28:02d}T10:00:00+01:00", "date_modified": None, "language": "en",
            "site_name": f"News {i % 50}", "description": "A story.", "tags": ["world", "politics"],
            "categories": ["World"], "image": None, "text": text, "word_count": len(words),
            "fetched_at": "2026-01-30T00:00:00+00:00", "discovered_via": "sitemap", "content_hash": content_hash(text),
            "simhash": simhash(text), "duplicate_of": None, "extraction": {"path": "benchmark"},
        })
    return out


def write(store: ArticleStore, rows: list[dict[str, Any]], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        store.upsert(rows[i:i + batch])
    return time.perf_counter() - start


def settle(*databases: Path) -> None:
    """Delete the SQLite files of runs already measured and flush pending writes to disk, so that the next
    run does not pay for the previous one's write-back (the second floor read a third lower without it)."""
    for db in databases:
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
    os.sync()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str, url: str, rows: list[dict[str, Any]], batch: int) -> dict[str, float]:
    store = ArticleStore(url)
    try:
        insert = write(store, rows, batch)
        update = write(store, [{**r, "fetched_at": "2026-01-31T00:00:00+00:00"} for r in rows], batch)
        assert store.count() == len(rows), "every record stored once"
        before = peak_rss_mb()
        start = time.perf_counter()
        exported = sum(1 for _ in store.iter_records(extra=True))
        export = time.perf_counter() - start
        assert exported == len(rows)
        return {"insert": len(rows) / insert, "update": len(rows) / update, "export": len(rows) / export,
                "export_rss_growth_mb": peak_rss_mb() - before}
    finally:
        store.close()


def sqlite_floor(path: Path, rows: list[dict[str, Any]], batch: int) -> float:
    """Inserts/s of the store's own SQLite upsert statement run straight through the sqlite3 module,
    on the same schema and connection settings, with every row's parameters built beforehand and no
    look-ups: what this machine's SQLite does with the schema, whatever the Python around it costs."""
    store = ArticleStore(f"sqlite:///{path}")
    try:
        built = store._rows(rows)
        with store.engine.connect() as conn:
            sql = store._bind_sqlite(conn, built, datetime.now(UTC), None)
        params = list(map(sql.upsert_values, built))
        raw = store.engine.raw_connection()  # the store's connection: WAL, synchronous, cache as it sets them
        try:
            cursor = raw.cursor()
            start = time.perf_counter()
            for i in range(0, len(params), batch):
                cursor.executemany(sql.upsert, params[i:i + batch])
                raw.commit()
            return len(params) / (time.perf_counter() - start)
        finally:
            raw.close()
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    rows = records(args.records)
    print(f"{args.records} records, {len(rows[0]['text'])}-byte texts, batches of {args.batch}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        # the floor before and after the store's run (a b a): a drift of the machine's speed during the
        # runs weighs on both sides of the comparison alike
        dbs = [Path(tmp) / name for name in ("floor-1.db", "bench.db", "floor-2.db")]
        settle()
        floors = [sqlite_floor(dbs[0], rows, args.batch)]
        settle(dbs[0])
        results["sqlite"] = measure("sqlite", f"sqlite:///{dbs[1]}", rows, args.batch)
        settle(dbs[1])
        floors.append(sqlite_floor(dbs[2], rows, args.batch))
        settle(dbs[2])
        floor = sum(floors) / len(floors)
        # the crawl's own batch size, for scale: the store pays per commit for the index pages it rewrites
        crawl_db = Path(tmp) / "crawl-batch.db"
        store = ArticleStore(f"sqlite:///{crawl_db}")
        try:
            crawl_batch = len(rows) / write(store, rows, NEWSCLEAN_BATCH_SIZE)
        finally:
            store.close()
        settle(crawl_db)

    import psycopg

    plain = args.postgres.replace("+psycopg", "")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.Error as exc:
        print(f"postgresql: skipped, no server at {args.postgres}: {str(exc).strip().splitlines()[0]}")
    else:
        try:
            sep = "&" if "?" in args.postgres else "?"
            results["postgresql"] = measure("postgresql", f"{args.postgres}{sep}options=-csearch_path%3D{schema}",
                                            rows, args.batch)
        finally:
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')

    print(f"{'database':<11} {'insert/s':>10} {'update/s':>10} {'export/s':>10} {'goal/s':>8} {'insert/goal':>12}"
          f" {'export RSS growth':>18}")
    for name, r in results.items():
        print(f"{name:<11} {r['insert']:>10,.0f} {r['update']:>10,.0f} {r['export']:>10,.0f} {GOALS[name]:>8,}"
              f" {r['insert'] / GOALS[name]:>11.2f}x {r['export_rss_growth_mb']:>15.1f} MB")
    print(f"sqlite3 alone, the same upsert and schema, parameters built beforehand: {floor:,.0f} inserts/s"
          f" (before the store's run {floors[0]:,.0f}, after {floors[1]:,.0f});"
          f" the store reaches {results['sqlite']['insert'] / floor:.2f}x of it")
    print(f"sqlite in batches of {NEWSCLEAN_BATCH_SIZE} (a crawl's NEWSCLEAN_BATCH_SIZE): {crawl_batch:,.0f} inserts/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
