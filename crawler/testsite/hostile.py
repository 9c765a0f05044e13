"""A hostile news site on 127.0.0.1: the bad responses the open web sends, next to good articles.

    from crawler.testsite.hostile import HostileSite, HostileServer

    site = HostileSite()                       # good articles from a NewsSite, plus `BAD_INPUTS`
    with HostileServer(site) as server:
        server.base_url                        # "http://127.0.0.1:54321"
        site.good_urls(server.base_url)        # what a crawl must store
        site.inputs                            # name -> BadInput(path, what, expect)
        server.requests_for("/trap/")          # request log (prefix match)

The home page ``/`` links every good article and every bad input. Bad inputs (`BAD_INPUTS`):
malformed and truncated HTML, a body cut short of its Content-Length, NUL bytes and control
characters, cp1252 / Shift_JIS / EUC-JP / UTF-16 pages with right, missing, conflicting and lying
charset declarations, binary bodies served as text/html, a PDF and an image, 50 MB pages (with and
without Content-Length), a gzip bomb, a redirect loop and an endless redirect chain, a response that
drips slowly, a calendar trap and a pagination trap with endless URLs, a page with 100,000 links and
a DOM nested 10,000 deep. Each `BadInput.expect` names the stat a crawl must count for it.

The server also answers proxy requests (absolute-form targets such as ``GET http://public.example/``)
from `HostileSite.proxied`, so tests can put "public" hosts in front of the crawler without DNS or
internet (see tests/test_ssrf.py).
"""

from __future__ import annotations

import gzip
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import IO
from urllib.parse import urlsplit

from .server import LoopbackServer, QuietServer
from .site import NewsSite

logger = logging.getLogger(__name__)

MB = 1024 * 1024
#: Size of the "50 MB page" and of the gzip bomb once decompressed (both over DOWNLOAD_MAXSIZE, 16 MB).
HUGE_BYTES = 50 * MB
BOMB_EXPANDED_BYTES = 64 * MB
#: Links on the link-flood page, and nesting depth of the deep-DOM page.
FLOOD_LINKS = 100_000
DEEP_NESTING = 10_000
#: The drip page sends one byte every DRIP_INTERVAL seconds, DRIP_BYTES in all.
DRIP_INTERVAL = 0.5
DRIP_BYTES = 120

#: Writes a streamed body; gets the socket file and returns when done (or the client went away).
Writer = Callable[[IO[bytes]], None]


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: When set, the body is streamed by this function instead (and the connection closed after).
    stream: Writer | None = None


@dataclass(frozen=True)
class BadInput:
    name: str
    path: str
    what: str
    #: Stat keys (any one of them) a crawl must count for this input.
    expect: tuple[str, ...]
    #: Text a correct crawl stores from this page (decoded correctly), when the page is a readable story.
    stored_text: str | None = None


LATIN_SENTENCES = [
    "Der Bürgermeister von Köln sagte am Montag: „Wir müssen jetzt handeln, nicht erst im Frühjahr.“",
    "Les élus de la métropole ont voté à l’unanimité un budget de 12 millions d’euros pour les écoles.",
    "The café’s owner, José Müller, said the €4.50 price “won’t last” once the new tariffs take effect.",
    "Señora Peña explicó que la reforma —aprobada en diciembre— cambiará la vida de miles de familias.",
    "Economists in Zürich expect the franc to stay strong through the summer, according to the survey.",
    "À Besançon, les commerçants du centre-ville réclament davantage de places de stationnement.",
]
JAPANESE_SENTENCES = [
    "東京都は月曜日、新しい防災計画を発表し、首都直下地震への備えを強化する方針を示した。",
    "計画では避難所の数を二割増やし、高齢者や障害者への支援体制を見直すとしている。",
    "知事は記者会見で「都民の命を守るため、できることはすべて行う」と述べた。",
    "専門家からは、住宅の耐震化をさらに進める必要があるとの指摘も出ている。",
    "都は来年度予算に関連経費として約三百億円を盛り込む見通しだ。",
    "一方、区市町村との連携や訓練の実施方法については、今後の課題として残されている。",
]


