"""The SSRF guard: private, loopback, link-local... addresses are refused before any connection.

Nothing here connects anywhere but 127.0.0.1: address decisions are tested on parsed literals and
mocked DNS answers; the end-to-end crawl puts a "public" host (fake DNS) behind a loopback HTTP
proxy, and checks that redirects from it to 169.254.169.254, 127.0.0.1, 10.0.0.5 ... are refused by
the guard (they never reach the proxy, which is the only thing the crawler can connect to).
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import middlewares
from crawler.config import Config
from crawler.middlewares import (
    MetaRefreshHeadMiddleware,
    SsrfGuardMiddleware,
    SsrfRefused,
    address_kind,
    failure_kind,
    ip_literal,
)
from crawler.storage import ArticleStore
from crawler.testsite.hostile import HostileServer, HostileSite, Reply

from .conftest import run_crawl

#: Fake DNS: what the test's "public" names resolve to. 93.184.215.14 is a public address the test
#: never connects to (every request goes through the loopback proxy, which RequireProxy enforces).
FAKE_DNS = {
    "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "internal.example": ["10.0.0.5"],
    "mixed.example": ["93.184.215.14", "127.0.0.1"],
    "metadata.example": ["fd00:ec2::254"],
}


def fake_resolve(host: str) -> list[str]:
    if host in FAKE_DNS:
        return FAKE_DNS[host]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Drive a coroutine that never really waits (cached or mocked answers) to its end."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the coroutine waited for something")


async def _direct(func: Any, arg: str) -> Any:
    return func(arg)


@pytest.fixture
def guard(monkeypatch: pytest.MonkeyPatch) -> SsrfGuardMiddleware:
    monkeypatch.setattr(middlewares, "_in_thread", _direct)
    return SsrfGuardMiddleware(allow_private=False, resolver=fake_resolve)


REFUSED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://0177.0.0.1/", "loopback"),
    ("http://0x7f.0.0.1/", "loopback"),
    ("http://017700000001/", "loopback"),
    ("http://127.0.0.1./", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "link_local"),
    ("http://[2002:a9fe:a9fe::]/", "link_local"),  # 6to4 wrapping 169.254.169.254
    ("http://[64:ff9b::a00:5]/", "private"),  # NAT64 wrapping 10.0.0.5
    ("http://[::10.0.0.5]/", "private"),  # IPv4-compatible
    ("http://169.254.169.254/latest/meta-data/", "link_local"),
    ("http://2852039166/", "link_local"),  # 169.254.169.254 as one number
    ("http://[fe80::1]/", "link_local"),
    ("http://[fe80::1%25eth0]/", "link_local"),
    ("http://10.0.0.5/", "private"),
    ("http://172.16.8.1/", "private"),
    ("http://192.168.1.1:8080/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://[fd00:ec2::254]/", "private"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://100.64.0.1/", "reserved"),  # carrier-grade NAT
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.1/", "private"),  # documentation range (IANA special-purpose)
    ("http://internal.example/", "private"),  # DNS answer
    ("http://mixed.example/", "loopback"),  # one of the DNS answers
    ("http://metadata.example/", "private"),  # IPv6 DNS answer
    ("file:///etc/passwd", "scheme"),
    ("ftp://public.example/x", "scheme"),
]


@pytest.mark.parametrize(("url", "kind"), REFUSED, ids=[u for u, _ in REFUSED])
def test_refused(guard: SsrfGuardMiddleware, url: str, kind: str) -> None:
    with pytest.raises(SsrfRefused) as refused:
        run(guard.process_request(Request(url)))
    assert refused.value.kind == kind
    assert isinstance(refused.value, IgnoreRequest)


@pytest.mark.parametrize("url", ["http://public.example/news/", "https://93.184.215.14/", "http://8.8.8.8/",
                                 "http://[2606:4700:4700::1111]/"])
def test_allowed(guard: SsrfGuardMiddleware, url: str) -> None:
    assert run(guard.process_request(Request(url))) is None


def test_a_name_the_guard_cannot_resolve_fails_as_a_dns_error(guard: SsrfGuardMiddleware) -> None:
    """Not let through for Scrapy to resolve again unchecked: the DNS failure is the request's error
    (retried by Scrapy's RetryMiddleware like its own lookup failures), and nothing is cached."""
    with pytest.raises(CannotResolveHostError, match="unknown.example") as failed:
        run(guard.process_request(Request("http://unknown.example/")))
    assert len(guard.cache) == 0
    assert "scrapy.exceptions.CannotResolveHostError" in Settings().getlist("RETRY_EXCEPTIONS")
    assert failure_kind(failed.value) == "dns"


def test_setting_allows_private_addresses() -> None:
    guard = SsrfGuardMiddleware(allow_private=True, resolver=fake_resolve)
    assert run(guard.process_request(Request("http://169.254.169.254/"))) is None


def test_dns_answers_are_cached_with_a_bound(guard: SsrfGuardMiddleware) -> None:
    calls: list[str] = []

    def counting(host: str) -> list[str]:
        calls.append(host)
        return ["93.184.215.14"]

    guard.resolver = counting
    guard.cache.size = 3
    for _ in range(3):
        run(guard.process_request(Request("http://a.example/")))
    assert calls == ["a.example"]
    for host in ("b.example", "c.example", "d.example", "e.example"):
        run(guard.process_request(Request(f"http://{host}/")))
    assert len(guard.cache) == 3


def test_refusals_are_counted_and_logged(guard: SsrfGuardMiddleware, caplog: pytest.LogCaptureFixture) -> None:
    stats: dict[str, int] = {}

    class Stats:
        def inc_value(self, key: str, count: int = 1) -> None:
            stats[key] = stats.get(key, 0) + count

    guard.stats = Stats()
    with pytest.raises(SsrfRefused):
        run(guard.process_request(Request("http://169.254.169.254/latest/meta-data/")))
    assert stats == {"newsclean/ssrf/refused/link_local": 1}
    assert "SSRF guard refused http://169.254.169.254/latest/meta-data/" in caplog.text


def test_every_address_class_is_judged() -> None:
    assert address_kind(ipaddress.ip_address("93.184.215.14")) is None
    assert ip_literal("news.example") is None
    assert ip_literal("1.2.3.4.5") is None
    assert ip_literal("0x7f.1") == ipaddress.ip_address("127.0.0.1")


@pytest.mark.parametrize("location", ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:127.0.0.1]:80/",
                                      "http://2130706433/admin", "http://internal.example/"])
