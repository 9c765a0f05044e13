#!/usr/bin/env python3
"""A fourth evaluation set: the news pages @postlight/mercury-parser 1.1.1 tests, as a cases.jsonl.

    mkdir -p /tmp/sd/pmp && npm pack @postlight/mercury-parser@1.1.1 --pack-destination /tmp/sd \
        && tar xzf /tmp/sd/postlight-mercury-parser-1.1.1.tgz -C /tmp/sd/pmp
    .venv/bin/python benchmarks/mercury_cases.py /tmp/sd/pmp/package /tmp/mercury --existing /tmp/np4k
    .venv/bin/python benchmarks/extraction_quality.py /tmp/mercury

The npm package 1.1.1 (the only published version that ships them) carries ``fixtures/`` (saved pages)
and, per site, a hand-written custom extractor (``src/extractors/custom/<domain>/index.js``: content
selectors and per-site clean lists) with a test (``index.test.js``) giving the page's URL and the
hand-filled expected title, author and date_published. The expected body is what that site's custom
extractor produces, run alone (``fallback: false``: no generic extraction), its HTML converted to
paragraphs: the same kind of bias as fundus-dev (per-site parsers), except that Mercury keeps image
captions and credits in the content and drops the standfirst. Title and date are the tests' values (the
date in UTC), authors the test's author string split on , ; | & and "and" (null where names run together).
YouTube's page (a video) and results under 300 characters are left out, and so is any page whose URL, or
title, is already in one of the existing sets: ``../shared/datasets/readability-pages`` and
``../shared/datasets/fundus-dev`` relative to the repository (each skipped when absent), and every
``--existing DIR`` given.

Running the extractors needs node and npm: Mercury's runtime dependencies are installed by
``npm install`` into a work folder, ``--work DIR`` (kept, and reused by the next run) or else a temporary
folder removed afterwards, with the runner script this file embeds. The pages are copied to OUT_DIR/html
with the cases file (the format of ``../shared/datasets``), and as a last step the ``content`` attribute
Mercury renamed to ``value`` when it saved its fixtures is put back in their <meta> tags, so the pages are
the publishers' again. Nothing is written in the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
DEFAULT_EXISTING = [DATASETS / "readability-pages", DATASETS / "fundus-dev"]

# Mercury 1.1.1's runtime dependencies (its package.json), with `request` its fetcher requires at load.
DEPS = {"@babel/runtime-corejs2": "^7.2.0", "cheerio": "0.22.0", "difflib": "0.2.4", "ellipsize": "0.1.0",
        "iconv-lite": "0.4.24", "moment": "^2.23.0", "moment-parseformat": "3.0.0",
        "moment-timezone": "0.5.23", "string-direction": "^0.1.2", "url": "^0.11.0", "valid-url": "^1.0.9",
        "wuzzy": "^0.1.3", "request": "^2.88.0"}
SKIP_DOMAINS = {"www.youtube.com"}  # a video page, no article text
MIN_BODY = 300

RUN_JS = r"""// Usage: node run.js PKG_DIR OUT.jsonl
// For each custom extractor test of @postlight/mercury-parser 1.1.1, parse the fixture with
// that extractor alone (fallback: false) and write url, fixture, result and the test's asserted values.
const fs = require('fs');
const path = require('path');
const pkg = process.argv[2];
const out = process.argv[3];
const Mercury = require(path.join(pkg, 'dist', 'mercury.js'));
const root = path.join(pkg, 'src', 'extractors', 'custom');

