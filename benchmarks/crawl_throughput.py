#!/usr/bin/env python3
"""Crawl throughput and memory: ``scrapy crawl news`` beside trafilatura's own command line.

Usage::

    .venv/bin/python benchmarks/crawl_throughput.py --pages 2000 [--rounds 2] [--no-peer] [--extract-workers N] [-s NAME=VALUE ...]
    .venv/bin/python benchmarks/crawl_throughput.py --pages 600 --workers 2 [--redis URL] [--postgres URL]

A separate server process serves N real news pages on 127.0.0.1: the development sets' pages
(``../shared/datasets/readability-pages/html`` and ``../shared/datasets/fundus-dev/html`` relative to the
repository; skipped with a message when absent), repeated under distinct article-like URLs
(``/news/2026/01/02/page-000001-<name>.html``) and listed in ``/sitemap.xml``. Each copy is made a
distinct story, so that neither side's deduplication merges copies: ``rel=canonical``/``og:url`` are
removed and a copy number is inserted into one paragraph of the story. Only pages that both
newsclean's and trafilatura's extraction accept are used (checked once, untimed, before the runs).

Then, in the same run:

(a) ``scrapy crawl news -a sitemap=http://127.0.0.1:PORT/sitemap.xml`` into a fresh SQLite file (and the
    default JSON lines feed), with the settings printed in the output;
(b) the peer: ``trafilatura -i urls.txt --json --with-metadata --parallel <cores> -o DIR`` with a config
    file setting ``SLEEP_TIME = 0`` and ``SSRF_PROTECTION = off``.

Each side runs ``--rounds`` times (default 2), alternating: a b, b a, ... so that a drift of this shared
machine's speed during the runs weighs on both sides alike; the ratio is over all rounds.
For each run it prints pages/s (pages / wall time of the whole command, start-up included), CPU seconds
(user+sys of the command's process tree), peak RSS (sum of VmRSS over the process tree, sampled every
0.2 s; PSS beside it, which counts pages shared between processes once) and whether every page was
stored (rows in the database; JSON files written). The server's own CPU is not counted for either.

With ``--workers N`` it measures the shared Redis frontier (``NEWSCLEAN_REDIS_URL``) instead of the
peer: the same crawl into PostgreSQL (``--postgres``, a fresh schema per run, dropped afterwards) with
(1) the single-machine scheduler, (2) one worker on the shared frontier (``--redis``, a fresh key prefix
per run, deleted afterwards), and (3) N worker processes started together on this machine; pages/s is
pages over the wall time until the last worker exits (start-up and the idle wait
``NEWSCLEAN_REDIS_IDLE_SECONDS`` included, set to 2 s here), CPU and memory summed over all workers.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATASETS = REPO.parent / "shared" / "datasets"
HTML_DIRS = (DATASETS / "readability-pages" / "html", DATASETS / "fundus-dev" / "html")
TEMPLATES_FILE = "templates.pickle"
PROGRESS_EVERY = 60.0  # seconds between progress lines of our crawl
PAGE_PATH = "/news/2026/01/02/page-{:06d}-{}.html"
PROBE_URL = "http://127.0.0.1:8000" + PAGE_PATH
#: The shared-frontier runs (--workers): local Redis and PostgreSQL, as the tests use them.
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: Idle wait of shared-frontier workers (NEWSCLEAN_REDIS_IDLE_SECONDS) in the benchmark: short, as it
#: is part of the measured wall time; production default is 30 s.
BENCH_IDLE_SECONDS = "2"

#: The crawl's settings toward the loopback server: a broad crawl's concurrency, and no politeness
#: delay (AutoThrottle and DOWNLOAD_DELAY exist to spare other people's servers, not our own).
CRAWL_SETTINGS = {
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "INFO",
    "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES": "True",  # the server is on 127.0.0.1 (the SSRF guard's off switch)
}

_CANONICAL_RE = re.compile(rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.IGNORECASE)
_OG_URL_RE = re.compile(rb"<meta\b[^>]*\bproperty\s*=\s*[\"']?og:url\b[^>]*>", re.IGNORECASE)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "page"


def marker(copy: int) -> bytes:
    return f" nccopy{copy:06d} ".encode()


# ------------------------------------------------------------------ templates (untimed)


def _prepare(path: Path) -> tuple[str, bytes, bytes] | None:
    """(slug, prefix, suffix) of a page whose copies (prefix + marker + suffix) both extractors accept."""
    import trafilatura

    from crawler.extraction import Article, extract

    html = _OG_URL_RE.sub(b"", _CANONICAL_RE.sub(b"", path.read_bytes()))
    url = PROBE_URL.format(0, _slug(path.stem))
    first = extract(html, url)
    if not isinstance(first, Article):
        return None
    cut = -1
    for para in sorted(first.text.split("\n\n"), key=len, reverse=True)[:5]:
        for start in range(0, max(1, len(para) - 40), 15):
            needle = para[start:start + 40].encode("utf-8")
            if len(needle) >= 20 and html.count(needle) == 1:
                cut = html.index(needle) + len(needle)
                break
        if cut >= 0:
            break
    if cut < 0:
        return None
    prefix, suffix = html[:cut], html[cut:]
    hashes = set()
    for copy in (1, 2, 12345):
        page = prefix + marker(copy) + suffix
        page_url = PROBE_URL.format(copy, _slug(path.stem))
        result = extract(page, page_url)
        if not isinstance(result, Article) or result.canonical_url != page_url:
            return None
        if marker(copy).strip().decode() not in result.text:  # the copy number must reach the text
            return None
        from crawler.extraction import content_hash

        hashes.add(content_hash(result.text))
        if trafilatura.extract(page, url=page_url, output_format="json", with_metadata=True) is None:
            return None
    if len(hashes) != 3:
        return None
    return _slug(path.stem), prefix, suffix


def prepare_templates(workdir: Path, jobs: int) -> int:
    paths = sorted(p for d in HTML_DIRS for p in d.glob("*.html"))
    with ProcessPoolExecutor(jobs) as pool:
        templates = [t for t in pool.map(_prepare, paths, chunksize=4) if t is not None]
    (workdir / TEMPLATES_FILE).write_bytes(pickle.dumps(templates))
    print(f"pages: {len(templates)} of {len(paths)} dataset pages usable (both extractors accept them "
          "with a copy number inserted and canonical links removed)")
    return len(templates)


# ------------------------------------------------------------------ the server process


def serve(workdir: Path, pages: int) -> None:
    """Serve robots.txt, sitemap.xml and ``pages`` article pages; print the port on stdout."""
    templates: list[tuple[str, bytes, bytes]] = pickle.loads((workdir / TEMPLATES_FILE).read_bytes())
    paths = {PAGE_PATH.format(i, templates[i % len(templates)][0]): i for i in range(1, pages + 1)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        sitemap = b""

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            kind = "text/html; charset=utf-8"
            if path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            elif path == "/sitemap.xml":
                body, kind = Handler.sitemap, "application/xml"
            elif path in paths:
                copy = paths[path]
                _, prefix, suffix = templates[copy % len(templates)]
                body = prefix + marker(copy) + suffix
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    base = f"http://127.0.0.1:{port}"
    Handler.sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{base}{p}</loc></url>\n" for p in paths)
        + "</urlset>\n"
    ).encode()
    (workdir / "urls.txt").write_text("".join(f"{base}{p}\n" for p in paths))
    print(port, flush=True)
    server.serve_forever()


# ------------------------------------------------------------------ measuring a command


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float
    peak_pss_mb: float
    returncode: int
    #: peak RSS MB of each process of the tree, with a short name
    processes: list[tuple[str, float]]
    #: the machine's 1-minute load average before and after (other work on the machine skews timings)
    load: tuple[float, float]
    #: CPU seconds of each process of the tree, with the same short names
    cpu_by_process: list[tuple[str, float]] = field(default_factory=list)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _sample(pid: int) -> tuple[float, float, float] | None:
    """(cpu seconds, RSS MB, PSS MB) of one process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        rss = pss = 0.0
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024
        return cpu, rss, pss
    except (OSError, ValueError, IndexError):
        return None


