#!/usr/bin/env python3
"""A third evaluation set, in neither development set: newspaper4k's own test pages as a cases.jsonl.

    pip download newspaper4k==0.9.6 --no-binary :all: --no-deps -d /tmp/sd && tar xzf /tmp/sd/newspaper4k-0.9.6.tar.gz -C /tmp/sd
    .venv/bin/python benchmarks/newspaper4k_cases.py /tmp/sd/newspaper4k-0.9.6 /tmp/np4k
    .venv/bin/python benchmarks/extraction_quality.py /tmp/np4k

newspaper4k's source distribution ships news pages (``tests/data/html``) with the text
(``tests/data/txt``) and metadata (``tests/data/metadata``) newspaper4k extracts from each: 20 pages
have all three (CNN, Wired, Time, Xinhua, Nikkei, Prachatai, Yonhap, ...; Arabic, Chinese, Japanese,
Thai, Korean, Spanish). Their expected text is newspaper4k's own output, a third bias beside the
development sets' (Readability's, and hand-written per-site parsers'). The pages are copied to
OUT_DIR with the cases file (the format of ``../shared/datasets``); nothing is written in the repository.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path


def build(sdist: Path, out: Path) -> int:
    data = sdist / "tests" / "data"
    if not (data / "metadata").is_dir():
        raise SystemExit(f"{data / 'metadata'}: not found (unpack newspaper4k's source distribution first)")
    (out / "html").mkdir(parents=True, exist_ok=True)
    cases = []
    for meta_path in sorted((data / "metadata").glob("*.json")):
        name = meta_path.stem
        html, txt = data / "html" / f"{name}.html", data / "txt" / f"{name}.txt"
        if not (html.is_file() and txt.is_file()):
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        shutil.copyfile(html, out / "html" / html.name)
        cases.append({
            "set": "np4k", "id": name, "url": meta.get("url") or f"https://newspaper4k.example/{name}",
            "html_file": f"html/{html.name}", "body": txt.read_text(encoding="utf-8"),
            "title": meta.get("title"), "authors": meta.get("authors") or None, "date": meta.get("publish_date"),
        })
    (out / "cases.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return len(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sdist", type=Path, help="the unpacked newspaper4k source distribution")
    parser.add_argument("out", type=Path, help="where to write cases.jsonl and html/ (outside the repository)")
    args = parser.parse_args(argv)
    n = build(args.sdist, args.out)
    print(f"{n} cases written to {args.out / 'cases.jsonl'}")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