function strings(src) { // JS string literal values, in order
  const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;
  const vals = []; let m;
  while ((m = re.exec(src))) vals.push((m[1] ?? m[2] ?? m[3]).replace(/\\(.)/g, '$1'));
  return vals;
}
function asserted(block, field) {
  const re = new RegExp('assert\\.equal\\(\\s*' + field + '\\s*,\\s*([\\s\\S]*?)\\);');
  const m = block.match(re);
  if (!m) return undefined;
  const arg = m[1].trim();
  if (arg === 'null') return null;
  const s = strings(arg);
  return s.length ? s.join('') : undefined;
}
function first13(block) {
  const m = block.match(/assert\.equal\(\s*first\d+\s*,\s*([\s\S]*?)\);/);
  return m ? strings(m[1]).join('') : undefined;
}
(async () => {
  const rows = [];
  for (const dom of fs.readdirSync(root).sort()) {
    const tf = path.join(root, dom, 'index.test.js');
    if (!fs.existsSync(tf)) continue;
    const src = fs.readFileSync(tf, 'utf8');
    // split into test cases at each "url =" assignment
    const parts = src.split(/\n\s*url\s*=\s*/).slice(1);
    for (const part of parts) {
      const url = strings(part.slice(0, part.indexOf(';')))[0];
      const fm = part.match(/readFileSync\(\s*['"`]\.\/(fixtures\/[^'"`]+)['"`]/);
      if (!url || !fm) continue;
      const html = fs.readFileSync(path.join(pkg, fm[1]), 'utf8');
      let res;
      try { res = await Mercury.parse(url, html, { fallback: false, fetchAllPages: false }); }
      catch (e) { res = { error: String(e) }; }
      rows.push({ domain: dom, url, fixture: fm[1], result: res,
        test: { title: asserted(part, 'title'), author: asserted(part, 'author'),
                date_published: asserted(part, 'date_published'), first_words: first13(part) } });
    }
  }
  fs.writeFileSync(out, rows.map(r => JSON.stringify(r)).join('\n') + '\n');
  console.log(rows.length + ' cases');
})();
"""

BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre", "figure",
         "figcaption", "table", "tr", "td", "th", "section", "article", "header", "footer", "aside", "dl",
         "dt", "dd", "hr", "br", "center", "address", "main", "nav", "form", "caption", "tbody", "thead"}
META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)

Index = tuple[set[str], set[str]]


def run_node(pkg: Path, work: Path) -> list[dict[str, Any]]:
    """Mercury's custom extractors on their fixtures: one row per test case (run.js's output)."""
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "node_modules" / "cheerio").is_dir():
        (work / "package.json").write_text(json.dumps(
            {"name": "mercury-run", "version": "1.0.0", "private": True, "dependencies": DEPS}))
        npm = ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"]
        subprocess.run(npm, cwd=work, check=True)
    (work / "run.js").write_text(RUN_JS, encoding="utf-8")
    out = work / "out.jsonl"
    node = shutil.which("node") or "node"
    env = {"NODE_PATH": str(work / "node_modules"), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "TZ": "UTC"}
    subprocess.run([node, str(work / "run.js"), str(pkg), str(out)], check=True, env=env)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def html_to_text(fragment: str) -> str:
    """Block elements become paragraphs (blank line between), inline markup is joined without spaces."""
    from lxml import html as lh

    if not fragment or not fragment.strip():
        return ""
    root = lh.fragment_fromstring(fragment, create_parent="div")
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    out: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in BLOCK:
            out.append("\n\n" if tag != "br" else "\n")
        if el.text and isinstance(el.tag, str):
            out.append(el.text)
        for ch in el:
            walk(ch)
        if tag in BLOCK and tag != "br":
            out.append("\n\n")
        if el.tail:
            out.append(el.tail)

    walk(root)
    text = "".join(out).replace("\xa0", " ")
    paras = []
    for block in re.split(r"\n\s*\n", text):
        lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in block.split("\n")]
        block = "\n".join(ln for ln in lines if ln)
        if block:
            paras.append(block)
    return "\n\n".join(paras)


def fold(s: str | None) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s or "")).strip().casefold()


def existing_index(dirs: list[Path]) -> Index:
    """URLs (placeholder example URLs left out) and folded titles of the existing sets' cases."""
    urls: set[str] = set()
    titles: set[str] = set()
    for d in dirs:
        f = d / "cases.jsonl"
        if not f.is_file():
            print(f"{f}: absent, not checked for overlap", file=sys.stderr)
            continue
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            c = json.loads(line)
            u = (c.get("url") or "").split("#")[0].rstrip("/")
            if u and "example" not in u:
                urls.add(u)
            if c.get("title"):
                titles.add(fold(c["title"]))
    return urls, titles


def overlaps(url: str | None, title: str | None, index: Index) -> str | None:
    urls, titles = index
    if url and url.split("#")[0].rstrip("/") in urls:
        return "same URL"
    if title and len(fold(title)) > 12 and fold(title) in titles:
        return "same title"
    return None


def authors_from(s: str | None) -> list[str] | None:
    if not s:
        return None
    parts = [p.strip() for p in re.split(r"\s*[,;|&]\s*|\s+and\s+", s) if p.strip()]
    parts = [p for p in parts if "@" not in p]
    if not parts or any(len(p.split()) >= 5 for p in parts):  # several names run together: not usable
        return None
    return parts


def restore_meta(path: Path) -> None:
    """Put back <meta content=...> where Mercury's saved fixture has value=... (tags holding both are left).

    The file is read with universal newlines and, when a tag changed, written back with \\n line ends
    (CR LF and CR become LF, as any HTML parser's input preprocessing does anyway)."""
    def fix(tag: str) -> str:
        if re.search(r"\scontent\s*=", tag, re.IGNORECASE):
            return tag
        return re.sub(r"(\s)value(\s*=)", r"\1content\2", tag, count=1, flags=re.IGNORECASE)

    raw = path.read_text(encoding="utf-8", errors="surrogateescape")
    new = META.sub(lambda m: fix(m.group(0)), raw)
    if new != raw:
        path.write_text(new, encoding="utf-8", errors="surrogateescape")


def build(pkg: Path, out: Path, existing: list[Path], work: Path | None = None) -> int:
    if not ((pkg / "dist" / "mercury.js").is_file() and (pkg / "fixtures").is_dir()):
        raise SystemExit(f"{pkg}: no dist/mercury.js and fixtures/ "
                         "(unpack @postlight/mercury-parser 1.1.1 first)")
    if work is None:
        with tempfile.TemporaryDirectory(prefix="mercury-run-") as tmp:
            rows = run_node(pkg, Path(tmp))
    else:
        rows = run_node(pkg, work)
    index = existing_index(existing)
    cases: list[dict[str, Any]] = []
    sources: dict[str, Path] = {}
    seen: dict[str, int] = {}
    for r in rows:
        res, test = r["result"], r["test"]
        if r["domain"] in SKIP_DOMAINS or res.get("error"):
            continue
        body = html_to_text(res.get("content") or "")
        if len(body) < MIN_BODY:
            continue
        title = test.get("title") or None
        why = overlaps(r["url"], title or res.get("title"), index)
        if why:
            print(f"skip {r['url']}: {why} as an existing set")
            continue
        n = seen[r["domain"]] = seen.get(r["domain"], 0) + 1
        cid = "mercury-" + r["domain"].removeprefix("www.") + (f"-{n}" if n > 1 else "")
        cases.append({"set": "mercury", "id": cid, "url": r["url"], "html_file": f"html/{cid}.html",
                      "body": body, "title": title, "authors": authors_from(test.get("author")),
                      "date": test.get("date_published") or None})
        sources[cid] = pkg / r["fixture"]
    (out / "html").mkdir(parents=True, exist_ok=True)
    for c in cases:
        shutil.copyfile(sources[c["id"]], out / c["html_file"])
    lines = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    (out / "cases.jsonl").write_text(lines, encoding="utf-8")
    for c in cases:  # last: the copied pages get their <meta content=...> back
        restore_meta(out / c["html_file"])
    return len(cases)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pkg", type=Path, help="the unpacked @postlight/mercury-parser 1.1.1 package folder")
    parser.add_argument("out", type=Path,
                        help="where to write cases.jsonl and html/ (outside the repository)")
    parser.add_argument("--existing", type=Path, action="append", default=[], metavar="DIR",
                        help="a further existing set (a folder holding cases.jsonl) the new set must not "
                        "overlap; ../shared/datasets/readability-pages and fundus-dev are always checked "
                        "when present")
    parser.add_argument("--work", type=Path, help="folder for npm's node_modules and the runner, kept and "
                        "reused (default: a temporary folder, removed afterwards)")
    args = parser.parse_args(argv)
    n = build(args.pkg, args.out, DEFAULT_EXISTING + args.existing, args.work)
    print(f"{n} cases written to {args.out / 'cases.jsonl'}")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
