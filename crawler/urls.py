"""URL helpers: canonical form, same-site checks and the article / listing heuristics.

Canonicalisation uses courlan (tracking parameters, default ports, host case) and w3lib
(fragments); the heuristics combine courlan's navigation filters with news-specific patterns.
"""

from __future__ import annotations

import re
from enum import Enum
from hashlib import blake2b
from urllib.parse import urlsplit

import courlan
from w3lib.url import url_query_cleaner

#: Query parameters that only track campaigns or sessions; removed before a URL is requested or stored.
TRACKING_PARAMS = tuple(sorted(
    {
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "utm_name",
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_ga", "yclid",
        "ref", "ref_src", "cmpid", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ocid", "sessionid",
    }
))

#: Paths of pages that list or gate articles: followed for discovery, never stored.
LISTING_PATTERN = re.compile(
    r"/(tags?|topics?|authors?|autor|auteur|category|categories|kategorie|section|sections|ressort|archives?|"
    r"search|suche|recherche|login|log-in|signin|sign-in|register|signup|account|subscribe|newsletter|"
    r"feed|feeds|rss|atom|page|seite|wp-admin|wp-login\.php|privacy|terms|about|contact|impressum|imprint|"
    r"cookies?|sitemap[^/]*)(/|$|\?|\.)"
    r"|[?&](page|p|paged|s|q|query|search)=",
    re.IGNORECASE,
)

#: Evidence that a URL names one story: a date in the path, a long slug, or a long numeric id.
ARTICLE_PATTERN = re.compile(
    r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-]|$)"  # /2026/02/ or /2026-02-
    r"|/(19|20)\d{2}(0[1-9]|1[0-2])[0-3]\d"  # /20260202
    r"|/[^/?#]*[a-z0-9]+(?:[-_][a-z0-9]+){3,}[^/?#]*/?(?:$|\?)"  # a slug of four or more words
    r"|/\d{5,}(?:[/.-]|$)"  # a numeric story id
    , re.IGNORECASE,
)

#: File endings that are never articles (feeds and sitemaps are requested on purpose, not by link).
NON_HTML_SUFFIX = re.compile(
    r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|xml|rss|pdf|zip|gz|mp3|mp4|avi|mov|woff2?|ttf|txt)$",
    re.IGNORECASE,
)


class UrlKind(Enum):
    ARTICLE = "article"
    LISTING = "listing"
    OTHER = "other"
    SKIP = "skip"


def canonicalize(url: str) -> str:
    """A stable form of ``url``: no fragment, no tracking parameters, default port and host case folded."""
    url = url.strip()
    try:
        normalized = courlan.normalize_url(url, strict=False, trailing_slash=True)
    except ValueError:
        normalized = url
    normalized = url_query_cleaner(normalized, TRACKING_PARAMS, remove=True, keep_fragments=False)
    return normalized


def host_of(url: str) -> str:
    """Lower-case host of a URL, without a leading ``www.``; "" for a URL whose host cannot be parsed."""
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:  # e.g. an unbalanced "[" in the host ("Invalid IPv6 URL")
        return ""


def in_domains(url: str, domains: frozenset[str]) -> bool:
    """True when the URL's host is one of ``domains`` or a subdomain of one (``www.`` ignored)."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)


def classify(url: str, *, article_patterns: tuple[re.Pattern[str], ...] = (),
             deny_patterns: tuple[re.Pattern[str], ...] = ()) -> UrlKind:
    """What a link found on a page probably is.

    Deny patterns win, then the site's own article patterns, then listing pages (tags, authors, search,
    pagination ...), then the general article heuristics, which a site with article patterns does not
    use (only its patterns then make an article). The site's patterns come before the listing words
    because those are generic: The Atlantic's stories live under ``/ideas/archive/2024/05/<slug>/``,
    and a source that says so must not see them taken for an archive page.
    """
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018  # parses the host: raises for an unbalanced "[" or a bad IPv6 literal
    except ValueError:
        return UrlKind.SKIP
    if parts.scheme not in ("http", "https"):
        return UrlKind.SKIP
    path_q = parts.path + ("?" + parts.query if parts.query else "")
    if any(p.search(url) for p in deny_patterns) or NON_HTML_SUFFIX.search(parts.path):
        return UrlKind.SKIP
    if any(p.search(url) for p in article_patterns):
        return UrlKind.ARTICLE
    if LISTING_PATTERN.search(path_q) or courlan.is_navigation_page(path_q):
        return UrlKind.LISTING
    if article_patterns:
        return UrlKind.OTHER
    if parts.path in ("", "/"):
        return UrlKind.LISTING
    return UrlKind.ARTICLE if ARTICLE_PATTERN.search(path_q) else UrlKind.OTHER


class UrlSet:
    """A set of URLs for a crawl's "seen in this run" checks, in about a third of the memory: it keeps a
    64-bit BLAKE2 hash of each URL (a Python int, ~60 bytes with the set's slot) instead of the URL
    (~200). Two of a million distinct URLs share a hash with probability about 3e-8."""

    def __init__(self) -> None:
        self._hashes: set[int] = set()

    @staticmethod
    def _hash(url: str) -> int:
        return int.from_bytes(blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")

    def add(self, url: str) -> None:
        self._hashes.add(self._hash(url))

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._hash(url) in self._hashes

    def __len__(self) -> int:
        return len(self._hashes)
