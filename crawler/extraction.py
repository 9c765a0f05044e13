"""Article extraction: HTML in, a clean `Article` (the story and its metadata) or a `Rejection` out.

Pure functions, no Scrapy. The pipeline:

1. decode and parse the page once (lxml, via trafilatura's loader);
2. metadata from the strongest signal first (`crawler.metadata`), on the untouched tree;
3. remove noise widgets, teaser-card lists and hidden elements from the tree (`crawler.noise.preclean`),
   turn MathML formulas into their text, and source line breaks into spaces outside ``pre``/code;
4. trafilatura separates the main text (it works on its own copy of the tree);
5. line-level noise filters (`crawler.noise.filter_blocks`), link-only blocks at the story's
   edges, and a second extractor's vote on the story's tail (Readability's algorithm, the one bundled
   with trafilatura, run on our copy of the page);
6. text assembly, then the rejection checks (not an article, too short, paywall stub);
7. only for a page rejected as "too short": a client-rendered page's story may be HTML inside its
   inline script data (`crawler.embedded`); steps 1-6 run again on the page's ``<head>`` plus that
   fragment, and an article found so reports ``path`` "embedded-html+...".

Text format: ``Article.text`` holds the story's blocks (lead, subheadings, paragraphs, list items,
quotes, table rows with cells joined by " | ") in page order, each once, separated by one blank line
(``"\\n\\n"``). Whitespace inside a block is collapsed to single spaces, line breaks of the HTML source
included (HTML's whitespace rules: a paragraph hard-wrapped in the page's source is one block); a line
break the page asks for (``<br>``) starts a new block, so words the HTML separates are never glued, and
so does each line of preformatted text and code blocks (``pre``, a standalone ``code``, ``textarea``).
Characters are kept as published (typographic quotes, soft hyphens).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any, NamedTuple
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction, tostring
from trafilatura import external as trafilatura_external
from trafilatura import utils as trafilatura_utils
from trafilatura.utils import load_html

from crawler import embedded, metadata, noise
from crawler.dates import parse_date
from crawler.items import ArticleItem
from crawler.metadata import ARTICLE_TYPES, Metadata, extract_metadata
from crawler.stoplist import install as install_shared_stoplist

logger = logging.getLogger(__name__)

install_shared_stoplist()  # one copy of jusText's all-language stoplist per process (see crawler.stoplist)

#: lxml.html's parser picks each element's Python class by calling a Python method (``lookup``) every
#: time lxml hands out an element, thousands of times a page, to give form fields their own classes.
#: Nothing here uses those classes; lxml's C lookup that makes every element an ``HtmlElement`` (comments,
#: processing instructions and entities their lxml.html classes) gives the same trees and text, and
#: extraction took 10-18% less CPU on the two development sets' 261 pages, every record the same.
_ELEMENT_CLASSES = etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)


def install_fast_element_lookup() -> bool:
    """Give trafilatura's HTML parser (which parses every page here, and the copies its fallbacks
    parse again) the C element class lookup; False (and a warning) when trafilatura has no such parser."""
    parser = getattr(trafilatura_utils, "HTML_PARSER", None)
    if not isinstance(parser, etree.HTMLParser):
        logger.warning("trafilatura.utils.HTML_PARSER is missing: lxml.html's element lookup stays in use")
        return False
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    return True


install_fast_element_lookup()

#: Default minimum body length in characters. A news story, even a brief, has a few sentences;
#: below ~250 characters what remains is a teaser, a caption or a paywall stub, not a story.
MIN_TEXT_CHARS = 250
#: A short text is still the article when it is nearly all the visible text of the page (a tiny page,
#: a brief): "too short" applies only when the page shows this many times more text than we kept,
#: i.e. the short text is a fragment of a bigger page (teaser, stub, failed extraction).
SHORT_PAGE_FACTOR = 3
#: The minimum is a length in Latin-script characters. A character of Chinese, Japanese or Korean
#: writing carries about as much as two to four of them (a word is one to three characters), so each
#: counts this many times: a two-paragraph Japanese story of 240 characters is as long as an English
#: one of 500, which passes.
WIDE_CHAR_WEIGHT = 2
_WIDE_CHARS_RE = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
#: Pages larger than this are not parsed (a news page is well under 10 MB of HTML; bigger inputs
#: are dumps or binaries and would only cost time).
MAX_HTML_BYTES = 20_000_000
#: Binary content is recognised by a NUL byte in this many first bytes (text formats have none).
BINARY_SNIFF_BYTES = 1024
#: JSON-LD types that describe a page listing other pages; with no article type beside them and
#: little prose, the page is "not an article". (A bare WebSite object is no evidence: many article
#: pages describe only the site in JSON-LD.)
LISTING_ONLY_TYPES = frozenset({"collectionpage", "searchresultspage", "profilepage"})
#: A page is "not an article" when links carry more than this share of its visible text and the
#: extracted prose is short: home pages, section fronts and tag listings are mostly teaser links.
LISTING_LINK_DENSITY = 0.5
#: ... and the extracted text is shorter than this many characters (a long text is a story even on
#: a link-heavy page), counted as the "too short" minimum counts them (`WIDE_CHAR_WEIGHT`).
LISTING_MAX_TEXT_CHARS = 1500
#: A text holding this many different byline lines ("By Jane Doe") is a stream of story teasers, each
#: signed by its author, not one story (which has one byline, or one line naming all its authors).
#: Applied only when the page's JSON-LD names no article type (a live blog signs each entry). Measured:
#: rejects one section front of readability-pages (P 0.968 -> 0.975; its title and authors are lost
#: with it), no page of fundus-dev.
TEASER_STREAM_MIN_BYLINES = 3
#: Remove noise widgets from the tree before trafilatura (see `crawler.noise.preclean`).
PRECLEAN = True
#: Extracted text made mostly of blocks that are each the text of a link is a link list (a section
#: front, a sitemap page), whatever the page says it is: a story is prose, with a few links inside it.
LISTING_LINK_TEXT_SHARE = 0.6
#: Link-only blocks longer than this are kept at the story's edges: a teaser headline is short.
#: (Measured: dropping link-only blocks inside the story too removed real content, lists of sources.)
LINK_BLOCK_MAX_CHARS = 150
#: Trailing-block vote by a second extractor: it counts only when it found at least this share of our
#: text (else it looked at another region of the page), and it may remove at most this share.
#: Measured on both dev sets: trims teaser lists after the story, costs no recall at these values.
VOTE_MIN_SHARE = 0.5
VOTE_MAX_TRIM = 0.5
#: A block counts as found by the second extractor when at least this share of its word trigrams is in
#: that extractor's text. An exact match fails on small differences (the other extractor drops a
#: link's text, e.g. of ``javascript:`` links, or splits words differently at a tag boundary), and each
#: such miss cut a whole closing paragraph. Teaser and promo blocks it left out share at most about
#: half of their trigrams with it (measured on both dev sets). Measured: readability-pages F1
#: 0.9433 -> 0.9434 (P 0.9751 -> 0.9753), fundus-dev F1 0.9658 -> 0.9661 (R 0.9705 -> 0.9711).
VOTE_BLOCK_MIN_COVERAGE = 0.8
#: Fallback for client-rendered pages (see `crawler.embedded`): when the DOM yields no story ("too
#: short"), the story may be an HTML fragment inside the page's inline script data; it is extracted from
#: a document made of the page's ``<head>`` (and its JSON-LD) plus that fragment as the body, and kept
#: only when it is a full story: at least ``min_text_chars`` of text, with no short-page exemption (the
#: fragment is all the synthetic page shows, so "nearly all the visible text" proves nothing).
#: Measured: fundus-dev recovers its one client-rendered page; no other page of either set changes.
EMBEDDED_FALLBACK = True
#: The ``path`` signal of an article taken from script data: this prefix, then the inner run's path.
EMBEDDED_PATH = "embedded-html"
_WORD_RE = re.compile(r"\w+")
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")


@dataclass(frozen=True)
class Article:
    """One extracted article: the story's text and its metadata."""

    url: str
    canonical_url: str
    title: str | None
    authors: list[str]
    date_published: str | None
    date_modified: str | None
    language: str | None
    site_name: str | None
    description: str | None
    tags: list[str]
    categories: list[str]
    image: str | None
    text: str
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejection:
    """A page that yields no article, with a short stable ``reason`` code and a human ``detail``."""

    url: str
    reason: str
    detail: str


def content_hash(text: str) -> str:
    """SHA-256 hex digest of ``text`` with whitespace runs collapsed to one space and ends stripped."""
    return hashlib.sha256(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


def to_item(article: Article, *, fetched_at: str | None, discovered_via: str | None) -> ArticleItem:
    """The stored record for ``article`` (word count, content hash, extraction signals filled in)."""
    return ArticleItem(
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title,
        authors=list(article.authors),
        date_published=article.date_published,
        date_modified=article.date_modified,
        language=article.language,
        site_name=article.site_name,
        description=article.description,
        tags=list(article.tags),
        categories=list(article.categories),
        image=article.image,
        text=article.text,
        word_count=len(article.text.split()),
        fetched_at=fetched_at,
        discovered_via=discovered_via,
        content_hash=content_hash(article.text),
        extraction=dict(article.signals),
    )


def extract(
    html: bytes | str,
    url: str,
    *,
    min_text_chars: int = MIN_TEXT_CHARS,
    encoding: str | None = None,
    hinted_date: str | None = None,
) -> Article | Rejection:
    """Extract the article of one page; never raises (an internal failure is a "unparseable" rejection)."""
    try:
        result = _extract(html, url, min_text_chars=min_text_chars, encoding=encoding, hinted_date=hinted_date)
        if EMBEDDED_FALLBACK and isinstance(result, Rejection) and result.reason == "too short":
            return _from_embedded(
                html, url, result, min_text_chars=min_text_chars, encoding=encoding, hinted_date=hinted_date
            )
        return result
    except Exception as exc:  # the contract is "never raises"; the cause is logged
        logger.warning("extraction failed for %s: %r", url, exc, exc_info=True)
        return Rejection(url, "unparseable", f"{type(exc).__name__}: {exc}"[:300])


def _decode(html: bytes | str, encoding: str | None) -> bytes | str | Rejection:
    if isinstance(html, bytes):
        if not html.strip():
            return Rejection("", "empty page", "no bytes")
        if html.lstrip()[:8].startswith(_BINARY_MAGIC) or b"\x00" in html[:BINARY_SNIFF_BYTES]:
            return Rejection("", "not html", "binary content")
        if len(html) > MAX_HTML_BYTES:
            return Rejection("", "not html", f"{len(html)} bytes, over {MAX_HTML_BYTES}")
        if encoding:
            try:
                return html.decode(encoding, errors="replace")
            except LookupError:
                logger.debug("unknown encoding %r, detecting", encoding)
        return html
    if not isinstance(html, str):
        return Rejection("", "not html", f"input of type {type(html).__name__}")
    if not html.strip():
        return Rejection("", "empty page", "only whitespace")
    if "\x00" in html[:BINARY_SNIFF_BYTES]:
        return Rejection("", "not html", "binary content")
    return html


def _parse_truncated() -> bool:
    """Whether the last `load_html` stopped at a parser resource limit (nesting depth), so the tree
    lacks part of the page. Reads the error log of trafilatura's module-level HTML parser; when a
    trafilatura release has no such parser, the check is skipped (False)."""
    parser = getattr(trafilatura_utils, "HTML_PARSER", None)
    log = getattr(parser, "error_log", None) or ()
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log)