def story_html(title: str, sentences: list[str], *, lang: str = "en", head: str = "",
               before: str = "", after: str = "", repeat: int = 3) -> str:
    """A small but real news story page: title, byline, date, paragraphs of ``sentences``."""
    paragraphs = []
    for k in range(repeat):
        chunk = sentences[k % len(sentences):] + sentences[: k % len(sentences)]
        paragraphs.append("<p>" + " ".join(chunk) + "</p>")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{head}<title>{title}</title>'
        f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
        '<meta property="article:published_time" content="2026-02-10T08:00:00+00:00"></head>'
        f'<body><header><nav><a href="/">Home</a></nav></header><main><article><h1>{title}</h1>'
        f'<p class="byline">By Ana Reporter</p>{before}{"".join(paragraphs)}{after}</article></main>'
        "<footer><p>Hostile Courier</p></footer></body></html>"
    )


def _story(title: str, lang: str = "en", *, head: str = "", before: str = "", after: str = "") -> str:
    # a first paragraph of its own, so that no two bad inputs have the same text (deduplication)
    own = f"<p>{title}: {'これは個別の記事です。' if lang == 'ja' else 'this story is one of a kind.'}</p>"
    return story_html(title, JAPANESE_SENTENCES if lang == "ja" else LATIN_SENTENCES, lang=lang, head=head,
                      before=before + own, after=after)


def _p(name: str) -> str:
    """Path of a bad input: looks like a story URL (date and long slug), so the spider extracts it."""
    return f"/2026/02/10/hostile-{name}-news-story/"


BAD_INPUTS: list[BadInput] = [
    BadInput("malformed", _p("malformed"), "unclosed and mismatched tags, stray </html>, bad attributes",
             ("newsclean/extracted", "newsclean/dropped/too short", "newsclean/dropped/not an article")),
    BadInput("truncated", _p("truncated"), "HTML cut off in the middle of a tag (honest Content-Length)",
             ("newsclean/extracted", "newsclean/dropped/too short")),
    BadInput("short-body", _p("short-body"), "Content-Length larger than the body, then the connection closes",
             ("newsclean/fetch_error/data_loss", "newsclean/fetch_error/connection_lost")),
    BadInput("nul-bytes", _p("nul-bytes"), "NUL bytes and C0 control characters in the head and the text",
             ("newsclean/charset/controls_removed",), stored_text=LATIN_SENTENCES[0]),
    BadInput("cp1252-declared", _p("cp1252-declared"), "windows-1252, declared in the header",
             ("newsclean/extracted",), stored_text=LATIN_SENTENCES[2]),
    BadInput("cp1252-undeclared", _p("cp1252-undeclared"), "windows-1252, no declaration anywhere",
             ("newsclean/charset/corrected",), stored_text=LATIN_SENTENCES[2]),
    BadInput("cp1252-header-says-utf8", _p("cp1252-header-says-utf8"), "windows-1252 bytes, header says UTF-8",
             ("newsclean/charset/corrected",), stored_text=LATIN_SENTENCES[1]),
    BadInput("utf8-meta-lies", _p("utf8-meta-lies"), "UTF-8 bytes, <meta charset=iso-8859-1>, no header charset",
             ("newsclean/charset/corrected",), stored_text=LATIN_SENTENCES[3]),
    BadInput("utf8-bom-header-latin1", _p("utf8-bom-header-latin1"), "UTF-8 with BOM, header says ISO-8859-1",
             ("newsclean/extracted",), stored_text=LATIN_SENTENCES[0]),
    BadInput("shift-jis-meta", _p("shift-jis-meta"), "Shift_JIS declared only in <meta>",
             ("newsclean/extracted",), stored_text=JAPANESE_SENTENCES[2]),
    BadInput("shift-jis-undeclared", _p("shift-jis-undeclared"), "Shift_JIS, no declaration",
             ("newsclean/extracted",), stored_text=JAPANESE_SENTENCES[0]),
    BadInput("shift-jis-conflict", _p("shift-jis-conflict"), "Shift_JIS bytes, header says UTF-8, meta says Shift_JIS",
             ("newsclean/charset/corrected",), stored_text=JAPANESE_SENTENCES[3]),
    BadInput("euc-jp-header-latin1", _p("euc-jp-header-latin1"), "EUC-JP bytes, header says ISO-8859-1, meta EUC-JP",
             ("newsclean/charset/corrected",), stored_text=JAPANESE_SENTENCES[4]),
    BadInput("utf16", _p("utf16"), "UTF-16 with BOM (NUL bytes everywhere), no charset",
             ("newsclean/extracted",), stored_text=LATIN_SENTENCES[4]),
    BadInput("binary-as-html", _p("binary-as-html"), "random bytes served as text/html",
             ("newsclean/charset/binary_body",)),
    BadInput("pdf-as-html", _p("pdf-as-html"), "a PDF served as text/html",
             ("newsclean/charset/binary_body",)),
    BadInput("pdf", _p("pdf"), "a PDF served as application/pdf", ("newsclean/skipped/not_text",)),
    BadInput("image", _p("image"), "a PNG served as image/png", ("newsclean/skipped/not_text",)),
    BadInput("huge", _p("huge"), "a 50 MB page with Content-Length", ("newsclean/fetch_error/too_large",)),
    BadInput("huge-chunked", _p("huge-chunked"), "a 50 MB page without Content-Length (read until close)",
             ("newsclean/fetch_error/too_large",)),
    BadInput("gzip-bomb", _p("gzip-bomb"), "Content-Encoding gzip expanding to 64 MB",
             ("newsclean/fetch_error/decompression_too_large",)),
    BadInput("redirect-loop", _p("redirect-loop"), "A -> B -> A", ("newsclean/fetch_error/redirect_loop",)),
    BadInput("redirect-chain", _p("redirect-chain"), "an endless chain of new redirect URLs",
             ("newsclean/fetch_error/too_many_redirects",)),
    BadInput("drip", _p("drip"), "one byte every half second, past the download timeout",
             ("newsclean/fetch_error/timeout",)),
    BadInput("calendar-trap", "/calendar/2026/02/", "a calendar whose every day links the next, forever",
             ("newsclean/dropped/too short", "newsclean/dropped/not an article")),
    BadInput("pagination-trap", "/archive/page/1/", "pagination with ten new pages on every page, forever",
             ("newsclean/discovery/listing_over_budget",)),
    BadInput("link-flood", _p("link-flood"), f"a page with {FLOOD_LINKS:,} links",
             ("newsclean/discovery/pages_over_link_limit",)),
    BadInput("bad-date", _p("bad-date"), "a good story whose published time has a -99:99 UTC offset",
             ("newsclean/extracted", "newsclean/dropped/unparseable")),
    BadInput("bad-links", "/", "links that make Python's URL parser raise (http://[, http://]x), first on the home page",
             ("newsclean/discovery/bad_link",)),
    BadInput("deep-dom", _p("deep-dom"), f"a story inside {DEEP_NESTING:,} nested <div>s",
             ("newsclean/dropped/too short", "newsclean/extracted")),
]

