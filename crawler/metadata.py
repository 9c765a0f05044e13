"""Article metadata from the strongest signal first: JSON-LD, then OpenGraph/meta tags, then the page.

`extract_metadata(tree, url)` reads a parsed lxml HTML tree (it does not modify it) and returns a
`Metadata` with the value of each field and, in ``sources``, where each value came from.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from crawler.dates import parse_date, states_time_without_zone
from crawler.urls import canonicalize

logger = logging.getLogger(__name__)

#: schema.org types that describe the article itself (JSON-LD ``@type``).
ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "reviewnewsarticle", "backgroundnewsarticle", "askpublicnewsarticle", "factcheck",
        "blogposting", "liveblogposting", "socialmediaposting", "techarticle", "scholarlyarticle",
        "report", "review", "medicalscholarlyarticle", "satiricalarticle", "creativework", "videoobject",
        "recipe", "howto", "podcastepisode",
    }
)
#: The text article types proper (preferred over embedded media objects when a page has several).
STRONG_ARTICLE_TYPES = frozenset(
    t for t in ARTICLE_TYPES if t.endswith(("article", "posting")) or t in ("report", "factcheck")
)
#: Types whose ``name`` is an organisation, not a person.
ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "brand", "website"})

#: Title separators between a headline and a site name / section (Readability's set plus a few, and
#: " -- ", a typewriter dash).
_TITLE_SEP_RE = re.compile(r"\s+(?:--|[|\-–—:»/·•])\s+|\s*[|｜:：]\s*(?=[^|｜]*$)")
_TITLE_DATE_RE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
#: A site-name suffix is at most this many words: longer tails are part of the headline.
MAX_SITE_SUFFIX_WORDS = 6

#: Words of a byline that are not a name (roles, prepositions); compared case-insensitively.
_BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|posted|published|reported|text|story|words|photos?|video|interview)\s+)?"
    r"(?:by|von|por|par|di|da|door|av|af|de|od|przez|tekst|text|autor(?:in)?|author|redakcja|"
    r"napsal[a]?|écrit par|escrito por|scritto da)\s*[:.]?\s+",
    re.IGNORECASE,
)
#: Name separators: punctuation and the word "and" in the languages of the sets. The one-letter ones
#: (Spanish "y", Italian/Portuguese "e", Czech/Slovak "a", Polish/Croatian "i") are not split on when a
#: period follows: "Dana A. Ford" and "James S.A. Corey" carry initials, not conjunctions.
AUTHOR_SPLIT_RE = re.compile(
    r"\s*(?:,|;|\||/|&|\+|·|•|\band\b|\bund\b|\bet\b|\b[yeai]\b(?!\.)|\bog\b|\boch\b|\ben\b|\bsowie\b|"
    r"\bmit\b|\bwith\b)\s*",
    re.IGNORECASE,
)
#: Role, affiliation and relative-time words that mark a byline fragment which is not a person's name
#: ("Staff Writer", "Yesterday" in "By Tom Bradley · Yesterday"); not "hoy", "ayer", "hier": surnames too.
_ROLE_WORDS = frozenset(
    """
    staff writer reporter correspondent editor editors senior chief contributing contributor columnist
    political politics business science sports health technology tech news desk team bureau agency
    redaktion redakteur redakteurin korrespondent korrespondentin autor autorin online digital
    newsroom journalist photographer photos photo video graphics updated published mins min read
    minutes minute hours hour ago am pm today yesterday heute gestern stunden stunde minuten aujourd'hui
    oggi ieri opinion analysis ma md phd mph rn msc bsc
    기자 특파원 記者 特派員
    """.split()
)
#: Words that, after a publication's or agency's name, make a desk signature ("AP Staff").
_DESK_WORDS = frozenset({"staff", "redaktion", "desk", "team", "newsroom", "bureau", "editors", "redacción"})
_DATE_IN_BYLINE_RE = re.compile(
    r"\b(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{4})\b.*$",
    re.IGNORECASE,
)
#: Credits for other work than the writing ("Edited by", "Photos by"): cut from the byline.
_OTHER_CREDIT_RE = re.compile(
    r"\b(edited|photos?|photography|photographs|illustrations?|graphics|video|additional reporting|"
    r"translated|produced|fact-checked|design)\s+by\b.*$",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"\S+@\S+")
_WEEKDAY_RE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b", re.IGNORECASE)
_URL_RE = re.compile(r"(https?://|www\.)[^\s)]+")
#: A person's name has at most this many words; longer strings are sentences or org blurbs.
MAX_NAME_WORDS = 5
#: A name found in running text (a line of names, "(with John Roe)"), where no markup says it is one:
#: two to four capitalised words; one word fewer than a byline field allows (names with particles).
TEXT_NAME_MAX_WORDS = 4
#: JSON-LD is walked this deep for article objects (``@graph`` > item > ``mainEntity`` > ...): deeper
#: objects are not the page's article, and the bound keeps a hostile document's walk short.
JSONLD_MAX_DEPTH = 6
#: An ``<h1>`` longer than this is a paragraph marked up as a heading, not a headline.
H1_MAX_CHARS = 400
#: Site names shorter than this ("AP", "BBC") are matched as whole title parts only: as a prefix or a
#: word they would match too much.
SITE_NAME_MIN_CHARS = 4
#: A title's trailing part that names the host's words is a site suffix when it is this short.
SITE_SUFFIX_MAX_WORDS = 4


@dataclass
class Metadata:
    """Metadata of one page; ``sources`` names where each field came from."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date_published: str | None = None
    date_modified: str | None = None
    language: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: str | None = None
    #: ``og:type`` of the page, lower-cased.
    og_type: str | None = None
    #: all JSON-LD ``@type`` values seen, lower-cased.
    jsonld_types: set[str] = field(default_factory=set)
    #: every headline form the page gives (JSON-LD, og:title, <title>, <h1>), raw and without site name
    title_variants: list[str] = field(default_factory=list)
    #: JSON-LD ``articleBody`` when present (evidence for the body).
    article_body: str | None = None
    #: JSON-LD ``isAccessibleForFree`` (of the article or of a part of it): False for a story behind a paywall.
    accessible_for_free: bool | None = None
    sources: dict[str, str] = field(default_factory=dict)


def clean_text(value: Any) -> str:
    """Collapse whitespace, NFC-normalise, strip; non-strings become ``""``. Invisible characters the
    publisher put in (soft hyphens, zero-width spaces) are kept: they are part of the published text."""
    if not isinstance(value, str):
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


# ---------------------------------------------------------------- JSON-LD


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    for start, end in (("<!--", "-->"), ("<![CDATA[", "]]>"), ("//<![CDATA[", "//]]>")):
        raw = raw.strip()
        if raw.startswith(start):
            raw = raw[len(start) :]
        if raw.endswith(end):
            raw = raw[: -len(end)]
    raw = raw.strip().rstrip(";")
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        pass
    # common breakage: trailing commas, raw newlines inside strings
    fixed = re.sub(r",\s*([}\]])", r"\1", raw)
    try:
        return json.loads(fixed, strict=False)
    except ValueError as exc:
        logger.debug("unparseable JSON-LD: %s", exc)
        return None


def _walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > JSONLD_MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "itemListElement", "hasPart"):
            if key in node:
                yield from _walk(node[key], depth + 1)


