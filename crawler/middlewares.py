"""Scrapy middlewares that keep a crawl safe and going on hostile input (README, "Reliability and security").

Downloader middlewares (registered in ``crawler/settings.py``):

* `SsrfGuardMiddleware` refuses requests to private, loopback, link-local, multicast, reserved and
  unspecified addresses (IPv4 and IPv6, IPv4-mapped and 6to4 IPv6, decimal/octal/hex IPv4 spellings)
  and to hosts whose DNS answers include one, before any connection is made. Redirects are checked
  too: a redirect is a new request that passes through the downloader middlewares again.
  ``NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES = True`` turns it off (tests and ``scrapy demo``).
* `RedirectLoopMiddleware` turns a redirect back to a URL already in the chain into a counted
  failure (Scrapy's duplicate filter would otherwise drop it without a word).
* `OffsiteRedirectMiddleware` refuses an article request redirected (HTTP or meta refresh) to a host
  outside its source's site (`same_site`: the source's domains, or their registered domain).
* `RetryAfterMiddleware` retries a 429/503 carrying ``Retry-After`` after the wait it asks (at most
  ``NEWSCLEAN_RETRY_AFTER_MAX_SECONDS``, else the request is given up) and slows that site meanwhile.
* `CharsetMiddleware` decodes HTML with the charset the bytes support (a valid UTF-8 body wins over
  a lying declaration; an undeclared or wrongly declared legacy body gets the declaration that decodes
  it, else detection), re-encodes it as UTF-8 without NUL and control characters, and turns binary
  bodies served as text into plain (non-text) responses.

Spider middleware: `LinkBudgetMiddleware` bounds the links taken from one page and the listing pages
fetched per source (calendar and pagination traps, pages with 100,000 links).

`failure_kind` names the kind of a failed fetch; the spider counts ``newsclean/fetch_error/<kind>``.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
import traceback
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import unquote

from courlan.urlutils import extract_domain
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet import error as twisted_error
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure
from w3lib import html as w3lib_html
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

from crawler.config import Config, mask_password
from crawler.urls import in_domains

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# ------------------------------------------------------------------------------------- SSRF guard


class SsrfRefused(IgnoreRequest):
    """A request the SSRF guard refused; ``kind`` is the address class (``loopback``, ``private``...)."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


#: Schemes a news crawl may fetch; anything else (file:, ftp:, s3:, data:) is refused by the guard.
ALLOWED_SCHEMES = frozenset({"http", "https"})