#: hrefs for which urllib.parse raises ValueError ("Invalid IPv6 URL").
BROKEN_HREFS = ("http://[", "http://]x/", "https://[::1/story", "//[bad")

_MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
                b"trailer<</Root 1 0 R>>\n%%EOF\n")
_PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
        b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _html(body: bytes, charset: str | None = "utf-8", **headers: str) -> Reply:
    ctype = "text/html" + (f"; charset={charset}" if charset else "")
    return Reply(200, {"Content-Type": ctype, **headers}, body)


def _stream_zeros(total: int) -> Writer:
    def write(out: IO[bytes]) -> None:
        chunk = b"<p>" + b"x" * (MB - 8) + b"</p>\n"
        sent = 0
        while sent < total:
            out.write(chunk)
            sent += len(chunk)
    return write


def _drip(out: IO[bytes]) -> None:
    out.write(b"<html><body>")
    out.flush()
    for _ in range(DRIP_BYTES):
        time.sleep(DRIP_INTERVAL)
        out.write(b"a")
        out.flush()


class HostileSite:
    """Good articles (from a `NewsSite`) and `BAD_INPUTS`, answered by `handle`."""

    def __init__(self, n_articles: int = 8, seed: int = 2026) -> None:
        self.news = NewsSite(n_articles=n_articles, seed=seed)
        self.inputs = {b.name: b for b in BAD_INPUTS}
        self._by_path = {b.path: b for b in BAD_INPUTS}
        self._bomb: bytes | None = None
        self._bomb_lock = threading.Lock()
        #: Absolute URLs answered to proxy requests (see module docstring); tests fill it.
        self.proxied: dict[str, Reply] = {}

    def good_urls(self, base_url: str) -> set[str]:
        return self.news.article_urls(base_url)

    def bad_urls(self, base_url: str) -> dict[str, str]:
        return {b.name: base_url + b.path for b in BAD_INPUTS}

    def gzip_bomb(self) -> bytes:
        with self._bomb_lock:
            if self._bomb is None:
                self._bomb = gzip.compress(b"<p>" + b" " * (BOMB_EXPANDED_BYTES - 7) + b"</p>", compresslevel=9)
            return self._bomb

    def home(self, base: str) -> str:
        good = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in self.news.articles)
        bad = "".join(f'<li><a href="{b.path}">{b.name}</a></li>' for b in BAD_INPUTS if b.path != "/")
        # links Python's URL parser rejects, before every other link: one must not end the page's parsing
        broken = "".join(f'<a href="{href}">broken</a>' for href in BROKEN_HREFS)
        return (f"<!DOCTYPE html><html><head><title>Hostile Courier</title>"
                '<link rel="alternate" type="application/rss+xml" href="http://[::1/feed">'
                f"</head><body><h1>Hostile Courier</h1><nav>{broken}</nav><ul>{good}</ul><ul>{bad}</ul></body></html>")

    # ------------------------------------------------------------------------------------------ HTTP

    def handle(self, method: str, target: str, headers: dict[str, str], base: str) -> Reply:
        if target.startswith(("http://", "https://")):
            return self.proxied.get(target) or Reply(404, {"Content-Type": "text/plain"}, b"not proxied\n")
        path = urlsplit(target).path
        if path == "/":
            return _html(self.home(base).encode())
        if path == "/robots.txt":
            return Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")
        if path.startswith("/calendar/"):
            return self._calendar(path)
        if path.startswith("/archive/page/"):
            return self._pagination(path)
        if path.startswith("/redirect/"):
            return self._redirects(path)
        if path.startswith("/flood/"):
            return Reply(404, {"Content-Type": "text/plain"}, b"gone\n")
        bad = self._by_path.get(path)
        if bad is not None:
            return self._bad(bad.name)
        resp = self.news.handle(method, target, headers, base)
        return Reply(resp.status, dict(resp.headers), resp.body)

    def _bad(self, name: str) -> Reply:
        title = f"Hostile input: {name}"
        if name == "malformed":
            page = _story(title).replace("</p>", "", 2).replace("<article>", "<article><div class=x id='a b><span>")
            page = page.replace("</h1>", "</h2></html><table><tr><td>") + "</div></span><p <<>>"
            return _html(page.encode())
        if name == "truncated":
            raw = _story(title).encode()
            return _html(raw[: int(len(raw) * 0.7)] + b"<div class=\"unfinis")
        if name == "short-body":
            raw = _story(title).encode()
            return Reply(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(raw) + 5000),
                               "Connection": "close"}, raw)
        if name == "nul-bytes":
            page = _story(title, head="\x00\x01", before="<p>\x00\x07\x1b[31m</p>")
            page = page.replace("„Wir", "„\x00Wir\x08").replace("Köln", "K\x00ö\x0bln\x00", 1)
            # the stored sentence must be whole after the controls are removed
            return _html(page.encode())
        if name == "cp1252-declared":
            return _html(_story(title).encode("cp1252"), "windows-1252")
        if name == "cp1252-undeclared":
            return _html(_story(title).encode("cp1252"), None)
        if name == "cp1252-header-says-utf8":
            return _html(_story(title).encode("cp1252"), "utf-8")
        if name == "utf8-meta-lies":
            return _html(_story(title, head='<meta charset="iso-8859-1">').encode(), None)
        if name == "utf8-bom-header-latin1":
            return _html(b"\xef\xbb\xbf" + _story(title).encode(), "iso-8859-1")
        if name == "shift-jis-meta":
            return _html(_story(f"東京都の防災計画 ({name})", "ja", head='<meta charset="Shift_JIS">').encode("shift_jis"), None)
        if name == "shift-jis-undeclared":
            return _html(_story(f"東京都の防災計画 ({name})", "ja").encode("shift_jis"), None)
        if name == "shift-jis-conflict":
            return _html(_story(f"東京都の防災計画 ({name})", "ja", head='<meta charset="Shift_JIS">').encode("shift_jis"), "utf-8")
        if name == "euc-jp-header-latin1":
            head = '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'
            return _html(_story(f"東京都の防災計画 ({name})", "ja", head=head).encode("euc_jp"), "iso-8859-1")
        if name == "utf16":
            return _html(_story(title).encode("utf-16"), None)
        if name == "binary-as-html":
            return _html(random.Random(8).randbytes(64 * 1024))
        if name == "pdf-as-html":
            return _html(_MINIMAL_PDF)
        if name == "pdf":
            return Reply(200, {"Content-Type": "application/pdf"}, _MINIMAL_PDF)
        if name == "image":
            return Reply(200, {"Content-Type": "image/png"}, _PNG)
        if name == "huge":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(HUGE_BYTES)},
                         stream=_stream_zeros(HUGE_BYTES))
        if name == "huge-chunked":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"},
                         stream=_stream_zeros(HUGE_BYTES))
        if name == "gzip-bomb":
            return _html(self.gzip_bomb(), **{"Content-Encoding": "gzip"})
        if name == "redirect-loop":
            return Reply(302, {"Location": "/redirect/loop-b/"})
        if name == "redirect-chain":
            return Reply(302, {"Location": "/redirect/chain/1/"})
        if name == "drip":
            return Reply(200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(12 + DRIP_BYTES)},
                         stream=_drip)
        if name == "link-flood":
            links = "".join(f'<a href="/flood/{i}/item">item {i}</a> ' for i in range(FLOOD_LINKS))
            return _html(_story(title, after=f"<div>{links}</div>").encode())
        if name == "bad-date":
            page = _story(title).replace("2026-02-10T08:00:00+00:00", "Tue, 10 Feb 2026 08:00:00 -9999")
            return _html(page.encode())
        if name == "deep-dom":
            return _html(_story(title, before="<div>" * DEEP_NESTING, after="</div>" * DEEP_NESTING).encode())
        raise KeyError(name)

    def _redirects(self, path: str) -> Reply:
        if path == "/redirect/loop-b/":
            return Reply(302, {"Location": _p("redirect-loop")})
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[1] == "chain" and parts[2].isdigit():
            return Reply(302, {"Location": f"/redirect/chain/{int(parts[2]) + 1}/"})
        return Reply(404, {"Content-Type": "text/plain"}, b"no\n")

    def _calendar(self, path: str) -> Reply:
        """/calendar/Y/M/ links every day of the month and the next and previous months; a day links the
        next and previous days. Any year is served: the calendar never ends."""
        parts = [int(x) for x in path.strip("/").split("/")[1:] if x.isdigit()]
        links: list[str] = []
        if len(parts) == 2:
            y, m = parts
            links += [f"/calendar/{y}/{m:02d}/{d:02d}/" for d in range(1, 29)]
            links += [f"/calendar/{y + (m == 12)}/{m % 12 + 1:02d}/", f"/calendar/{y - (m == 1)}/{(m - 2) % 12 + 1:02d}/"]
        elif len(parts) == 3:
            y, m, d = parts
            links += [f"/calendar/{y}/{m:02d}/{d % 28 + 1:02d}/", f"/calendar/{y}/{m:02d}/{(d - 2) % 28 + 1:02d}/",
                      f"/calendar/{y}/{m:02d}/"]
        items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
        return _html(f"<html><body><h1>Events {path}</h1><p>No events.</p><ul>{items}</ul></body></html>".encode())

    def _pagination(self, path: str) -> Reply:
        n = int(path.strip("/").split("/")[-1] or 1)
        items = "".join(f'<li><a href="/archive/page/{n * 10 + k}/">page {n * 10 + k}</a></li>' for k in range(10))
        return _html(f"<html><body><h1>Archive page {n}</h1><ul>{items}</ul></body></html>".encode())


