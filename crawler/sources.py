"""Crawl sources: the sites to crawl and their per-site settings, from spider arguments or a TOML file.

A sources file lists sites as ``[[site]]`` tables (see README, "Crawling many sites")::

    [[site]]
    name = "Example News"
    url = "https://news.example/"
    sitemaps = ["https://news.example/sitemap_index.xml"]   # optional, else robots.txt and /sitemap.xml
    feeds = ["https://news.example/feed/"]                   # optional, else <link rel=alternate> on the home page
    urls = ["https://news.example/2026/01/02/story/"]       # optional article URLs, or a file: urls = "urls.txt"
    allowed_domains = ["news.example"]                       # optional, default: the host of url
    article_patterns = ['/\\d{4}/\\d{2}/\\d{2}/']              # optional regexes; when given, only these are articles
    deny_patterns = ['/video/', '/live/']                    # optional regexes never fetched
    max_pages = 500                                          # optional, 0 = no limit
    since = "2026-01-01"                                     # optional: only articles published on or after
    follow_links = true                                      # optional
    max_depth = 2                                            # optional link depth from the home page

Every value is checked when the file is read; an error names the file, the site and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.config import ConfigError
from crawler.urls import canonicalize, host_of

_KEYS = {
    "name", "url", "sitemaps", "feeds", "urls", "allowed_domains", "article_patterns", "deny_patterns",
    "max_pages", "since", "follow_links", "max_depth",
}


@dataclass(frozen=True)
class Source:
    """One site to crawl, with its own limits."""

    name: str
    url: str | None = None
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    allowed_domains: frozenset[str] = field(default_factory=frozenset)
    article_patterns: tuple[re.Pattern[str], ...] = ()
    deny_patterns: tuple[re.Pattern[str], ...] = ()
    max_pages: int = 0
    since: date | None = None
    follow_links: bool = True
    max_depth: int = 3
    #: Whether robots.txt and /sitemap.xml are looked up for sitemaps (only for a home-page source).
    discover_sitemaps: bool = True


def check_url(value: Any, what: str) -> str:
    """``value`` as an absolute http(s) URL, or a ConfigError naming ``what``."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{what}: expected a URL, got {value!r}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{what}: {value!r} is not an absolute http(s) URL")
    return canonicalize(value)


