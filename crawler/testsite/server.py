"""`SiteServer`: the test news site on 127.0.0.1, in a background thread, with a request log."""

from __future__ import annotations

import http.client
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from .site import NewsSite

logger = logging.getLogger(__name__)

#: Request headers kept in the log (lower-case names).
LOGGED_HEADERS = ("user-agent", "if-none-match", "if-modified-since", "referer", "accept", "accept-encoding")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    #: Request target as sent: path plus ``?query``.
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    time: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"
    #: Idle keep-alive connections are dropped after this many seconds.
    timeout = 30
    server_version = "MeridianCourier/1.0"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._serve("POST")

    def _serve(self, method: str) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        if method == "POST":
            status, resp_headers, body = 405, {"Content-Type": "text/plain; charset=utf-8", "Allow": "GET, HEAD"}, b"Method not allowed\n"
        else:
            try:
                host = headers.get("host", "")
                base = f"http://{host}" if re.fullmatch(r"[\w.\-]+(:\d+)?|\[[0-9a-fA-F:]+\](:\d+)?", host) else owner.base_url
                resp = owner.site.handle(method, self.path, headers, base)
                status, resp_headers, body = resp.status, resp.headers, resp.body
            except Exception:
                logger.exception("test site failed to answer %s %s", method, self.path)
                status, resp_headers, body = 500, {"Content-Type": "text/plain; charset=utf-8"}, b"Server bug\n"
        owner._log(LoggedRequest(method, self.path, status, {k: headers[k] for k in LOGGED_HEADERS if k in headers},
                                 time.time()))
        self.send_response(status)
        for name, value in resp_headers.items():
            self.send_header(name, value)
        if "Content-Length" not in resp_headers and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and method != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log replaces stderr lines."""


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server for loopback tests: a deep listen backlog, no tracebacks on stderr."""

    daemon_threads = True
    #: Listen backlog. socketserver's default of 5 drops connection attempts when a crawler opens
    #: more at once, and the client then waits seconds for a TCP retransmission.
    request_queue_size = 256
    owner: Any

    def handle_error(self, request: object, client_address: object) -> None:
        """Client resets and similar: debug log, never a traceback on stderr."""
        logger.debug("connection error from %s: %r", client_address, sys.exc_info()[1])


class LoopbackServer:
    """Serves ``handler`` on 127.0.0.1 (a free port unless `port` is given) from a background thread.

    Use as a context manager, or call `start()` / `stop()`. ``base_url`` has no trailing slash. The
    handler reaches this object as ``self.server.owner``.
    """

    handler: type[BaseHTTPRequestHandler]
    thread_name = "loopback"

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port
        self._httpd: QuietServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        httpd = QuietServer((self.host, self.port), self.handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"{self.thread_name}-{self.port}", daemon=True)
        self._thread.start()
        logger.debug("%s serving on %s", self.thread_name, self.base_url)
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


class SiteServer(LoopbackServer):
    """Serve a `NewsSite` on 127.0.0.1 (free port unless `port` is given) from a background thread."""

    handler = _Handler
    thread_name = "testsite"

    def __init__(self, site: NewsSite | None = None, port: int = 0, host: str = "127.0.0.1",
                 n_articles: int = 40) -> None:
        super().__init__(port, host)
        self.site = site if site is not None else NewsSite(n_articles)
        self._log_lock = threading.Lock()
        self._requests: list[LoggedRequest] = []

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- request log ---------------------------------------------------------------------------------

    def _log(self, entry: LoggedRequest) -> None:
        with self._log_lock:
            self._requests.append(entry)

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[LoggedRequest]:
        """Logged requests for `path`: an exact target match, or, if `path` has no query, any query."""
        return [r for r in self.requests if r.path == path or ("?" not in path and r.path.split("?", 1)[0] == path)]

    def clear_log(self) -> None:
        with self._log_lock:
            self._requests.clear()

    # -- convenience client --------------------------------------------------------------------------

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One request without following redirects: (status, headers with lower-case names, body)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            body = resp.read()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
        finally:
            conn.close()


# ------------------------------------------------------------------------------ a server of fixed routes


@dataclass(frozen=True)
class Reply:
    """One HTTP answer of a `RouteServer` route."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Seen:
    """One request a `RouteServer` answered: when it arrived (the server's monotonic clock), its Host
    header, path and the status answered."""

    at: float
    host: str
    path: str
    status: int


#: A route: a fixed reply, or a function giving the reply of each request (a server that changes).
Route = Reply | Callable[[], Reply]
NOT_FOUND = Reply(404, {"Content-Type": "text/html"}, b"<html>not here</html>")


class _RouteHandler(BaseHTTPRequestHandler):
    server: QuietServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        owner: RouteServer = self.server.owner
        reply = owner.reply(self.path, self.headers.get("Host", ""))
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: `RouteServer.seen` is the log."""


class RouteServer(LoopbackServer):
    """Serves ``routes`` (path -> `Route`; 404 for any other path) on 127.0.0.1 and logs every request
    with its arrival time: small sites of a test's own (throttling, big sitemaps, missing robots.txt)."""

    handler = _RouteHandler
    thread_name = "routes"

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self._seen: list[Seen] = []

    def reply(self, path: str, host: str = "") -> Reply:
        route = self.routes.get(path, NOT_FOUND)
        reply = route if isinstance(route, Reply) else route()
        with self._lock:
            self._seen.append(Seen(time.monotonic(), host, path, reply.status))
        return reply

    def seen(self, path: str) -> list[Seen]:
        """The requests for ``path``, oldest first."""
        with self._lock:
            return [s for s in self._seen if s.path == path]

    def hits(self, path: str) -> int:
        return len(self.seen(path))


def article_reply(title: str) -> Reply:
    """A short story page (English sentences, the test site's hostile set) under ``title``."""
    from .hostile import LATIN_SENTENCES, story_html

    return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, story_html(title, LATIN_SENTENCES).encode())


def sitemap_reply(base: str, *paths: str) -> Reply:
    """A sitemap listing ``base + path`` for each of ``paths``."""
    urls = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    body = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return Reply(200, {"Content-Type": "application/xml"}, body.encode())