# ------------------------------------------------------------------------------------------- server


@dataclass(frozen=True)
class Hit:
    method: str
    target: str
    host: str
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"
    timeout = 30

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def _serve(self, method: str) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            reply = owner.site.handle(method, self.path, headers, owner.base_url)
        except Exception:
            logger.exception("hostile site failed to answer %s %s", method, self.path)
            reply = Reply(500, {"Content-Type": "text/plain"}, b"bug\n")
        owner.log(Hit(method, self.path, headers.get("host", ""), reply.status))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is None and "Content-Length" not in reply.headers:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if method == "HEAD":
            return
        try:
            if reply.stream is not None:
                reply.stream(self.wfile)
            else:
                self.wfile.write(reply.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            logger.debug("client went away during %s", self.path)
        if reply.stream is not None or reply.headers.get("Connection") == "close":
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


class HostileServer(LoopbackServer):
    """Serve a `HostileSite` on 127.0.0.1 (free port) from a background thread; a context manager."""

    handler = _Handler
    thread_name = "hostile"

    def __init__(self, site: HostileSite | None = None, port: int = 0) -> None:
        super().__init__(port)
        self.site = site if site is not None else HostileSite()
        self._lock = threading.Lock()
        self._hits: list[Hit] = []

    def log(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    @property
    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self._hits)

    def requests_for(self, prefix: str) -> list[Hit]:
        return [h for h in self.hits if h.target.startswith(prefix)]