def _types(node: dict[str, Any]) -> set[str]:
    t = node.get("@type")
    values = t if isinstance(t, list) else [t]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON objects of the page's ``application/ld+json`` scripts, flattened (@graph, lists)."""
    out: list[dict[str, Any]] = []
    for script in tree.xpath('//script[contains(translate(@type,"LDJSON","ldjson"),"ld+json")]'):
        data = _load_json(script.text or "")
        if data is not None:
            out.extend(_walk(data))
    return out


def _first_str(value: Any) -> str:
    """First non-empty string of a JSON-LD value (lists, ``{"@value"}``/``{"name"}`` objects), unescaped."""
    return html.unescape(_first_raw(value))


def _first_raw(value: Any) -> str:
    if isinstance(value, list):
        for v in value:
            s = _first_raw(v)
            if s:
                return s
        return ""
    if isinstance(value, dict):
        return _first_raw(value.get("@value") or value.get("name") or value.get("url") or value.get("@id"))
    return clean_text(value) if isinstance(value, str) else ""


def _names(value: Any) -> tuple[list[str], list[str], list[str]]:
    """(person names, organisation names, all names in the order given) from a JSON-LD author value."""
    persons: list[str] = []
    orgs: list[str] = []
    ordered: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            persons.append(item)
            ordered.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(n for n in name if isinstance(n, str))
            if not isinstance(name, str) or not name.strip():
                given, family = item.get("givenName"), item.get("familyName")
                name = " ".join(x for x in (given, family) if isinstance(x, str))
            if not name:
                continue
            (orgs if _types(item) & ORG_TYPES else persons).append(name)
            ordered.append(name)
    return persons, orgs, ordered


# ---------------------------------------------------------------- meta tags


def _meta_map(tree: HtmlElement) -> dict[str, list[str]]:
    metas: dict[str, list[str]] = {}
    for m in tree.iter("meta"):
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            # RDFa allows several space-separated properties on one tag ("og:title twitter:title")
            for key in (m.get(attr) or "").lower().split():
                metas.setdefault(key, []).append(content)
    return metas


def _meta(metas: dict[str, list[str]], *keys: str) -> tuple[str, str] | None:
    for key in keys:
        for v in metas.get(key, []):
            v = clean_text(v)
            if v:
                return v, key
    return None


# ---------------------------------------------------------------- title


def _fold(s: str) -> str:
    return re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", s)).strip().casefold()


def strip_site_suffix(title: str, site_names: list[str]) -> str:
    """Remove a trailing (or leading) site-name part: ``Headline | Site`` -> ``Headline``.

    A part is removed only when it matches a known site name (og:site_name, JSON-LD publisher,
    the host name), so a headline with a colon or dash of its own is left whole.
    """
    names = {_fold(n) for n in site_names if n and _fold(n)}
    if not names:
        return title
    compact = {n.replace(" ", "") for n in names}

    def is_site(part: str) -> bool:
        f = _fold(part)
        if not f or _TITLE_DATE_RE.fullmatch(part.strip()):
            return True  # an empty or punctuation-only part ("Headline - "), or a date ("| 28.04.2023")
        return f in names or f.replace(" ", "") in compact or any(
            f.startswith(n + " ") or n.startswith(f + " ") for n in names if len(n) >= SITE_NAME_MIN_CHARS
        )

    host_words = {n for n in names if " " not in n and len(n) >= SITE_NAME_MIN_CHARS}

    def is_site_suffix(part: str) -> bool:
        # a short trailing part naming the host ("Die Neue Südtiroler Tageszeitung" on tageszeitung.it)
        return is_site(part) or (len(part.split()) <= SITE_SUFFIX_MAX_WORDS and bool(host_words & set(_fold(part).split())))

    parts = _TITLE_SEP_RE.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEP_RE.findall(title)
    # drop site-name parts from the end, then from the start
    end = len(parts)
    while end > 1 and is_site_suffix(parts[end - 1]) and len(parts[end - 1].split()) <= MAX_SITE_SUFFIX_WORDS:
        end -= 1
    start = 0
    while start < end - 1 and is_site(parts[start]) and len(parts[start].split()) <= MAX_SITE_SUFFIX_WORDS:
        start += 1
    # a leading site name is dropped only before a headline of its own length: a short rest after the
    # site's name is the site's tagline ("Example News - Latest News & Headlines"), not a headline
    if start and len(" ".join(parts[start:end]).split()) < MIN_TITLE_HEAD_WORDS:
        start = 0
    if start == 0 and end == len(parts):
        return title
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out.strip() or title


def _host_names(url: str) -> list[str]:
    host = urlsplit(url).hostname or ""
    labels = [x for x in host.split(".") if x not in ("www", "m", "amp")]
    out = [host, ".".join(labels)]
    if len(labels) >= 2:
        out.append(labels[-2])
        out.append(".".join(labels[-2:]))
    return out


#: A host label shorter than this ("co" of co.uk) says nothing about a title part being the site's name.
HOST_LABEL_MIN_CHARS = 3


def _site_in_title(tree: HtmlElement, metas: dict[str, list[str]], title: str | None, url: str) -> str | None:
    """The site's name as the page's ``<title>`` (or og:title) prints it beside the headline, for a page
    that names it nowhere else ("Bridge reopens | Harbour Post" on harbourpost.example): the last (or
    first) separated part, not in the headline, of a few words that spell the host's name."""
    host = (urlsplit(url).hostname or "").lower()
    labels = [x for x in host.split(".")[:-1] if x not in ("www", "m", "amp") and len(x) >= HOST_LABEL_MIN_CHARS]
    if not labels:
        return None
    title_el = tree.find(".//title")
    raws = ([title_el.text_content()] if title_el is not None else []) + metas.get("og:title", [])[:1]
    headline = _fold(title or "")
    for raw in raws:
        parts = [p.strip() for p in _TITLE_SEP_RE.split(clean_text(raw)) if p.strip()]
        if len(parts) < 2:
            continue
        for part in (parts[-1], parts[0]):
            compact = _fold(part).replace(" ", "")
            if (len(part.split()) <= SITE_SUFFIX_MAX_WORDS and compact and compact not in headline.replace(" ", "")
                    and (any(label in compact for label in labels) or (len(compact) >= SITE_NAME_MIN_CHARS
                                                                       and compact in host))):
                return part
    return None


def _h1_texts(tree: HtmlElement) -> list[str]:
    out = []
    for h in tree.iter("h1"):
        t = clean_text(h.text_content())
        if t and len(t) < H1_MAX_CHARS:
            out.append(t)
    return out


# ---------------------------------------------------------------- authors


