#!/usr/bin/env python3
"""Extraction quality: newsclean's `crawler.extraction.extract` beside plain trafilatura.

Usage::

    .venv/bin/python benchmarks/extraction_quality.py [DATASET_DIR ...] [--jobs N]

DATASET_DIR holds a ``cases.jsonl`` (the format of ``../shared/datasets/*``). Default: both sets under
``../shared/datasets/`` relative to the repository, each skipped with a message when absent.

Prints, for each set and each extractor, body precision/recall/F1, title, authors and date accuracy,
computed exactly as the reference scorer ``../shared/tools/score_extraction.py`` does (it is loaded
from there when present; otherwise the faithful copy of its metric below is used), and pages/s:
pages divided by the summed per-page extraction time (single-core throughput; pages are spread over
``--jobs`` processes only to finish sooner).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = REPO.parent / "shared"
DEFAULT_SETS = ("readability-pages", "fundus-dev")


# ---------------------------------------------------------------- the metric


class _Metric:
    """The reference scorer's metric (used only when ../shared/tools is absent)."""

    TOKEN = re.compile(r"\w+")

    @classmethod
    def shingles(cls, text: str | None, n: int = 4) -> Counter[tuple[str, ...]]:
        toks = cls.TOKEN.findall(text or "")
        return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])

    @classmethod
    def precision_recall(cls, true: str, pred: str) -> tuple[float | None, float | None]:
        t, p = cls.shingles(true), cls.shingles(pred)
        tp, fp, fn = sum((t & p).values()), sum((p - t).values()), sum((t - p).values())
        prec = None if tp + fp == 0 else (1.0 if fp == fn == 0 else tp / (tp + fp))
        rec = None if tp + fn == 0 else (1.0 if fp == fn == 0 else tp / (tp + fn))
        return prec, rec

    @staticmethod
    def fold(s: str | None) -> str:
        return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s or "")).strip().casefold()

    @staticmethod
    def day(s: object) -> str | None:
        m = re.search(r"\d{4}-\d{2}-\d{2}", str(s or ""))
        return m.group(0) if m else None

    @classmethod
    def author_set(cls, value: Any) -> set[str]:
        if isinstance(value, str):
            value = re.split(r"\s*[;,]\s*|\s+and\s+", value)
        return {cls.fold(a) for a in value or [] if a and cls.fold(a)}

    @classmethod
    def score(cls, cases: list[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        out = {}
        for name in sorted({c["set"] for c in cases}):
            ps, rs, titles, authors, dates = [], [], [], [], []
            for c in (c for c in cases if c["set"] == name):
                pr = preds.get(c["id"]) or {}
                p, r = cls.precision_recall(c["body"], pr.get("text") or pr.get("body") or "")
                if p is not None:
                    ps.append(p)
                if r is not None:
                    rs.append(r)
                if c.get("title"):
                    titles.append(cls.fold(pr.get("title")) == cls.fold(c["title"]))
                if c.get("authors"):
                    want, got = cls.author_set(c["authors"]), cls.author_set(pr.get("authors") or pr.get("author"))
                    tp = len(want & got)
                    authors.append(2 * tp / (len(want) + len(got)) if tp else 0.0)
                if c.get("date"):
                    dates.append(cls.day(pr.get("date_published") or pr.get("date")) == cls.day(c["date"]))
            P, R = (statistics.mean(ps) if ps else 0.0), (statistics.mean(rs) if rs else 0.0)
            m: dict[str, Any] = {"f1": 2 * P * R / (P + R) if P + R else 0.0, "p": P, "r": R}
            m["n"] = sum(c["set"] == name for c in cases)
            for key, vals in (("title", titles), ("authors", authors), ("date", dates)):
                if vals:
                    m[key] = statistics.mean(vals)
            out[name] = m
        return out


def load_scorer() -> tuple[Callable[..., dict[str, dict[str, Any]]], str]:
    """The reference scorer's ``score`` when ../shared/tools is present, else our copy of the metric."""
    path = SHARED / "tools" / "score_extraction.py"
    if path.is_file():
        spec = importlib.util.spec_from_file_location("score_extraction", path)
        if spec and spec.loader:
            module: ModuleType = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.score, str(path)
    return _Metric.score, "built-in copy of the reference metric"


# ---------------------------------------------------------------- extractors


def _ours(html: bytes, url: str) -> dict[str, Any]:
    from crawler.extraction import Rejection, extract

    result = extract(html, url)
    if isinstance(result, Rejection):
        return {"text": "", "error": f"{result.reason}: {result.detail}"}
    return {"text": result.text, "title": result.title, "authors": result.authors,
            "date_published": result.date_published}


def _plain(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura
    from lxml.html import HtmlElementClassLookup
    from trafilatura.utils import HTML_PARSER

    from crawler.extraction import install_fast_element_lookup

    # trafilatura as installed: lxml.html's own element lookup, which importing crawler.extraction
    # replaces in trafilatura's parser (this worker runs both extractors)
    HTML_PARSER.set_element_class_lookup(HtmlElementClassLookup())
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    finally:
        install_fast_element_lookup()
    if doc is None:
        return {"text": ""}
    author = getattr(doc, "author", None)
    return {"text": doc.text or "", "title": doc.title,  # type: ignore[union-attr]
            "authors": [a.strip() for a in author.split(";")] if author else [],
            "date_published": doc.date}  # type: ignore[union-attr]


EXTRACTORS: dict[str, Callable[[bytes, str], dict[str, Any]]] = {"newsclean": _ours, "trafilatura": _plain}


def _run_case(task: tuple[str, str, str, str]) -> tuple[str, str, dict[str, Any], float]:
    name, case_id, path, url = task
    html = Path(path).read_bytes()
    start = time.perf_counter()
    record = EXTRACTORS[name](html, url)
    return name, case_id, record, time.perf_counter() - start


def _init_worker() -> None:
    logging.disable(logging.CRITICAL)
    # warm both extractors up so one-time imports are not charged to the first page
    import trafilatura  # noqa: F401

    import crawler.extraction  # noqa: F401


def run_set(dataset: Path, jobs: int, score: Callable[..., dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    cases = [json.loads(line) for line in (dataset / "cases.jsonl").read_text().splitlines() if line.strip()]
    # interleaved, so that a change of machine load during the run weighs on both extractors alike
    tasks = [(name, c["id"], str(dataset / c["html_file"]), c["url"]) for c in cases for name in EXTRACTORS]
    preds: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in EXTRACTORS}
    seconds: dict[str, float] = dict.fromkeys(EXTRACTORS, 0.0)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker) as pool:
        for name, case_id, record, dt in pool.map(_run_case, tasks, chunksize=4):
            preds[name][case_id] = record
            seconds[name] += dt
    results = {}
    for name in EXTRACTORS:
        (m,) = score(cases, preds[name]).values()
        m["pages_per_s"] = len(cases) / seconds[name] if seconds[name] else 0.0
        m["rejected"] = sum(1 for r in preds[name].values() if r.get("error"))
        results[name] = m
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", help="dataset directories (default: ../shared/datasets/*)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    dirs = [Path(d) for d in args.datasets] or [SHARED / "datasets" / name for name in DEFAULT_SETS]
    score, origin = load_scorer()
    print(f"metric: {origin}")
    header = f"{'set':<20} {'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'title':>6} {'authors':>7} {'date':>6} {'pages/s':>8}"
    printed_header = False
    for d in dirs:
        if not (d / "cases.jsonl").is_file():
            print(f"skipped {d}: no cases.jsonl there (dataset absent)")
            continue
        results = run_set(d, args.jobs, score)
        if not printed_header:
            print(header)
            printed_header = True
        for name, m in results.items():
            print(f"{d.name:<20} {name:<12} {m['f1']:6.3f} {m['p']:6.3f} {m['r']:6.3f} {m.get('title', 0):6.3f} "
                  f"{m.get('authors', 0):7.3f} {m.get('date', 0):6.3f} {m['pages_per_s']:8.1f}")
        ratio = results["newsclean"]["pages_per_s"] / results["trafilatura"]["pages_per_s"]
        print(f"{'':<20} speed ratio newsclean/trafilatura: {ratio:.2f}x; "
              f"newsclean rejected {results['newsclean']['rejected']} of {results['newsclean']['n']} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
