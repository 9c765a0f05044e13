"""A local journal of records the database could not take, replayed when it answers again.

When the database is unreachable (PostgreSQL stopped or its connection cut, SQLite locked past its
busy timeout), the storage pipeline appends the batch to a JSON lines file and flushes it to disk;
records in the journal are written to the database on a later flush, at the end of the crawl or at
the start of the next one, and the journal is emptied only once the database has committed them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def journal_path(directory: str | Path, database_url: str) -> Path:
    """The journal file of one database (its URL hashed, so two databases never share one)."""
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:16]
    return Path(directory) / f"journal-{digest}.jsonl"


class Journal:
    """Append-only JSON lines of records waiting for the database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as f:
            return sum(1 for line in f if line.strip())

    def append(self, records: Iterable[dict[str, Any]]) -> int:
        lines = [json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records]
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.writelines(lines)
            f.flush()
            os.fsync(f.fileno())
        return len(lines)

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the journal's content atomically (a new file renamed over the old one)."""
        if not records:
            self.clear()
            return
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def read(self) -> Iterator[dict[str, Any]]:
        """The journaled records; a line cut short by a crash is skipped with a warning."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    logger.warning("Journal %s line %d is incomplete (a crash while writing?); skipped", self.path, n)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