def _parse(content: bytes | str) -> HtmlElement | None:
    if isinstance(content, str):
        # lxml rejects str input with an XML encoding declaration
        content = re.sub(r"^\s*<\?xml[^>]*\?>", "", content)
    tree = load_html(content)
    if tree is None or not isinstance(tree.tag, str):
        return None
    return tree


#: trafilatura output elements whose content is inline (kept inside the surrounding block).
_INLINE = frozenset({"hi", "ref", "del", "span", "b", "i", "em", "strong", "a", "sub", "sup"})
#: trafilatura output elements that are one block each, or hold blocks.
_CONTAINERS = frozenset({"list", "quote", "table", "row", "div", "body", "figure"})


def _squash(text: str) -> str:
    """Collapse whitespace runs to one space; the characters themselves are kept as the page has them
    (soft hyphens included: they are part of the published text)."""
    return " ".join(text.split())


#: Elements whose text is shown as written, line breaks included (HTML's whitespace rules: a line break
#: in the source of any other element is a space). ``textarea`` holds a form's text: dropped by the
#: main extractor today, kept verbatim should it ever be kept.
_VERBATIM_TAGS = frozenset({"pre", "textarea", "listing", "xmp", "plaintext"})
#: Line break elements, of the HTML page (``br``) and of trafilatura's output (``lb``).
_BREAKS = ("lb", "br")


def _is_verbatim(el: HtmlElement) -> bool:
    """Whether ``el`` keeps the line breaks of its source: a ``pre``-like element, or a code block: a
    ``<code>`` that stands alone (all the text of its parent; inline code within a sentence is part of
    the sentence's normal flow). (Style sheets are not read: text a site's CSS shows preformatted is
    taken as normal flow.)"""
    if el.tag in _VERBATIM_TAGS:
        return True
    if el.tag != "code":
        return False
    parent = el.getparent()
    return parent is None or _squash(parent.text_content()) == _squash(el.text_content())


#: Join the parts of a story split into same-class containers (`_join_split_story`).
JOIN_SPLIT_STORY = True
#: A story split into several containers of one class (the article body cut by in-story ads or
#: widgets, each part in its own ``<div class="article__content">``) is joined into the first part,
#: where the main extractor reads the story (trafilatura takes the first element matching its content
#: selectors and stops there: the other parts were lost, or found only in part by its fallbacks).
#: Measured: fundus-dev F1 0.975 -> 0.976 (two pages up, none down; six pages of the two sets joined).
#: Parts must sit at the same depth as the first, within this many levels of a common ancestor
#: (cousins in one column of the page), ...
SPLIT_STORY_MAX_LEVELS = 3
#: ... each hold at least this many characters of paragraph text (a few paragraphs of a story, not a
#: step of a how-to or a slide's caption), and little link text (teaser cards of one class are links).
SPLIT_STORY_MIN_PARAGRAPH_CHARS = 400
SPLIT_STORY_MAX_LINK_SHARE = 0.3
#: Paragraph text between the parts, at most this share of the parts' own.
SPLIT_STORY_MAX_BETWEEN_SHARE = 0.1
#: Story-body classes tried for a first part (several can qualify: a wrapper "article-body" around
#: "article-body__content" parts), a bound on the work for pages with many such class names.
SPLIT_STORY_MAX_CANDIDATES = 3
#: Class names of a story's body container ("article__content", "entry-content", "post-body",
#: "story-text", "articleBody", ...): the containers whose same-class parts are joined.
_STORY_BODY_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:article|entry|post|story|news|text)(?:[-_]{0,2}(?:content|body|text|copy))(?:$|[\s_-])|articleBody",
    re.IGNORECASE,
)


def _link_chars(el: HtmlElement) -> int:
    """Characters of link text in ``el`` (each link's text with its whitespace runs collapsed)."""
    return sum(len(_squash(a.text_content())) for a in el.iter("a"))


def _story_part(el: HtmlElement) -> bool:
    """Whether ``el`` holds a part of a story: a few paragraphs of prose, little of it link text."""
    text = sum(len(_squash(p.text_content())) for p in el.iter("p"))
    if text < SPLIT_STORY_MIN_PARAGRAPH_CHARS:
        return False
    links = _link_chars(el)
    return links <= SPLIT_STORY_MAX_LINK_SHARE * len(_squash(el.text_content()))


def _split_parts(first: HtmlElement) -> list[HtmlElement]:
    """``first`` and the later containers of its tag, class and ``itemprop`` that continue it (`SPLIT_STORY_MAX_LEVELS`),
    when there is no prose between them; else ``[first]``."""
    cls = first.get("class")
    ancestors = list(first.iterancestors())
    depth = len(ancestors)
    if not depth:
        return [first]
    scope = ancestors[min(SPLIT_STORY_MAX_LEVELS, depth) - 1]
    parts = [first]
    after = False
    prop = first.get("itemprop")
    for el in scope.iter(first.tag):
        if el is first:
            after = True
        elif (after and el.get("class") == cls and el.get("itemprop") == prop
              and sum(1 for _ in el.iterancestors()) == depth and _story_part(el)):
            parts.append(el)
    if len(parts) < 2:
        return parts
    # no prose between the parts (text under a heading between them, an interleaved figure's long
    # caption): the page would then interleave its story with other elements, which joining reorders
    inside = {p for part in parts for p in part.iter("p")}  # (the set keeps lxml's element objects alive,
    in_parts = sum(len(_squash(p.text_content())) for p in inside)  # so that `in` compares them rightly)
    last = parts[-1]
    between = 0
    started = False
    for el in scope.iter():
        if el is first:
            started = True
        elif el is last:
            break
        elif started and el.tag == "p" and el not in inside:
            between += len(_squash(el.text_content()))
    return parts if between <= SPLIT_STORY_MAX_BETWEEN_SHARE * in_parts else [first]


def _join_split_story(tree: HtmlElement) -> int:
    """Move the later parts of a story split into same-class containers into the first part, in document
    order; returns the number of parts joined. The first part is an element whose class names a story
    body (`_STORY_BODY_CLASS_RE`) or that schema.org microdata marks as the article's body
    (``itemprop="articleBody"``, which a page split by ads puts on each part), whose class other
    containers carry too, and that holds a story part
    (`_story_part`); at most `SPLIT_STORY_MAX_CANDIDATES` classes are tried."""
    candidates = []
    for el in tree.iter("div", "article", "section", "main"):
        cls = el.get("class") or ""
        if (cls and _STORY_BODY_CLASS_RE.search(cls)) or el.get("itemprop") == "articleBody":
            candidates.append((el, cls))
    # only a class that several containers carry can hold a split story
    per_class = Counter((el.tag, cls) for el, cls in candidates)
    tried: set[tuple[str, str]] = set()  # (a later part of a story that may not be joined is not a first part)
    for el, cls in candidates:
        if per_class[el.tag, cls] < 2 or (el.tag, cls) in tried or not _story_part(el):
            continue
        parts = _split_parts(el)
        if len(parts) > 1:
            for part in parts[1:]:
                for child in list(part):
                    el.append(child)  # moves it (with its tail)
            return len(parts) - 1
        tried.add((el.tag, cls))
        if len(tried) == SPLIT_STORY_MAX_CANDIDATES:
            break
    return 0


def _collapse_source_newlines(tree: HtmlElement) -> int:
    """Turn the line breaks of the HTML source into spaces, as a browser shows them, except inside
    verbatim elements (`_is_verbatim`: ``pre``, code blocks, ``textarea``). A paragraph hard-wrapped in
    the page's source is then one paragraph, while ``<br>`` (a line break the page asks for) and the
    lines of program code or preformatted text still break (`_inline_text`). Each character is
    replaced by one space, so text lengths are unchanged, and the main extractor sees verbatim
    elements as they are. Returns the number of text nodes changed."""
    verbatim: set[Any] = set()
    for root in tree.iter(*_VERBATIM_TAGS, "code"):
        if root not in verbatim and _is_verbatim(root):
            verbatim.update(root.iter())
    changed = 0
    for el in tree.iter():
        if isinstance(el.tag, str):  # (a comment's text is no page text)
            text = el.text
            if text and "\n" in text and el not in verbatim:
                el.text = text.replace("\n", " ")
                changed += 1
        tail = el.tail  # text of the parent's flow
        if tail and "\n" in tail and (not verbatim or el.getparent() not in verbatim):
            el.tail = tail.replace("\n", " ")
            changed += 1
    return changed


