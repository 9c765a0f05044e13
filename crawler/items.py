"""Item definitions: what a spider yields (`PageItem`) and what is stored (`ArticleItem`).

Both are dataclasses read through ``itemadapter.ItemAdapter`` like any Scrapy item.
The spider yields a `PageItem` (the fetched page, nothing interpreted); the extraction
pipeline turns it into an `ArticleItem`, the record that reaches the database and feeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class PageItem:
    """A fetched page, as the spider saw it; turned into an `ArticleItem` by the extraction pipeline."""

    url: str
    body: bytes
    encoding: str | None
    fetched_at: str
    discovered_via: str
    status: int = 200
    #: Dates the discovery source gave (sitemap lastmod, feed entry date), a fallback for metadata.
    hinted_date: str | None = None
    #: Name of the source (sources file entry or host) that led to the page.
    source: str | None = None
    #: The response's ETag header, kept for conditional revisits.
    etag: str | None = None
    #: The URLs that redirected to ``url`` (HTTP 3xx, meta refresh), first asked first: aliases of the article.
    redirect_urls: list[str] = field(default_factory=list)


@dataclass
class ArticleItem:
    """One clean article record: the story and its metadata, nothing else."""

    url: str
    canonical_url: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = ""
    word_count: int = 0
    fetched_at: str | None = None
    discovered_via: str | None = None
    content_hash: str | None = None
    #: 64-bit SimHash of the text (16 hex digits), the near-duplicate fingerprint.
    simhash: str | None = None
    #: Canonical URL of the article this one nearly repeats (a syndicated or republished copy), if any.
    duplicate_of: str | None = None
    #: The page's HTTP ETag when it was fetched (sent back as If-None-Match when the article is revisited).
    etag: str | None = None
    #: Signals a user needs to trust the record: which extraction path won, noise classes removed.
    extraction: dict[str, Any] = field(default_factory=dict)


#: Field names of the record, in schema order (feeds, export and storage share it).
ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ArticleItem))
