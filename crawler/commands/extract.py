"""``scrapy extract``: run the article extraction on pages already on disk.

Usage::

    scrapy extract PATH...            # HTML files, .html.gz files, directories (recursively)
    scrapy extract --url URL FILE     # one file, with the URL it was fetched from
    scrapy extract --manifest M.jsonl # lines {"url": ..., "path": ...}
    ... -o OUT.jsonl                  # default: standard output

One JSON record per page, in the schema of crawled records (`crawler.items.ARTICLE_FIELDS`) plus
``path``. A rejected page gets ``{"path", "url", "error"}`` with the rejection reason and detail; a
page whose extraction raises gets an ``error`` record too and the run goes on. Paths that cannot be
read are listed at the end and make the exit status non-zero. Large inputs are spread over every
CPU core in chunks; output order follows input order.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.commands import CommandError, output, report

logger = logging.getLogger(__name__)

#: File name suffixes read as HTML when walking a directory.
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz", ".xhtml", ".shtml")
#: Below this many pages the work stays in this process: starting workers costs more than it saves.
PARALLEL_MIN_PAGES = 8
#: Pages handed to a worker at once: large enough to amortise inter-process traffic, small enough
#: to keep both cores busy to the end of a 100-page set.
CHUNK_SIZE = 4


def read_page(path: str) -> bytes:
    """Bytes of an HTML file, gunzipped when the name ends in ``.gz`` or the content is gzip."""
    data = Path(path).read_bytes()
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _file_url(path: str) -> str:
    return Path(path).resolve().as_uri()


def extract_one(task: tuple[str, str]) -> dict[str, Any]:
    """The output record for one ``(path, url)``; never raises (errors become ``error`` records)."""
    from crawler.extraction import Rejection
    from crawler.workers import extract_item

    path, url = task
    try:
        html = read_page(path)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return {"path": path, "url": url, "error": f"unreadable: {exc}", "_unreadable": True}
    try:
        fetched = datetime.fromtimestamp(os.path.getmtime(path), UTC).replace(microsecond=0).isoformat()
        result = extract_item(html, url, fetched_at=fetched, discovered_via="file")  # as a crawl's, simhash too
        if isinstance(result, Rejection):
            return {"path": path, "url": url, "error": f"{result.reason}: {result.detail}"}
        record = asdict(result)
        record["path"] = path
        return record
    except Exception as exc:  # one bad page must not stop the run; it gets an error record
        logger.exception("extraction failed on %s", path)
        return {"path": path, "url": url, "error": f"exception: {type(exc).__name__}: {exc}"}


def _init_worker() -> None:
    logging.disable(logging.WARNING)  # workers' extraction warnings would interleave on stderr


class Command(ScrapyCommand):
    requires_project = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] PATH... | --manifest FILE.jsonl"

    def short_desc(self) -> str:
        return "Extract articles from HTML files on disk into JSON lines"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", help="URL of the page (with a single PATH)")
        parser.add_argument("--manifest", help='JSON lines file of {"url": ..., "path": ...}')
        parser.add_argument("-o", "--output", metavar="FILE", help="write JSON lines here (default: stdout)")
        parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: all CPU cores)")

    def _tasks(self, args: list[str], opts: argparse.Namespace, unreadable: list[str]) -> list[tuple[str, str]]:
        tasks: list[tuple[str, str]] = []
        if opts.url and (len(args) != 1 or opts.manifest):
            raise UsageError("--url goes with exactly one PATH", print_help=False)
        if opts.manifest:
            try:
                lines = Path(opts.manifest).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise UsageError(f"cannot read manifest {opts.manifest}: {exc}", print_help=False) from None
            base = Path(opts.manifest).parent
            for n, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    path = str(entry["path"])
                except (ValueError, KeyError, TypeError):
                    unreadable.append(f"{opts.manifest}:{n}: not a {{\"url\", \"path\"}} JSON line")
                    continue
                if not os.path.isabs(path) and not os.path.exists(path):
                    path = str(base / path)
                tasks.append((path, str(entry.get("url") or _file_url(path))))
        for arg in args:
            tasks.extend(self._walk(arg, opts.url, unreadable))
        return tasks

    @staticmethod
    def _walk(arg: str, url: str | None, unreadable: list[str]) -> Iterator[tuple[str, str]]:
        p = Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.lower().endswith(HTML_SUFFIXES):
                    yield str(f), _file_url(str(f))
        elif p.is_file():
            yield str(p), url or _file_url(str(p))
        else:
            unreadable.append(f"{arg}: no such file or directory")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args and not opts.manifest:
            raise UsageError("give at least one PATH or --manifest FILE")
        unreadable: list[str] = []
        tasks = self._tasks(args, opts, unreadable)
        counts = {"articles": 0, "rejected": 0}
        try:
            # opened before any page is extracted: an output that cannot be written fails at once
            with output(opts.output) as out:
                for record in self._results(tasks, opts.jobs):
                    if record.pop("_unreadable", False):
                        unreadable.append(f"{record['path']}: {record['error']}")
                    counts["rejected" if "error" in record else "articles"] += 1
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
        except CommandError as exc:
            report(self, "extract", exc)
            return
        print(f"extract: {counts['articles']} articles, {counts['rejected']} without article "
              f"from {len(tasks)} pages", file=sys.stderr)
        if unreadable:
            print(f"extract: {len(unreadable)} unreadable path(s):", file=sys.stderr)
            for line in unreadable:
                print("  " + line, file=sys.stderr)
            self.exitcode = 1

    @staticmethod
    def _results(tasks: list[tuple[str, str]], jobs: int) -> Iterator[dict[str, Any]]:
        import crawler.extraction  # noqa: F401 - loaded once here, inherited by forked workers

        workers = jobs if jobs > 0 else (os.cpu_count() or 1)
        if workers <= 1 or len(tasks) < PARALLEL_MIN_PAGES:
            for task in tasks:
                yield extract_one(task)
            return
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as pool:
            yield from pool.map(extract_one, tasks, chunksize=CHUNK_SIZE)