#: Read a table that lays out the page, not data, as the blocks it holds (`_unwrap_layout_tables`).
#: trafilatura reads every table as data: the paragraphs and lists of one cell became one line, cells
#: joined by " | ", and lists inside a cell were dropped. Measured: readability-pages F1 0.951 -> 0.952
#: (lwn-1 R 0.848 -> 0.967, hukumusume 0.915 -> 1.0, tumblr P 0.933 -> 0.989; clean-links R 1.0 ->
#: 0.980), fundus-dev and np4k unchanged (none of their pages has such a table).
UNWRAP_LAYOUT_TABLES = True
#: A cell is laid-out prose when it holds at least this many block elements (paragraphs, lists,
#: headings, quotes) and this many characters: a data table's cells hold a value or a line each.
LAYOUT_CELL_MIN_BLOCKS = 2
LAYOUT_CELL_MIN_CHARS = 200
_LAYOUT_BLOCKS = ("p", "ul", "ol", "dl", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6")
#: What makes a table a data table whatever its cells hold (Readability's own data-table signals).
_DATA_TABLE_PARTS = frozenset({"caption", "thead", "tfoot", "colgroup", "col"})


def _table_rows(table: HtmlElement) -> list[HtmlElement]:
    """The table's own rows (not those of tables nested in its cells)."""
    rows: list[HtmlElement] = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("tbody", "thead", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def _is_layout_table(table: HtmlElement, rows: list[HtmlElement]) -> bool:
    """A table that lays out prose: no caption, summary, header cells or column groups, and a cell
    of laid-out prose (`LAYOUT_CELL_MIN_BLOCKS`, `LAYOUT_CELL_MIN_CHARS`)."""
    if table.get("summary") or any(child.tag in _DATA_TABLE_PARTS for child in table):
        return False
    cells = [cell for row in rows for cell in row if cell.tag in ("td", "th")]
    if any(cell.tag == "th" for cell in cells):
        return False
    for cell in cells:
        blocks = 0
        for _ in cell.iter(*_LAYOUT_BLOCKS):
            blocks += 1
            if blocks >= LAYOUT_CELL_MIN_BLOCKS:
                break
        if blocks >= LAYOUT_CELL_MIN_BLOCKS and len(_squash(cell.text_content())) >= LAYOUT_CELL_MIN_CHARS:
            return True
    return False


def _unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn each layout table (`_is_layout_table`), its row groups, rows and cells into ``<div>``s, so
    that the main extractor reads the paragraphs and lists in its cells as blocks; tables nested in
    its cells are judged on their own. Returns the number of tables unwrapped."""
    unwrapped = 0
    for table in list(tree.iter("table")):
        rows = _table_rows(table)
        if not rows or not _is_layout_table(table, rows):
            continue
        for row in rows:
            for cell in row:
                if cell.tag in ("td", "th"):
                    cell.tag = "div"
            row.tag = "div"
        for child in table:
            if child.tag == "tbody":
                child.tag = "div"
        table.tag = "div"
        unwrapped += 1
    return unwrapped


#: A ``<div>`` of inline content in a table cell is read as a paragraph (`_cell_divs_as_paragraphs`):
#: trafilatura's table reader drops such a div when it starts with a link, so a table of apps, teams
#: or places whose names are links lost the names ("| | 71.1 MB |"). Measured: readability-pages
#: links-in-tables R 0.938 -> 0.966 (wikipedia-2 a little up), fundus-dev and np4k unchanged.
CELL_DIVS_AS_PARAGRAPHS = True
#: Elements that make a div more than a paragraph.
_BLOCK_TAGS = frozenset({
    "div", "p", "ul", "ol", "dl", "li", "table", "blockquote", "pre", "section", "article", "header",
    "footer", "nav", "aside", "form", "figure", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
})


def _cell_divs_as_paragraphs(tree: HtmlElement) -> int:
    """Make each ``<div>`` inside a table cell that holds no block element a ``<p>`` (a browser shows
    both as a block of text); returns how many."""
    made = 0
    for cell in tree.iter("td", "th"):
        for div in cell.iter("div"):
            if not any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in div.iterdescendants()):
                div.tag = "p"
                made += 1
    return made


#: Wrap a run of text standing bare between block elements in a paragraph (`_wrap_bare_text`).
WRAP_BARE_TEXT = True
#: Characters of bare text that make it a paragraph: a sentence, more than a label, a separator,
#: a date or a count between two boxes.
BARE_TEXT_MIN_CHARS = 100
#: ... or this many when it ends as a sentence does ("... coins is:", "... the inner product operation."):
#: a shorter run of prose; labels, names and menus between blocks end without punctuation.
BARE_SENTENCE_MIN_CHARS = 30
_SENTENCE_ENDS = frozenset(".!?:…。！？：")
#: ... of which at most this share is link text.
BARE_TEXT_MAX_LINK_SHARE = 0.5
#: Inline elements that may start such a run when no bare text does (``</div><em>Disclaimer: ...</em>``).
_INLINE_STARTS = frozenset({"em", "i", "strong", "b", "span", "small", "a", "font", "u", "mark", "cite", "q"})
#: Elements that break the flow of text: bare text after one of them starts a line of its own. The
#: block elements (a list item only inside its list, where bare text is no paragraph), and embeds.
_FLOW_BREAKERS = (_BLOCK_TAGS - {"li"}) | {"iframe", "video"}
#: What ends a run of bare text: the next block element, or a line break.
_RUN_ENDS = _FLOW_BREAKERS | {"br"}
#: Containers in which such a run is a paragraph of the story (not inside a paragraph, list or cell).
_BARE_TEXT_PARENTS = frozenset({"div", "section", "article", "main", "body", "td"})


def _wrap_bare_text(tree: HtmlElement) -> int:
    """Put a run of text that stands bare in a container right after a block element (a paragraph
    written without ``<p>`` after a figure or an embed: ``</div>The Federal Flag Code has ...``),
    with the inline elements that continue it up to the next block element or line break, in a
    ``<p>`` of its own. The main extractor reads the
    blocks of a container and drops the text between them; a browser shows it as a paragraph.
    Only runs of at least BARE_TEXT_MIN_CHARS. Returns the number of paragraphs made. The same walk
    over the block elements removes the id of a paragraph of prose (`PROSE_PARAGRAPH_IDS`) and makes a
    list of bare text and no items a paragraph (`ITEMLESS_LISTS_AS_PARAGRAPHS`)."""
    made = 0
    for el in list(tree.iter(*_FLOW_BREAKERS)):
        # two more readings of block elements, on this walk over them (see their settings)
        if el.tag == "p":
            if PROSE_PARAGRAPH_IDS and el.get("id") is not None:
                _unname_prose_paragraph(el)
        elif el.tag in ("ul", "ol") and ITEMLESS_LISTS_AS_PARAGRAPHS:
            _itemless_list_as_paragraph(el)
        elif el.tag == "header" and PROSE_HEADERS_AS_PARAGRAPHS:
            _prose_header_as_paragraph(el)
        if not WRAP_BARE_TEXT:
            continue
        tail = el.tail
        parent = el.getparent()
        if parent is None or parent.tag not in _BARE_TEXT_PARENTS:
            continue
        sibling = el.getnext()
        if not (tail and tail.strip()) and not (
                sibling is not None and isinstance(sibling.tag, str) and sibling.tag in _INLINE_STARTS):
            continue  # no bare text, nor an inline element (an <em> note, a <span>) starting a run
        run: list[Any] = []
        while sibling is not None and not (isinstance(sibling.tag, str) and (
                sibling.tag in _RUN_ENDS or next(sibling.iter(*_FLOW_BREAKERS), None) is not None)):
            run.append(sibling)  # inline content; an inline element wrapping blocks ends the run
            sibling = sibling.getnext()
        words = [tail or ""] + [t for inline in run for t in (
            inline.text_content() if isinstance(inline.tag, str) and inline.tag not in _UNSEEN_TAGS else "",
            inline.tail or "")]
        text = _squash(" ".join(words))
        if len(text) < BARE_TEXT_MIN_CHARS and not (
                len(text) >= BARE_SENTENCE_MIN_CHARS and text[-1:] in _SENTENCE_ENDS):
            continue
        if sum(_link_chars(inline) for inline in run if isinstance(inline.tag, str)) > BARE_TEXT_MAX_LINK_SHARE * len(text):
            continue  # links between blocks (a teaser, a "read more"), not a paragraph
        para = el.makeelement("p", {})
        para.text = tail
        el.tail = None
        el.addnext(para)
        for inline in run:
            para.append(inline)  # moves it, with its tail
        made += 1
    return made


#: A paragraph of prose is the story's whatever its ``id`` says: the main extractor discards elements
#: whose id holds a widget word anywhere in it ("nav", "share", "menu", "footer"), and CMSs give every
#: paragraph a random id for its anchor ("NavzzU", "76I1cH"), so a paragraph went when its id happened to
#: spell one. The id of a ``<p>`` with PROSE_PARAGRAPH_MIN_CHARS or more of text that is not link text
#: is removed before the main extractor runs (a widget's ``<p>``, "share_email_confirm_text", holds a
#: line, not a paragraph; its container keeps its own names). Measured: readability-pages videos-1 R
#: 0.956 -> 0.996 (a paragraph with id "NavzzU"), no other record of the three sets changed.
PROSE_PARAGRAPH_IDS = True
PROSE_PARAGRAPH_MIN_CHARS = 200


def _unname_prose_paragraph(p: HtmlElement) -> bool:
    """Remove the ``id`` of the paragraph ``p`` when it is one of prose (`PROSE_PARAGRAPH_IDS`)."""
    text = len(_squash(p.text_content()))
    if text < PROSE_PARAGRAPH_MIN_CHARS or text - _link_chars(p) < PROSE_PARAGRAPH_MIN_CHARS:
        return False
    del p.attrib["id"]
    return True


#: A list without items that holds bare text (``<ul> (Really my eventual goal is ...) </ul>``) is the
#: old way to indent a paragraph: a browser shows it as an indented block of text; the main extractor
#: reads it as a list and, finding no item, drops it. Read as a paragraph (the tag becomes ``p``) when
#: it holds at least ITEMLESS_LIST_MIN_CHARS of its own text and only inline elements. Measured:
#: readability-pages table-style-attributes R 0.965 -> 0.990, no other record of the three sets changed.
ITEMLESS_LISTS_AS_PARAGRAPHS = True
ITEMLESS_LIST_MIN_CHARS = 20


def _itemless_list_as_paragraph(lst: HtmlElement) -> bool:
    """Make the list ``lst`` a paragraph when it holds bare text and no items (`ITEMLESS_LISTS_AS_PARAGRAPHS`)."""
    if next(lst.iterchildren("li"), None) is not None:
        return False
    own = (lst.text or "") + "".join(c.tail or "" for c in lst)
    if len(_squash(own)) < ITEMLESS_LIST_MIN_CHARS:
        return False
    if any(isinstance(d.tag, str) and (d.tag in _BLOCK_TAGS or d.tag in _UNSEEN_TAGS) for d in lst.iterdescendants()):
        return False
    lst.tag = "p"
    return True


#: A ``<header>`` that holds a paragraph of prose and nothing else (no heading, no block, little link text:
#: ``<header>Neuroscience tells us that most of the work ...</header>`` opening a story's body) is the
#: story's intro, not a page or article header (those hold a headline, a logo, a menu): read as a
#: paragraph (the tag becomes ``p``). The main extractor drops a header's loose text. Measured:
#: readability-pages medicalnewstoday R 0.965 -> 1.0, no other record of the five sets changed.
PROSE_HEADERS_AS_PARAGRAPHS = True
PROSE_HEADER_MAX_LINK_SHARE = 0.2


def _prose_header_as_paragraph(header: HtmlElement) -> bool:
    """Make ``header`` a paragraph when it holds prose only (`PROSE_HEADERS_AS_PARAGRAPHS`)."""
    text = len(_squash(header.text_content()))
    if text < BARE_TEXT_MIN_CHARS:
        return False
    if any(isinstance(d.tag, str) and (d.tag in _BLOCK_TAGS or d.tag in _UNSEEN_TAGS or d.tag in ("img", "svg", "picture"))
           for d in header.iterdescendants()):
        return False
    if _link_chars(header) > PROSE_HEADER_MAX_LINK_SHARE * text:
        return False
    header.tag = "p"
    return True


#: A class that says an element has no caption ("no_caption", "no-caption", "nocaption") names no caption:
#: the main extractor drops every element whose class holds the word "caption" (as a picture's caption),
#: and with a BuzzFeed list item it dropped the story's first paragraph. The token is removed before it
#: runs. Measured: readability-pages buzzfeed-1 R 0.885 -> 1.0 (with the paragraph); no other record changed.
NO_CAPTION_CLASSES = True
_CAPTION_CLASSED = etree.XPath("//body//*[contains(@class, 'aption')]")  # caption, Caption
_NO_CAPTION_RE = re.compile(r"^(?:no|without|has-?no)[-_]?caption$", re.IGNORECASE)


def _drop_no_caption_classes(tree: HtmlElement) -> int:
    """Remove the class words saying an element has no caption (`NO_CAPTION_CLASSES`); returns how many."""
    count = 0
    for el in _CAPTION_CLASSED(tree):
        words = (el.get("class") or "").split()
        kept = [w for w in words if not _NO_CAPTION_RE.match(w)]
        if len(kept) < len(words):
            el.set("class", " ".join(kept))
            count += 1
    return count


def _is_inline_code(el: Any) -> bool:
    """A ``<code>`` inside a block that is a run of code within its sentence ("call ``fetch()``"), not
    a code block: it has no line break (a code block keeps its lines: `_collapse_source_newlines`)."""
    return el.tag == "code" and next(el.iter(*_BREAKS), None) is None and "\n" not in "".join(el.itertext())


def _inline_text(el: Any, out: list[str]) -> None:
    """Text of ``el`` with its inline children; ``<lb/>`` becomes a line break (never glues words), and
    so does a line break left in the text (only verbatim elements keep them: `_collapse_source_newlines`)."""
    if el.tag in _BREAKS:
        out.append("\n")
    elif el.text:
        out.append(el.text)
    for child in el:
        if not isinstance(child.tag, str):
            pass
        elif child.tag in _INLINE or child.tag in _BREAKS or _is_inline_code(child):
            _inline_text(child, out)
        else:
            out.append("\n")
            _inline_text(child, out)
            out.append("\n")
        if child.tail:
            out.append(child.tail)


class Block(NamedTuple):
    """One block of the story: its kind (see `blocks_of`), its text, and the list it is part of."""

    kind: str
    text: str
    #: Number of the outermost list holding the block, counted from 1 in document order; 0 when the
    #: block is in no list. The items of a list and of the lists nested in it share it. A list put back
    #: (`_restore_lists`) is numbered after the others.
    group: int = 0


def blocks_of(body: Any) -> list[Block]:
    """(kind, text, group) of each block of a trafilatura output tree, in document order.

    Kinds are the output element names: ``p``, ``head`` (subheading), ``item`` (list item), ``quote``,
    ``cell``... A line break inside a block splits it into blocks of the same kind (and group).
    """
    out: list[Block] = []
    lists = 0

    def visit(el: Any, kind: str | None, group: int) -> None:
        nonlocal lists
        if not isinstance(el.tag, str):
            return
        tag = el.tag
        if tag == "list" and not group:
            lists += 1
            group = lists
        if tag in ("row",):
            cells = []
            for cell in el:
                parts: list[str] = []
                _inline_text(cell, parts)
                cells.append(_squash("".join(parts).replace("\n", " ")))
            line = " | ".join(c for c in cells if c)
            if line:
                out.append(Block(kind or "row", line, group))
            return
        if tag in _CONTAINERS and any(isinstance(c.tag, str) and c.tag not in _INLINE and c.tag not in _BREAKS for c in el):
            if el.text and el.text.strip():
                out.append(Block(kind or tag, _squash(el.text), group))
            for child in el:
                visit(child, "quote" if tag == "quote" else kind, group)
                if child.tail and child.tail.strip():
                    out.append(Block(kind or tag, _squash(child.tail), group))
            return
        parts = []
        _inline_text(el, parts)
        for line in "".join(parts).split("\n"):
            line = _squash(line)
            if line:
                out.append(Block(kind or tag, line, group))

    visit(body, None, 0)
    return [b._replace(kind="p") if b.kind in ("body", "div") else b for b in out]


def _run_trafilatura(tree: HtmlElement, url: str, recorded: list[str | None] | None = None) -> list[Block]:
    """trafilatura's main text as blocks; ``recorded`` receives the words of its fallback's Readability
    run on this tree, if it makes one (see `_recording_readability`)."""
    _capture.runs = recorded
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, with_metadata=False, include_comments=False, include_tables=True
        )
    finally:
        _capture.runs = None
    body = getattr(doc, "body", None)
    if body is None:
        return []
    return blocks_of(body)


#: MathML token elements: their text is what a reader reads off a formula.
_MATH_TOKENS = frozenset({"mi", "mn", "mo", "mtext", "ms"})
#: The element MathJax 3 wraps each rendered formula in (its glyphs and, for screen readers, the MathML).
_MATHJAX_CONTAINER = "mjx-container"


def _flatten_math(tree: HtmlElement) -> int:
    """Replace each MathML ``<math>`` element by its readable text (the tokens, space-separated), so that
    formulas stay in the story (the main extractor drops unknown elements and their text with them):
    a ``<p>`` for a display formula, inline text otherwise. Returns the number of formulas."""
    count = 0
    for math in list(tree.iter("math")):
        if math.getparent() is None:
            continue
        tokens = [_squash(el.text_content()) for el in math.iter() if isinstance(el.tag, str) and el.tag in _MATH_TOKENS]
        text = " ".join(t for t in tokens if t) or _squash(math.get("alttext") or "")
        # MathJax 3 renders a formula twice inside an <mjx-container>: as styled glyphs for the eye
        # and as MathML for screen readers. The container, not only its MathML, becomes the text.
        target = next((el for el in math.iterancestors() if el.tag == _MATHJAX_CONTAINER), math)
        block = (math.get("display") or "").lower() == "block" or target.get("display") == "true"
        parent = target.getparent()
        if parent is None:
            continue
        repl = math.makeelement("p" if block else "span", {})
        if not block:
            # an inline formula is words of its own, though MathJax's markup often abuts the text around it
            previous = target.getprevious()
            before = (previous.tail if previous is not None else parent.text) or ""
            if before[-1:].isalnum():
                text = " " + text
            if (target.tail or "")[:1].isalnum():
                text += " "
        repl.text = text
        repl.tail = target.tail
        parent.replace(target, repl)
        count += 1
    return count


def _reading_length(text: str) -> int:
    """The text's length in Latin-script characters' worth (see WIDE_CHAR_WEIGHT)."""
    return len(text) + (WIDE_CHAR_WEIGHT - 1) * len(_WIDE_CHARS_RE.findall(text))


def shorter_than(text: str, minimum: int) -> bool:
    """Whether ``text`` is shorter than ``minimum`` characters in reading length (`_reading_length`: a
    Chinese, Japanese or Korean character counts as `WIDE_CHAR_WEIGHT`); ``len()`` first, as a text long
    in characters is long in reading length too, without the count of wide characters."""
    return len(text) < minimum and _reading_length(text) < minimum


def _visible_chars(tree: HtmlElement) -> int:
    """Characters of visible text on the page, whitespace runs counted as one."""
    body = tree.find(".//body")
    if body is None:
        return 0
    hidden = sum(len(_squash(el.text_content())) for el in body.iter("script", "style", "noscript", "template"))
    return max(0, len(_squash(body.text_content())) - hidden)


#: Elements whose text the reader never sees as text (code, style rules, JSON data, templates).
_UNSEEN_TAGS = frozenset({"script", "style", "noscript", "template"})
#: Characters of a block's first words looked up in the page's text to find where the page has it:
#: enough to stand once on a page, few enough to be the block's own unchanged start.
_PLACE_KEY_CHARS = 40
#: A block whose words hold fewer characters than this is not placed: its words may stand anywhere.
_PLACE_MIN_CHARS = 20


def _key_of(words: Iterable[str]) -> str | None:
    """The first of ``words``, up to `_PLACE_KEY_CHARS` characters, run together as the page's text
    (`ServedPage.text`) has them; None when they are too short to place."""
    taken: list[str] = []
    chars = 0
    for word in words:
        taken.append(word)
        chars += len(word)
        if chars >= _PLACE_KEY_CHARS:
            break
    return "".join(taken) if chars >= _PLACE_MIN_CHARS else None


def _start_key(block: Block) -> str | None:
    """The block's first words (`_key_of`); None for a block too short to place."""
    return _key_of(block.text.split())


def _run_key(blocks: list[Block], i: int) -> str | None:
    """The start key (`_start_key`) of block ``i`` and the blocks after it read as one text: a short
    block (a list item of one word, a label) is placed by the words that follow it on the page. Used
    where a block has no start key of its own, by `_restore_subheadings` and `_restore_lists`. Measured:
    readability-pages keep-tabular-data R 0.965 -> 0.989 and google-sre-book-1 0.955 -> 0.959 (a list
    before a one-word label: "Push"), ehow-1 0.752 -> 0.761 (a heading above a list of one-word items);
    no other record of the three sets changed."""
    return _key_of(word for block in blocks[i:] for word in block.text.split())


def _place(key: str | None, page: ServedPage) -> int | None:
    """Where the page has a block starting with ``key`` (`_start_key`; an offset into ``page.text``),
    or None when there is no key, or the page has it nowhere or more than once. Each key is looked up
    once a page (``page.places``): the story's blocks are placed by `_in_source_order`,
    `_restore_subheadings` and `_restore_lists` in turn, each a search of the whole page text."""
    if key is None:
        return None
    if key in page.places:
        return page.places[key]
    found = page.text.find(key)
    at = found if found >= 0 and page.text.find(key, found + 1) < 0 else None
    page.places[key] = at
    return at


def _in_source_order(blocks: list[Block], page: ServedPage, removed: Counter[str]) -> list[Block]:
    """Put a first element that trafilatura emitted ahead of its place back where the page has it.

    trafilatura tries its story frames one after another and keeps what a frame gave even when that
    was a single element, too little to stop at: that element then heads the text of the next, wider
    frame, though the page has it further down (a list between the lead and the first step; an author
    box or a teaser after the story). Moved to its place when that lies inside the rest of the story;
    dropped as ``outside-story`` when the page has it after the story's last block. ``page``: the
    page as served (`_served_page`).
    """
    first = 1  # the first element's blocks: the first block, and the items of its list
    if blocks and blocks[0].group:
        while first < len(blocks) and blocks[first].group == blocks[0].group:
            first += 1
    if first >= len(blocks):
        return blocks
    head_key = next((k for k in map(_start_key, blocks[:first]) if k is not None), None)
    if head_key is None:
        return blocks
    head = _place(head_key, page)
    rest = blocks[first:]
    places = [_place(_start_key(b), page) for b in rest]
    known = [p for p in places if p is not None]
    if head is None or not known or known[0] > head:
        return blocks
    if head > max(known):
        removed["outside-story"] += first
        return rest
    at = next(i for i, p in enumerate(places) if p is not None and p > head)
    return rest[:at] + blocks[:first] + rest[at:]


#: Put back subheadings the main extractor left out between the story's blocks (`_restore_subheadings`).
RESTORE_SUBHEADINGS = True
#: Subheadings: the story's own heading levels (``<h1>`` is the headline, printed apart from the text).
_SUBHEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
#: Characters of the page's text that may stand between a subheading and the start of the block it
#: heads (none: the heading is right above it; an image or a formula that has no text in between).
SUBHEADING_GAP_CHARS = 0
#: Headings written without a heading tag: an element the page marks as a heading (``role="heading"``,
#: or a class word naming one: "head", "heading", "headline", "title", "subhead", ...; "headline2")
#: holding only a short line of inline text, no link (``<span class="headline2 head">Step 1</span>``
#: above the step's paragraph). trafilatura reads them as loose text and drops them; placed like the
#: heading tags (`_restore_subheadings`), so only one right above a story block is taken. Measured
#: (with `_run_key`): readability-pages ehow-1 R 0.697 -> 0.761 (its "Step 1" ... "Step 9" and "What
#: You'll Need:" labels), no other record of the three sets changed. A ``<div>`` or ``<p>`` classed as a
#: heading is not taken (tried: it put back a box's label, LTO's "Zitiervorschlag", and nothing else).
PSEUDO_SUBHEADINGS = True
_HEADING_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:sub-?)?(?:head|heading|headline|title)s?\d*(?:$|[\s_-])", re.IGNORECASE)
#: A heading is a line: longer text is a paragraph or a teaser (whatever its class).
PSEUDO_HEADING_MAX_CHARS = 120
_PSEUDO_HEADING_SKIP = _BLOCK_TAGS | frozenset({"a", "button", "label", "option", "select", "td", "th", "dt", "dd",
                                                "figcaption", "caption", "legend", "summary", "title", "head",
                                                "html", "body", "img", "svg"})


def _is_pseudo_heading(el: HtmlElement, cls: str) -> bool:
    """Whether ``el``, whose class attribute ``cls`` holds "ead" or "itle", is a heading written without a
    heading tag (`PSEUDO_SUBHEADINGS`); the cheap tests first."""
    if el.tag in _PSEUDO_HEADING_SKIP or not _HEADING_CLASS_RE.search(cls):
        return False
    if any(isinstance(d.tag, str) and (d.tag in _BLOCK_TAGS or d.tag in _UNSEEN_TAGS or (d.tag == "a" and d.get("href") is not None))
           for d in el.iterdescendants()):
        return False
    text = _squash(el.text_content())
    return bool(text) and len(text) <= PSEUDO_HEADING_MAX_CHARS and not any(a.tag == "a" for a in el.iterancestors())


#: Lists: the outermost ones are placed on the page as served (`ServedPage.lists`).
_LIST_TAGS = frozenset({"ul", "ol"})
#: Put back a list of the story that the main extractor left out between two of its blocks
#: (`_restore_lists`). trafilatura's search for paragraphs when it finds no story container keeps
#: paragraphs and drops the lists between them; Readability keeps them. Measured: readability-pages
#: table-style-attributes R 0.849 -> 0.955, lwn-1 0.967 -> 0.984, keep-tabular-data 0.953 -> 0.965;
#: fundus-dev and np4k unchanged.
RESTORE_LISTS = True
#: A list of links is a menu or teasers, not the story's (links to the site's own stories are pruned
#: as teaser lists already; this covers the others): at most this share of its text is link text.
#: Measured: with lists of links too, fundus-dev lost precision on four pages (menus, topic lists).
LIST_MAX_LINK_SHARE = 0.5
#: Characters of the page's text that may stand between the list's end and the next story block
#: (a short label, a date, a link the story leaves out); the list must also come after the block
#: before it, with no other story block between.
LIST_GAP_CHARS = 40
#: A list holding pictures or embeds is a gallery or a carousel, whose captions are not the story's.
_GALLERY_TAGS = ("img", "figure", "picture", "figcaption", "video", "iframe")


def _list_items(lst: HtmlElement) -> list[str]:
    """The visible text of each item of the list and of the lists nested in it, in order; an item's
    nested list is not part of its own text."""
    items: list[str] = []

    def own(el: Any, out: list[str]) -> None:
        if el.text:
            out.append(el.text)
        for child in el:
            if isinstance(child.tag, str) and child.tag not in _UNSEEN_TAGS and child.tag not in _LIST_TAGS:
                own(child, out)
            if child.tail:
                out.append(child.tail)

    for li in lst.iter("li"):
        parts: list[str] = []
        own(li, parts)
        text = _squash(" ".join(parts))
        if text:
            items.append(text)
    return items


def _restore_lists(blocks: list[Block], page: ServedPage, body: HtmlElement | None) -> list[Block]:
    """Put back a list the main extractor left out when the page has it between two consecutive blocks
    of the story: after the one, and right before the other (`LIST_GAP_CHARS`). ``page``: the page as
    served (`_served_page`); ``body``: the pruned page's body, so that a list pruning removed (a teaser
    list, a hidden menu) stays out. Not taken either: a list of links (`LIST_MAX_LINK_SHARE`), a
    gallery (`_GALLERY_TAGS`), or a list one of whose items the story holds already."""
    if len(blocks) < 2 or not page.lists or body is None:
        return blocks
    text = page.text
    keys: list[str | None] = []  # each block's start, to find it on the page; made when first needed
    have: set[str] = set()  # the blocks' letters (`_letters`); made when first needed
    insert: dict[int, list[list[str]]] = {}
    for lst, start, end in page.lists:  # the cheap tests first: most lists are not taken
        if not noise.attached(lst, body):
            continue  # pruned
        if next(lst.iter(*_GALLERY_TAGS), None) is not None:
            continue
        if not keys:
            keys = [_start_key(b) or _run_key(blocks, i) for i, b in enumerate(blocks)]
        # the story block that starts right after the list (searched in that window only) ...
        nxt = next((i for i in range(1, len(blocks)) if (key := keys[i]) is not None
                    and 0 <= text.find(key, end, end + LIST_GAP_CHARS + len(key)) <= end + LIST_GAP_CHARS), None)
        if nxt is None or _place(keys[nxt], page) is None:
            continue  # none, or its words stand elsewhere on the page too: its place is not sure
        # ... and the one before it in the story, which the page has before the list
        at = _place(keys[nxt - 1], page)
        if at is None or at >= start:
            continue
        links = sum(len("".join(a.text_content().split())) for a in lst.iter("a"))
        if links > LIST_MAX_LINK_SHARE * (end - start):  # both without whitespace
            continue
        items = _list_items(lst)
        if not have:
            have = {_letters(b.text) for b in blocks}
        if items and not any(_letters(t) and _letters(t) in have for t in items):
            insert.setdefault(nxt, []).append(items)
    if not insert:
        return blocks
    group = max((b.group for b in blocks), default=0)
    out: list[Block] = []
    for i, block in enumerate(blocks):
        for items in insert.get(i, ()):
            group += 1
            out.extend(Block("item", t, group) for t in items)
        out.append(block)
    return out


#: Put back a list nested in an item of the story's list that the main extractor dropped with its items
#: (`_restore_sublists`): trafilatura deletes a list by its link density, and a sub-list of links (the
#: bugs an item names, the sources of a point) goes, while the item that introduces it ("In progress:")
#: stays. A list nested in an item the story keeps is that item's: its links are the story's too.
#: Measured: readability-pages firefox-nightly-blog R 0.780 -> 0.825, no other record changed.
RESTORE_SUBLISTS = True
_NESTED_LISTS = etree.XPath("//body//ul[ancestor::li] | //body//ol[ancestor::li]")


def _item_lead(item: HtmlElement, sub: HtmlElement) -> str:
    """The text of the list item ``item`` before its sub-list ``sub`` (the item's own line)."""
    parts: list[str] = [item.text or ""]
    for child in item:
        if child is sub or (isinstance(child.tag, str) and sub in child.iterdescendants()):
            break
        if isinstance(child.tag, str) and child.tag not in _UNSEEN_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _squash(" ".join(parts))


def _restore_sublists(blocks: list[Block], body: HtmlElement | None) -> list[Block]:
    """Put a list nested in a list item back after the item's own line, when the story holds that line
    once (as a list item) and none of the sub-list's items; ``body``: the pruned page's body (a list
    pruning removed stays out). Not taken: a gallery (`_GALLERY_TAGS`), or a sub-list of an item the
    story does not hold (a menu's sub-menu: its item is no story block)."""
    if body is None or not any(b.kind == "item" for b in blocks):
        return blocks
    subs = [lst for lst in _NESTED_LISTS(body) if next(lst.iter(*_GALLERY_TAGS), None) is None]
    if not subs:
        return blocks
    where: dict[str, list[int]] = {}
    for i, block in enumerate(blocks):
        if block.kind == "item":
            where.setdefault(_letters(block.text), []).append(i)
    have = {_letters(b.text) for b in blocks}
    insert: dict[int, list[str]] = {}
    taken: set[Any] = set()
    for lst in subs:
        if any(a in taken for a in lst.iterancestors()):
            continue  # inside a sub-list put back already, with its items
        item = next(a for a in lst.iterancestors() if a.tag == "li")
        at = where.get(_letters(_item_lead(item, lst)), [])
        if len(at) != 1:
            continue  # the item is not the story's, or its line stands there more than once
        items = _list_items(lst)
        if not items or any(_letters(t) and _letters(t) in have for t in items):
            continue
        insert.setdefault(at[0], []).extend(items)
        taken.add(lst)
    if not insert:
        return blocks
    out: list[Block] = []
    for i, block in enumerate(blocks):
        out.append(block)
        out.extend(Block("item", t, block.group) for t in insert.get(i, ()))
    return out


class ServedPage(NamedTuple):
    """The page as served, before pruning: where its texts stand, to place the story's blocks."""

    #: The page's text in document order with every whitespace character removed (scripts, styles,
    #: templates and comments skipped): a block's offset in it is its place on the page.
    text: str
    #: Each subheading that heads the elements after it: its visible text, with the offset in ``text``
    #: where the next of its sibling elements to hold text starts.
    heads: list[tuple[str, int]]
    #: Each outermost list (``<ul>``, ``<ol>``) with the offsets in ``text`` where it starts and ends.
    lists: list[tuple[Any, int, int]]
    #: Where ``text`` has each block start looked up so far (`_place`), None where it is not once.
    places: dict[str, int | None]
    #: The headings written without a heading tag (`PSEUDO_SUBHEADINGS`), to tell which pruning left.
    pseudo: list[Any]


def _served_page(tree: HtmlElement) -> ServedPage:
    """The `ServedPage` of the tree: its text, and each subheading that heads the elements after it
    (no text between the heading and the next sibling element that holds text). A heading that is the last element with text of its parent (a teaser
    card's headline, inside its link or card) heads nothing here and is not listed. Subheadings are the
    heading tags and, with PSEUDO_SUBHEADINGS, the elements a class names a heading (`_is_pseudo_heading`:
    found on this walk, which visits every element anyway)."""
    parts: list[str] = []
    length = 0
    spans: dict[Any, tuple[int, int]] = {}  # element -> (start, end) of its text in the page's text
    texts: dict[Any, str] = {}  # subheading -> its visible text
    inside: list[list[str]] = []  # the text of each subheading being walked
    lists: list[tuple[Any, int, int]] = []
    pseudo: list[Any] = []
    in_list = 0

    def add(text: str | None) -> None:
        nonlocal length
        if text:
            squeezed = "".join(text.split())
            parts.append(squeezed)
            length += len(squeezed)
            for pieces in inside:
                pieces.append(text)

    def walk(el: Any, placed: bool) -> bool:
        """Walk ``el``; True when it is a heading written without a heading tag."""
        nonlocal in_list
        if isinstance(el.tag, str) and el.tag not in _UNSEEN_TAGS:
            start = length
            heading = el.tag in _SUBHEADING_TAGS
            found = False
            if (not heading and PSEUDO_SUBHEADINGS and (cls := el.get("class")) and ("ead" in cls or "itle" in cls)
                    and _is_pseudo_heading(el, cls)):
                heading = placed = found = True
                pseudo.append(el)
            if heading:
                inside.append([])
            is_list = el.tag in _LIST_TAGS
            in_list += is_list
            add(el.text)
            siblings = el in parents
            for child in el:
                if walk(child, siblings):
                    siblings = True  # the elements after a heading found on the way are placed
            in_list -= is_list
            if is_list and not in_list:
                lists.append((el, start, length))
            if heading:
                texts[el] = _squash(" ".join(inside.pop()))
            if placed:
                spans[el] = (start, length)
        else:
            found = False
        if el.tail:
            add(el.tail)
        return found

    root = tree.find("body")
    root = tree if root is None else root
    parents = {h.getparent() for h in root.iter(*_SUBHEADING_TAGS)}  # only their children are placed
    walk(root, False)
    heads: list[tuple[str, int]] = []
    for el, text in texts.items():
        end = spans[el][1]
        sibling = el.getnext()
        while sibling is not None and (sibling not in spans or spans[sibling][0] == spans[sibling][1]):
            sibling = sibling.getnext()  # comments, scripts, images: no text
        if sibling is not None and spans[sibling][0] == end:
            heads.append((text, end))
    return ServedPage("".join(parts), heads, lists, {}, pseudo)


#: Print a paragraph as many times in a row as the page prints it (`_restore_repeats`): trafilatura
#: keeps one of two equal neighbouring blocks (its guard against its own overlapping candidates).
RESTORE_REPEATS = True
#: Only paragraphs longer than this are the author's when the page repeats them: shorter repeated
#: lines are a theme's (menu items, labels, a headline and its link), which the noise filters keep
#: once (`noise.REPEAT_MAX_CHARS`, the same bound).
REPEAT_MIN_CHARS = noise.REPEAT_MAX_CHARS + 1


def _squeezed(text: str) -> str:
    return "".join(text.split())


_TEXT_NODES_WITH = etree.XPath("//body//text()[contains(., $word)]")
#: A repeat is looked for where the page has the longest of its first words (few pages repeat it).
_REPEAT_PROBE_WORDS = 5


def _printed_copies(el: HtmlElement, key: str, story: str, counted: set[HtmlElement]) -> int:
    """How many copies of ``el`` (whose text, whitespace removed, is ``key``) the page prints in a row:
    ``el`` and its siblings of the same tag and attributes holding the same text, with none of the
    ``story`` between them. What stands between copies and is not the story's (an image, an embed, a
    share or like widget) does not separate them. The copies are added to ``counted``."""
    copies = 1
    for backwards in (True, False):
        here = el
        for sibling in el.itersiblings(preceding=backwards):
            gap = sibling.tail if backwards else here.tail  # the text between the two
            if gap and (words := _squeezed(gap)) and words in story:
                break
            here = sibling
            if not isinstance(sibling.tag, str) or sibling.tag in _UNSEEN_TAGS:
                continue
            text = _squeezed(sibling.text_content())
            if text == key and sibling.tag == el.tag and sibling.attrib == el.attrib:
                copies += 1
                counted.add(sibling)
            elif text and (text in story or key in text):
                break  # the story goes on between: another run
    return copies


def _printed_runs(tree: HtmlElement, wanted: dict[str, list[str]], story: str) -> dict[str, int]:
    """For each text of ``wanted`` (whitespace removed), the most copies of it the page prints in a row
    (`_printed_copies`), found from the text nodes holding a word of its start."""
    runs: dict[str, int] = {}
    counted: set[HtmlElement] = set()
    for key, word in ((key, max(key_words, key=len)) for key, key_words in wanted.items()):
        for node in _TEXT_NODES_WITH(tree, word=word):
            el = node.getparent()
            if el is None:
                continue
            if node.is_tail:
                el = el.getparent()
            # the element holding the text and nothing more: the first ancestor that long
            while el is not None and len(text := _squeezed(el.text_content())) < len(key):
                el = el.getparent()
            if el is None or text != key or el in counted:
                continue
            counted.add(el)
            runs[key] = max(runs.get(key, 0), _printed_copies(el, key, story, counted))
    return {key: copies for key, copies in runs.items() if copies > 1}


def _restore_repeats(blocks: list[Block], page: ServedPage, tree: HtmlElement) -> list[Block]:
    """Print each block as many times in a row as the page does (`_printed_runs`, on the pruned ``tree``):
    the author's own repeats, sibling elements of one kind and the same attributes. A copy a theme adds
    (a responsive or screen-reader copy, a teaser's headline and its link) differs in element or
    attributes, or stands elsewhere, and stays out.
    Only a block whose start the page as served (``page``) does not have once is looked for."""
    wanted = {key: block.text.split()[:_REPEAT_PROBE_WORDS] for block in blocks
              if len(block.text) >= REPEAT_MIN_CHARS and _place(_start_key(block), page) is None
              and (key := _squeezed(block.text)) + key in page.text}  # two copies in a row at least: a run
    runs = _printed_runs(tree, wanted, "".join(_squeezed(b.text) for b in blocks)) if wanted else {}
    if not runs:
        return blocks
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        key = _squeezed(block.text)
        j = i + 1
        while j < len(blocks) and _squeezed(blocks[j].text) == key:
            j += 1
        out.extend(blocks[i:j])
        out.extend([block] * (runs.get(key, 0) - (j - i)))  # none when the story has them all
        i = j
    return out


def _letters(text: str) -> str:
    """The text's words, case-folded, run together: equal for texts that differ only in spacing
    and punctuation (a heading whose parts trafilatura glued or spaced differently)."""
    return "".join(_WORD_RE.findall(text)).casefold()


def _visible_subheadings(tree: HtmlElement, pseudo: list[Any] | None = None) -> set[str]:
    """`_letters` of each subheading of the tree (scripts and styles inside one are not its text), and of
    each of ``pseudo`` (`ServedPage.pseudo`) that pruning left in it."""
    body = tree.find("body")
    extra = [h for h in pseudo if body is not None and noise.attached(h, body)] if pseudo else []
    return {_letters(" ".join(t for el in h.iter() if isinstance(el.tag, str) and el.tag not in _UNSEEN_TAGS
                              for t in (el.text, *(c.tail for c in el if c.tail)) if t))
            for h in (*tree.iter(*_SUBHEADING_TAGS), *extra)}


def _restore_subheadings(blocks: list[Block], page: ServedPage, kept: set[str]) -> list[Block]:
    """Put back a subheading the main extractor left out (its Readability fallback keeps paragraphs
    and drops the headings between them; its last-resort search for paragraphs has no headings)
    when the page shows it right above a block of the story that is not the story's first: a heading
    inside the story, over the text it introduces. ``page``: the page as served (`_served_page`),
    before any pruning, so that a heading whose own content (a box of links, a gallery, share
    buttons) was pruned is not above the next story block; ``kept``: the subheadings pruning left
    (`_visible_subheadings`), so that a heading it removed stays out. Not taken either: a heading above
    something the story left out, above the story's start (a kicker, a section name), or one whose
    start the story holds already as a block of its own."""
    if len(blocks) < 2:
        return blocks
    heads = page.heads
    have = {_letters(b.text) for b in blocks}
    wanted = [(h, end) for h, end in heads if _letters(h) and _letters(h) in kept and _letters(h) not in have]
    if not wanted:
        return blocks
    starts: dict[int, int] = {}  # page offset -> index of the block starting there
    for i, block in enumerate(blocks):
        at = _place(_start_key(block) or _run_key(blocks, i), page)
        if at is not None:
            starts.setdefault(at, i)
    insert: dict[int, list[str]] = {}
    for heading, end in wanted:
        letters = _letters(heading)
        if letters in have:
            continue
        nxt = next((starts[at] for at in range(end, end + SUBHEADING_GAP_CHARS + 1) if at in starts), None)
        if not nxt or (_letters(blocks[nxt - 1].text) and _letters(blocks[nxt - 1].text) in letters):
            continue
        insert.setdefault(nxt, []).append(heading)
        have.add(letters)
    if not insert:
        return blocks
    out: list[Block] = []
    for i, block in enumerate(blocks):
        out.extend(Block("head", heading) for heading in insert.get(i, ()))
        out.append(block)
    return out


def _link_density(tree: HtmlElement) -> float:
    body = tree.find(".//body")
    if body is None:
        return 0.0
    total = len(re.sub(r"\s+", "", body.text_content()))
    if not total:
        return 0.0
    links = sum(len(re.sub(r"\s+", "", a.text_content())) for a in body.iter("a"))
    return links / total


def _link_texts(tree: HtmlElement) -> set[str]:
    """The text of every link of the page, whitespace-collapsed."""
    return {t for t in (_squash(a.text_content()) for a in tree.iter("a")) if t}


def _link_text_share(links: set[str], text: str) -> float:
    """Share of the text's blocks (by characters) that are exactly the text of a link on the page."""
    blocks = [b for b in text.split("\n\n") if b]
    total = sum(len(b) for b in blocks)
    if not total:
        return 0.0
    return sum(len(b) for b in blocks if b in links) / total


def _trim_link_blocks(paragraphs: list[Block], links: set[str], removed: Counter[str]) -> list[Block]:
    """Drop blocks before the story's first and after its last block that are each the whole text of
    a link: teaser headlines, "more from" links and kicker links that trafilatura kept at the edges."""

    def is_link(block: Block) -> bool:
        p = block.text
        return p in links and len(p) <= LINK_BLOCK_MAX_CHARS

    start, end = 0, len(paragraphs)
    while end > start and is_link(paragraphs[end - 1]):
        end -= 1
    while start < end and is_link(paragraphs[start]):
        start += 1
    if len(paragraphs) - (end - start):
        removed["link-teaser"] += len(paragraphs) - (end - start)
    return paragraphs[start:end]


#: The second extractor: Readability's algorithm as bundled with trafilatura, the function trafilatura's
#: own fallback calls (`trafilatura.external.compare_extraction`) on a copy of the very tree we pass it.
#: Its vote on our story's tail needs its output for that tree; running it a second time cost ~12% of
#: a page's extraction (a crawl's CPU limit: see README, Performance). So the function is wrapped once,
#: at import, by `_recording_readability`, which hands trafilatura the same result and, only while
#: `_run_trafilatura` runs, keeps its words. Robust to trafilatura changing: when no run was recorded
#: (a release that stops calling it, renames it, or skips it for a page), `_readability_words` runs it
#: on our copy of the page as before, so the result never depends on the capture, only the speed
#: (tests/test_extraction.py checks both paths agree and that the capture works on the installed
#: release). If a release drops the function, the vote is skipped and a warning is logged.
_try_readability: Callable[[HtmlElement], Any] | None = getattr(trafilatura_external, "try_readability", None)
if _try_readability is None:  # pragma: no cover - depends on the installed trafilatura
    logger.warning("trafilatura.external.try_readability is missing: the second extractor's vote is off")

_capture = threading.local()


def _body_words(body: Any) -> str | None:
    return None if body is None else _words(" ".join(body.itertext()))


def _recording_readability(tree: HtmlElement) -> Any:
    assert _try_readability is not None
    body = _try_readability(tree)
    runs: list[str | None] | None = getattr(_capture, "runs", None)
    if runs is not None:
        runs.append(_body_words(body))  # now: trafilatura may go on to modify the body it chose
    return body


if _try_readability is not None and getattr(_try_readability, "__name__", "") == "try_readability":
    setattr(trafilatura_external, "try_readability", _recording_readability)  # noqa: B010 (typed differently)


def _readability_words(tree: HtmlElement, recorded: list[str | None] | None = None) -> str | None:
    """The words of what a second extractor (Readability's algorithm, as shipped with trafilatura)
    takes as the main content, lower-cased and space-separated; ``None`` when it finds nothing.
    ``recorded``: trafilatura's own run of it on this tree, when `_run_trafilatura` caught one."""
    if recorded:
        return recorded[0]
    if _try_readability is None:
        return None
    try:
        return _body_words(_try_readability(deepcopy(tree)))
    except (ValueError, TypeError, AttributeError) as exc:
        logger.debug("readability vote failed: %s", exc)
        return None


def _words(text: str) -> str:
    return " ".join(_WORD_RE.findall(text)).casefold()


def _trigrams(words: str) -> set[tuple[str, ...]]:
    """Word trigrams of a space-separated word string (see `_words`)."""
    w = words.split()
    return {tuple(w[i : i + 3]) for i in range(len(w) - 2)}


def _end_of_started_unit(blocks: list[Block], end: int) -> int:
    """Where a cut after ``blocks[:end]`` may start without splitting a unit of the story: a list whose
    first items are kept is kept to its end (a list is one unit: its first items found by the second
    extractor are evidence for the list, not a boundary inside it), and a kept subheading keeps its
    section, up to the next subheading (a heading introduces what follows; keeping it alone leaves a
    heading with nothing under it). Tables are not such units: pages are laid out with them, so a row
    is no evidence for the rows after it."""
    if end == 0 or end == len(blocks):
        return end
    last = blocks[end - 1]
    if last.group:
        while end < len(blocks) and blocks[end].group == last.group:
            end += 1
    elif last.kind == "head":
        while end < len(blocks) and blocks[end].kind != "head":
            end += 1
    return end


def _trim_tail_by_vote(paragraphs: list[Block], tree: HtmlElement, removed: Counter[str],
                      recorded: list[str | None] | None = None) -> tuple[list[Block], bool]:
    """Drop trailing blocks the second extractor does not count as content (teaser lists, author
    boxes, comment calls after the story). Only the tail is trimmed: at the start and inside the story
    trafilatura's wider view (lead, subheadings, lists) measured better. The vote counts only when
    the second extractor saw the same story (at least VOTE_MIN_SHARE of our text) and never removes
    more than VOTE_MAX_TRIM of it; a block is "found" when its words are in the second extractor's
    text, or at least VOTE_BLOCK_MIN_COVERAGE of its word trigrams are. The cut never splits a list
    or a section the vote keeps the start of (`_end_of_started_unit`)."""
    if len(paragraphs) < 2:
        return paragraphs, False
    ours = [_words(b.text) for b in paragraphs]
    total = sum(len(w) for w in ours)
    vote = _readability_words(tree, recorded)
    if not vote or len(vote) < VOTE_MIN_SHARE * total:
        return paragraphs, False
    vote_grams: set[tuple[str, ...]] | None = None  # built only when an exact match fails

    def found(words: str) -> bool:
        nonlocal vote_grams
        if words in vote:
            return True
        if vote_grams is None:
            vote_grams = _trigrams(vote)
        grams = _trigrams(words)
        return bool(grams) and len(grams & vote_grams) >= VOTE_BLOCK_MIN_COVERAGE * len(grams)

    end = len(paragraphs)
    while end > 0 and not found(ours[end - 1]):
        end -= 1
    end = _end_of_started_unit(paragraphs, end)
    cut = sum(len(w) for w in ours[end:])
    if end == 0 or cut > VOTE_MAX_TRIM * total:
        return paragraphs, True
    if end < len(paragraphs):
        removed["tail-vote"] += len(paragraphs) - end
    return paragraphs[:end], True


#: Story cards (an ``<article>`` whose heading links to another page) that make a page a listing when
#: the extracted text is one of them: a section front's lead card and its river of teasers. Measured:
#: no page of either development set or of np4k is rejected by it.
LISTING_MIN_CARDS = 3
#: An extracted block this long at least is compared with the cards' texts (shorter ones are labels).
CARD_TEXT_MIN_CHARS = 80
_CARD_HEADINGS = ("h1", "h2", "h3", "h4")


def _story_cards(tree: HtmlElement, url: str, canonical: str | None) -> list[str]:
    """The texts of the page's story cards: ``<article>`` elements whose headline (their ``<h1>``, else
    their first heading) links to another page (read before pruning, which removes teaser lists), whitespace collapsed. A
    story's own ``<article>`` is none: its headline links nowhere or to the page itself, whatever
    links to sections, authors or related stories it holds further down."""
    own = {url.split("#")[0], (canonical or url).split("#")[0]}
    out = []
    for card in tree.iter("article"):
        # its headline: an <h1> (a story's own, below a kicker or a section name that may link to the
        # section), else its first heading
        headline = next(card.iter("h1"), None)
        if headline is None:
            headline = next(card.iter(*_CARD_HEADINGS), None)
        if headline is None:
            continue
        link = next(headline.iter("a"), None)  # the headline's link, or the link the headline is in
        if link is None:
            link = next((a for a in headline.iterancestors("a", "article") if a.tag == "a"), None)
        href = (link.get("href") or "").strip() if link is not None else ""
        if href and not href.startswith(("#", "javascript:")) and urljoin(url, href).split("#")[0] not in own:
            out.append(" ".join(card.text_content().split()))
    return out


def _not_article(md: Metadata, tree: HtmlElement, links: set[str], text: str, blocks: list[str],
                 cards: list[str] | None = None) -> str | None:
    """A reason when the evidence says the page is a listing/home page rather than one story."""
    if cards and len(cards) >= LISTING_MIN_CARDS and not md.jsonld_types & ARTICLE_TYPES and md.og_type != "article":
        long_blocks = [" ".join(b.split()) for b in blocks if len(b) >= CARD_TEXT_MIN_CHARS]
        if long_blocks and all(any(b in c for c in cards) for b in long_blocks):
            return f"the text is a story card's, one of {len(cards)} cards linking to other pages (a section front)"
    listing = md.jsonld_types & LISTING_ONLY_TYPES
    if listing and not md.jsonld_types & ARTICLE_TYPES and _reading_length(text) < LISTING_MAX_TEXT_CHARS:
        return "JSON-LD describes a " + "/".join(sorted(listing)) + " and no article"
    if not md.jsonld_types & ARTICLE_TYPES:  # a live blog's entries are signed one by one
        bylines = {b.casefold() for b in blocks if noise.is_byline(b)}  # before the edge filter
        if len(bylines) >= TEASER_STREAM_MIN_BYLINES:
            return f"{len(bylines)} different bylines in the text (a stream of teasers, not one story)"
    link_share = _link_text_share(links, text)
    if link_share > LISTING_LINK_TEXT_SHARE:
        return f"{link_share:.0%} of the extracted text is link text (a list of links, not a story)"
    if md.og_type == "website" and _reading_length(text) < LISTING_MAX_TEXT_CHARS:
        density = _link_density(tree)
        if density > LISTING_LINK_DENSITY:
            return f"og:type website, link density {density:.2f}, {len(text)} chars of prose"
    return None


def _extract(
    html: bytes | str, url: str, *, min_text_chars: int, encoding: str | None, hinted_date: str | None
) -> Article | Rejection:
    decoded = _decode(html, encoding)
    if isinstance(decoded, Rejection):
        return Rejection(url, decoded.reason, decoded.detail)
    tree = _parse(decoded)
    if tree is None:
        return Rejection(url, "not html", "no HTML element tree could be parsed")
    if _parse_truncated():
        # libxml2 stops at 256 nested elements: what is deeper is missing from the tree, so a story
        # read from it would be cut (a 10,000-deep page left only its headline). Not stored.
        return Rejection(url, "unparseable", "elements nested deeper than the HTML parser's limit (256 levels)")

    md = extract_metadata(tree, url, hinted_date=hinted_date)

    titles = [md.title or "", *md.title_variants]
    lead = _visible_lead(tree, md.description, titles) if LEAD_FROM_DESCRIPTION else None
    # metadata has been read: the tree can now be pruned in place (trafilatura works on its own copy)
    # the page's text and subheadings as served, to place the story's blocks (pruning changes both)
    served = _served_page(tree)
    cards = _story_cards(tree, url, md.canonical_url)
    pruned: Counter[str] = Counter()  # characters of visible text pruning removed, for "too short"
    removed: Counter[str] = noise.preclean(
        tree, md.canonical_url or url, text_removed=pruned, also_url=url
    ) if PRECLEAN else Counter()
    _flatten_math(tree)  # measured: readability-pages P 0.965 -> 0.968, R 0.911 -> 0.914; fundus-dev unchanged
    _collapse_source_newlines(tree)
    if UNWRAP_LAYOUT_TABLES:
        _unwrap_layout_tables(tree)
    if CELL_DIVS_AS_PARAGRAPHS:
        _cell_divs_as_paragraphs(tree)
    if NO_CAPTION_CLASSES:
        _drop_no_caption_classes(tree)
    if WRAP_BARE_TEXT or PROSE_PARAGRAPH_IDS or ITEMLESS_LISTS_AS_PARAGRAPHS or PROSE_HEADERS_AS_PARAGRAPHS:
        _wrap_bare_text(tree)
    joined = _join_split_story(tree) if JOIN_SPLIT_STORY else 0
    recorded: list[str | None] = []
    blocks = _in_source_order(_run_trafilatura(tree, url, recorded), served, removed)
    extracted = len(blocks)
    if RESTORE_SUBHEADINGS:
        blocks = _restore_subheadings(blocks, served, _visible_subheadings(tree, served.pseudo))
    headed = len(blocks)
    if RESTORE_LISTS:
        blocks = _restore_lists(blocks, served, tree.find("body"))
    if RESTORE_SUBLISTS:
        blocks = _restore_sublists(blocks, tree.find("body"))
    listed = len(blocks)
    if RESTORE_REPEATS:
        blocks = _restore_repeats(blocks, served, tree)
    path = ("trafilatura+preclean" + ("+joined" if joined else "") + ("+subheadings" if headed > extracted else "")
            + ("+lists" if listed > headed else "") + ("+repeats" if len(blocks) > listed else ""))
    filtered = noise.filter_blocks(
        [(b.kind, b.text) for b in blocks], title=titles, authors=md.authors, removed=removed
    )
    kept = [blocks[i]._replace(text=text) for i, text in filtered]
    links = _link_texts(tree)
    kept = _trim_link_blocks(kept, links, removed)
    kept, voted = _trim_tail_by_vote(kept, tree, removed, recorded)
    paragraphs = [b.text for b in kept]
    if lead is not None and paragraphs and not _repeats(lead, _words(" ".join(paragraphs))):
        paragraphs.insert(0, lead)
        path += "+lead"
    if voted:
        path += "+readability-vote"
    text = "\n\n".join(paragraphs)

    if md.date_published is None:
        found = _htmldate(tree, url)
        if found:
            md.date_published = found
            md.sources["date_published"] = "htmldate"
        elif (found := _printed_date(tree)) is not None:
            md.date_published = found
            md.sources["date_published"] = "date line"

    reason = _not_article(md, tree, links, text, [b.text for b in blocks], cards)
    if reason:
        return Rejection(url, "not an article", reason)
    if not text:
        return Rejection(url, "too short", "no main text found")
    # what the reader saw before pruning: a short text is a fragment when the page shows much more
    if shorter_than(text, min_text_chars) and _visible_chars(tree) + pruned.total() > len(text) * SHORT_PAGE_FACTOR:
        if removed["paywall"] or noise.PAYWALL_RE.search(text) or noise.PAYWALL_RE.search(md.description or ""):
            return Rejection(url, "paywall stub", f"{len(text)} chars with a subscription notice")
        return Rejection(url, "too short", f"{len(text)} chars < {min_text_chars}")

    signals: dict[str, Any] = {
        "path": path,
        "noise_removed": dict(sorted(removed.items())),
        "metadata_sources": dict(sorted(md.sources.items())),
        # the text may be the free part of a story behind a paywall: the page's JSON-LD says so, or
        # a subscription notice stood where the story stops
        "paywalled": md.accessible_for_free is False or bool(removed["paywall"]),
    }
    return Article(
        url=url,
        canonical_url=md.canonical_url or url,
        title=md.title,
        authors=md.authors,
        date_published=md.date_published,
        date_modified=md.date_modified,
        language=md.language,
        site_name=md.site_name,
        description=md.description,
        tags=md.tags,
        categories=md.categories,
        image=md.image,
        text=text,
        signals=signals,
    )


def _embedded_document(tree: HtmlElement, fragment: str) -> str:
    """A page made of ``tree``'s ``<head>`` (so that the metadata stays the page's), its JSON-LD scripts
    (they may sit in the body), and ``fragment`` as the body's only content."""
    def html_of(el: HtmlElement) -> str:
        return str(tostring(el, encoding="unicode", with_tail=False))

    head, body = tree.find("head"), tree.find("body")
    jsonld = [] if body is None else [
        html_of(s) for s in body.iter("script") if "ld+json" in (s.get("type") or "").lower()
    ]
    attrs = "".join(f' {k}="{html_escape(v)}"' for k, v in tree.attrib.items() if re.fullmatch(r"[\w:.-]+", k))
    return (
        f"<!DOCTYPE html><html{attrs}>{html_of(head) if head is not None else '<head></head>'}"
        f"<body>{''.join(jsonld)}<article>{fragment}</article></body></html>"
    )


def _from_embedded(
    html: bytes | str, url: str, rejection: Rejection, *, min_text_chars: int, encoding: str | None,
    hinted_date: str | None,
) -> Article | Rejection:
    """The story of a client-rendered page, from the HTML fragment of its inline script data
    (`crawler.embedded`), extracted by the normal pipeline; ``rejection`` when there is none, or when
    what the pipeline makes of it is no full story."""
    decoded = _decode(html, encoding)
    tree = None if isinstance(decoded, Rejection) else _parse(decoded)
    if tree is None:
        return rejection
    fragment = embedded.story_fragment(tree, min_text_chars)
    if fragment is None:
        return rejection
    result = _extract(
        _embedded_document(tree, fragment.html), url, min_text_chars=min_text_chars, encoding=None,
        hinted_date=hinted_date,
    )
    if isinstance(result, Rejection):
        return Rejection(url, result.reason, f"{rejection.detail}; script data: {result.detail}")
    if len(result.text) < min_text_chars:
        return rejection
    signals = dict(result.signals)
    signals["path"] = f"{EMBEDDED_PATH}+{signals['path']}"
    signals["embedded_html"] = {
        "source": fragment.source,
        "paragraphs": fragment.paragraphs,
        "copies": fragment.copies,
    }
    return dataclasses.replace(result, signals=signals)


#: The page's description, when the page also shows it as the story's lead, is the story's first block.
LEAD_FROM_DESCRIPTION = True
#: Descriptions shorter than this are not looked for (a few words match too much of a page).
LEAD_MIN_CHARS = 40
#: A lead element's text is at most this many times the description's length (a description cut short
#: by the site's template is completed from the page; a longer element is the story itself, or a container).
LEAD_MAX_GROWTH = 4
#: A lead whose word trigrams the story holds at this share or more is already in it.
LEAD_REPEAT_SHARE = 0.5
#: A heading this short ("News", "Sport") is a section heading, not the headline, whatever the title.
HEADLINE_MIN_CHARS = 20
#: Share of a heading's words that must be words of the title for it to count as the headline.
HEADLINE_WORD_SHARE = 0.6
_HEADINGS_BEFORE = etree.XPath("preceding::*[self::h1 or self::h2 or self::h3]")
_TEXT_STARTING_WITH = etree.XPath(".//text()[starts-with(normalize-space(.), $w)]")
#: Elements a lead's first word may be nested in below the element that shows the whole lead.
LEAD_MAX_DEPTH = 2
_LEAD_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "meta"})
#: Elements holding a picture and its caption: text in them is the caption, never the lead.
_CAPTION_TAGS = frozenset({"figure", "figcaption"})