def measure(cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path,
            progress: Callable[[], int] | None = None) -> Run:
    """Run ``cmd``; sample its process tree (CPU per process: the last value seen; memory: the peak sum)."""
    return measure_many([(cmd, cwd, log)], env=env, progress=progress)


def measure_many(commands: list[tuple[list[str], Path, Path]], *, env: dict[str, str],
                 progress: Callable[[], int] | None = None) -> Run:
    """Run the commands (command, folder, log) at once; measure their process trees together until the
    last one ends. The return code is the first non-zero one."""
    cpu_by_pid: dict[int, float] = {}
    rss_by_pid: dict[int, float] = {}
    names: dict[int, str] = {}
    peak_rss = peak_pss = 0.0
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    next_report = started + PROGRESS_EVERY
    procs = []
    for cmd, cwd, log in commands:
        with open(log, "w") as out:
            procs.append(subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT))
    while any(p.poll() is None for p in procs):
        rss_sum = pss_sum = 0.0
        for pid in [pid for p in procs for pid in _tree(p.pid)]:
            sample = _sample(pid)
            if sample is not None:
                cpu_by_pid[pid] = sample[0]
                rss_by_pid[pid] = max(rss_by_pid.get(pid, 0.0), sample[1])
                if pid not in names:
                    names[pid] = _name(pid)
                rss_sum += sample[1]
                pss_sum += sample[2]
        peak_rss, peak_pss = max(peak_rss, rss_sum), max(peak_pss, pss_sum)
        if progress is not None and time.monotonic() >= next_report:
            next_report += PROGRESS_EVERY
            print(f"    ... {time.monotonic() - started:.0f} s: {progress()} stored, RSS now {rss_sum:.0f} MB, "
                  f"peak {peak_rss:.0f} MB (PSS {peak_pss:.0f} MB), load {os.getloadavg()[0]:.1f}")
        time.sleep(0.2)
    wall = time.monotonic() - started
    processes = [(names.get(pid, "?"), rss) for pid, rss in sorted(rss_by_pid.items())]
    load = (load_before, os.getloadavg()[0])
    returncode = next((p.returncode for p in procs if p.returncode), 0)
    cpus = [(names.get(pid, "?"), cpu) for pid, cpu in sorted(cpu_by_pid.items())]
    return Run(wall, sum(cpu_by_pid.values()), peak_rss, peak_pss, returncode, processes, load, cpus)


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = fh.read().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    text = " ".join(a for a in argv if a)
    for key in ("forkserver", "multiprocessing", "py-spy", "scrapy", "trafilatura"):
        if key in text:
            return key
    return Path(argv[0]).name if argv else "?"