def clean_author(raw: str) -> list[str]:
    """Split a byline into clean person names: no "By", no dates, roles, e-mails or site names."""
    s = clean_text(raw).replace("\u200b", "").replace("\xad", "")
    s = _URL_RE.sub(" ", s)
    if not s.strip():
        return []
    s = _EMAIL_RE.sub(" ", s)
    s = _CO_AUTHORS_RE.sub(_co_authors, s)
    s = re.sub(r"\(.*?\)|\[.*?\]", " ", s)
    s = re.sub(r"^[\W_]+", "", s)
    s = _OTHER_CREDIT_RE.sub("", s)
    s = _BYLINE_PREFIX_RE.sub("", s)
    s = _DATE_IN_BYLINE_RE.sub("", s)
    s = _WEEKDAY_RE.sub(" ", s)  # the day of the byline's date ("Joe Wee Monday, February 29, 2016")
    out: list[str] = []
    for part in AUTHOR_SPLIT_RE.split(s):
        part = _BYLINE_PREFIX_RE.sub("", " " + part + " ").strip(" -–—:.,·|")
        part = clean_text(part)
        if not part:
            continue
        words = part.split()
        low = {w.lower().strip(".,") for w in words}
        if len(words) > MAX_NAME_WORDS or (low & _ROLE_WORDS and len(low - _ROLE_WORDS) == 0):
            continue
        if len(words) == 2 and words[1].lower() in _DESK_WORDS:
            out.append(part)  # a desk signs the story ("MND Staff", "BR24 Redaktion"): kept as signed
            continue
        if low & _ROLE_WORDS:
            # "Jane Doe Staff Writer": keep the leading capitalised words before the role
            kept = []
            for w in words:
                if w.lower().strip(".,") in _ROLE_WORDS:
                    break
                kept.append(w)
            part = " ".join(kept)
            if not part:
                continue
        if any(ch.isdigit() for ch in part):
            continue
        out.append(part)
    return out


#: Co-authors in parentheses after the byline's name ("Jane Doe (with John Roe and Ann Poe)", "(avec ...)",
#: "(mit ...)"): names of the byline, not an aside to drop with other parenthesised text.
_CO_AUTHORS_RE = re.compile(r"\(\s*(?:with|avec|mit|con|com|met|med)\s+([^()]+?)\s*\)", re.IGNORECASE)


def _co_authors(m: re.Match[str]) -> str:
    """", John Roe and Ann Poe" for "(with John Roe and Ann Poe)" when what follows "with" is only
    capitalised names; else the parenthesis is dropped like any other."""
    parts = [p for p in AUTHOR_SPLIT_RE.split(m.group(1)) if p.strip()]
    if parts and all(1 <= len(p.split()) <= TEXT_NAME_MAX_WORDS and all(w[:1].isupper() for w in p.split()) for p in parts):
        return ", " + m.group(1) + " "
    return " "