def test_redirects_pass_the_guard_again(guard: SsrfGuardMiddleware, location: str) -> None:
    """Scrapy's RedirectMiddleware returns a new Request; it is scheduled and goes through every
    downloader middleware's process_request again, where the guard refuses it."""
    crawler = get_crawler(settings_dict={})
    redirect = RedirectMiddleware.from_crawler(crawler)
    first = Request("http://public.example/story/")
    assert run(guard.process_request(first)) is None
    hop = redirect.process_response(first, Response(first.url, status=302, headers={"Location": location}))
    assert isinstance(hop, Request) and hop.meta["redirect_urls"] == [first.url]
    with pytest.raises(SsrfRefused):
        run(guard.process_request(hop))


def test_meta_refresh_passes_the_guard_again(guard: SsrfGuardMiddleware) -> None:
    crawler = get_crawler(settings_dict={})
    refresh = MetaRefreshHeadMiddleware.from_crawler(crawler)
    first = Request("http://public.example/story/")
    body = b'<html><head><meta http-equiv="refresh" content="0;url=http://169.254.169.254/"></head></html>'
    hop = refresh.process_response(first, HtmlResponse(first.url, body=body))
    assert isinstance(hop, Request)
    with pytest.raises(SsrfRefused):
        run(guard.process_request(hop))


def test_default_is_on_and_the_setting_parses() -> None:
    from scrapy.settings import Settings

    from crawler import settings as project_settings

    s = Settings()
    s.setmodule(project_settings)
    assert Config.from_settings(s).allow_private_addresses is False
    assert "crawler.middlewares.SsrfGuardMiddleware" in s.getdict("DOWNLOADER_MIDDLEWARES")
    s.set("NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES", "true")
    assert Config.from_settings(s).allow_private_addresses is True


# ------------------------------------------------------------------------------ end to end


def test_dns_cache_priming_only_with_the_default_resolver() -> None:
    from scrapy.settings import Settings

    from crawler import settings as project_settings
    from crawler.middlewares import uses_caching_threaded_resolver

    s = Settings()
    s.setmodule(project_settings)
    assert uses_caching_threaded_resolver(s)
    s.set("TWISTED_DNS_RESOLVER", "scrapy.resolver.CachingHostnameResolver")
    assert not uses_caching_threaded_resolver(s)