def _repeats(text: str, story_words: str) -> bool:
    """Whether ``story_words`` (`_words` of the story) already holds most of ``text``'s word trigrams."""
    words = _words(text)
    grams = _trigrams(words)
    if not grams:
        return words in story_words
    return len(grams & _trigrams(story_words)) >= LEAD_REPEAT_SHARE * len(grams)


def _after_headline(el: HtmlElement, titles: list[str]) -> bool:
    """Whether a heading before ``el`` reads as the headline: most of its words are words of one of
    ``titles`` (sites word the page's headline and its declared title differently: a kicker, a
    suffix, a name spelled out)."""
    wanted = [set(_words(t).split()) for t in titles if t]
    for heading in _HEADINGS_BEFORE(el):
        words = _words(heading.text_content())
        if len(words) < HEADLINE_MIN_CHARS:
            continue
        own = set(words.split())
        if any(len(own & title) >= HEADLINE_WORD_SHARE * len(own) for title in wanted):
            return True
    return False


#: A lead may be the description as the site edited it for the page (a name spelled out, a clause
#: added): the element starts with the description's first LEAD_FUZZY_WORDS words and holds at least
#: LEAD_FUZZY_SHARE of its word trigrams. Measured (with LEAD_MAX_GROWTH 2 -> 4: aktualne's perex is
#: 3.3 times its description): readability-pages aktualne R 0.918 -> 0.973, fundus-dev SRF_2025_01_05
#: R 0.967 -> 1.0 ("... der drusischen Minderheit in Syrien ..."), no other record changed.
LEAD_FUZZY = True
LEAD_FUZZY_WORDS = 4
LEAD_FUZZY_SHARE = 0.6


