#!/usr/bin/env python3
"""Export memory: peak RSS of `scrapy export` from a SQLite store of N articles, at two sizes.

    .venv/bin/python benchmarks/export_memory.py [--sizes 100000 1000000] [--text-bytes 1024] [--keep DIR]

Fills one fresh SQLite file through `ArticleStore.upsert` (batches of 1,000, the storage benchmark's
records with distinct URLs) up to each size in turn, and after each runs ``scrapy export`` to JSON lines
and to CSV as a child process, printing its peak RSS (``ru_maxrss``), wall time and lines
written. Constant memory means the same peak at every size. Needs about 1.8 GB of disk per million
1 KB-text articles, plus the export files, which are deleted after each export (``--keep DIR`` puts
the database in DIR and keeps it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from storage import records  # benchmarks/storage.py: the records both benchmarks write

from crawler.storage import ArticleStore

CHUNK = 50_000
BATCH = 1000
ROOT = Path(__file__).resolve().parent.parent


def fill(store: ArticleStore, start: int, stop: int, text_bytes: int) -> None:
    """Store articles number ``start`` to ``stop`` (distinct URLs, the storage benchmark's fields)."""
    for first in range(start, stop, CHUNK):
        rows = records(min(CHUNK, stop - first), text_bytes=text_bytes)
        for row in rows:
            row["url"] = row["canonical_url"] = f"{row['url']}-{first}"
        for i in range(0, len(rows), BATCH):
            store.upsert(rows[i : i + BATCH])


#: Runs a command and prints its peak RSS (KiB). A small process in between: a child forked straight from
#: this one (which holds a chunk of records) would count this process's pages in its peak until it execs.
_PEAK_OF = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def export(database: Path, out: Path) -> tuple[float, float, int]:
    """(peak RSS MB, seconds, lines) of ``scrapy export --database ... -o out``."""
    command = [sys.executable, "-m", "scrapy", "export", "--database", f"sqlite:///{database}", "-o", str(out)]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK_OF, *command], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"scrapy export failed:\n{done.stderr[-2000:]}")
    with out.open("rb") as f:
        lines = sum(1 for _ in f)
    out.unlink()
    return int(done.stdout.split()[-1]) / 1024, seconds, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--text-bytes", type=int, default=1024)
    parser.add_argument("--keep", type=Path, help="directory for the database, kept afterwards")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        database = folder / "export-memory.db"
        if database.exists():
            raise SystemExit(f"{database} exists: give an empty --keep directory")
        store = ArticleStore(f"sqlite:///{database}")
        stored = 0
        print(f"{args.text_bytes}-byte texts; scrapy export's peak RSS (its own process) at each size")
        print(f"{'articles':>10} {'format':>7} {'peak RSS':>10} {'seconds':>8} {'lines':>10} {'db size':>9}")
        try:
            for size in sorted(args.sizes):
                started = time.perf_counter()
                fill(store, stored, size, args.text_bytes)
                stored = size
                print(f"  (stored {size:,} in {time.perf_counter() - started:.0f} s)", flush=True)
                for suffix in ("jsonl", "csv"):
                    rss, seconds, lines = export(database, folder / f"export.{suffix}")
                    if suffix == "jsonl" and lines != size:
                        raise SystemExit(f"exported {lines} lines of {size} articles")
                    print(f"{size:>10,} {suffix:>7} {rss:>7.1f} MB {seconds:>8.1f} {lines:>10,}"
                          f" {database.stat().st_size / 1e9:>7.2f} GB", flush=True)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