#: Legacy IPv4 spellings that inet_aton (and so getaddrinfo and browsers) accept: 2130706433,
#: 0x7f.1, 0177.0.0.1, 127.1 ...
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+)){0,3}\.?$", re.IGNORECASE)


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` must not be fetched (``loopback``, ``private``, ``link_local``, ``multicast``,
    ``reserved``, ``unspecified``), or None for a public address.

    IPv4-mapped (``::ffff:127.0.0.1``), IPv4-compatible (``::127.0.0.1``), 6to4 (``2002:7f00:1::``)
    and NAT64 (``64:ff9b::a00:1``) IPv6 addresses are judged by the IPv4 address they carry.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and int(ip) >> 32 == 0 and int(ip) > 1:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # deprecated IPv4-compatible ::a.b.c.d
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def ip_literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, if it is an IP literal in any spelling a resolver accepts."""
    host = unquote(host).strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), via the system resolver; blocking."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _HostCache:
    """A bounded, time-limited cache of host -> resolved addresses (oldest entries evicted first)."""

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self._data: OrderedDict[str, tuple[float, list[str]]] = OrderedDict()

    def get(self, host: str) -> list[str] | None:
        entry = self._data.get(host)
        if entry is None or time.monotonic() - entry[0] > self.ttl:
            return None
        self._data.move_to_end(host)
        return entry[1]

    def put(self, host: str, addresses: list[str]) -> None:
        self._data[host] = (time.monotonic(), addresses)
        self._data.move_to_end(host)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class SsrfGuardMiddleware:
    """Refuse requests whose host is, or resolves to, a non-public address (see module docstring).

    Every request passes here, redirects included (RedirectMiddleware and MetaRefreshMiddleware
    schedule a new request, which goes through ``process_request`` again). Host names are resolved
    in a thread with the system resolver; the answers are cached per host (`CACHE_SIZE` hosts,
    `CACHE_TTL` seconds) and, when one is private, the request is refused. With Scrapy's default
    resolver, the checked IPv4 answer is also put in Scrapy's DNS cache, so the connection uses the
    address that was checked (not a second, possibly rebound, answer).
    A refusal raises `SsrfRefused` (an IgnoreRequest: the spider's errback logs it), logs the reason
    and counts ``newsclean/ssrf/refused/<kind>``.
    """

    CACHE_SIZE = 4096
    CACHE_TTL = 300.0

    def __init__(self, *, allow_private: bool, stats: Any = None,
                 resolver: Callable[[str], list[str]] | None = None, prime_dns_cache: bool = False) -> None:
        self.allow_private = allow_private
        self.stats = stats
        self.resolver = resolver or resolve_host
        self.prime_dns_cache = prime_dns_cache
        self.cache = _HostCache(self.CACHE_SIZE, self.CACHE_TTL)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SsrfGuardMiddleware:
        config = Config.from_settings(crawler.settings)
        if config.allow_private_addresses:
            logger.info("NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES is on: private and loopback addresses may be fetched")
        return cls(allow_private=config.allow_private_addresses, stats=crawler.stats,
                   prime_dns_cache=uses_caching_threaded_resolver(crawler.settings))

    async def process_request(self, request: Request) -> None:
        if self.allow_private:
            return None
        parts = urlparse_cached(request)
        scheme = (parts.scheme or "").lower()
        if scheme not in ALLOWED_SCHEMES:
            self._refuse(request, "scheme", f"scheme {scheme or '(none)'!r} is not fetched")
        host = parts.hostname or ""
        if not host:
            self._refuse(request, "no_host", "the URL has no host")
        literal = ip_literal(host)
        if literal is not None:
            kind = address_kind(literal)
            if kind is not None:
                self._refuse(request, kind, f"{host} is a {kind.replace('_', '-')} address")
            return None
        addresses = self.cache.get(host)
        if addresses is None:
            try:
                addresses = await _in_thread(self.resolver, host)
            except OSError as exc:
                # Failed closed: letting the request through would leave Scrapy to resolve the name again,
                # unchecked, and a flaky or rebinding DNS server could answer a private address then.
                # Raised as the DNS failure it is: retried like one, then counted as fetch_error/dns.
                logger.debug("SSRF guard could not resolve %s: %s", host, exc)
                raise CannotResolveHostError(f"{host}: {exc}") from exc
            self.cache.put(host, addresses)
        self.check_addresses(request, host, addresses)
        if self.prime_dns_cache:
            _prime_scrapy_dns_cache(host, addresses)
        return None

    def check_addresses(self, request: Request, host: str, addresses: Iterable[str]) -> None:
        """Refuse ``request`` when any of ``host``'s DNS answers is not a public address."""
        for address in addresses:
            ip = ip_literal(address)
            kind = address_kind(ip) if ip is not None else "unparseable"
            if kind is not None:
                self._refuse(request, kind, f"{host} resolves to {address}, a {kind.replace('_', '-')} address")

    def _refuse(self, request: Request, kind: str, why: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"newsclean/ssrf/refused/{kind}")
        via = request.meta.get("redirect_urls")
        logger.warning("SSRF guard refused %s: %s%s", request.url, why,
                       f" (redirected from {via[0]})" if via else "")
        raise SsrfRefused(f"SSRF guard: {why}", kind)


async def _in_thread(func: Callable[[str], list[str]], arg: str) -> list[str]:
    from scrapy.utils.defer import maybe_deferred_to_future

    result: list[str] = await maybe_deferred_to_future(deferToThread(func, arg))
    return result


def uses_caching_threaded_resolver(settings: Any) -> bool:
    """Whether Scrapy resolves with its default CachingThreadedResolver, whose cache (host -> one IPv4
    string) the guard may fill; other resolvers keep other things in it, and are left alone."""
    names = [str(settings["TWISTED_DNS_RESOLVER"] or "")]
    if (settings.getpriority("DNS_RESOLVER") or 0) > 0:  # the deprecated name, when someone set it
        names.append(str(settings["DNS_RESOLVER"] or ""))
    return all(name.endswith(".CachingThreadedResolver") for name in names)


def _prime_scrapy_dns_cache(host: str, addresses: list[str]) -> None:
    """Put the checked IPv4 answer in Scrapy's resolver cache (Scrapy then connects to that address,
    not to a second, possibly different, DNS answer)."""
    from scrapy.resolver import dnscache

    ipv4 = next((a for a in addresses if ":" not in a), None)
    if ipv4 is not None and dnscache.limit:
        dnscache[host] = ipv4


# ------------------------------------------------------------------------------ redirect loops


class RedirectLoop(IgnoreRequest):
    """A redirect to a URL already visited in the same redirect chain."""


class RedirectLoopMiddleware:
    """Fail a redirect that points back into its own chain (A -> B -> A) with `RedirectLoop`.

    Runs before Scrapy's RedirectMiddleware sees the response (priority above 600). Without it, the
    looping request is silently dropped by the duplicate filter; a chain of fresh URLs is ended by
    Scrapy's ``REDIRECT_MAX_TIMES`` ("max redirections reached").
    """

    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectLoopMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        from w3lib.url import safe_url_string

        target = safe_url_string(response.urljoin(location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            if self.stats is not None:
                self.stats.inc_value("newsclean/redirect_loop")
            logger.warning("Redirect loop: %s -> %s (chain of %d)", request.url, target, len(chain))
            raise RedirectLoop(f"redirect loop: {request.url} -> {target}")
        return response


# ------------------------------------------------------------------------------ off-site redirects


class OffsiteRedirect(IgnoreRequest):
    """An article request redirected to a host outside its source's site."""


class NotModified(IgnoreRequest):
    """A revisit answered ``304 Not Modified`` (`crawler.incremental.NotModifiedMiddleware`): the stored
    article is current; the request ends here, and this is no failure."""


def registered_domain(host_or_url: str) -> str | None:
    """The registered domain (public suffix + 1 label: ``bbc.co.uk`` for ``www.news.bbc.co.uk``) of a
    host or URL, from the Public Suffix List courlan ships (no network); None for IP addresses, single
    labels (``localhost``) and suffixes the list does not know (``news.example``)."""
    url = host_or_url if "//" in host_or_url else f"http://{host_or_url}/"
    return extract_domain(url)


def same_site(url: str, domains: frozenset[str]) -> bool:
    """Whether ``url``'s host belongs to a source with these ``allowed_domains``: one of them or a
    subdomain (``www.`` ignored, as `crawler.urls.in_domains`), or under the same registered domain
    (``edition.news.example.com`` -> ``news.example.com``). Scheme and port do not matter."""
    if in_domains(url, domains) or in_domains(url, frozenset(d.lower().removeprefix("www.") for d in domains)):
        return True
    domain = registered_domain(url)
    return domain is not None and any(registered_domain(d) == domain for d in domains)


class OffsiteRedirectMiddleware:
    """Refuse an article request that a redirect (HTTP 3xx or meta refresh) sent off its source's site.

    Scrapy follows redirects anywhere, and its own OffsiteMiddleware reads ``spider.allowed_domains``,
    which a crawl of many sources has not: an article of one source would be fetched from, and stored
    under, another site, outside that source's ``since`` and patterns. A redirect is a new request
    that passes through ``process_request`` again, with the chain in ``redirect_urls``; when its host
    is not `same_site` as the source (``nc_source``) of an ``nc_role="article"`` request, it raises
    `OffsiteRedirect` before any connection (the spider's errback logs it and counts
    ``newsclean/fetch_error/offsite_redirect``) and counts ``newsclean/offsite_redirect``.
    Other roles are let through: a feed or sitemap on a CDN host is normal, and links found on any
    page are followed only inside the source's domains.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        via = request.meta.get("redirect_urls")
        if not via or request.meta.get("nc_role") != "article":
            return None
        sources = getattr(self.crawler.spider, "sources", None)
        index = request.meta.get("nc_source")
        if not isinstance(index, int) or not sources or not 0 <= index < len(sources):
            return None
        source = sources[index]
        if same_site(request.url, source.allowed_domains):
            return None
        self.stats.inc_value("newsclean/offsite_redirect")
        logger.warning("Article %s of source %s redirects off its site to %s (outside %s): not fetched",
                       via[0], source.name, request.url, ", ".join(sorted(source.allowed_domains)))
        raise OffsiteRedirect(f"redirected off the source's site: {via[0]} -> {request.url}")


# ------------------------------------------------------------------------------- Retry-After

#: Statuses whose ``Retry-After`` says when to come back (RFC 9110 section 10.2.3; RFC 6585 for 429).
RETRY_AFTER_STATUSES = frozenset({429, 503})

#: Retries of one request after its Retry-After at most. They are not failures and do not use up
#: ``RETRY_TIMES`` (a site throttling a night crawl asks for several waits); bounded all the same, so
#: a server answering ``Retry-After: 0`` forever cannot hold a request: five waits of at most
#: ``NEWSCLEAN_RETRY_AFTER_MAX_SECONDS`` (five minutes at the default) and a site still throttling is
#: given up for the run.
RETRY_AFTER_MAX_TIMES = 5


def retry_after_seconds(value: bytes | str | None, *, date: bytes | str | None = None,
                        now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (never negative), or None when it is
    absent or unreadable.

    Delta-seconds (``120``) or an HTTP-date (``Wed, 21 Oct 2026 07:28:00 GMT``); a date is measured
    from the response's own ``Date`` header when it has a readable one (the server's clock: no skew
    between the two machines), else from ``now`` (default: this machine's clock).
    """
    from email.utils import parsedate_to_datetime

    if isinstance(value, bytes):
        value = value.decode("latin-1")
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    reference = now if now is not None else time.time()
    if isinstance(date, bytes):
        date = date.decode("latin-1")
    if date:
        try:
            reference = parsedate_to_datetime(date.strip()).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass  # an unreadable Date: our own clock
    return max(0.0, when - reference)


class RetryAfterMiddleware:
    """Retry a 429 or 503 that carries ``Retry-After`` after the wait it asks, and slow its site.

    Runs before Scrapy's RetryMiddleware (550) sees the response, and keeps its rules: off with
    ``RETRY_ENABLED = False``, only statuses in ``RETRY_HTTP_CODES``, never with ``dont_retry``, the
    retry's priority changed by ``RETRY_PRIORITY_ADJUST``. Responses without a readable
    ``Retry-After`` are left to RetryMiddleware as before. A response with one is not a failure: its
    retries do not use up ``RETRY_TIMES`` (the retry keeps the request's ``retry_times``), they are
    bounded by `RETRY_AFTER_MAX_TIMES` (``newsclean/retry_after/max_reached`` beyond it). For each:

    * the download slot of the site (the host) gets that wait as its delay, so the site's other
      requests are spaced by it too; the slot's delay is put back after the next response that is not
      a 429/503 (or AutoThrottle, when on, lowers it again as responses come);
    * a wait of at most ``NEWSCLEAN_RETRY_AFTER_MAX_SECONDS``: the retry request is returned after that
      wait, without blocking the reactor (``scrapy.utils.asyncio.sleep``); the request keeps its place
      among Scrapy's active downloads meanwhile, so the crawl cannot end before it is retried, and a
      graceful stop waits for it (a second Ctrl-C does not). Counted as ``newsclean/retry_after/retried``;
      ``newsclean/retry_after/max_wait_seconds`` is the longest wait;
    * a longer wait: the request is given up for this run (retrying earlier is pointless, and waiting
      longer would hold the crawl), logged with the reason and counted as
      ``newsclean/retry_after/beyond_max``; the spider's errback counts it as ``fetch_error/http_<status>``.
    """

    def __init__(self, crawler: Any, max_seconds: float) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        self.statuses = RETRY_AFTER_STATUSES & {int(x) for x in settings.getlist("RETRY_HTTP_CODES")}
        if not self.statuses:
            raise NotConfigured("RETRY_HTTP_CODES has neither 429 nor 503")
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_seconds = max_seconds
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        #: Slots slowed here: slot key -> (the delay it had, the delay set).
        self._slowed: dict[str, tuple[float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler, Config.from_settings(crawler.settings).retry_after_max_seconds)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in self.statuses:
            self._unslow(request)
            return response
        if request.meta.get("dont_retry", False):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), date=response.headers.get(b"Date"))
        if wait is None:
            return response  # RetryMiddleware retries it at once, as for any 429/503
        self._slow(request, min(wait, self.max_seconds))
        if wait > self.max_seconds:
            request.meta["dont_retry"] = True  # not at once by RetryMiddleware either
            self.stats.inc_value("newsclean/retry_after/beyond_max")
            logger.warning("Giving up %s for this run: HTTP %d asks to retry after %.0f s, more than "
                           "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS=%g", request.url, response.status, wait,
                           self.max_seconds)
            return response
        times = request.meta.get("nc_retry_after_times", 0)
        if times >= RETRY_AFTER_MAX_TIMES:
            request.meta["dont_retry"] = True
            self.stats.inc_value("newsclean/retry_after/max_reached")
            logger.warning("Giving up %s for this run: still HTTP %d after %d waits for its Retry-After",
                           request.url, response.status, times)
            return response
        retry = request.copy()
        retry.meta["nc_retry_after_times"] = times + 1
        retry.dont_filter = True
        retry.priority = request.priority + request.meta.get("priority_adjust", self.priority_adjust)
        request.meta["dont_retry"] = True  # decided here: RetryMiddleware must not retry it at once
        self.stats.inc_value("newsclean/retry_after/retried")
        self.stats.max_value("newsclean/retry_after/max_wait_seconds", round(wait))
        logger.info("HTTP %d for %s: retrying in %.1f s, as its Retry-After asks", response.status,
                    request.url, wait)
        if wait:
            await sleep(wait)
        return retry

    def _slot(self, request: Request) -> tuple[str, Any] | None:
        engine = getattr(self.crawler, "engine", None)
        key = request.meta.get("download_slot")
        if engine is None or key is None:
            return None
        slot = engine.downloader.slots.get(key)
        return (key, slot) if slot is not None else None

    def _slow(self, request: Request, delay: float) -> None:
        found = self._slot(request)
        if found is None:
            return
        key, slot = found
        if slot.delay >= delay:
            return
        before = self._slowed[key][0] if key in self._slowed else slot.delay
        self._slowed[key] = (before, delay)
        slot.delay = delay
        logger.info("Slowing down %s: one request every %.1f s (Retry-After)", key, delay)

    def _unslow(self, request: Request) -> None:
        if not self._slowed:
            return
        found = self._slot(request)
        if found is None or found[0] not in self._slowed:
            return
        key, slot = found
        before, delay = self._slowed.pop(key)
        if slot.delay == delay:  # else AutoThrottle (or someone) has set it since: theirs now
            slot.delay = before


# ------------------------------------------------------------------------------------ charsets

#: Encodings that may be chosen without the bytes proving them (multi-byte encodings decode
#: strictly only when the bytes really are in them; single-byte ones decode anything).
_MULTIBYTE = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                        "shift_jis", "cp932", "euc_jp", "euc-jp", "iso2022_jp", "gb2312", "gbk", "gb18030",
                        "big5", "big5hkscs", "cp950", "euc_kr", "euc-kr", "cp949", "cp936", "iso2022_kr"})
#: Leading bytes of binary formats that are sometimes served as text/html.
BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"BZh",
                b"\xfd7zXZ", b"7z\xbc\xaf", b"RIFF", b"OggS", b"ID3", b"\x00\x00\x01\x00", b"wOFF", b"wOF2")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: Characters removed from HTML text: C0 controls but tab, line feed, form feed and carriage return,
#: DEL, and the noncharacters U+FFFE/U+FFFF (none is allowed in HTML or XML text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
#: The same control characters as raw bytes, looked for in the undecoded body: a byte below 0x20 or
#: 0x7f is that character in every ASCII-compatible encoding (multi-byte encodings use higher trail
#: bytes; UTF-16/32 are handled apart). ``bytes.translate`` deletes them in one C pass (0.16 ms for a
#: 250 KB page, against 0.8 ms for a regex search and more for decoding the page first).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


def _norm(encoding: str | None) -> str | None:
    if not encoding:
        return None
    resolved = resolve_encoding(encoding)
    return resolved.replace("_", "-").lower() if resolved else None


def _multibyte(encoding: str) -> bool:
    return encoding in _MULTIBYTE or encoding.replace("-", "_") in _MULTIBYTE


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def looks_binary(body: bytes) -> bool:
    """True for bodies that are not text whatever their Content-Type says (magic number, or many
    control bytes without a UTF-16/32 byte order mark)."""
    head = body[:4096]
    if head.lstrip()[:8].startswith(BINARY_MAGIC) and not head.startswith(_BOMS):
        return True
    if head.startswith(_BOMS):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.10


def choose_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding the bytes of an HTML page support, from the evidence in order of strength.

    1. A byte order mark. 2. Valid UTF-8 with non-ASCII bytes (valid UTF-8 is almost never anything
    else, so it wins over a declaration that lies). 3. The HTTP charset, then the ``<meta>`` charset,
    when the bytes decode with it (multi-byte declarations first: bytes that decode strictly as
    Shift_JIS or EUC-JP are strong evidence, while a single-byte charset decodes anything). 4. Detection (charset_normalizer), with windows-1252 preferred
    over other single-byte guesses (it is what browsers assume for an undeclared page). None when
    the body is ASCII (every declaration agrees) or nothing decodes it.
    """
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if body.startswith(bom):
            return enc
    if body.isascii():
        return None
    if _decodes(body, "utf-8"):
        return "utf-8"
    declared = [e for e in (_norm(http_content_type_encoding(content_type or "")),
                            _norm(html_body_declared_encoding(body))) if e and e != "utf-8"]
    # A multi-byte declaration the bytes satisfy beats a single-byte one (which any bytes satisfy).
    for declared_enc in sorted(declared, key=lambda e: not _multibyte(e)):
        if _decodes(body, declared_enc):
            return declared_enc
    import charset_normalizer

    best = charset_normalizer.from_bytes(body[:200_000]).best()
    guess = _norm(best.encoding) if best is not None else None
    if guess and _multibyte(guess) and _decodes(body, guess):
        return guess
    if _decodes(body, "cp1252"):
        return "cp1252"
    return guess


class CharsetMiddleware:
    """Give HTML responses the right text: see `choose_encoding`, and strip NUL/control characters.

    A page whose encoding is corrected, or whose text holds NUL or control characters, is re-encoded
    as UTF-8 (``response.encoding == "utf-8"``), so extraction and storage (PostgreSQL refuses NUL in
    text) get clean text. Counts ``newsclean/charset/corrected``, ``newsclean/charset/controls_removed``
    and ``newsclean/charset/binary_body`` (a binary body served as HTML becomes a plain, non-text
    response, which the spider skips as ``newsclean/skipped/not_text``). Runs after decompression.
    """

    def __init__(self, stats: Any = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> CharsetMiddleware:
        return cls(crawler.stats)

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse) or not response.body:
            return response
        body = response.body
        if looks_binary(body):
            self._inc("newsclean/charset/binary_body")
            logger.info("Binary body served as %s, not parsed as HTML: %s",
                        (response.headers.get(b"Content-Type") or b"?").decode("latin-1"), response.url)
            return Response(**{name: getattr(response, name) for name in Response.attributes})
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        chosen = choose_encoding(body, content_type)
        current = _norm(response.encoding)
        corrected = chosen is not None and chosen != current
        if corrected:
            self._inc("newsclean/charset/corrected")
            logger.info("Charset of %s: decoded as %s (Scrapy chose %s from the declarations)",
                        response.url, chosen, current)
        encoding = (chosen if corrected else response.encoding) or "utf-8"
        has_controls = len(body.translate(None, _CONTROL_BYTES)) != len(body) or encoding.startswith("utf-16")
        if not corrected and not has_controls:
            return response
        text = body.decode(encoding, errors="replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        cleaned, removed = _CONTROL.subn("", text)
        if removed:
            self._inc("newsclean/charset/controls_removed")
            logger.info("Removed %d NUL/control characters from %s", removed, response.url)
        return response.replace(body=cleaned.encode("utf-8"), encoding="utf-8")


# --------------------------------------------------------------------------- meta refresh


#: Characters of a page's start that Scrapy reads for a ``<meta http-equiv="refresh">`` (and
#: ``<base href>``), and the bytes decoded to get them (a character is at most 4 bytes).
META_REFRESH_CHARS = 4096
META_REFRESH_BYTES = 4 * META_REFRESH_CHARS


class MetaRefreshHeadMiddleware(MetaRefreshMiddleware):
    """Scrapy's `MetaRefreshMiddleware`, reading only the start of the page.

    Scrapy's reads ``response.text[:4096]``: it decodes the whole page into a string, which the
    response then keeps (for a 250 KB page, 250 KB to 1 MB) while the page waits for extraction, only
    to look at its first 4,096 characters. This one decodes the first 16 KB and gives w3lib the same
    4,096 characters (the page's own encoding, undecodable bytes dropped as Scrapy's decoding replaces
    them), then redirects exactly as Scrapy's does. Measured in a 2,000-page crawl: the crawl process held
    ~12 MB of such copies.
    """

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if (request.meta.get("dont_redirect", False) or request.method == "HEAD"
                or not isinstance(response, HtmlResponse)
                or urlparse_cached(request).scheme not in {"http", "https"}):
            return response
        head = response.body[:META_REFRESH_BYTES].decode(response.encoding, errors="ignore")[:META_REFRESH_CHARS]
        base = w3lib_html.get_base_url(head, response.url, response.encoding)
        interval, url = w3lib_html.get_meta_refresh(head, base, response.encoding, ignore_tags=self._ignore_tags)
        if not url:
            return response
        redirected = self._redirect_request_using_get(request, response, url)
        if urlparse_cached(redirected).scheme not in {"http", "https"}:
            return response
        if float(interval or 0) < self._maxdelay:
            return self._redirect(redirected, request, "meta refresh")
        return response


# --------------------------------------------------------------------------- link budget (spider)


class LinkBudgetMiddleware:
    """Bound what one page and one source can add to the crawl (spider middleware).

    * at most ``NEWSCLEAN_MAX_LINKS_PER_PAGE`` requests from one HTML page: the page's output stops
      there (it is not read further, so a page with a million links costs no more than one with a
      thousand) and the page is counted as ``newsclean/discovery/pages_over_link_limit``;
    * at most ``NEWSCLEAN_MAX_LISTING_PAGES`` listing pages (fetched only for their links) per
      source (``newsclean/discovery/listing_over_budget``): calendar and pagination traps end here
      even when depth alone would allow thousands of pages.

    Sitemaps and feeds are not limited here (a sitemap names up to 50,000 URLs by design;
    ``max_pages`` bounds the articles taken from them).
    """

    def __init__(self, max_links_per_page: int, max_listing_pages: int, stats: Any = None) -> None:
        self.max_links_per_page = max_links_per_page
        self.max_listing_pages = max_listing_pages
        self.stats = stats
        #: Listing URLs scheduled per source (each counted once: every article links the same tags).
        self._listing: dict[Any, set[str]] = {}
        self._budget_logged: set[Any] = set()

    @classmethod
    def from_crawler(cls, crawler: Any) -> LinkBudgetMiddleware:
        config = Config.from_settings(crawler.settings)
        return cls(config.max_links_per_page, config.max_listing_pages, crawler.stats)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        from_page = isinstance(response, TextResponse) and response.meta.get("nc_role") in ("home", "listing", "article")
        taken = 0
        truncated = False
        async for obj in result:
            if isinstance(obj, Request) and from_page:
                if self.max_links_per_page and taken >= self.max_links_per_page:
                    truncated = True
                    break
                if obj.meta.get("nc_role") == "listing" and not self._listing_allowed(obj):
                    continue
                taken += 1
            yield obj
        if truncated:
            # The news spider yields a page's item before its links: only links are left unread.
            aclose = getattr(result, "aclose", None)
            if aclose is not None:
                await aclose()
            self._inc("newsclean/discovery/pages_over_link_limit")
            logger.warning("%s has more than NEWSCLEAN_MAX_LINKS_PER_PAGE=%d links; the rest are not followed",
                           response.url, self.max_links_per_page)

    def _listing_allowed(self, request: Request) -> bool:
        source = request.meta.get("nc_source")
        if not self.max_listing_pages:
            return True
        seen = self._listing.setdefault(source, set())
        if request.url in seen:
            return True  # already counted; Scrapy's duplicate filter drops it
        if len(seen) >= self.max_listing_pages:
            self._inc("newsclean/discovery/listing_over_budget")
            if source not in self._budget_logged:
                self._budget_logged.add(source)
                logger.warning("Source %s: NEWSCLEAN_MAX_LISTING_PAGES=%d reached; no more listing pages "
                               "are followed", source, self.max_listing_pages)
            return False
        seen.add(request.url)
        return True


# ---------------------------------------------------------------------------- secrets in logs

_masking_installed = False


def _emitted(record: logging.LogRecord) -> bool:
    """Whether some handler will write the record (the logging module's own rule: the handlers of its
    logger and of each ancestor while ``propagate`` holds, each at its level; ``lastResort`` when there are
    none). A record nobody writes needs no masking, and is not formatted for it: Scrapy's DEBUG lines
    (each scraped item's whole repr) are created for every page whatever LOG_LEVEL says."""
    logger: logging.Logger | None = logging.getLogger(record.name)
    found = False
    while logger is not None:
        for handler in logger.handlers:
            found = True
            if record.levelno >= handler.level:
                return True
        if not logger.propagate:
            break
        logger = logger.parent
    last = logging.lastResort
    return not found and last is not None and record.levelno >= last.level


def _mask_record(record: logging.LogRecord) -> None:
    if not _emitted(record):
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return  # a broken format string: logging reports it when the record is emitted
    masked = mask_password(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if mask_password(text) != text:
            record.exc_text = mask_password(text)


def install_secret_masking() -> None:
    """Mask passwords in URLs (``scheme://user:***@host``) in every log record of this process.

    Installed by the newsclean add-on before Scrapy logs its settings, so no log line, message
    argument or traceback shows a database (or Redis, proxy...) password, whoever logs it and
    whatever handler writes it. A record factory, not a handler filter: Scrapy may replace its
    handlers, and filters on loggers do not see records of child loggers. Idempotent.
    """
    global _masking_installed
    if _masking_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _masking_installed = True


# ------------------------------------------------------------------------------ failure kinds


def failure_kind(failure: Failure | BaseException) -> str:
    """A short, stable name for why a fetch failed (``newsclean/fetch_error/<kind>``).

    ``ssrf_<class>``, ``redirect_loop``, ``offsite_redirect``, ``too_many_redirects``, ``robots_txt``, ``too_large``,
    ``decompression_too_large``, ``timeout``, ``dns``, ``connection_refused``, ``connection_lost``,
    ``data_loss``, ``unsupported_scheme``, ``http_<status>``, ``ignored`` or ``other``.
    """
    exc = failure.value if isinstance(failure, Failure) else failure
    message = str(exc)
    if isinstance(exc, SsrfRefused):
        return f"ssrf_{exc.kind}"
    if isinstance(exc, RedirectLoop):
        return "redirect_loop"
    if isinstance(exc, OffsiteRedirect):
        return "offsite_redirect"
    response = getattr(exc, "response", None)
    if isinstance(response, Response) and type(exc).__name__ == "HttpError":  # an IgnoreRequest too
        return f"http_{response.status}"
    if isinstance(exc, IgnoreRequest):
        if "max redirections" in message:
            return "too_many_redirects"
        if "robots.txt" in message:
            return "robots_txt"
        if "during decompression" in message:
            return "decompression_too_large"
        return "ignored"
    if isinstance(exc, DownloadCancelledError) or "larger than download max size" in message:
        return "too_large"
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | twisted_error.DNSLookupError):
        return "dns"
    if isinstance(exc, DownloadConnectionRefusedError | twisted_error.ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, ResponseDataLossError):
        return "data_loss"
    if isinstance(exc, UnsupportedURLSchemeError):
        return "unsupported_scheme"
    if isinstance(exc, DownloadFailedError | twisted_error.ConnectionLost | twisted_error.ConnectionDone):
        return "connection_lost"
    return "other"