def _dedupe(names: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for n in names:
        k = n.casefold()
        if k not in seen:
            seen.add(k)
            out.append(n)
    return out


def _clean_authors(raws: list[str], site_names: list[str]) -> list[str]:
    """Clean person names from raw author strings; site names are dropped where a person is named."""
    sites = {_fold(n) for n in site_names if n}
    names: list[str] = []
    for raw in raws:
        whole = clean_text(raw)
        if _fold(whole) in sites:
            names.append(whole)  # the site's own name, kept whole ("Example News", not "Example")
        else:
            names.extend(n for n in clean_author(raw) if _looks_like_name(n))
    names = [_drop_site_tail(n, sites) for n in names]
    return _dedupe([n for n in names if _fold(n) not in sites] or names)


def _drop_site_tail(name: str, sites: set[str]) -> str:
    """"Jane Doe WebMD" -> "Jane Doe": a byline that runs the site's name after a person's name."""
    words = name.split()
    for k in range(1, len(words) - 1):
        if _fold(" ".join(words[-k:])) in sites:
            return " ".join(words[:-k])
    return name


#: Words in a class or id that mark a byline: English, and the author word of the languages whose
#: themes name classes in their own (German/Spanish/Polish/Czech "autor", Italian "autore", French "auteur").
BYLINE_CLASS_WORDS = ("byline", "author", "autor", "auteur")


def _byline_elements(tree: HtmlElement) -> Iterator[tuple[HtmlElement, str]]:
    """The body's elements marked as a byline: ``rel`` or ``itemprop`` "author", or a `BYLINE_CLASS_WORDS`
    word in their class or id (case-insensitive), in document order, each with its class and id lower-cased.
    (An XPath with ``translate()`` found the same elements on the development sets' 261 pages five
    times slower, and all of them before the first byline could end the search.)"""
    body = next(tree.iter("body"), None)
    if body is None:
        return
    for el in body.iterdescendants():
        if not isinstance(el.tag, str):
            continue  # a comment or processing instruction
        cls, ident = el.get("class"), el.get("id")
        if el.get("rel") == "author" or el.get("itemprop") == "author":
            yield el, " ".join(x for x in (cls, ident) if x).lower()
            continue
        if cls is None and ident is None:
            continue
        attrs = f"{cls or ''} {ident or ''}".lower()
        if any(word in attrs for word in BYLINE_CLASS_WORDS):
            yield el, attrs


#: class/id words of author *bio* boxes, avatars and author pages' links, which are not the byline.
_NOT_BYLINE_RE = re.compile(
    r"bio|avatar|image|img|photo|thumb|about|desc|follow|social|widget|login|sign|account|menu|nav|"
    r"authoriz|authentic|"  # "authorization" is the log-in widget, not the author
    r"bild|foto"  # German "bildautor", "fotoautor": the picture's credit
)
#: Links to an author page ("/author/jane-doe", "/autoren/name/...", "/people/...").
_AUTHOR_LINK_XPATH = (
    '//body//a[contains(@href,"/author/") or contains(@href,"/authors/") or contains(@href,"/autor/") or '
    'contains(@href,"/autoren/") or contains(@href,"/auteur/") or contains(@href,"/people/") or '
    'contains(@href,"/journalist/") or contains(@href,"/profile/")]'
)
#: A byline is short; a longer element is a bio box or a whole article header.
MAX_BYLINE_CHARS = 200
#: Author-page links read when no byline element names anyone: a byline rarely lists more people, and
#: further links are usually an "our authors" box.
MAX_AUTHOR_LINKS = 3


def _byline_authors(tree: HtmlElement) -> list[str]:
    """Names from the first byline-like element of the page that yields any (in document order)."""
    for el, attrs in _byline_elements(tree):
        if el.tag in ("meta", "link", "script", "style", "img", "body", "html", "article", "main"):
            continue
        if _NOT_BYLINE_RE.search(attrs):
            continue
        text = clean_text(_visible_text(el))
        if not text or len(text) > MAX_BYLINE_CHARS or _in_comments(el):
            continue
        names = [n for n in clean_author(text) if _looks_like_name(n)]
        if names:
            return _cut_at_links(names, el)
    # links to author pages, the first few of the page (a byline lists its authors together)
    names = []
    for a in tree.xpath(_AUTHOR_LINK_XPATH)[:MAX_AUTHOR_LINKS]:
        text = clean_text(a.text_content())
        if text and len(text) <= MAX_BYLINE_CHARS // 2:
            names.extend(n for n in clean_author(text) if _looks_like_name(n))
    return _dedupe(names)[:MAX_AUTHOR_LINKS]


#: class/id tokens of a comment thread: a "byline" in there names a commenter, not the story's author
#: (measured: readability-pages authors 0.918 -> 0.935, fundus-dev unchanged).
_COMMENTS_RE = re.compile(r"^(comments?|comments?-?(list|area|thread|body|section|container))$")


def _in_comments(el: HtmlElement) -> bool:
    for a in el.iterancestors():
        tokens = f"{a.get('class') or ''} {a.get('id') or ''}".lower().split()
        if any(_COMMENTS_RE.match(t) for t in tokens):
            return True
    return False


def _cut_at_links(names: list[str], el: HtmlElement) -> list[str]:
    """A name that runs on past the link naming the author ("<a>Jane Doe</a> Example Health News",
    "<a>Jane Doe</a><div>Games Editor</div>") ends where the link's text ends. Measured: readability-pages
    authors 0.901 -> 0.935, fundus-dev unchanged."""
    links = [clean_text(a.text_content()) for a in el.iter("a")]
    out = []
    for n in names:
        out.append(next((x for x in links if x and n.startswith(x + " ") and _looks_like_name(x)), n))
    return _dedupe(out)


#: Elements whose text is a unit of its own: a space is put around their text so that a label and a
#: name in sibling blocks ("<div>By</div><div>Jane Doe</div>") are never glued into one word.
_SPACED_TAGS = frozenset({"div", "p", "li", "ul", "ol", "dd", "dt", "br", "section", "header", "footer",
                          "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "tr", "figure", "figcaption"})


def _visible_text(el: HtmlElement) -> str:
    """Text of ``el`` without the content of scripts, styles and templates inside it, with a space
    between block elements."""
    out: list[str] = []

    def walk(node: HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("script", "style", "noscript", "template"):
            return
        spaced = tag in _SPACED_TAGS
        if spaced:
            out.append(" ")
        if node.text and tag:
            out.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                out.append(child.tail)
        if spaced:
            out.append(" ")

    walk(el)
    return "".join(out)


#: Words of the buttons and labels a byline box holds beside the name ("View Comments", "Follow on
#: Twitter", "Email Bio Follow", "Print"): no name has them.
_NOT_NAME_WORDS = frozenset(
    "view comments comment print follow following twitter facebook instagram linkedin email e-mail share bio "
    "subscribe newsletter posts contact profile login".split()
)


#: Lower-case words that join a name to something else: a credit ("X at MSA Models", "X using MAC
#: Cosmetics", "NJ Advance Media for NJ.com"), a link's label ("More from Josh"). Name particles ("van",
#: "de", "bin") are not among them.
_NOT_IN_NAMES = frozenset("from for at using via with on in to".split())


def _looks_like_name(name: str) -> bool:
    """A person's name: 1-5 words, not all initials, with letters, no sentence punctuation, none of the
    words of a byline box's buttons and labels, nor a lower-case word joining it to something else."""
    words = name.split()
    if not 1 <= len(words) <= MAX_NAME_WORDS or any(ch in name for ch in "!?:;|@#/\\{}()[]<>=_"):
        return False
    if any(w.lower().strip(".,") in _NOT_NAME_WORDS or w in _NOT_IN_NAMES for w in words):
        return False
    return any(len(w.strip(".")) > 1 for w in words) and any(ch.isalpha() for ch in name)


# ---------------------------------------------------------------- main


def _resolve(url: str, href: str | None) -> str | None:
    href = clean_text(href or "")
    if not href or href.startswith(("javascript:", "data:", "#")):
        return None
    try:
        return urljoin(url, href)
    except ValueError:
        return None


def _canonical(url: str, href: str | None) -> str | None:
    """The page's declared canonical URL, in canonical form (`crawler.urls.canonicalize`: no fragment,
    no tracking parameters, default port and host case folded), or None when it cannot be the page's
    key: not an http(s) URL with a valid host and port, or the site's front page declared by a page
    that is not itself a front page (a theme's misconfigured tag: taken as is, it would make every
    article of the site one record)."""
    resolved = _resolve(url, href)
    if not resolved:
        return None
    canonical = canonicalize(resolved)
    try:
        parts = urlsplit(canonical)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or not _HOST_RE.fullmatch(host):
        return None
    if parts.path in ("", "/") and not parts.query and urlsplit(url).path not in ("", "/"):
        return None
    return canonical


#: A host name or an IP address (as urlsplit gives it: lower case, IPv6 without brackets).
_HOST_RE = re.compile(r"[\w.-]+|[0-9a-f:.]+", re.IGNORECASE)


def _split_keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(t for t in (clean_text(x) for x in re.split(r"[,;]", v)) if t)
    return _dedupe(out)


def _jsonld_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    best: dict[str, Any] | None = None
    best_score = -1
    for obj in objects:
        types = _types(obj)
        if not types & ARTICLE_TYPES and not (types & {"webpage", "itempage"} and obj.get("headline")):
            continue
        score = sum(1 for k in ("headline", "datePublished", "author", "articleBody") if obj.get(k))
        if types & STRONG_ARTICLE_TYPES:
            score += 4  # the article itself outranks a video or recipe object embedded in it
        if score > best_score:
            best, best_score = obj, score
    return best


def extract_metadata(tree: HtmlElement, url: str, *, hinted_date: str | None = None) -> Metadata:
    """Read the page's metadata, strongest signal first (JSON-LD, meta tags, page heuristics)."""
    md = Metadata()
    src = md.sources
    objects = jsonld_objects(tree)
    for obj in objects:
        md.jsonld_types |= _types(obj)
    art = _jsonld_article(objects) or {}
    metas = _meta_map(tree)

    # canonical URL and site name first: the title cleanup needs the site name
    canonical = None
    for link in tree.xpath('//link[@rel and @href]'):
        if "canonical" in (link.get("rel") or "").lower().split():
            canonical = _canonical(url, link.get("href"))
            if canonical:
                src["canonical_url"] = "link[rel=canonical]"
                break
    if not canonical:
        og_url = _meta(metas, "og:url")
        if og_url:
            canonical = _canonical(url, og_url[0])
            if canonical:
                src["canonical_url"] = "og:url"
    md.canonical_url = canonical or url

    publisher = art.get("publisher")
    publisher_name = _first_str(publisher.get("name")) if isinstance(publisher, dict) else ""
    site = _meta(metas, "og:site_name", "application-name", "al:android:app_name", "twitter:site")
    if site and not site[0].startswith("@"):
        md.site_name, src["site_name"] = site[0], site[1]
    elif publisher_name:
        md.site_name, src["site_name"] = publisher_name, "json-ld publisher"
    else:
        for obj in objects:
            if _types(obj) & {"website", "newsmediaorganization", "organization"} and _first_str(obj.get("name")):
                md.site_name, src["site_name"] = _first_str(obj.get("name")), "json-ld " + sorted(_types(obj))[0]
                break
    site_names = [n for n in (md.site_name, publisher_name, site[0].lstrip("@") if site else None) if n]
    site_names += _host_names(url)
    if md.canonical_url != url:
        site_names += _host_names(md.canonical_url)

    # authors: the first source naming a person wins; a source naming only the site itself
    # (meta author = "Example Times") yields to a later one, and is the fallback when none names a person
    md.authors = _authors(tree, art, metas, site_names + _account_names(tree, art), src)

    # title; the author's credit is a part to drop like the site's name ("Headline | Site | by Jane Doe");
    # measured with `_typeset_as_title_element`, which needs it to see that form: fundus-dev title
    # 0.893 -> 0.901, readability-pages unchanged
    md.title = _title(tree, art, metas, site_names + ["by " + a for a in md.authors], src, md.title_variants)
    if not md.site_name:
        md.site_name = _site_in_title(tree, metas, md.title, md.canonical_url)
        if md.site_name:
            src["site_name"] = "title part"

    # dates
    raws: dict[str, str] = {}
    md.date_published = _date(
        [(art.get("datePublished"), "json-ld datePublished")],
        metas,
        ("article:published_time", "og:published_time", "og:article:published_time", "datepublished",
         "publishdate", "publish-date", "pubdate", "date", "dc.date.issued", "dcterms.issued", "dc.date",
         "dcterms.date", "parsely-pub-date", "sailthru.date", "article.published", "published_time",
         "cxenseparse:recs:publishtime", "citation_publication_date", "release_date"),
        src,
        "date_published",
        raws,
    )
    if md.date_published is None:
        for t in tree.xpath('//time[@datetime][@pubdate or @itemprop="datePublished"] | '
                            '//*[@itemprop="datePublished"][@datetime or @content]'):
            d = parse_date(t.get("datetime") or t.get("content"))
            if d:
                md.date_published, src["date_published"] = d, "itemprop datePublished"
                break
    if md.date_published is None:
        md.date_published = _date([(art.get("dateCreated"), "json-ld dateCreated")], {}, (), src,
                                  "date_published")
    md.date_modified = _date(
        [(art.get("dateModified"), "json-ld dateModified")],
        metas,
        ("article:modified_time", "og:updated_time", "og:modified_time", "datemodified", "last-modified",
         "dcterms.modified", "dc.date.modified", "parsely-updated"),
        src,
        "date_modified",
        raws,
    )
    if md.date_published is None:
        md.date_published = _date_in_title(tree, metas)
        if md.date_published:
            src["date_published"] = "title date part"
    if md.date_published is None and hinted_date:
        md.date_published = parse_date(hinted_date)
        if md.date_published:
            src["date_published"] = "hinted"
    if md.date_published is None:
        md.date_published = _time_element_date(tree)
        if md.date_published:
            src["date_published"] = "time element"
    if any(states_time_without_zone(raw) for raw in raws.values()):
        zoned = _zoned_dates(tree, art, metas)
        for name, raw in raws.items():
            value = getattr(md, name)
            fixed = _with_page_offset(value, zoned) if value and states_time_without_zone(raw) else None
            if fixed:
                setattr(md, name, fixed)
                src[name] += " + page offset"

    # language
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if lang:
        md.language, src["language"] = lang, "html[lang]"
    else:
        found = _meta(metas, "og:locale", "content-language", "language", "dc.language")
        if found:
            md.language, src["language"] = found
        elif isinstance(art.get("inLanguage"), str):
            md.language, src["language"] = art["inLanguage"], "json-ld inLanguage"
    if md.language:
        md.language = md.language.strip().replace("_", "-").split(",")[0].strip() or None
        if md.language:
            md.language = md.language.split("-")[0].lower() if len(md.language) > 1 else None

    # description
    desc = _first_str(art.get("description"))
    if desc:
        md.description, src["description"] = desc, "json-ld description"
    else:
        found = _meta(metas, "og:description", "description", "twitter:description", "dc.description")
        if found:
            md.description, src["description"] = found

    # tags and categories
    kw = art.get("keywords")
    if isinstance(kw, str):
        md.tags = _split_keywords([kw])
    elif isinstance(kw, list):
        md.tags = _dedupe([clean_text(k) for k in kw if isinstance(k, str) and clean_text(k)])
    if not md.tags:
        md.tags = _split_keywords(metas.get("article:tag", []) + metas.get("news_keywords", []) +
                                  metas.get("keywords", [])[:1])
    section = art.get("articleSection")
    sections = section if isinstance(section, list) else [section]
    md.categories = _dedupe([clean_text(s) for s in sections if isinstance(s, str) and clean_text(s)])
    if not md.categories:
        md.categories = _dedupe([clean_text(v) for v in metas.get("article:section", []) if clean_text(v)])

    # lead image
    image = _first_str(art.get("image")) or (_meta(metas, "og:image", "twitter:image", "og:image:url") or ("",))[0]
    md.image = _resolve(url, image) if image else None

    og_type = _meta(metas, "og:type")
    md.og_type = og_type[0].lower() if og_type else None
    body = art.get("articleBody")
    md.article_body = clean_text(body) if isinstance(body, str) else None
    parts = art.get("hasPart")
    flags = [art.get("isAccessibleForFree")] + [p.get("isAccessibleForFree") for p in
                                                 (parts if isinstance(parts, list) else [parts]) if isinstance(p, dict)]
    values = [_truth(f) for f in flags if _truth(f) is not None]
    md.accessible_for_free = None if not values else all(values)
    return md


def _truth(value: Any) -> bool | None:
    """A schema.org Boolean as JSON-LD writes it (true, "True", "false", "https://schema.org/False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().rsplit("/", 1)[-1].lower()
        return {"true": True, "false": False}.get(word)
    return None


#: The profile address of a CMS's administrator account ("/author/admin/"): the name it shows is the
#: account the site publishes under, like the site's own name, not the writer's.
_ACCOUNT_HREF_RE = re.compile(
    r"/(?:author|authors|autor|user|users|profile)/(?:admin|administrator|webmaster)/?(?:[?#].*)?$", re.IGNORECASE
)


def _account_names(tree: HtmlElement, art: dict[str, Any]) -> list[str]:
    """Names shown for the site's administrator account: JSON-LD authors whose ``url``/``@id`` is that
    account's profile, and the text of links to it."""
    out = []
    authors = art.get("author")
    for item in authors if isinstance(authors, list) else [authors]:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and any(
            isinstance(item.get(k), str) and _ACCOUNT_HREF_RE.search(item[k]) for k in ("url", "@id")
        ):
            out.append(clean_text(item["name"]))
    for a in tree.xpath('//body//a[contains(@href,"admin") or contains(@href,"webmaster")]'):
        if _ACCOUNT_HREF_RE.search(a.get("href") or ""):
            text = clean_text(a.text_content())
            if text and len(text) <= MAX_BYLINE_CHARS // 2:
                out.append(text)
    return [n for n in _dedupe(out) if n]


def _is_code(name: str) -> bool:
    """A short code, not a person's name: one word of two to five letters in one case ("APA", "dpa",
    "AFP", "sid"), as agencies and desks sign."""
    return bool(re.fullmatch(r"[^\W\d_]{2,5}", name)) and (name.isupper() or name.islower())


def _is_site_name(name: str, sites: set[str]) -> bool:
    """The site's own name, or its acronym spelled out ("Deutsche Welle" on a site called "DW")."""
    folded = _fold(name)
    if folded in sites:
        return True
    words = folded.split()
    return len(words) >= 2 and "".join(w[0] for w in words) in sites


def _labelled_authors(tree: HtmlElement) -> list[str]:
    """Names after an "Author:" label (``<li><strong>Autor</strong> Jane Doe</li>``, ``<dt>``/``<dd>``)."""
    for label in tree.xpath(_AUTHOR_LABEL_XPATH):
        if not _AUTHOR_LABEL_RE.match(clean_text(label.text_content())):
            continue
        if label.tag == "dt":
            value = label.getnext()
            text = clean_text(value.text_content()) if value is not None else ""
        else:
            parent = label.getparent()
            full = clean_text(parent.text_content()) if parent is not None else ""
            text = full[len(clean_text(label.text_content())) :] if full.startswith(clean_text(label.text_content())) else ""
        names = [n for n in clean_author(text.lstrip(": ")) if _looks_like_name(n)] if len(text) <= MAX_BYLINE_CHARS else []
        if names:
            return names
    return []


#: A paragraph is the story's first when it is at least this long: a bold name just before it, with no
#: such paragraph before it, heads the story like a byline.
STORY_PARAGRAPH_MIN_CHARS = 150
#: How many paragraphs of a page are read for a bold name line: the story's head, not its end.
MAX_NAME_LINE_PARAGRAPHS = 60


def _name_line(text: str) -> list[str]:
    """The names of a line that is only people's names ("Jane Doe", "JANE DOE/John Roe"), else []: each
    name two to four words, each word capitalised, letters only (and ' . -); names split as bylines are."""
    names = []
    for part in AUTHOR_SPLIT_RE.split(clean_text(text)):
        words = part.split()
        if not 2 <= len(words) <= TEXT_NAME_MAX_WORDS or not all(
            w[0].isupper() and all(ch.isalpha() or ch in "'’.-" for ch in w) for w in words
        ):
            return []
        names.append(part)
    return names


def _bold_name_authors(tree: HtmlElement) -> list[str]:
    """Names of a bold line heading the story: a paragraph that is only a ``<strong>``/``<b>`` name, with
    the story's first paragraph right after it and no story paragraph before it (a byline without
    "By", common on small sites' WordPress themes: ``<p><strong>Jane Doe</strong></p><p>IN the...``)."""
    seen_story = False
    for n, p in enumerate(tree.iter("p")):
        if n >= MAX_NAME_LINE_PARAGRAPHS:
            break
        text = clean_text(p.text_content())
        if len(text) >= STORY_PARAGRAPH_MIN_CHARS:
            seen_story = True
        if seen_story or not text or len(text) > MAX_BYLINE_CHARS // 2:
            continue
        bold = [c for c in p if isinstance(c.tag, str) and c.tag != "br"]
        if len(bold) != 1 or bold[0].tag not in ("strong", "b") or clean_text(bold[0].text_content()) != text:
            continue
        names = _name_line(text)
        if not names:
            continue
        following = p.getnext()
        while following is not None and following.tag == "p" and not clean_text(following.text_content()):
            following = following.getnext()
        if following is not None and following.tag == "p" and len(clean_text(following.text_content())) >= STORY_PARAGRAPH_MIN_CHARS:
            return names
    return []


_AUTHOR_LABEL_RE = re.compile(
    r"^(author|authors|autor|autorin|autoren|autorin/autor|autor/in|auteur|auteurs|autore|autori|"
    r"written by|text|texto|tekst)\s*:?$",
    re.IGNORECASE,
)
_AUTHOR_LABEL_XPATH = "//body//*[self::strong or self::b or self::dt or self::th or self::label][string-length(normalize-space()) < 20]"


#: Meta tags whose convention is one creator a tag, written "Family, Given" (Dublin Core, Highwire Press).
#: Measured: readability-pages authors 0.924 -> 0.935, fundus-dev unchanged.
_SURNAME_FIRST_KEYS = frozenset({"dc.creator", "dcterms.creator", "citation_author"})
_SURNAME_FIRST_RE = re.compile(r"^\s*([^\s,;]+),\s*([^,;]+?)\s*$")


def _surname_first(value: str) -> str:
    """``Jong, Michiel de`` -> ``Michiel de Jong``: one family name, a comma, then the given names (at
    most three words; two full names joined by a comma have more, or a family name of several words)."""
    m = _SURNAME_FIRST_RE.match(clean_text(value))
    if m and len(m.group(2).split()) <= 3:
        return f"{m.group(2)} {m.group(1)}"
    return value


def _page_byline(tree: HtmlElement, site_names: list[str], sites: set[str]) -> list[str]:
    """Names from the first of the page's byline forms that names a person (a byline element may name
    only the site, and the bold name line under it the writer); else the first that names anyone."""
    first: list[str] = []
    for find in (_byline_authors, _labelled_authors, _bold_name_authors):
        names = find(tree)
        if any(not _is_site_name(n, sites) for n in _clean_authors(names, site_names)):
            return names
        first = first or names
    return first


def _authors(tree: HtmlElement, art: dict[str, Any], metas: dict[str, list[str]], site_names: list[str],
             src: dict[str, str]) -> list[str]:
    persons, orgs, ordered = _names(art.get("author") or art.get("creator"))
    # an agency credited beside a person ("author": [dpa, Jane Doe]) is a co-author, kept in order;
    # an organisation alone yields to a byline that names a person (it is often the site itself)
    sources: list[tuple[str, list[str]]] = [("json-ld author", ordered if persons else [])]
    for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                "dcterms.creator", "byl", "citation_author"):
        values = [v for v in metas.get(key, []) if "://" not in v or " " in v.strip()]
        if key in _SURNAME_FIRST_KEYS:
            values = [_surname_first(v) for v in values]
        sources.append(("meta " + key, values))
    sources.append(("byline", []))  # computed lazily: it walks the page
    sources.append(("json-ld author organization", orgs))
    sites = {_fold(n) for n in site_names if n}
    fallback: tuple[str, list[str]] | None = None
    for name, raws in sources:
        if name == "byline":
            raws = _page_byline(tree, site_names, sites)
        if not raws:
            continue
        if name == "json-ld author organization":
            names = _dedupe([clean_text(r) for r in raws if clean_text(r)])  # an organisation's name, whole
        else:
            names = _clean_authors(raws, site_names)
        if not names:
            continue
        people = [n for n in names if not _is_site_name(n, sites)]
        if people and name == "byline" and fallback is not None and all(_is_code(n) for n in people):
            continue  # an agency's or desk's code read off the page ("von APA", "Quelle: dpa") names no
            # person either: the author the page declares (the site) stands
        if people:
            src["authors"] = name
            return people
        if fallback is None:
            fallback = (name, names)
    if fallback:
        src["authors"] = fallback[0] + " (site name)"
        return fallback[1]
    return []


_LAST_SEP_RE = re.compile(r"^(.*\S)\s+[|\-–—»·]\s+[^|\-–—»·]+$")
#: Words the part before a <title>'s last separator needs to count as the headline on its own: a head of
#: four words or fewer keeps the whole <title> (Readability's rule; measured: readability-pages title
#: 0.890 -> 0.906 against 3, fundus-dev unchanged, as its pages all carry title metadata).
MIN_TITLE_HEAD_WORDS = 5


def _cut_last_part(title: str) -> str:
    """``Headline - Whatever Site`` -> ``Headline`` for a bare <title> (the page gives no other title
    and the site name is unknown): the last separated part of a <title> is a site name or section."""
    m = _LAST_SEP_RE.match(title)
    if m and len(m.group(1).split()) >= MIN_TITLE_HEAD_WORDS:
        return m.group(1)
    return title


def _drop_kicker(title: str, candidates: list[tuple[str, str]], h1s: list[str], site_names: list[str],
                 src: dict[str, str]) -> str:
    """``Kicker: Headline`` -> ``Headline`` when another title source of the page gives the headline
    without that kicker (alone, or after another kicker in the <h1>): the kicker, a topic label
    above the headline, is then not part of the title."""
    head, sep, rest = title.partition(": ")
    if not sep or len(head.split()) > MAX_KICKER_WORDS or len(rest) < MIN_KICKER_REST_CHARS:
        return title
    folded = _fold(rest)
    for text, source in candidates:
        if _fold(strip_site_suffix(text, site_names)) == folded:
            src["title"] += ", kicker dropped (" + source + ")"
            return rest.strip()
    kicker_words = set(_fold(head).split())
    for h in h1s:
        other_kicker = _fold(h)[: -len(folded)].split() if _fold(h).endswith(" " + folded) else []
        # the <h1> puts another kicker before the same headline (a rewording of this kicker, sharing
        # its words, is a different headline: "X hands-on: Y" vs "X is Y")
        if other_kicker and not kicker_words & set(other_kicker) and not _fold(h).endswith(_fold(title)):
            src["title"] += ", kicker dropped (h1)"
            return rest.strip()
    return title


#: A kicker is a short label ("Neue Leipziger Schule", "Olympics"); longer lead-ins are the headline's.
MAX_KICKER_WORDS = 5
#: ... and what follows it must be a headline of its own, not a word or two.
MIN_KICKER_REST_CHARS = 20


#: The declared title sources other than JSON-LD, each counted once when JSON-LD's headline and name
#: disagree (synonymous keys of one source are grouped: a page giving both is one source).
_OTHER_TITLE_KEYS = (("dc:title", "dc.title", "dcterms.title"), ("og:title",), ("twitter:title",),
                     ("title", "sailthru.title", "parsely-title"))


def _jsonld_headline(art: dict[str, Any], others: list[str], title_text: str, site_names: list[str]) -> str:
    """The article's JSON-LD title: ``headline``, unless ``name`` differs from it and more of the page's
    other title sources (og/twitter/meta titles, the <h1>, the <title> element, with or without a
    section tail; each counted once) repeat ``name`` than ``headline``. Some publishers put a description
    or a category label in ``headline`` (Readability settles that conflict by the same comparison),
    others a short SEO form of the headline whose full form ``name``, og:title and the <h1> all give.
    Measured against the former rule (``name`` only when no other source repeats ``headline``):
    fundus-dev title 0.863 -> 0.885, readability-pages unchanged (0.906)."""
    headline, name = _first_str(art.get("headline")), _first_str(art.get("name"))
    if not (headline and name) or _fold(headline) == _fold(name):
        return headline or name
    folded = [_fold(o) for o in others if o]

    def support(form: str) -> int:
        return folded.count(_fold(form)) + _title_element_gives(title_text, form, site_names, same=_same_words)

    if support(name) > support(headline):
        return name
    return headline


def _drop_section_tail(title: str, candidates: list[tuple[str, str]], site_names: list[str],
                       src: dict[str, str]) -> str:
    """``Headline | Section`` -> ``Headline`` when another declared title of the page (og:title, Dublin
    Core, <title>) is exactly the part before the last separator: the tail (a section, or a site name
    we do not know) is then not the headline's."""
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) >= 2 and len(parts[-1].split()) <= MAX_SITE_SUFFIX_WORDS:
        head = title[: title.rfind(_TITLE_SEP_RE.findall(title)[-1])].strip()
        for text, source in candidates:
            if _fold(strip_site_suffix(text, site_names)) == _fold(head) and _fold(head):
                src["title"] += ", tail dropped (" + source + ")"
                return head
    # the tail glued on without spaces ("Headline-Politics|Example Times"): cut where another declared
    # title ends, when what follows it starts with a separator and is short (measured on metadata alone:
    # fundus-dev +1 page, readability-pages unchanged; that page's body is rejected as too short, so the
    # benchmark does not count it yet)
    for text, source in candidates:
        head = strip_site_suffix(text, site_names)
        rest = title[len(head) :]
        if (head and len(head) < len(title) and title.startswith(head) and _GLUED_TAIL_RE.match(rest)
                and len(rest.split()) <= MAX_SITE_SUFFIX_WORDS):
            src["title"] += ", glued tail dropped (" + source + ")"
            return head
    return title


#: The start of a tail after a headline, with or without spaces; "ㅣ" (a Hangul vowel letter) is the
#: bar Korean sites put between a headline and their name ("Headline-정치ㅣ한국일보").
_GLUED_TAIL_RE = re.compile(r"\s*[|｜ㅣ\-–—:：»/·•]")


def _same_text(a: str, b: str) -> bool:
    """The same text, punctuation included (case, Unicode compatibility forms and spacing aside)."""
    def norm(s: str) -> str:
        return clean_text(unicodedata.normalize("NFKC", s)).casefold()

    return norm(a) == norm(b)


def _same_words(a: str, b: str) -> bool:
    return _fold(a) == _fold(b)


def _title_element_gives(title_text: str, form: str, site_names: list[str],
                         same: Callable[[str, str], bool] = _same_text) -> bool:
    """The <title> element is ``form``, maybe followed by a short separated tail (section, site name)."""
    if not title_text or not form:
        return False
    t = strip_site_suffix(title_text, site_names)
    if same(t, form):
        return True
    rest = t[len(form) :]
    return (same(t[: len(form)], form) and bool(_GLUED_TAIL_RE.match(rest))
            and len(rest.split()) <= MAX_SITE_SUFFIX_WORDS)


def _typeset_as_title_element(title: str, declared: list[str], title_text: str, site_names: list[str],
                              src: dict[str, str]) -> str:
    """Of two declared forms of the same headline that differ only in punctuation (quote marks, ``:``
    for `` - ``), the one the <title> element gives: metadata generators re-typeset titles (curly
    quotes, separators), the page's own <title> shows the form the newsroom wrote. Measured: fundus-dev
    title 0.893 -> 0.908 (3 pages won, 1 lost: a JSON-LD headline without the quote marks all other
    sources have), readability-pages unchanged (0.913 by metadata alone)."""
    if not title_text or _title_element_gives(title_text, title, site_names):
        return title
    for other in declared:
        form = strip_site_suffix(other, site_names) if other else ""
        if form and _fold(form) == _fold(title) and not _same_text(form, title) and _title_element_gives(
            title_text, form, site_names
        ):
            src["title"] += ", typeset as <title>"
            return form
    return title


def _title(tree: HtmlElement, art: dict[str, Any], metas: dict[str, list[str]], site_names: list[str],
           src: dict[str, str], variants: list[str]) -> str | None:
    """The headline: the page's declared title metadata in order of strength (JSON-LD headline, Dublin
    Core, OpenGraph/Twitter, the <title> element), then the first <h1>; without a site-name part.

    Measured on both development sets: when the metadata title and the <h1> differ, the metadata title
    is the expected headline more often than the <h1> (readability-pages 0.850 -> 0.890, fundus-dev
    0.832 -> 0.855; JSON-LD before og:title measured better on both than the reverse), so the <h1> is
    only corroborating evidence (kickers). Measured and dropped: cutting a trailing part because
    another source gives the headline without it (lost as many titles as it won, on both sets); kept in
    a narrower form, `_drop_section_tail` (the other source is declared title metadata, not the <h1>, and
    the cut part is the last separated one, of at most MAX_SITE_SUFFIX_WORDS words): fundus-dev
    0.855 -> 0.863, readability-pages unchanged. Also measured and dropped: preferring whichever declared
    title equals the <h1> (fundus-dev 0.855 -> 0.824, readability-pages 0.906 -> 0.850) and a majority
    vote among the declared titles and the <h1> (0.801 and 0.811): publishers tune these fields apart,
    and no agreement signal picks the expected one more often than the JSON-LD headline does (re-checked
    on fundus-dev: where JSON-LD headline and og:title differ in words, 22 pages expect the headline and
    17 og:title, with the same patterns of agreement among <title>, <h1> and twitter:title on both
    sides; nor does length, or one being a prefix of the other, tell them apart). What is decided by
    agreement is narrower: JSON-LD ``name`` against ``headline`` (`_jsonld_headline`) and, between forms
    differing only in punctuation, the <title>'s (`_typeset_as_title_element`)."""
    title_el = tree.find(".//title")
    title_text = clean_text(title_el.text_content()) if title_el is not None else ""
    h1s = _h1_texts(tree)
    found = _meta(metas, "dc:title", "dc.title", "dcterms.title", "og:title", "twitter:title", "title",
                  "sailthru.title", "parsely-title")
    # each title source of the page once (not only the first declared one), to weigh JSON-LD name/headline
    declared = [(_meta(metas, *keys) or ("",))[0] for keys in _OTHER_TITLE_KEYS]
    others = [strip_site_suffix(t, site_names) for t in (*declared, *h1s[:1]) if t]
    candidates: list[tuple[str, str]] = []
    headline = _jsonld_headline(art, others, title_text, site_names)
    if headline:
        candidates.append((headline, "json-ld headline"))
    # the formal title metadata (Dublin Core) before the social-sharing ones, which sites tune for clicks
    if found:
        candidates.append(found)
    if title_text:
        candidates.append((title_text, "title"))
    # every form of the headline the page's metadata gives, to drop the title repeated atop the body
    # (the <h1> is not one of them: a page may print its headline above the story on purpose)
    for text, _source in candidates:
        variants.extend((text, strip_site_suffix(text, site_names)))
    if candidates:
        text, source = candidates[0]
        src["title"] = source
        title = strip_site_suffix(text, site_names)
        if source == "title" and title == text:
            # a bare <title>: the <h1> it starts with, before a separated tail, is the headline (also
            # where the separator has no spaces around it, as Chinese and Japanese titles write it:
            # "Headline-Site"); else the part before its last separator
            head = next((h for h in h1s if len(h) < len(title) and _title_element_gives(title, h, site_names)), None)
            title = head if head is not None else _cut_last_part(title)
        if _fold(title) in {_fold(h) for h in h1s}:
            src["title"] += "=h1"
        # a headline given as microdata or a plain meta tag (<meta itemprop|name="headline">) is evidence
        # for the cut, not a title source: some pages put a sub-headline there
        meta_headline = _meta(metas, "headline")
        title = _drop_section_tail(title, candidates + ([meta_headline] if meta_headline else []), site_names, src)
        title = _typeset_as_title_element(title, declared, title_text, site_names, src)
        return _drop_kicker(title, candidates, h1s, site_names, src)
    if h1s:
        src["title"] = "h1"
        return h1s[0]
    return None


#: A date as a separated part of a title ("Headline | Site | 28.04.2023"): day.month.year or ISO only
#: (slashed forms are ambiguous between day-first and month-first).
_TITLE_DAY_RE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2}")


def _date_in_title(tree: HtmlElement, metas: dict[str, list[str]]) -> str | None:
    """The publishing day a page states in its own title (og:title, <title>), as a separated part: a
    fallback after every metadata date (measured: fundus-dev date 0.977 -> 0.985, readability-pages
    unchanged; a page-text date guess, taken later, had the wrong day there)."""
    title_el = tree.find(".//title")
    titles = [v for v in metas.get("og:title", [])[:1]] + ([title_el.text_content()] if title_el is not None else [])
    for t in titles:
        for part in _TITLE_SEP_RE.split(clean_text(t))[1:]:
            if _TITLE_DAY_RE.fullmatch(part.strip()):
                d = parse_date(part.strip())
                if d:
                    return d
    return None


def _date(jsonld: list[tuple[Any, str]], metas: dict[str, list[str]], keys: tuple[str, ...],
          src: dict[str, str], name: str, raws: dict[str, str] | None = None) -> str | None:
    """The first date the JSON-LD values, then the meta tags ``keys``, give; its source goes to ``src``
    and the string it was read from to ``raws`` under ``name``."""
    for value, source in jsonld:
        d = parse_date(_first_str(value))
        if d:
            src[name] = source
            if raws is not None:
                raws[name] = _first_str(value)
            return d
    for key in keys:
        for v in metas.get(key, []):
            d = parse_date(v)
            if d:
                src[name] = "meta " + key
                if raws is not None:
                    raws[name] = v
                return d
    return None


#: Words that label a date as the last update, not the publication: a ``<time>`` they introduce is
#: not taken for date_published.
UPDATED_LABEL_RE = re.compile(
    r"updated|modified|last edit|aktualisiert|geändert|mis à jour|modifié|actualizado|actualizada|"
    r"aggiornat|atualizad|bijgewerkt|zaktualizowano|aktualizováno|更新|修改|업데이트|수정",
    re.IGNORECASE,
)
#: Containers whose ``<time>`` dates other stories (teasers, lists, sidebars) or comments.
OTHER_DATES_RE = re.compile(r"related|recommend|sidebar|widget|teaser|comment|popular|latest|more-|trending")
#: Characters of a ``<time>`` element's parent read for an "Updated" label before it.
TIME_LABEL_CHARS = 80


def dates_another_story(el: HtmlElement, tags: tuple[str, ...]) -> bool:
    """Whether a date element stands where pages date other stories, comments or quoted posts: inside
    one of ``tags`` (a link, a menu, a footer, ...) or a container named as a teaser list, a sidebar
    widget or comments (`OTHER_DATES_RE`)."""
    for anc in el.iterancestors():
        key = ((anc.get("class") or "") + " " + (anc.get("id") or "")).lower()
        if anc.tag in tags or OTHER_DATES_RE.search(key):
            return True
    return False


def _time_element_date(tree: HtmlElement) -> str | None:
    """The first ``<time datetime>`` of the body with a full timestamp and UTC offset that no "Updated"
    label introduces and no teaser list, sidebar, comment, link, navigation or quotation holds (an
    embedded social post, quoted in a ``<blockquote>``, carries its own date): the page's printed
    publication time, taken before htmldate's guess of a day (which can take the update line's day)."""
    for t in tree.xpath("//body//time[@datetime]"):
        raw = (t.get("datetime") or "").strip()
        if ":" not in raw or states_time_without_zone(raw):
            continue
        if dates_another_story(t, ("a", "nav", "aside", "footer", "blockquote")):
            continue
        parent = t.getparent()
        label = _visible_text(parent)[:TIME_LABEL_CHARS] if parent is not None else ""
        own = t.text_content()
        before = label.split(own)[0] if own and own in label else label
        if UPDATED_LABEL_RE.search(before + " " + own):
            continue
        d = parse_date(raw)
        if d:
            return d
    return None


def _zoned_dates(tree: HtmlElement, art: dict[str, Any], metas: dict[str, list[str]]) -> list[str]:
    """Every timestamp the page states with a UTC offset: ``<time datetime>``, JSON-LD and meta dates."""
    raws = [str(v) for v in tree.xpath("//time/@datetime")]
    raws += [_first_str(art.get(k)) for k in ("datePublished", "dateModified", "dateCreated")]
    raws += [v for k, vs in metas.items() if "date" in k or "time" in k for v in vs]
    out = []
    for raw in raws:
        if raw and ":" in raw and not states_time_without_zone(raw):
            d = parse_date(raw)
            if d:
                out.append(d)
    return out


def _with_page_offset(iso: str, zoned: list[str]) -> str | None:
    """``iso`` (read without an offset, so stamped UTC) with the offset of another timestamp on the page
    that shows the same wall-clock minute: ``"2025-08-19T09:15:00"`` beside
    ``<time datetime="2025-08-19T09:15:00-07:00">`` is 09:15 at -07:00, not at UTC."""
    for z in zoned:
        if z[:16] == iso[:16] and z[19:] != iso[19:]:
            return iso[:19] + z[19:]
    return None