class FakeDnsGuard(SsrfGuardMiddleware):
    """The real guard with `FAKE_DNS` as its resolver (used by the crawl subprocess below)."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> FakeDnsGuard:
        return cls(allow_private=Config.from_settings(crawler.settings).allow_private_addresses,
                   stats=crawler.stats, resolver=fake_resolve)


class RequireProxy:
    """Test safety net: no request may leave without the loopback proxy (so nothing but 127.0.0.1 is
    ever connected to, whatever the guard decides)."""

    def process_request(self, request: Request) -> None:
        if not request.meta.get("proxy", "").startswith("http://127.0.0.1:"):
            raise IgnoreRequest(f"test safety net: {request.url} would not go through the loopback proxy")


BAIT = {
    "redirect-to-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "redirect-to-loopback": "http://127.0.0.1:{port}/secret/",
    "redirect-to-mapped-ipv6": "http://[::ffff:127.0.0.1]:{port}/secret/",
    "redirect-to-decimal-ip": "http://2130706433:{port}/secret/",
    "redirect-to-hex-ip": "http://0x7f.0.0.1:{port}/secret/",
    "redirect-to-octal-ip": "http://0177.0.0.1:{port}/secret/",
    "redirect-to-private": "http://10.0.0.5/admin/",
    "redirect-to-internal-name": "http://internal.example/admin/",
    "redirect-to-mixed-name": "http://mixed.example/admin/",
}


def test_crawl_refuses_redirects_to_private_addresses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = HostileSite()
    with HostileServer(site) as server:
        port = server.port
        public = "http://public.example"
        good = site.news.articles[1]
        site.proxied[f"{public}/robots.txt"] = Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")
        bait_paths = {name: f"/2026/02/10/{name}-story-of-the-day/" for name in [*BAIT, "meta-refresh-to-metadata"]}
        links = "".join(f'<a href="{p}">{n}</a> ' for n, p in bait_paths.items()) + f'<a href="{good.path}">good</a>'
        site.proxied[f"{public}/"] = Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                                           f"<html><body><h1>Public</h1>{links}</body></html>".encode())
        for name, target in BAIT.items():
            site.proxied[public + bait_paths[name]] = Reply(302, {"Location": target.format(port=port)})
        site.proxied[public + bait_paths["meta-refresh-to-metadata"]] = Reply(
            200, {"Content-Type": "text/html"},
            b'<html><head><meta http-equiv="refresh" content="0;url=http://169.254.169.254/latest/"></head></html>')
        site.proxied[public + good.path] = Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                                                 site.news.render_article(good, public).encode())

        for name in ("no_proxy", "NO_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", server.base_url)
        monkeypatch.setenv("HTTP_PROXY", server.base_url)
        mws = {
            "crawler.middlewares.SsrfGuardMiddleware": None,
            "tests.test_ssrf.FakeDnsGuard": 50,
            "crawler.middlewares.CharsetMiddleware": 580,
            "crawler.middlewares.RedirectLoopMiddleware": 650,
            "tests.test_ssrf.RequireProxy": 760,
        }
        db = f"sqlite:///{tmp_path / 'db.sqlite'}"
        result = run_crawl(tmp_path, db, url=public + "/", settings={
            "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES": "False", "DOWNLOADER_MIDDLEWARES": json.dumps(mws)})
        hits = server.hits

    assert result.returncode == 0, result.log[-3000:]
    log = result.log
    # the bait pages were fetched (through the proxy), their redirect targets never were
    fetched = {h.target for h in hits}
    for path in bait_paths.values():
        assert public + path in fetched
    assert all(h.target.startswith(public + "/") for h in hits), sorted(fetched - {public + "/"})
    assert not [h for h in hits if re.search(r"secret|meta-data|/admin/|/latest/", h.target)]
    # every redirect was refused by the guard, with its reason logged and counted
    for path in bait_paths.values():
        assert re.search(rf"SSRF guard refused \S+: .+ \(redirected from {re.escape(public + path)}\)", log), path
    refused = {k: int(v) for k, v in re.findall(r"'newsclean/ssrf/refused/(\w+)': (\d+)", log)}
    assert refused.get("link_local", 0) >= 2  # metadata redirect and meta refresh
    assert refused.get("loopback", 0) >= 6
    assert refused.get("private", 0) >= 2
    assert "test safety net" not in log
    # and the crawl went on: the good public article is stored
    store = ArticleStore(db, migrate=False)
    try:
        urls = {r["url"] for r in store.iter_records()}
    finally:
        store.close()
    assert public + good.path in urls