def _shows_edited(shown: str, want: str) -> bool:
    opening = " ".join(want.split()[:LEAD_FUZZY_WORDS])
    if not shown.startswith(opening):
        return False
    grams = _trigrams(want)
    return bool(grams) and len(grams & _trigrams(shown)) >= LEAD_FUZZY_SHARE * len(grams)


def _visible_lead(tree: HtmlElement, description: str | None, titles: list[str]) -> str | None:
    """The text of the element that shows the page's description under the story's headline, if one
    does (the lead/dek, which trafilatura often leaves out as part of the page header). The headline
    (a heading that reads as one of ``titles``) must come first: a site's tagline shown in its header
    is not a lead, even where the page's description repeats it."""
    want = _words(description or "")
    opening = _WORD_RE.search(description or "")
    body = tree.find(".//body")
    if len(want) < LEAD_MIN_CHARS or opening is None or body is None:
        return None
    limit = LEAD_MAX_GROWTH * len(description or "")
    # text nodes that start with the description's first word (found by libxml2, not a walk in Python)
    for node in _TEXT_STARTING_WITH(body, w=opening.group()):
        el = node.getparent()
        if node.is_tail:
            if isinstance(el.tag, str):
                continue  # text after an element, inside another: a dek does not start there
            el = el.getparent()  # after a comment: the comment's element holds it
        # the element, and the ones it opens (a dek may start with a link or a <strong>), innermost first
        for _ in range(LEAD_MAX_DEPTH + 1):
            if el is None or not isinstance(el.tag, str) or el.tag in _LEAD_SKIP:
                break
            shown = _squash(el.text_content())
            if len(shown) > limit:
                break
            if _words(shown).startswith(want) or (LEAD_FUZZY and _shows_edited(_words(shown), want)):
                # a copy for share buttons or scripts, hidden from the reader, is not the lead (nor one
                # before the headline); another element may still show the description
                # nor is a picture's caption that the description repeats (sites describe a story
                # by its lead image's caption): its figure may still be the story's
                line = (el, *el.iterancestors())
                if any(a.tag in _CAPTION_TAGS for a in line):
                    break
                if not any(map(noise.is_hidden, line)) and _after_headline(el, titles):
                    return shown
                break
            parent = el.getparent()
            if parent is None or parent.index(el) != 0 or (parent.text and not parent.text.isspace()):
                break
            el = parent
    return None


