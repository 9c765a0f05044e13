"""A long fuzz run (hypothesis, many examples) of extraction, URL canonicalization and date parsing.

    .venv/bin/python benchmarks/fuzz.py                      # default example counts (a few minutes)
    .venv/bin/python benchmarks/fuzz.py --scale 0.1          # quick look
    .venv/bin/python benchmarks/fuzz.py --target dates --examples 100000

Uses the strategies and properties of tests/test_fuzz.py, but never stops at a failure: every example
runs, and each exception is counted by kind, with the first input that raised it. Prints, per target,
the examples run, the examples that raised, and the distinct exceptions. Exit status 1 when any
target raised (known bugs included: they are real).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.test_fuzz import (
    check_canonical_idempotent,
    check_date,
    check_extract,
    check_urls,
    date_like,
    html_documents,
    http_urls,
)

_QUOTED = re.compile(r"(['\"]).*\1")
ENCODINGS = st.sampled_from([None, "utf-8", "cp1252", "shift_jis", "utf-16", "x-bogus"])


def _extract_soup(args: tuple[str, str | None]) -> None:
    html, encoding = args
    check_extract(html)
    check_extract(html.encode("utf-8", errors="surrogatepass"), encoding)


#: name -> (strategy, property, default number of examples)
TARGETS: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], None], int]] = {
    "extract/bytes": (st.binary(max_size=5000), check_extract, 3000),
    "extract/tag-soup": (st.tuples(html_documents(), ENCODINGS), _extract_soup, 3000),
    "extract/text": (st.text(max_size=5000), check_extract, 3000),
    "urls/any-string": (st.one_of(st.text(max_size=300), st.builds(
        lambda a, b: a + b, st.sampled_from(["http://", "https://", "//", "http://["]), st.text(max_size=100))),
        check_urls, 20000),
    "urls/idempotent": (http_urls(), check_canonical_idempotent, 20000),
    "dates": (st.one_of(date_like, st.text(max_size=80), st.integers(), st.floats(), st.none(),
                        st.datetimes().map(str)), check_date, 50000),
}


def run_target(name: str, examples: int) -> tuple[int, Counter[str], dict[str, Any], float]:
    strategy, prop, _ = TARGETS[name]
    ran = 0
    errors: Counter[str] = Counter()
    first: dict[str, Any] = {}

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def fuzz(value: Any) -> None:
        nonlocal ran
        ran += 1
        try:
            prop(value)
        except Exception as exc:  # noqa: BLE001 - a fuzzer counts every exception and goes on
            message = str(exc).splitlines()[0] if str(exc) else ""
            # one kind per message shape: "'x' does not appear to be..." and "'y' does not..." are one
            shape = _QUOTED.sub(r"\1...\1", message)[:90]
            key = f"{type(exc).__name__}: {shape}"
            errors[key] += 1
            first.setdefault(key, value)

    start = time.perf_counter()
    fuzz()
    return ran, errors, first, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=sorted(TARGETS), action="append", help="run only these (repeatable)")
    parser.add_argument("--examples", type=int, help="examples per target (default: per-target, see TARGETS)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default example counts")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # extraction logs its internal failures; they are counted here
    failed = False
    print(f"{'target':18} {'examples':>9} {'raised':>7} {'seconds':>8}  exceptions")
    for name in args.target or list(TARGETS):
        n = args.examples or max(1, int(TARGETS[name][2] * args.scale))
        ran, errors, first, seconds = run_target(name, n)
        raised = sum(errors.values())
        failed |= raised > 0
        print(f"{name:18} {ran:9d} {raised:7d} {seconds:8.1f}  {len(errors) or '-'}", flush=True)
        for key, count in errors.most_common():
            print(f"    {count:6d} x {key}\n           first input: {first[key]!r:.160}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