# ------------------------------------------------------------------ the two contenders


def run_ours(workdir: Path, port: int, pages: int, extra: dict[str, str],
             profile: str | None = None, name: str = "ours") -> tuple[Run, int, str]:
    out = workdir / name
    out.mkdir()
    db = out / "bench.db"
    settings = {**CRAWL_SETTINGS, "NEWSCLEAN_DATABASE_URL": f"sqlite:///{db}", **extra}
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap=http://127.0.0.1:{port}/sitemap.xml"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    if profile:
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
        cmd = [spy, "record", "--subprocesses", "--format", "raw", "--rate", "100", "-o", profile, "--", *cmd]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    def count() -> int:
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        except sqlite3.Error:
            return -1

    run = measure(cmd, cwd=out, env=env, log=out / "crawl.log", progress=count)
    stored = count()
    dropped = sorted(set(re.findall(r"'newsclean/dropped/[^']+': \d+", (out / "crawl.log").read_text())))
    return run, stored, ", ".join(dropped)


def run_shared(workdir: Path, port: int, workers: int, extra: dict[str, str], *, redis_url: str | None,
               postgres_url: str, name: str) -> tuple[Run, int]:
    """``workers`` crawl processes into a fresh PostgreSQL schema; with ``redis_url``, on one shared
    frontier (a fresh key prefix); without, one process on the single-machine scheduler."""
    import psycopg
    import redis

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    key = f"newsclean-bench:{uuid.uuid4().hex[:10]}"
    plain = postgres_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    database_url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    settings = {**CRAWL_SETTINGS, "NEWSCLEAN_DATABASE_URL": database_url, **extra}
    if redis_url:
        settings.update(NEWSCLEAN_REDIS_URL=redis_url, NEWSCLEAN_REDIS_KEY=key,
                        NEWSCLEAN_REDIS_IDLE_SECONDS=BENCH_IDLE_SECONDS)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    commands = []
    for n in range(workers):
        out = workdir / f"{name}-{n + 1}"
        out.mkdir()
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"sitemap=http://127.0.0.1:{port}/sitemap.xml"]
        for k, v in settings.items():
            cmd += ["-s", f"{k}={v}"]
        commands.append((cmd, out, out / "crawl.log"))

    def count() -> int:
        try:
            with psycopg.connect(plain, autocommit=True) as conn:
                row = conn.execute(f'SELECT count(*) FROM "{schema}".articles').fetchone()
            return int(row[0]) if row else 0
        except psycopg.Error:
            return 0

    try:
        run = measure_many(commands, env=env, progress=count)
        return run, count()
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        if redis_url:
            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(match=f"{key}:*"))
            if keys:
                client.delete(*keys)


