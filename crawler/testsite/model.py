"""Data of the test site: articles, authors and the pages' shared vocabulary."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SITE_NAME = "The Meridian Courier"
#: Theme names: a WordPress-style theme (like the seed page) and a div-soup "magazine" theme.
THEMES: tuple[str, ...] = ("wordpress", "magazine")


@dataclass(frozen=True)
class Author:
    name: str
    slug: str
    bio: str


AUTHORS: tuple[Author, ...] = tuple(
    Author(n, n.lower().replace(" ", "-").replace("'", ""), f"{n} {b}")
    for n, b in (
        ("Marisol Arencibia", "edits the wire desk and republishes partner reports."),
        ("Harriet Okonjo-Blake", "covers diplomacy and regional security."),
        ("Desmond Farrugia", "is the parliamentary correspondent."),
        ("Ines Valdemarsson", "writes about trade, energy and markets."),
        ("Ruairi Castellotti", "reports on climate research and health."),
        ("Mireille Thorvaldsen", "is the arts and culture editor."),
        ("Kenji Abiodun", "is a data reporter on the investigations desk."),
        ("Solveig Prudhomme", "covers the courts and public spending."),
        ("Tobias Nwachukwu", "writes the weekly business column."),
        ("Lucinda Marquez-Holt", "is a science writer based abroad."),
        ("Aurelio Szabo", "is a foreign correspondent."),
        ("Philippa Yamamoto", "reviews books, film and theatre."),
    )
)


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in " -/":
            out.append("-")
    slug = "-".join(part for part in "".join(out).split("-") if part)
    return slug[:90].rstrip("-")


@dataclass
class Article:
    """One story of the site, with everything a test needs to check a crawl of its page."""

    index: int
    slug: str
    path: str
    title: str
    authors: list[str]
    date_published: str
    date_modified: str | None
    language: str
    section: str
    tags: list[str]
    #: The story text in order, subheadings included (the indexes in `subheadings`).
    paragraphs: list[str]
    subheadings: list[int]
    theme: str
    description: str
    image: str
    #: Pull quote shown apart from the body (repeats a body sentence; the seed's is a variant).
    pull_quote: str
    #: Strings on the article's page that must not appear in an extracted text.
    noise: list[str] = field(default_factory=list)
    #: Bumped by `NewsSite.edit_article`.
    version: int = 1
    #: Inline links in the story: (paragraph index, anchor text, href).
    links: list[tuple[int, str, str]] = field(default_factory=list)

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path

    @property
    def text(self) -> str:
        """The story as one text: paragraphs (and subheadings) joined by newlines."""
        return "\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.date_published)

    @property
    def modified(self) -> datetime:
        """Last change: `date_modified` if any, else `date_published`."""
        return datetime.fromisoformat(self.date_modified or self.date_published)

    @property
    def etag(self) -> str:
        digest = hashlib.sha1("\n".join([self.title, *self.paragraphs]).encode()).hexdigest()[:12]
        return f'"a{self.index}-v{self.version}-{digest}"'

    @property
    def section_title(self) -> str:
        return self.section.capitalize()

    def expected_record(self, base_url: str) -> dict[str, Any]:
        """What a correct crawl stores for this article (fields of `crawler.items.ArticleItem`).

        ``text`` is the story with paragraphs joined by newlines; extractors may differ in
        whitespace, so compare paragraphs (each present once, in order) rather than exact text.
        """
        url = self.url(base_url)
        return {
            "url": url,
            "canonical_url": url,
            "title": self.title,
            "authors": list(self.authors),
            "date_published": self.date_published,
            "date_modified": self.date_modified,
            "language": self.language,
            "site_name": SITE_NAME,
            "description": self.description,
            "tags": list(self.tags),
            "categories": [self.section_title],
            "image": base_url.rstrip("/") + self.image,
            "text": self.text,
        }


def tag_slug(tag: str) -> str:
    return slugify(tag)