def _htmldate(tree: HtmlElement, url: str) -> str | None:
    from htmldate import find_date

    try:
        found = find_date(deepcopy(tree), url=url, original_date=True, extensive_search=False)
    except (ValueError, TypeError) as exc:
        logger.debug("htmldate failed on %s: %s", url, exc)
        return None
    return parse_date(found) if found else None


#: Elements that hold nothing but a short text with a digit: where a page prints a date line of its own.
_SHORT_DATED_LEAVES = etree.XPath(
    "//body//*[not(*)][string-length(normalize-space(.)) >= 6 and string-length(normalize-space(.)) <= 60]"
    "[translate(., '0123456789', '') != .]"
)
#: A day written day.month.year (the form of most of Europe, never month-first) or year-month-day.
_NUMERIC_DAY_RE = re.compile(r"(?<!\d)(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})(?!\d)")


def _printed_date(tree: HtmlElement) -> str | None:
    """The day of the first date line the page prints (an element whose text is only a date, with words
    like "Posted on" or a weekday: `noise.is_dateline`; "06.05.2018" under the headline, "Datum
    12.01.2017" in a box beside the story), for a page that gives its date in no markup htmldate reads.
    Not taken: a date in a link, a menu, a footer, a teaser list, a sidebar widget or comments (other
    pages' dates), one labelled as an update, one naming no day ("May 2018"), or a date written with
    slashes (``12/10/2016`` is the 12th of October or the 10th of December, by country)."""
    for el in _SHORT_DATED_LEAVES(tree):
        if el.tag in _UNSEEN_TAGS or el.tag in ("a", "option", "button"):
            continue
        text = _squash(el.text_content())
        if not noise.is_dateline(text) or "/" in text or metadata.UPDATED_LABEL_RE.search(text):
            continue
        if metadata.dates_another_story(el, ("a", "nav", "footer")):
            continue  # (a date box beside the story may be an <aside>)
        numeric = _NUMERIC_DAY_RE.search(text)
        found = parse_date(numeric.group(1)) if numeric else parse_date(text)
        if found:
            return found
    return None