def _patterns(value: Any, what: str) -> tuple[re.Pattern[str], ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{what}: expected a list of regular expressions, got {value!r}")
    out = []
    for pattern in value:
        try:
            out.append(re.compile(str(pattern)))
        except re.error as exc:
            raise ConfigError(f"{what}: {pattern!r} is not a valid regular expression ({exc})") from None
    return tuple(out)


def parse_since(value: Any, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ConfigError(f"{what}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def _url_list(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{what}: expected a list of URLs, got {value!r}")
    return tuple(check_url(v, what) for v in value)


def _article_urls(value: Any, what: str, base: Path | None) -> tuple[str, ...]:
    """``urls`` of a site: a list of article URLs, or (as ``-a urls=``) the path of a file of them, one a
    line, relative to the sources file's folder. A string with ``://`` is one URL, as in the lists."""
    if isinstance(value, str) and value.strip() and "://" not in value:
        path = Path(value.strip()).expanduser()
        full = path if base is None or path.is_absolute() else base / path
        if not full.exists():
            raise ConfigError(f"{what}: {value!r} is neither an http(s) URL nor a file of URLs ({str(full)!r} "
                              "does not exist); give a list of URLs or the path of a URL list")
        try:
            return read_url_list(full)
        except ConfigError as exc:
            raise ConfigError(f"{what}: {exc}") from None
    if value is not None and not isinstance(value, (str, list)):
        raise ConfigError(f"{what}: expected a list of URLs or the path of a file of URLs, got {value!r}")
    return _url_list(value, what)


def _int(value: Any, what: str, default: int) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{what}: expected a whole number >= 0, got {value!r}")
    return value


def make_source(entry: dict[str, Any], *, where: str, max_pages: int = 0, max_depth: int = 3,
                follow_links: bool = True, base: Path | None = None) -> Source:
    """A `Source` from one table of a sources file (or from spider arguments), every value checked;
    ``base`` is the folder a relative ``urls`` file is read from (the sources file's)."""
    unknown = set(entry) - _KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(_KEYS))}")
    url = check_url(entry["url"], f"{where} url") if entry.get("url") is not None else None
    sitemaps = _url_list(entry.get("sitemaps"), f"{where} sitemaps")
    feeds = _url_list(entry.get("feeds"), f"{where} feeds")
    urls = _article_urls(entry.get("urls"), f"{where} urls", base)
    if not (url or sitemaps or feeds or urls):
        raise ConfigError(f"{where}: give at least one of url, sitemaps, feeds, urls")
    domains = entry.get("allowed_domains")
    if domains is None:
        domains = sorted({host_of(u) for u in (url, *sitemaps, *feeds, *urls) if u})
    elif not isinstance(domains, list) or not all(isinstance(d, str) and d.strip() for d in domains):
        raise ConfigError(f"{where} allowed_domains: expected a list of host names, got {domains!r}")
    follow = entry.get("follow_links", follow_links)
    if not isinstance(follow, bool):
        raise ConfigError(f"{where} follow_links: expected true or false, got {follow!r}")
    first = url or (sitemaps or feeds or urls)[0]
    return Source(
        name=str(entry.get("name") or host_of(first)),
        url=url,
        sitemaps=sitemaps,
        feeds=feeds,
        urls=urls,
        allowed_domains=frozenset(d.strip().lower().removeprefix("www.") for d in domains),
        article_patterns=_patterns(entry.get("article_patterns"), f"{where} article_patterns"),
        deny_patterns=_patterns(entry.get("deny_patterns"), f"{where} deny_patterns"),
        max_pages=_int(entry.get("max_pages"), f"{where} max_pages", max_pages),
        since=parse_since(entry.get("since"), f"{where} since"),
        follow_links=follow,
        max_depth=_int(entry.get("max_depth"), f"{where} max_depth", max_depth),
        discover_sitemaps=url is not None and not sitemaps,
    )


def load_sources(path: str | Path, **defaults: Any) -> list[Source]:
    """Every ``[[site]]`` of a TOML sources file, checked; a ConfigError says what is wrong and where."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"sources file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"sources file {str(path)!r} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {str(path)!r} is not valid TOML: {exc}") from None
    sites = data.get("site")
    if not isinstance(sites, list) or not sites:
        raise ConfigError(f"sources file {str(path)!r} has no [[site]] tables")
    extra = set(data) - {"site"}
    if extra:
        raise ConfigError(f"sources file {str(path)!r}: unknown top-level key(s) {', '.join(sorted(extra))}")
    out = []
    for i, entry in enumerate(sites, 1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: site #{i} is not a table")
        label = _site_label(entry)
        where = f"{path} site #{i}" + (f" ({label})" if label else "")
        out.append(make_source(entry, where=where, base=path.parent, **defaults))
    return out


def _site_label(entry: dict[str, Any]) -> str:
    """How an error names a site: its name, else what it crawls first (url, sitemaps, feeds, urls)."""
    for key in ("name", "url", "sitemaps", "feeds", "urls"):
        value = entry.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def read_url_list(path: str | Path) -> tuple[str, ...]:
    """URLs from a text file, one a line; blank lines and ``#`` comments ignored; each checked."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"URL list {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"URL list {str(path)!r} cannot be read: {exc}") from None
    urls = tuple(
        check_url(line.strip(), f"{path} line {n}")
        for n, line in enumerate(lines, 1)
        if line.strip() and not line.lstrip().startswith("#")
    )
    if not urls:
        raise ConfigError(f"URL list {str(path)!r} holds no URLs")
    return urls