#: trafilatura's command line (``trafilatura.cli.main``, what the ``trafilatura`` script runs), with one
#: change: output files get unique names. trafilatura names each file by a hash of a sample of the
#: result's words, under which our copies of one page (one word apart) would overwrite each other and
#: the stored pages could not be counted.
_PEER_MAIN = (
    "import sys, uuid\n"
    "import trafilatura.cli_utils as cu\n"
    "cu.generate_hash_filename = lambda content: uuid.uuid4().hex\n"
    "from trafilatura.cli import main\n"
    "sys.argv[0] = 'trafilatura'\n"
    "main()\n"
)


def run_peer(workdir: Path, cores: int, name: str = "peer") -> tuple[Run, int]:
    import trafilatura

    out = workdir / name
    out.mkdir()
    config = (Path(trafilatura.__file__).parent / "settings.cfg").read_text()
    config = re.sub(r"(?m)^SLEEP_TIME = .*$", "SLEEP_TIME = 0", config)
    config = re.sub(r"(?m)^SSRF_PROTECTION = .*$", "SSRF_PROTECTION = off", config)
    (out / "settings.cfg").write_text(config)
    cmd = [sys.executable, "-c", _PEER_MAIN, "-i", str(workdir / "urls.txt"), "--json", "--with-metadata", "--parallel", str(cores),
           "-o", str(out / "json"), "--config-file", str(out / "settings.cfg")]
    run = measure(cmd, cwd=out, env=dict(os.environ), log=out / "trafilatura.log")
    stored = len(list((out / "json").rglob("*.json"))) if (out / "json").exists() else 0
    return run, stored


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="pages served and crawled (default 2000)")
    parser.add_argument("--no-peer", action="store_true", help="skip trafilatura's run (memory runs)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side, alternating a b, b a, ... "
                        "(default 2: a b b a, so that a drift of the machine's speed weighs on both alike)")
    parser.add_argument("--extract-workers", type=int, default=None, help="NEWSCLEAN_EXTRACT_WORKERS for our crawl")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="crawl processes on one shared Redis frontier, compared with 1 (no peer run)")
    parser.add_argument("--redis", default=REDIS_URL, help=f"Redis for --workers (default {REDIS_URL})")
    parser.add_argument("--postgres", default=POSTGRES_URL, help=f"PostgreSQL for --workers (default {POSTGRES_URL})")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="extra Scrapy setting for our crawl (repeatable)")
    parser.add_argument("--profile", metavar="FILE", help="record our crawl with py-spy (collapsed stacks, "
                        "all processes) into FILE; figures are then not comparable")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, database, output)")
    parser.add_argument("--serve", metavar="WORKDIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve), args.pages)
        return 0

    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    missing = [str(d) for d in HTML_DIRS if not d.is_dir()]
    if missing:
        print(f"skipped: dataset folder(s) absent: {', '.join(missing)}")
        return 0
    cores = _cores()
    extra = dict(s.split("=", 1) for s in args.settings)
    if args.extract_workers is not None:
        extra["NEWSCLEAN_EXTRACT_WORKERS"] = str(args.extract_workers)
    workdir = Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
    server = None
    try:
        prepare_templates(workdir, cores)
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(workdir), "--pages", str(args.pages)],
                                  stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        port = int(server.stdout.readline())
        print(f"server: 127.0.0.1:{port}, {args.pages} pages, separate process (its CPU is not counted)")
        print(f"machine: {cores} cores; python {sys.version.split()[0]}")
        if args.workers:
            return shared_runs(workdir, port, args, extra)

        rounds = 1 if args.no_peer else args.rounds
        shown = {**CRAWL_SETTINGS, **extra}
        print(f"\n(a) scrapy crawl news -a sitemap=http://127.0.0.1:{port}/sitemap.xml "
              + " ".join(f"-s {k}={v}" for k, v in shown.items())
              + " -s NEWSCLEAN_DATABASE_URL=sqlite:///<fresh file>   (default JSON lines feed on)")
        if not args.no_peer:
            print(f"(b) trafilatura -i urls.txt --json --with-metadata --parallel {cores} -o DIR "
                  "--config-file settings.cfg   (SLEEP_TIME = 0, SSRF_PROTECTION = off; output files named "
                  "uniquely, see _PEER_MAIN)")
            print(f"{rounds} round(s), in the order " + " ".join(
                "a b" if r % 2 == 0 else "b a" for r in range(rounds)) + " (a drift of the machine's speed"
                " during the runs weighs on both sides alike)")
        ok = True
        ours_walls: list[float] = []
        peer_walls: list[float] = []
        for r in range(rounds):
            sides = ("ours", "peer") if r % 2 == 0 else ("peer", "ours")
            for side in sides:
                if side == "ours":
                    ours, ours_stored, dropped = run_ours(workdir, port, args.pages, extra, args.profile,
                                                          name=f"ours-{r + 1}")
                    print(f"\n(a) round {r + 1}")
                    _report("newsclean", ours, args.pages, ours_stored)
                    if dropped:
                        print(f"    dropped: {dropped}")
                    if ours.returncode:
                        print(f"    exit status {ours.returncode}; log in {workdir / f'ours-{r + 1}' / 'crawl.log'}")
                    ok = ok and ours_stored == args.pages and ours.returncode == 0
                    ours_walls.append(ours.wall)
                elif not args.no_peer:
                    peer, peer_stored = run_peer(workdir, cores, name=f"peer-{r + 1}")
                    print(f"\n(b) round {r + 1}")
                    _report("trafilatura", peer, args.pages, peer_stored)
                    ok = ok and peer_stored == args.pages
                    peer_walls.append(peer.wall)
        if peer_walls:
            for r, (a, b) in enumerate(zip(ours_walls, peer_walls, strict=True)):
                print(f"\nround {r + 1}: newsclean {args.pages / a:.1f} pages/s, trafilatura {args.pages / b:.1f}"
                      f" pages/s, ratio {b / a:.2f}x", end="")
            ratio = sum(peer_walls) / sum(ours_walls)
            print(f"\nratio (newsclean pages/s / trafilatura pages/s, all rounds): {ratio:.2f}x")
        print("every page stored by both" if ok and not args.no_peer else
              "every page stored" if ok else "NOT every page stored")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if args.keep:
            print(f"work folder kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def shared_runs(workdir: Path, port: int, args: argparse.Namespace, extra: dict[str, str]) -> int:
    """--workers N: the crawl into PostgreSQL on the single-machine scheduler, then on the shared Redis
    frontier with 1 and with N worker processes."""
    shown = " ".join(f"-s {k}={v}" for k, v in {**CRAWL_SETTINGS, **extra}.items())
    print(f"\nscrapy crawl news -a sitemap=http://127.0.0.1:{port}/sitemap.xml {shown} "
          "-s NEWSCLEAN_DATABASE_URL=<fresh PostgreSQL schema>")
    ok = True
    runs = [("single", 1, None), ("shared-1", 1, args.redis), (f"shared-{args.workers}", args.workers, args.redis)]
    for name, workers, redis_url in runs:
        run, stored = run_shared(workdir, port, workers, extra, redis_url=redis_url, postgres_url=args.postgres,
                                 name=name)
        label = ("single-machine scheduler, 1 process" if redis_url is None else
                 f"shared Redis frontier, {workers} worker process{'es' if workers > 1 else ''} "
                 f"(-s NEWSCLEAN_REDIS_URL={redis_url} -s NEWSCLEAN_REDIS_IDLE_SECONDS={BENCH_IDLE_SECONDS})")
        print(f"\n({name}) {label}")
        _report("newsclean", run, args.pages, stored)
        if run.returncode:
            print(f"    exit status {run.returncode}; logs in {workdir}/{name}-*/crawl.log")
        ok = ok and stored == args.pages and run.returncode == 0
    print("every page stored in each run" if ok else "NOT every page stored")
    return 0 if ok else 1


def _report(name: str, run: Run, pages: int, stored: int) -> None:
    print(f"    {name}: {pages / run.wall:.1f} pages/s ({run.wall:.1f} s wall), CPU {run.cpu:.1f} s "
          f"({run.cpu / pages * 1000:.1f} ms/page), peak RSS {run.peak_rss_mb:.0f} MB "
          f"(PSS {run.peak_pss_mb:.0f} MB), stored {stored}/{pages}")
    print(f"      load average {run.load[0]:.1f} before, {run.load[1]:.1f} after; peak RSS per process: " + ", ".join(f"{n} {rss:.0f} MB" for n, rss in run.processes))
    busy = [(n, c) for n, c in run.cpu_by_process if c >= 0.05]
    print("      CPU per process: " + ", ".join(f"{n} {c:.1f} s ({c / pages * 1000:.1f} ms/page)" for n, c in busy))


if __name__ == "__main__":
    sys.exit(main())
