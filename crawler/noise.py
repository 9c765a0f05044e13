"""Noise filters, by class of noise, for what surrounds a story on a news page.

Two stages:

* `preclean(tree)` removes whole page regions in the lxml tree before the main extractor runs:
  elements the reader cannot see (``hidden``, ``display: none``), and elements whose class/id/role
  tokens name a noise widget (share bars, newsletter boxes, related and latest teaser lists,
  previous/next story navigation, back-to-top links, cookie banners, photo credits, pull quotes)
  and that do not hold a large share of the page's prose; lists of teaser cards, lists of links to the
  site's other stories (given the page's URL), and slideshows
  (galleries of numbered slides, "3/50", with their titles and captions), whatever their class names.
* `filter_paragraphs(paragraphs, ...)` (or `filter_blocks`, which also says which blocks it kept)
  drops lines that slip through: lorem-ipsum family filler (detected by a Latin function-word and
  ending profile, only beside a real story), back-to-top and source/attribution links, previous/next
  labels, teaser headings, share/subscribe/newsletter/cookie lines, comment calls, blocked-embed
  placeholders, photo and agency credits, header chrome (reading time, datelines and bylines at the
  story's edges), the title repeated in the body, pull quotes that repeat a body sentence, a block
  repeating the one before it.

Every filter counts what it removed, by noise class, so records can say what was taken out.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import SplitResult, urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from crawler.metadata import AUTHOR_SPLIT_RE

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- tree stage

#: class/id/role tokens of noise widgets, by noise class. A token matches a whole class/id word or a
#: dash/underscore-separated part of one ("c-share-bar" matches "share").
NOISE_TOKENS: dict[str, tuple[str, ...]] = {
    "share": ("share", "sharing", "social", "sharebar", "socials", "share-buttons", "addthis", "sharethis"),
    "subscribe": ("newsletter", "subscribe", "subscription", "signup", "sign-up", "optin", "paywall-promo"),
    "related": ("related", "recommended", "recommendations", "more-stories", "read-more", "readmore",
                "latest", "popular", "trending", "most-read", "mostread", "more-news", "teaser-list",
                "outbrain", "taboola", "also-read", "further-reading"),
    "navigation": ("post-navigation", "nav-links", "pagination", "prev-next", "next-story", "previous-story",
                   "prev-post", "next-post", "breadcrumb", "breadcrumbs"),
    "back-to-top": ("back-to-top", "backtotop", "scroll-top", "scrolltop", "go-top", "gotop", "to-top",
                    "totop", "scroll-to-top"),
    "cookie": ("cookie", "cookies", "consent", "gdpr"),
    "photo-credit": ("credit", "credits", "photo-credit", "image-credit", "copyright"),
    "pull-quote": ("pullquote", "pull-quote", "pullout", "blockquote-pull"),
    "ad": ("advert", "advertisement", "ad-slot", "adslot", "sponsored", "promo"),
    # the story's tags or topics, links to the site's topic pages ("Topics: uber, libertarians, ...").
    # Measured: readability-pages salon-1 P 0.970 -> 0.975, yahoo-3 0.982 -> 0.994, nothing else changed
    "tags": ("tags", "topics", "tag-list", "taglist", "post-tags", "article-tags"),
}
#: ARIA roles of regions that are never the story.
NOISE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alert"})
#: A noise-named element is kept when it holds this many characters of non-link prose: on many
#: themes the article wrapper itself carries a class like "has-share-bar" or "post-related-x".
PRECLEAN_MAX_PROSE_CHARS = 800
#: ... unless most of its text is link text (a teaser list can be long): above this share of
#: link characters it is removed whatever its length.
PRECLEAN_LINK_DENSITY = 0.6
#: The prose that keeps a noise-named element leaves out the text of its scripts, styles and templates:
#: a share bar's inline scripts counted as 2,000 characters of prose kept it (and an error-report
#: dialog inside it) on a page. Measured: fundus-dev Focus P 0.863 -> 0.910, no other record changed.
PROSE_WITHOUT_CODE = True
_CODE_TAGS = ("script", "style", "template")


def _token_regex(tokens: Iterable[str]) -> re.Pattern[str]:
    alts = "|".join(sorted((re.escape(t) for t in tokens), key=len, reverse=True))
    return re.compile(rf"(?:^|[\s_-])(?:{alts})(?:$|[\s_-])")


_ANY_NOISE_RE = _token_regex(t for toks in NOISE_TOKENS.values() for t in toks)
_NOISE_RE = re.compile(
    "|".join(
        f"(?P<{cls.replace('-', '_')}>" + _token_regex(toks).pattern + ")" for cls, toks in NOISE_TOKENS.items()
    )
)
#: Elements the browser does not show (the ``hidden`` attribute, inline ``display: none`` or
#: ``visibility: hidden``) are removed: their text is not part of what the reader sees; unless less
#: than this many characters of text would remain: some pages ship the article hidden and reveal it
#: by script. (``aria-hidden`` blocks are kept: measured, they held story text as often as noise; inline
#: ``aria-hidden`` text goes, see DROP_ARIA_HIDDEN_INLINE.)
HIDDEN_MIN_REST_CHARS = 200
_STRUCTURAL_KEEP = frozenset({"html", "body", "main", "article"})
#: Inline text the page hides from screen readers (``aria-hidden="true"`` on an element with no block
#: inside) is a decorative duplicate of what the page says elsewhere: an icon's or a button's label, a
#: tooltip, an abbreviation's expansion, a teaser's overlay link, a visual copy of a word that a
#: screen-reader twin spells out. Mozilla Readability removes every ``aria-hidden`` element; blocks
#: are kept here, as themes hide story paragraphs from screen readers too (a paywall's preview, a
#: table of contents), measured on the development sets (trafilatura's own pruning drops every
#: ``aria-hidden`` element, but keeps them when that prunes too much, and its fallbacks read them).
#: Measured: readability-pages remove-aria-hidden P 0.943 -> 0.971 (its "**WRONG**" span); no other
#: record of the three sets changed (31 pages had such elements removed).
DROP_ARIA_HIDDEN_INLINE = True
#: Elements the hidden-element pass looks at: hidden by their markup, or from screen readers.
_HIDDEN_CANDIDATES = etree.XPath(".//*[@hidden or @style or @aria-hidden='true']")
#: Elements that make an ``aria-hidden`` element a block of the page rather than a piece of a line.
_ARIA_BLOCKS = frozenset({
    "div", "p", "ul", "ol", "dl", "li", "table", "tr", "td", "blockquote", "pre", "section", "article",
    "header", "footer", "nav", "aside", "form", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6",
    "main", "details",
})


def _is_decorative_inline(el: HtmlElement) -> bool:
    """Whether an ``aria-hidden`` element is inline decoration to remove (see DROP_ARIA_HIDDEN_INLINE):
    no block element in or at it, and not a drop cap glued to its word ("<span aria-hidden>T</span>he"),
    unless the element that follows spells the letters again for screen readers (the twin stays)."""
    if el.tag in _ARIA_BLOCKS or el.tag in ("script", "style", "template"):
        return False
    if any(isinstance(d.tag, str) and d.tag in _ARIA_BLOCKS for d in el.iterdescendants()):
        return False
    text = el.text_content().strip()
    if not text:
        return False  # an icon: nothing to remove
    after = el.tail if el.tail else None
    nxt = el.getnext()
    if not after and nxt is not None and isinstance(nxt.tag, str):
        after = nxt.text_content()
    if text[-1:].isalpha() and (after or "")[:1].isalpha():
        # glued to the next word: a drop cap, removed only when a twin follows
        return nxt is not None and not el.tail and isinstance(nxt.tag, str) and (
            nxt.text_content().strip().startswith(text))
    return True


#: A pull quote repeats a sentence of the story in large type; a block styled as one whose words the
#: page prints nowhere else is the author's own paragraph set large (Medium's "pullquote" style) and
#: stays: fewer than this share of its word trigrams stand elsewhere on the page. Only a paragraph or a
#: quotation (``<p>``, ``<blockquote>``) of prose (at most PULL_QUOTE_MAX_LINK_SHARE of it link text):
#: a "pullout" box of the layout (an ``<aside>`` of teaser links) is no quote. Measured:
#: readability-pages medium-2 R 0.963 -> 0.991, no other record of the three sets changed (the pull
#: quotes of citylab-1, theverge, LuxemburgerWort and TimesLive repeat the story, 82-100%, and go).
PULL_QUOTE_MIN_REPEAT_SHARE = 0.5
PULL_QUOTE_MAX_LINK_SHARE = 0.2
_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]")
_WORDS_RE = re.compile(r"\w+")


def _trigrams(text: str) -> Counter[tuple[str, ...]]:
    words = _WORDS_RE.findall(text.casefold())
    return Counter(zip(words, words[1:], words[2:], strict=False))


def _quotes_page(text: str, page: Counter[tuple[str, ...]]) -> bool:
    """Whether most of ``text``'s word trigrams stand on the page (whose trigrams, ``text`` included,
    are ``page``) besides ``text`` itself."""
    own = _trigrams(text)
    if not own:
        return True
    again = sum(1 for gram, n in own.items() if page[gram] > n)
    return again >= PULL_QUOTE_MIN_REPEAT_SHARE * len(own)


def _classify(el: HtmlElement) -> str | None:
    role = el.get("role")
    if role and role.lower() in NOISE_ROLES and el.tag not in _STRUCTURAL_KEEP:
        return "role-" + role.lower()
    return _classify_names(el.get("class"), el.get("id"))


@lru_cache(maxsize=4096)
def _classify_names(cls: str | None, ident: str | None) -> str | None:
    """The noise class a class/id pair names, if any. Cached: a page repeats its class names on many
    elements (menu items, cards), and a site's pages repeat them all."""
    attrs = f"{cls} {ident}".lower() if cls and ident else (cls or ident or "").lower()
    if not attrs or not _ANY_NOISE_RE.search(attrs):
        return None  # the common case, with one cheap search
    m = _NOISE_RE.search(attrs)
    return m.lastgroup.replace("_", "-") if m and m.lastgroup else None


def _link_chars(el: HtmlElement) -> int:
    return sum(len(a.text_content()) for a in el.iter("a"))


def attached(el: HtmlElement, root: HtmlElement) -> bool:
    """False once an ancestor of ``el`` has been removed from ``root``."""
    return any(anc is root for anc in el.iterancestors())


def is_hidden(el: HtmlElement) -> bool:
    """Whether the element is hidden by its own markup (``hidden``, ``display: none``, ``visibility: hidden``)."""
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def preclean(tree: HtmlElement, url: str | None = None, *, text_removed: Counter[str] | None = None,
             also_url: str | None = None) -> Counter[str]:
    """Remove noise widgets from ``tree`` in place; return counts of removed regions by class.
    ``url``, the page's address, lets lists of links to the site's other stories be found;
    ``also_url``, another address of the page (where it was fetched, when ``url`` is its canonical
    address): a story syndicated to a sister site lists that site's stories (a waz.de page whose
    canonical copy is on morgenpost.de lists waz.de headlines), so lists of either site's count;
    ``text_removed``, when given, is increased by the characters of visible text removed, by class
    (whitespace runs counted as one; hidden elements are not counted: the reader never saw them)."""
    removed: Counter[str] = Counter()
    body = tree.find(".//body")
    if body is None:
        return removed

    def drop(el: HtmlElement, cls: str, text: str | None = None) -> None:
        if text_removed is not None and cls != "hidden":
            text_removed[cls] += len(" ".join((el.text_content() if text is None else text).split()))
        _drop(el)
        removed[cls] += 1

    page_chars = len(body.text_content())
    for el in _HIDDEN_CANDIDATES(body):
        if not attached(el, body):
            continue
        if is_hidden(el):
            # a page that ships its story hidden (revealed by script) is not emptied
            if page_chars - len(el.text_content()) >= HIDDEN_MIN_REST_CHARS:
                drop(el, "hidden")
        elif DROP_ARIA_HIDDEN_INLINE and el.get("aria-hidden") == "true" and _is_decorative_inline(el):
            drop(el, "aria-hidden")
    candidates: list[tuple[HtmlElement, str]] = []
    for el in body.xpath(".//*[@class or @id or @role]"):
        if el.tag in _STRUCTURAL_KEEP:
            continue
        cls = _classify(el)
        if cls:
            candidates.append((el, cls))
    page_words: list[Counter[tuple[str, ...]]] = []  # the trigrams of the page's visible text, when needed
    for el, cls in candidates:
        if not attached(el, body):
            continue  # inside a region removed already
        text = el.text_content()
        total = len(text.strip())
        links = _link_chars(el)
        prose = total - links
        if prose > PRECLEAN_MAX_PROSE_CHARS and PROSE_WITHOUT_CODE:
            # the code of a widget's inline scripts is no prose a reader sees
            prose -= sum(len(s.text_content()) for s in el.iter(*_CODE_TAGS))
        if prose > PRECLEAN_MAX_PROSE_CHARS and (total == 0 or links / total < PRECLEAN_LINK_DENSITY):
            continue
        if cls == "pull-quote" and el.tag in ("blockquote", "p") and links <= PULL_QUOTE_MAX_LINK_SHARE * total:
            if not page_words:
                page_words.append(_trigrams(" ".join(_VISIBLE_TEXT(body))))
            if not _quotes_page(text, page_words[0]):
                continue  # the author's own paragraph set large, not a copy of the story's
        drop(el, cls, text)
    # streams of teaser cards (lists of other stories, whatever their class names)
    site = (url, urlsplit(url)) if url is not None else None  # the page's address, parsed once
    sites = [site] if site is not None else []
    if site is not None and also_url and urlsplit(also_url).hostname != site[1].hostname:
        sites.append((also_url, urlsplit(also_url)))
    for lst in body.xpath(".//ul | .//ol"):
        if attached(lst, body) and (_is_teaser_list(lst) or any(_is_link_teaser_list(lst, *s) for s in sites)):
            drop(lst, "teaser-list")
    if TEASER_GRIDS and site is not None:
        for grid in _teaser_grids(body, *site):
            if attached(grid, body):
                drop(grid, "teaser-list")
    # paragraphs of links one per line to other stories, and notices linking the site's legal pages
    # (a list: removing an element while lxml iterates the tree ends the iteration there)
    for p in body.xpath(".//p[.//a]"):
        if not attached(p, body):
            continue
        if site is not None and _is_link_lines(p, *site):
            drop(p, "teaser-list")
        elif _is_legal_notice(p):
            drop(p, "legal-notice")
    for show in _slideshows(body):
        drop(show, "slideshow")
    if DROP_POLLS:
        for poll in _polls(body):
            if attached(poll, body):
                drop(poll, "poll")
    return removed


#: A poll (a question and its answers as radio buttons, "Welches dieser Mittel ist dein Favorit?") is a
#: widget asking the reader, not the story's text: the smallest element holding a group of at least
#: POLL_MIN_ANSWERS radio buttons of one name, with the question above them (up to POLL_QUESTION_MAX_CHARS
#: of text besides the answers), is removed. The same markup is every other radio-button widget too
#: (a font-size picker, donation amounts, a comment's report dialog, a newsletter form's format choice),
#: none of them the story. Measured: fundus-dev ZwanzigMinuten P 0.936 -> 0.968 and 0.945 -> 0.975 (two
#: polls in the story); 25 pages had such a widget removed, no other record of the three sets changed.
DROP_POLLS = True
POLL_MIN_ANSWERS = 2
POLL_QUESTION_MAX_CHARS = 300
#: ... answers of at most this many characters each, on average.
POLL_ANSWER_MAX_CHARS = 150
_RADIOS = etree.XPath(".//input[@type='radio' and @name]")


def _polls(body: HtmlElement) -> list[HtmlElement]:
    groups: dict[str, list[HtmlElement]] = {}
    for radio in _RADIOS(body):
        groups.setdefault(radio.get("name", ""), []).append(radio)
    out = []
    for radios in groups.values():
        if len(radios) < POLL_MIN_ANSWERS:
            continue
        chains = [[r, *r.iterancestors()] for r in radios]  # (the lists keep lxml's proxies, so `in` works)
        box = next((a for a in chains[0][1:] if all(a in chain for chain in chains[1:])), None)
        if box is None or box.tag in _STRUCTURAL_KEEP:
            continue
        answers = len(_squash(box.text_content()))
        if answers > POLL_ANSWER_MAX_CHARS * len(radios):
            continue  # a form around more than answers (a page-wide form holding a search box's options)
        for parent in box.iterancestors():
            if parent.tag in _STRUCTURAL_KEEP or len(_squash(parent.text_content())) > answers + POLL_QUESTION_MAX_CHARS:
                break
            box = parent
        out.append(box)
    return out


def _squash(text: str) -> str:
    return " ".join(text.split())


#: A slideshow is a container whose children are numbered slides: at least this many children each
#: hold a slide counter ("3/50", "3 of 50") counting to the same total, and they are at least
#: SLIDESHOW_MIN_SHARE of its children. Its titles and captions are a gallery's, laid over the story
#: (often another story's pictures: "Business news in pictures"); a story's own numbered list does not
#: print "k/N" as a separate element in each item. Measured: readability-pages P 0.975 -> 0.981 (one
#: page, a 50-slide gallery in a story), fundus-dev unchanged; on the test site's magazine theme, whose
#: gallery classes name nothing the other filters know, every page kept captions without it.
SLIDESHOW_MIN_SLIDES = 4
SLIDESHOW_MIN_SHARE = 0.8
_COUNTER_RE = re.compile(r"^\s*(?:photo|image|slide|bild|foto)?\s*(\d{1,3})\s*(?:/|of|von|de|di|sur|van|z)\s*(\d{1,3})\s*$",
                         re.IGNORECASE)
_COUNTER_MAX_CHARS = 24  # "Photo 12 of 30" and its translations; a longer line says more than a counter


def _slideshows(body: HtmlElement) -> list[HtmlElement]:
    """Containers of numbered slides (see `SLIDESHOW_MIN_SLIDES`)."""
    by_total: dict[str, list[HtmlElement]] = {}
    for el in body.iter():
        text = el.text
        if not text or len(text) > _COUNTER_MAX_CHARS or len(el) or not isinstance(el.tag, str):
            continue
        m = _COUNTER_RE.match(text)
        if m and 0 < int(m.group(1)) <= int(m.group(2)):
            by_total.setdefault(m.group(2), []).append(el)
    shows: list[HtmlElement] = []
    for counters in by_total.values():
        if len(counters) < SLIDESHOW_MIN_SLIDES:
            continue
        # the container is the lowest ancestor holding every counter (the chains hold references to the
        # ancestors, so lxml hands out the same element objects and `in` compares them rightly)
        chains = [[c, *c.iterancestors()] for c in counters]
        container = next((a for a in chains[0][1:] if all(a in chain for chain in chains[1:])), None)
        if container is None or container.tag in _STRUCTURAL_KEEP:
            continue
        slides = {id(chain[chain.index(container) - 1]) for chain in chains}
        children = sum(1 for child in container if isinstance(child.tag, str))
        if len(slides) >= SLIDESHOW_MIN_SLIDES and len(slides) >= SLIDESHOW_MIN_SHARE * children:
            shows.append(container)
    return shows


#: A list is a stream of teaser cards when at least this many of its items, and this share of them,
#: each hold a card: an <article> element, or a heading that links elsewhere. A story's own lists
#: (steps, sources, quotes) have items of text, not self-contained article cards.
#: Measured: readability-pages P 0.958 -> 0.965 (F1 0.936 -> 0.937), fundus-dev unchanged.
TEASER_LIST_MIN_ITEMS = 3
TEASER_LIST_MIN_SHARE = 0.8
_HEADING_WITH_LINK = etree.XPath(".//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6][.//a[@href]]")


def _most_items(lst: HtmlElement, is_item: Callable[[HtmlElement], bool]) -> bool:
    """Whether at least TEASER_LIST_MIN_ITEMS of the list's items, and TEASER_LIST_MIN_SHARE of them,
    pass ``is_item``; stops as soon as too many have failed."""
    items = [li for li in lst if li.tag == "li"]
    needed = max(TEASER_LIST_MIN_ITEMS, math.ceil(TEASER_LIST_MIN_SHARE * len(items)))
    if len(items) < needed:
        return False
    allowed = len(items) - needed  # items that may fail
    for li in items:
        if not is_item(li):
            allowed -= 1
            if allowed < 0:
                return False
    return True


def _is_card(li: HtmlElement) -> bool:
    return next(li.iter("article"), None) is not None or bool(_HEADING_WITH_LINK(li))


def _is_teaser_list(lst: HtmlElement) -> bool:
    return _most_items(lst, _is_card)


#: A list is a list of links to the site's other stories when at least TEASER_LIST_MIN_ITEMS of its items,
#: and TEASER_LIST_MIN_SHARE of them, are each one link to an article of the page's own site whose text is
#: at least LINK_ITEM_MIN_SHARE of the item's ("Kicker: <a>headline</a>"). A story's own lists of links
#: point elsewhere (sources, bug trackers, documents) or say more than the link. Measured: fundus-dev
#: P 0.962 -> 0.963 (three pages up, none down), readability-pages unchanged.
LINK_ITEM_MIN_SHARE = 0.5
#: An address is an article's when its path is this long or its last segment holds ARTICLE_ID_MIN_DIGITS
#: digits (an id or a date): section fronts ("/politik/", "/s1") are navigation, which other rules remove.
ARTICLE_PATH_MIN_CHARS = 25
ARTICLE_ID_MIN_DIGITS = 2


def _chars(el: HtmlElement) -> int:
    """Characters of the element's text, whitespace left out (markup spacing varies, words do not)."""
    return len("".join(el.text_content().split()))


def _is_link_teaser(li: HtmlElement, url: str, page: SplitResult) -> bool:
    """Whether the item is one link to another article of the page's own site, most of its text."""
    links = [a for a in li.iter("a") if a.get("href") is not None]
    if len(links) != 1:
        return False
    text = _chars(li)
    if not text or _chars(links[0]) < LINK_ITEM_MIN_SHARE * text:
        return False
    return _is_site_article(links[0].get("href", ""), url, page)


#: A grid of teaser cards written in ``<div>``s (the teaser list of a theme that uses no list element):
#: a container whose children are at least TEASER_LIST_MIN_ITEMS cards, and TEASER_LIST_MIN_SHARE of its
#: children, each card holding one heading that links to another article of the page's own site
#: (`_is_site_article`; a story's sections whose headings link to their own anchors, or to other sites'
#: pages, are no teasers). Measured: fundus-dev TheNation P 0.895 -> 1.0 (a "More from The Nation"
#: grid whose deks trafilatura kept), no other record of the three sets changed.
TEASER_GRIDS = True


def _teaser_grids(body: HtmlElement, url: str, page: SplitResult) -> list[HtmlElement]:
    heads = [h for h in body.iter("h2", "h3", "h4", "h5", "h6")
             if any(_is_site_article(a.get("href", ""), url, page) for a in h.iter("a") if a.get("href"))]
    if len(heads) < TEASER_LIST_MIN_ITEMS:
        return []
    count: dict[HtmlElement, int] = {}
    chains = []
    for h in heads:
        chain = list(h.iterancestors())  # (the lists keep lxml's proxies alive: the dict's keys stay valid)
        chains.append(chain)
        for a in chain:
            count[a] = count.get(a, 0) + 1
    grids: dict[HtmlElement, int] = {}
    for h, chain in zip(heads, chains, strict=True):
        card = h
        for a in chain:
            if count[a] > 1:
                break
            card = a
        parent = card.getparent()
        if parent is not None and parent.tag not in _STRUCTURAL_KEEP and parent.tag not in ("ul", "ol"):
            grids[parent] = grids.get(parent, 0) + 1
    out = []
    for grid, cards in grids.items():
        children = sum(1 for c in grid if isinstance(c.tag, str))
        if cards >= TEASER_LIST_MIN_ITEMS and cards >= TEASER_LIST_MIN_SHARE * children and count[grid] == cards:
            out.append(grid)
    return out


def _is_site_article(href: str, url: str, page: SplitResult) -> bool:
    """Whether ``href`` (relative to ``url``) is another article of the page's own site."""
    href = href.strip()
    if href.startswith("/") and not href.startswith("//") and not _JOIN_CHANGES_RE.search(href):
        # a path on the page's own host: its path, without joining and parsing (menus have many)
        path = href.partition("#")[0].partition("?")[0]
    else:
        try:
            target = urlsplit(urljoin(url, href))
        except ValueError:
            return False
        if target.hostname != page.hostname:
            return False  # another site's page
        path = target.path
    if path == page.path:
        return False  # a table of contents of this page
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return len(path) >= ARTICLE_PATH_MIN_CHARS or sum(c.isdigit() for c in last) >= ARTICLE_ID_MIN_DIGITS


#: What makes ``urljoin``/``urlsplit`` change a root-relative path: dot segments, and the tab and line
#: breaks urlsplit removes.
_JOIN_CHANGES_RE = re.compile(r"/\.\.?(?:/|$|[?#])|[\t\r\n]")


#: A paragraph of links one per line ("<strong>Related</strong><br><a>...</a><br><a>...</a>") is the
#: same teaser list written without list markup, when it holds at least LINK_LINES_MIN links, each to
#: another article of the site and alone on its line, and besides them at most a short label.
LINK_LINES_MIN = 2
LINK_LINES_MAX_LABEL_CHARS = 40


def _is_link_lines(p: HtmlElement, url: str, page: SplitResult) -> bool:
    links = [a for a in p.iter("a") if a.get("href") is not None]
    if len(links) < LINK_LINES_MIN or len(p.findall(".//br")) < len(links) - 1:
        return False
    label = _chars(p) - sum(map(_chars, links))
    if label > LINK_LINES_MAX_LABEL_CHARS:
        return False
    for a in links:  # each link alone on its line: a line break (or the paragraph's end) after it
        nxt = a.getnext()
        if (a.tail or "").strip() or (nxt is not None and nxt.tag != "br") or (nxt is None and a.getparent() is not p):
            return False
    return all(_is_site_article(a.get("href", ""), url, page) for a in links)


#: A paragraph linking to at least LEGAL_MIN_LINKS of the site's legal pages (privacy policy, terms of
#: use, community guidelines) is a notice about them (comment rules, data use), in whatever language.
#: A legal page's address ends in a short name of one to LEGAL_NAME_MAX_WORDS words that holds one of
#: these words ("/privacy.html", "/community_guidelines", "/terms-of-use/"); a story's slug is longer.
LEGAL_MIN_LINKS = 2
LEGAL_NAME_MAX_WORDS = 3
_LEGAL_WORDS = frozenset(
    "privacy privacypolicy terms tos guidelines datenschutz datenschutzerklarung nutzungsbedingungen agb "
    "impressum cgu cgv legal mentions confidentialite privacidad privacidade condiciones termini "
    "informativa".split()
)


def _is_legal_page(href: str) -> bool:
    try:
        path = urlsplit(href.strip()).path
    except ValueError:
        return False
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    name = name.rsplit(".", 1)[0] if "." in name else name
    words = [w for w in re.split(r"[-_]+", name) if w]
    return 0 < len(words) <= LEGAL_NAME_MAX_WORDS and any(
        w in _LEGAL_WORDS or unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode() in _LEGAL_WORDS
        for w in words
    )


def _is_legal_notice(p: HtmlElement) -> bool:
    n = 0
    for a in p.iter("a"):
        href = a.get("href")
        if href and _is_legal_page(href):
            n += 1
            if n >= LEGAL_MIN_LINKS:
                return True
    return False


def _is_link_teaser_list(lst: HtmlElement, url: str, page: SplitResult) -> bool:
    """A list of links to the site's other stories; ``page`` is ``urlsplit(url)``."""
    return _most_items(lst, lambda li: _is_link_teaser(li, url, page))


def _drop(el: HtmlElement) -> None:
    """Remove ``el`` but keep its tail text in the parent."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# ---------------------------------------------------------------- line stage

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Latin function words that are rare as words in modern languages' running text; their density
#: marks lorem-ipsum family filler (and real Latin, which a news page does not print as its story).
LATIN_FUNCTION_WORDS = frozenset(
    "cum quo qui quae quod quas quem vel sed ut at atque autem enim eius nec nisi quis sunt vix ius mel mei "
    "usu nam eos eam eum ea ei ex sit eu te an id est et in ad no per pro".split()
)
#: Words that are common in modern languages' running text: filler never has many of them.
MODERN_FUNCTION_WORDS = frozenset(
    "the and of to is was that for with on are be this have from by not but were which has they he she "
    "der die das und ist nicht mit den von zu sich auf dem des eine ein als auch le la les des du une "
    "pour que qui dans sur pas avec il elle el los las del por para con una que se lo su il della che "
    "non di per gli sono uno het een van de en op dat niet voor zijn".split()
)
#: Matched on lower-cased text: the same words, without a case-insensitive alternation (three times slower).
_LATIN_QUICK_RE = re.compile(r"\b(?:" + "|".join(sorted(LATIN_FUNCTION_WORDS, key=len, reverse=True)) + r")\b")
_BEYOND_LATIN_RE = re.compile("[\u0250-\U0010ffff]")
_LATIN_ENDINGS = ("us", "um", "is", "it", "am", "em", "ae", "que", "nt", "tur", "ur", "ium", "ibus", "orum",
                  "arum", "as", "es", "os", "im", "ent", "unt", "re", "at", "et", "or", "ex", "ix", "ad")
#: Filler profile thresholds: share of Latin function words and of words with Latin endings, and a
#: ceiling on modern function words (a French or Italian sentence shares some Latin words).
FILLER_MIN_LATIN_SHARE = 0.2
FILLER_MIN_ENDING_SHARE = 0.2
FILLER_MAX_MODERN_SHARE = 0.06
#: Filler is removed only where it is a minority of the text: a page that is nothing but
#: placeholder text is that page's content, not noise around a story.
FILLER_MAX_PAGE_SHARE = 0.4
#: The filler test reads this many characters for its quick Latin-word pre-check (a paragraph's
#: opening says whether it is filler) and wants at least this many Latin function words there, and
#: this many words in all (a shorter line cannot show a word profile).
FILLER_SAMPLE_CHARS = 2000
FILLER_MIN_LATIN_WORDS = 2
FILLER_MIN_WORDS = 4
#: The text beside the filler is judged on its first this many characters (`_reads_as_modern_text`).
MODERN_SAMPLE_CHARS = 5000


def is_filler(text: str) -> bool:
    """True when ``text`` reads as lorem-ipsum family pseudo-Latin filler."""
    if len(_LATIN_QUICK_RE.findall(text[:FILLER_SAMPLE_CHARS].lower())) < FILLER_MIN_LATIN_WORDS:
        return False  # cheap pre-check: filler has several Latin function words
    words = _WORD_RE.findall(text)
    n = len(words)
    if n < FILLER_MIN_WORDS:
        return False
    words = list(map(str.lower, words))
    latin = sum(map(LATIN_FUNCTION_WORDS.__contains__, words))
    if latin / n < FILLER_MIN_LATIN_SHARE:
        return False  # (most text stops here, before the costlier counts)
    if any(ch.isalpha() for ch in _BEYOND_LATIN_RE.findall(text)):
        return False  # letters of another script than Latin
    modern = sum(map(MODERN_FUNCTION_WORDS.__contains__, words)) / n
    endings = sum(w.endswith(_LATIN_ENDINGS) for w in words) / n
    distinct = len(LATIN_FUNCTION_WORDS.intersection(words))
    return (
        distinct >= FILLER_MIN_LATIN_WORDS
        and endings >= FILLER_MIN_ENDING_SHARE
        and modern <= FILLER_MAX_MODERN_SHARE
    )


def _reads_as_modern_text(text: str) -> bool:
    """True when the text beside the filler is a story: written in a non-Latin script, or with the
    function words of a modern language. Otherwise the whole page is placeholder text (a theme
    demo, a test page) and its filler is its content, kept as it is."""
    sample = text[:MODERN_SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return False
    if sum(ord(ch) > 0x24F for ch in letters) > len(letters) / 2:
        return True
    words = [w.lower() for w in _WORD_RE.findall(sample)]
    return sum(w in MODERN_FUNCTION_WORDS for w in words) / len(words) > FILLER_MAX_MODERN_SHARE


_BACK_TO_TOP_RE = re.compile(
    r"^\W*(go|back|return|scroll|jump|skip)?\s*(to)?\s*(the)?\s*top(\s+of\s+(the\s+)?page)?\W*$|"
    r"^\W*(nach oben|zurück nach oben|retour en haut|haut de page|volver arriba|torna su|naar boven)\W*$",
    re.IGNORECASE,
)
_GLUED_TOP_RE = re.compile(r"^\W*(go|back)\s*to\s*top\W*$", re.IGNORECASE)
_SOURCE_RE = re.compile(r"^\W*(source\s*link|source|original\s+source|via|quelle|fuente|fonte)\s*:?\s*\W*$",
                        re.IGNORECASE)
_NAV_RE = re.compile(
    r"^\W*(previous|next|prev|older|newer)\s*(story|post|article|entry|page)?\W*$|"
    r"^\W*(vorheriger|nächster)\s+(artikel|beitrag)\W*$",
    re.IGNORECASE,
)
_TEASER_HEAD_RE = re.compile(
    r"^\W*(latest|related|recommended|more|popular|trending|top|most\s+read|read\s+(more|also|next)|"
    r"see\s+also|also\s+read|you\s+may\s+also\s+like|you\s+might\s+also\s+like|more\s+from|latest\s+from)"
    r"(\s+(posts?|stories|articles|news|from\s+[\w ]{1,30}|reads?|in\s+[\w ]{1,30}|on\s+[\w ]{1,30}|"
    r"headlines|videos?|blog))?\W*$|^\W*(categories|tags|share( this( article| story| post)?)?|"
    r"advertisement|anzeige|werbung|publicidad)\W*$",
    re.IGNORECASE,
)
_SHARE_RE = re.compile(
    r"^\W*(share\s+(on|via|this)|follow\s+us|subscribe\b|sign\s+up\b|newsletter\b|"
    r"(we|this (site|website)) uses? cookies|accept( all)? cookies|click here to|"
    r"tweet\s*$|email\s*$|print\s*$|whatsapp\s*$|facebook\s*$|twitter\s*$|linkedin\s*$)",
    re.IGNORECASE,
)
_SHARE_MAX_CHARS = 160  # share/subscribe call-to-action lines are short; longer ones may be prose
_CREDIT_RE = re.compile(
    r"^\W*((photo|image|picture|foto|bild|credit|photograph|source)s?\s*(credit)?\s*[:©]|©|\(c\)\s|"
    r"(photo|image|foto)\s*:\s*|"
    # "photo:" in other scripts: Cyrillic (ru/uk/bg/sr), Greek, Japanese, Korean, Chinese
    r"(фото|снимка|φωτογραφία|写真|사진|图片?|圖片?|摄影|攝影)\s*[:：©])",
    re.IGNORECASE,
)
_CREDIT_MAX_CHARS = 120  # credits are a name and an agency; longer lines are captions or prose
_READ_TIME_RE = re.compile(r"^\W*\d+\s*(mins?|minutes?)\s*(read|de lectura|lesezeit)?\W*$|^\W*today\s*:",
                           re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "januar februar märz mai juni juli oktober dezember jänner "
    "janvier février mars avril juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre"
).split()
_WEEKDAYS = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun "
    "montag dienstag mittwoch donnerstag freitag samstag sonntag "
    "lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo"
).split()
#: Words that may surround a date in a header line ("Posted on 3 May 2024 at 10:00 a.m.", "Stand: 12 Uhr").
_DATE_FILLER = (
    "posted published updated last modified on at am pm a m p m uhr um de del le the of stand "
    "veröffentlicht aktualisiert publié mis à jour publicado actualizado gmt utc cet cest est edt pst pdt bst"
).split()
_DATE_WORDS = frozenset(_MONTHS + _WEEKDAYS + _DATE_FILLER)
#: Chinese, Japanese and Korean dates write their units as characters after the numbers ("2025年1月14日
#: 01時28分", "2024년 5월 3일 10:00"): the units are read as spaces, and the labels beside such a date
#: (updated, published, morning/afternoon) are date words.
_CJK_DATE_UNITS_RE = re.compile(r"(?<=\d)[年月日時时分秒년월일시분초]")
_CJK_DATE_WORDS = frozenset("更新 公開 配信 発信 掲載 发布 發布 發佈 时间 時間 午前 午後 上午 下午 입력 수정 승인 "
                            "기사입력 최종수정 오전 오후".split())
_HAS_DATE_RE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|\b\d{4}\b|\b\d{1,2}\.?\s+[^\W\d]{3,}")
_DATELINE_MAX_CHARS = 60  # "Freitag, 28.04.2023, 19:25 Uhr" and the like; longer lines are prose


#: Labels of a date line that are left alone when its dates were elements the extraction dropped
#: ("Published · Updated"): such a line of at most `DATE_LABELS_MAX_WORDS` words is a dateline too.
_DATE_LABELS = frozenset("posted published updated modified veröffentlicht aktualisiert publié publicado "
                         "actualizado".split())
DATE_LABELS_MAX_WORDS = 3
#: A place before the date ("MADRID - 20 may 2025 - 13:05 CEST", "Berlin, 3. Mai 2024"): up to three
#: capitalised words, then a dash or comma.
_PLACE_PREFIX_RE = re.compile(r"^(?:[^\W\d_][\w.'’-]*\s+){0,2}[^\W\d_][\w.'’-]*\s*(?:[-–—,|]|\s·)\s+")


def is_dateline(line: str) -> bool:
    """True for a line that is only a date/time (with words like "Posted on", weekday, "Uhr"), perhaps
    after the place it was written in, or only the labels of dates that were dropped."""
    s = line.strip()
    if len(s) > _DATELINE_MAX_CHARS:
        return False
    if _CJK_DATE_UNITS_RE.search(s):
        s = _CJK_DATE_UNITS_RE.sub(" ", s)
        for word in _CJK_DATE_WORDS:
            s = s.replace(word, " ")
    words = [w.lower() for w in _WORD_RE.findall(s)]
    if not _HAS_DATE_RE.search(s):
        return 0 < len(words) <= DATE_LABELS_MAX_WORDS and all(w in _DATE_LABELS for w in words)
    if not words or all(w in _DATE_WORDS for w in words):
        return True
    place = _PLACE_PREFIX_RE.match(s)
    if place is None or not s[:1].isupper():
        return False
    rest = s[place.end():]
    return bool(_HAS_DATE_RE.search(rest)) and all(w.lower() in _DATE_WORDS for w in _WORD_RE.findall(rest))


_BYLINE_LINE_RE = re.compile(
    r"^(by|von|por|par|di|door|av|af|de|text|texto|written by|reported by)\s*:?\s+"
    r"([^\W\d_][\w.'’-]*(\s+|$)){1,4}((and|und|y|et|e|,)\s+([^\W\d_][\w.'’-]*(\s+|$)){1,4})*$",
    re.IGNORECASE,
)


def is_byline(line: str) -> bool:
    """True when ``line`` is a byline of its own ("By Jane Doe", "Por Ana Ruiz y Tom Hale")."""
    s = " ".join(line.split())
    return len(s) <= BYLINE_LINE_MAX_CHARS and bool(_BYLINE_LINE_RE.match(s))


_COMMENTS_RE = re.compile(
    r"^\W*(\d+\s+)?(comments?|kommentare?|commentaires?|comentarios?|commenti)\W*$|"
    r"^\W*(leave|post|add|write|show|view|join)\s+(a\s+|the\s+|our\s+)?(comments?|reply|discussion|"
    r"commenting forum)\b|^\W*kommentar (abgeben|schreiben)\b",
    re.IGNORECASE,
)
#: A line naming only where the text came from: "(Quelle: APA/dpa)", "Source: Reuters", or an
#: editor's initials in parentheses ("(dmk)"), a sign-off convention of many newsrooms.
_ATTRIBUTION_RE = re.compile(
    r"^\(?\s*(quelle|source|sources|fuente|fonte|źródło|kilde|källa|bron)\s*:\s*[^.!?]{1,60}\)?$|^\([a-z]{2,5}(/[a-z]{2,5})*\)$",
    re.IGNORECASE,
)
#: Photo agencies and picture services: a short line that ends in one of them is a picture credit.
_AGENCY_RE = re.compile(
    r"(getty\s*images?|getty|afp|reuters|ap(\s+photo)?|epa(-efe)?|dpa|shutterstock|imago(\s+images)?|"
    r"picture[\s-]alliance|istock(photo)?|keystone|ansa|xinhua|corbis|alamy|rex(\s+features)?|"
    r"pa(\s+(images|wire|media))?|anp|efe|tass|ria novosti|sipa|bloomberg|aap)",
    re.IGNORECASE,
)
_CREDIT_SPLIT_RE = re.compile(r"\s*(?:/|\||\bvia\b)\s*", re.IGNORECASE)


#: One name or agency in a credit line ("Oli Scarff", "Getty Images") is at most this long.
_CREDIT_PART_MAX_CHARS = 40


def is_agency_credit(line: str) -> bool:
    """True for a picture credit line: names and agencies separated by "/", "|" or "via"
    ("STR/AFP via Getty Images", "Oli Scarff | Getty Images", "GETTY IMAGES"), at least one part
    being a photo/news agency."""
    parts = [p.strip(" ©()") for p in _CREDIT_SPLIT_RE.split(line.strip())]
    if not parts or any(not p or len(p) > _CREDIT_PART_MAX_CHARS or any(ch in p for ch in ".!?:;,") for p in parts):
        return False
    return any(_AGENCY_RE.fullmatch(p) for p in parts)


_CREDIT_LINE_MAX_CHARS = 60  # credits are a name and an agency; longer lines are captions or prose
#: Placeholders for blocked embeds and cookie-gated content.
_EMBED_PLACEHOLDER_RE = re.compile(
    r"(externer inhalt|external content|privatsphäre-einstellungen|privacy settings|cookie settings|"
    r"enable javascript|javascript (is )?(disabled|required)|aktiviere bitte|einwilligung|"
    r"this content is (not available|blocked)|to view this content)",
    re.IGNORECASE,
)
_EMBED_MAX_CHARS = 200  # an embed's stand-in is a sentence or two; a longer block is prose that quotes one
_MORE_TEASER_RE = re.compile(
    r"^\W*(lesen sie (auch|mehr)|mehr zum thema|das könnte sie auch interessieren|auch interessant|"
    r"weitere artikel|ähnliche( artikel)?|zum artikel|lire aussi|à lire aussi|voir aussi|leer también|"
    r"lee también|te puede interesar|leggi anche|ler também|veja também|czytaj też|čtěte také|"
    # "related" as a label ("Related: ...", "Related stories"), not the adjective of a sentence ("Related to
    # each other: for example, ...")
    r"read more|related(?!\s+(?:to|by|with|in)\b)|more on this( story)?|see also|also read)\b.{0,80}$",
    re.IGNORECASE,
)
#: "READ MORE: <headline>": a marker and a colon, then another story's headline (which can be long).
_MARKED_TEASER_RE = re.compile(r"^\W*(read more|more|more on \w+|see also|also read|lesen sie auch|lire aussi|"
                               r"leer también|leggi anche|read also)\s*:\s*\S", re.IGNORECASE)
_MARKED_TEASER_MAX_CHARS = 180  # the marker and one long headline; a longer line is a paragraph of the story
#: A headline printed twice is a teaser card's link text beside its image's text; a doubled line
#: longer than a headline is left alone.
_DOUBLED_MAX_CHARS = 300
_CTA_RE = re.compile(
    r"^\W*(get (the latest|daily|our|breaking)\b.{0,60}(news|newsletter|inbox|updates)|"
    r"follow (us|\S+(\s\S+)? on)\b|folg(e|st du|en sie) (uns|schon|\S+ auf)|abonnier|"
    r"sign up (for|to)|subscribe (to|for|now)|download (our|the) app|"
    r"(suivez|síguenos|seguici|siga)\b)",
    re.IGNORECASE,
)
_READING_TIME_RE = re.compile(
    r"^\W*(lesedauer|lesezeit|reading time|read time|temps de lecture|tiempo de lectura)\s*:?\s*\d+.{0,20}$",
    re.IGNORECASE,
)


#: A doubled headline is at least this long: shorter doubled lines are words said twice ("Yes yes").
_DOUBLED_MIN_CHARS = 21


def _is_doubled(s: str) -> bool:
    """A line that is one phrase printed twice ("Headline Headline"): a teaser's link text beside
    its image text, glued by the page's markup."""
    half = len(s) // 2
    return len(s) >= _DOUBLED_MIN_CHARS and s[:half].strip() == s[half:].strip() and " " in s[:half].strip()


#: The site's own newsletter, news app, push alerts or messaging channel offered to the reader, anywhere
#: in a short line ("Check out more ... by signing up to our free weekly newsletter", "Abonniere den
#: Whatsapp-Kanal von ...", "... beim täglichen WAZ-Newsletter richtig – hier entlang"): a line needs
#: both the offer (`_PROMO_NOUN_RE`) and words asking the reader to take it up (`_PROMO_ACTION_RE`,
#: imperative or addressed forms only), as a story names newsletters, apps and their subscribers too.
_PROMO_NOUN_RE = re.compile(
    r"newsletter|news-?app\b|push[- ]?(alerts?|notifications?|nachrichten|mitteilungen|benachrichtigungen)\b|"
    r"(whatsapp|telegram)[- ]?(kanal|channel|canal|gruppe|group)\b|infolettre|boletín",
    re.IGNORECASE,
)
_PROMO_ACTION_RE = re.compile(
    r"\bsign(ing)?[- ]up (for|to)\b|\bsubscribe (to|for|now)\b|\babonnier(e|en sie)\b|\bhier (entlang|geht)\b|"
    r"\bmeld(e dich|en sie sich)\b.{0,40}\ban\b|\binscri(vez|bete)\b|\bsuscr[ií]bete\b|\biscriviti\b|"
    r"\bdownload (our|the)\b|\blade (dir )?die\b",
    re.IGNORECASE,
)
#: Such an offer is a sentence or two; a longer paragraph naming a newsletter and a sign-up is prose.
PROMO_MAX_CHARS = 240


def _is_promo(s: str) -> bool:
    """A short line offering the site's newsletter, app, alerts or channel (see `_PROMO_NOUN_RE`)."""
    return len(s) <= PROMO_MAX_CHARS and bool(_PROMO_NOUN_RE.search(s)) and bool(_PROMO_ACTION_RE.search(s))


#: A link to the site's profile on a social network ("Facebook https://fb.me/example", "Twitter:
#: twitter.com/example"): a "follow us" line when little else is on it (at most SOCIAL_LINE_MAX_REST
#: characters besides the addresses), as a story's sentence that cites a post says more around it.
_SOCIAL_URL_RE = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.|m\.)?(?:facebook\.com|fb\.me|fb\.com|twitter\.com|x\.com|instagram\.com|"
    r"youtube\.com|youtu\.be|t\.me|telegram\.me|line\.me|tiktok\.com|linkedin\.com|threads\.net|bsky\.app|"
    r"whatsapp\.com|wa\.me|vk\.com)/\S*",
    re.IGNORECASE,
)
SOCIAL_LINE_MAX_CHARS = 100
SOCIAL_LINE_MAX_REST = 30
#: Characters a reader does not see (byte-order mark, zero-width space and joiners): a line of only
#: these is empty.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _is_social_line(s: str) -> bool:
    rest = _SOCIAL_URL_RE.sub("", s)
    return len(rest) < len(s) and len(rest.strip(" :=-–|")) <= SOCIAL_LINE_MAX_REST


#: A paywall's notice where the story stops for non-subscribers ("Subscribe to continue reading", "Dieser
#: Artikel ist nur für Abonnenten", "この記事は会員限定です"): the words of such notices in the languages
#: of the sites we know, matched anywhere in a short line. Also what marks a short page a paywall stub.
PAYWALL_RE = re.compile(
    r"\b(subscribe to (continue|read)|subscribers only|for subscribers|already a subscriber|"
    r"this (article|content|story) is (only )?(available|reserved|exclusive) (to|for) (subscribers|members)|"
    r"abonnieren sie|nur für abonnenten|exklusiv für abonnenten|réservé aux abonnés|"
    r"solo para suscriptores|exclusivo para (suscriptores|assinantes)|riservato agli abbonati|"
    r"alleen voor abonnees)\b|会員限定|続きをお読みいただけます|付费阅读|订阅后阅读",
    re.IGNORECASE,
)
#: A paywall notice is a line of its own, up to this long; a longer paragraph naming a paywall is a story's.
PAYWALL_LINE_MAX_CHARS = 160


def _line_class(line: str) -> str | None:
    s = line.strip()
    if not s or not s.strip(_INVISIBLE).strip():
        return "empty"
    if len(s) <= CHROME_LINE_MAX_CHARS and (_BACK_TO_TOP_RE.match(s) or _GLUED_TOP_RE.match(s)):
        return "back-to-top"
    if len(s) <= CHROME_LINE_MAX_CHARS and _SOURCE_RE.match(s):
        return "source-link"
    if len(s) <= CHROME_LINE_MAX_CHARS and _NAV_RE.match(s):
        return "navigation"
    if len(s) <= TEASER_HEADING_MAX_CHARS and _TEASER_HEAD_RE.match(s):
        return "teaser-heading"
    if len(s) <= _SHARE_MAX_CHARS and _SHARE_RE.match(s):
        return "share"
    if len(s) <= _CREDIT_MAX_CHARS and _CREDIT_RE.match(s):
        return "photo-credit"
    if len(s) <= CHROME_LINE_MAX_CHARS and (_READ_TIME_RE.match(s) or _READING_TIME_RE.match(s)):
        return "header-chrome"
    if is_dateline(s):
        return "dateline"
    if len(s) <= BYLINE_LINE_MAX_CHARS and _BYLINE_LINE_RE.match(s):
        return "byline"
    if len(s) <= COMMENTS_LINE_MAX_CHARS and _COMMENTS_RE.match(s):
        return "comments"
    if len(s) <= ATTRIBUTION_LINE_MAX_CHARS and _ATTRIBUTION_RE.match(s):
        return "source-link"
    if len(s) <= _CREDIT_LINE_MAX_CHARS and is_agency_credit(s):
        return "photo-credit"
    if len(s) <= _EMBED_MAX_CHARS and _EMBED_PLACEHOLDER_RE.search(s):
        return "embed-placeholder"
    if (len(s) <= MORE_TEASER_MAX_CHARS and _MORE_TEASER_RE.match(s)) or (
        len(s) <= _MARKED_TEASER_MAX_CHARS and _MARKED_TEASER_RE.match(s)
    ):
        return "teaser-heading"
    if len(s) <= _DOUBLED_MAX_CHARS and _is_doubled(s):
        return "teaser-heading"
    if len(s) <= _SHARE_MAX_CHARS and _CTA_RE.match(s):
        return "share"
    if len(s) <= SOCIAL_LINE_MAX_CHARS and _is_social_line(s):
        return "share"
    if len(s) <= PAYWALL_LINE_MAX_CHARS and PAYWALL_RE.search(s):
        return "paywall"
    if _is_promo(s):
        return "subscribe"
    return None


#: A block repeating the block just before it is dropped when it is this short: a headline or teaser
#: title printed twice in a row (heading + link, image alt + caption). Measured: dropping repeats that
#: are far apart removed real content (refrains, list rows, wrapped lines) more often than noise.
REPEAT_MAX_CHARS = 200
#: A pull quote is a short paragraph whose words all reappear inside a longer body paragraph.
PULL_QUOTE_MAX_CHARS = 400
PULL_QUOTE_MIN_WORDS = 6
#: Share of the quote's word trigrams found in one longer paragraph: a pull quote is often edited
#: slightly ("persons" for "individuals"), so most, not all, of its trigrams reappear.
PULL_QUOTE_OVERLAP = 0.6
#: The paragraph holding a pull quote's words is longer than the quote by more than this: one of the
#: same length is a repeat of it (handled as a repeated paragraph), not the sentence it was taken from.
PULL_QUOTE_HOST_EXTRA_CHARS = 20
#: Short theme lines are matched only up to these lengths; a longer line that starts the same way is
#: a sentence of the story ("Back in 2019, ...", "Source: the ministry said ..."):
#: back-to-top, source and navigation links, reading-time chrome (a few words);
CHROME_LINE_MAX_CHARS = 40
#: a teaser block's heading ("Related stories", "Most read today");
TEASER_HEADING_MAX_CHARS = 60
#: a byline ("By Ann Lee and Bo Chen, Staff Writers") and an attribution ("Originally published at ...");
BYLINE_LINE_MAX_CHARS = 80
ATTRIBUTION_LINE_MAX_CHARS = 80
#: a "more on this" teaser line; a comments call ("12 comments - join the conversation").
MORE_TEASER_MAX_CHARS = 100
COMMENTS_LINE_MAX_CHARS = 120


def _word_grams(norm: str, n: int = 3) -> set[tuple[str, ...]]:
    words = norm.split()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


#: A line naming the authors is a byline at most this long (a few names and separators).
_AUTHOR_LINE_MAX_CHARS = 120


def _author_words(names: list[str] | None) -> list[str]:
    """The casefolded words of ``names`` in order, without what joins names on a byline ("and", "/", "y":
    `crawler.metadata.AUTHOR_SPLIT_RE`, the byline splitter)."""
    return _WORD_RE.findall(" ".join(AUTHOR_SPLIT_RE.sub(" ", name) for name in names or []).casefold())


def _names_only(line: str, author_words: list[str]) -> bool:
    """True when ``line`` is the authors' names and nothing else (``author_words``: `_author_words`)."""
    return len(line) <= _AUTHOR_LINE_MAX_CHARS and _author_words([line]) == author_words


#: A heading opening the story is the headline again, worded a little differently (a kicker before
#: it, a clause of the title left out), when this share of its characters is words of one of the
#: page's titles: Mozilla Readability's test (``textSimilarity`` > 0.75) for the heading it drops.
TITLE_HEADING_SIMILARITY = 0.75


def _reads_as_title(heading: str, titles: set[str]) -> bool:
    """Whether most of ``heading``'s words (by characters) are words of one of ``titles`` (`_norm`ed)."""
    words = _norm(heading).split()
    if not words:
        return False
    whole = len(" ".join(words))
    for title in titles:
        known = set(title.split())
        own = [w for w in words if w not in known]
        if 1 - len(" ".join(own)) / whole > TITLE_HEADING_SIMILARITY:
            return True
    return False


#: A kicker (the label printed above a headline: a section, "Exclusive", "Analysis") has at most this
#: many words; it is removed only when the headline follows it at the top of the body.
KICKER_MAX_WORDS = 3


def _is_kicker(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= KICKER_MAX_WORDS and not re.search(r"[.!?:;,]\s*$|\d", line)


#: Datelines and bylines are header/footer chrome only within this many blocks of either end.
EDGE_BLOCKS = 3
_EDGE_ONLY = frozenset({"dateline", "byline"})


#: The lines after a paywall notice where the story stops (what the subscription offers, how to sign
#: up: "Unlimited access to all articles", "Already a subscriber? Log in") go with it: at most this many
#: lines, each no longer than a notice (`PAYWALL_LINE_MAX_CHARS`), and less text than the story before.
PAYWALL_BOX_MAX_LINES = 8


def _paywall_box(blocks: list[str], at: int) -> bool:
    """Whether ``blocks[at:]``, after a paywall notice, are the rest of its box: few short lines after
    the story's text, not more story (see `PAYWALL_BOX_MAX_LINES`)."""
    rest = blocks[at:]
    return (0 < len(rest) <= PAYWALL_BOX_MAX_LINES and all(len(b) <= PAYWALL_LINE_MAX_CHARS for b in rest)
            and sum(map(len, rest)) < sum(map(len, blocks[:at])))


def filter_paragraphs(
    paragraphs: list[tuple[str, str]] | list[str],
    *,
    title: str | list[str] | None = None,
    authors: list[str] | None = None,
    removed: Counter[str] | None = None,
) -> list[str]:
    """Drop noise lines from extracted paragraphs (kept in order); count removals in ``removed``.

    ``paragraphs`` are strings or ``(kind, text)`` pairs, where kind ``quote`` marks a block quote:
    only those are candidates for pull quotes repeating a body sentence.
    """
    return [p for _index, p in filter_blocks(paragraphs, title=title, authors=authors, removed=removed)]


def filter_blocks(
    paragraphs: list[tuple[str, str]] | list[str],
    *,
    title: str | list[str] | None = None,
    authors: list[str] | None = None,
    removed: Counter[str] | None = None,
) -> list[tuple[int, str]]:
    """`filter_paragraphs`, saying which blocks are kept: ``(index, text)`` of each kept block, its
    index in ``paragraphs`` (so the caller keeps what it knows of the block: kind, enclosing list).
    ``authors``: the article's authors, whose names alone on a line at the top are its byline."""
    counts: Counter[str] = removed if removed is not None else Counter()
    byline = _author_words(authors)
    out: list[str] = []
    kinds: list[str] = []
    where: list[int] = []  # index in ``paragraphs`` of each block of ``out``
    last = len(paragraphs) - 1
    paywall_at: int | None = None  # where the first paywall notice stood among the blocks kept
    for index, item in enumerate(paragraphs):
        kind, p = item if isinstance(item, tuple) else ("p", item)
        cls = _line_class(p)
        if cls is None and byline and index < EDGE_BLOCKS and _names_only(p, byline):
            cls = "byline"  # the authors' names alone, without "By" ("Jane Doe/John Roe")
        if cls in _EDGE_ONLY and EDGE_BLOCKS <= index <= last - EDGE_BLOCKS:
            cls = None  # a date or "By ..." line inside the story is the story's (a timeline, a quote)
        if cls:
            if cls != "empty":
                counts[cls] += 1
            if cls == "paywall" and paywall_at is None:
                paywall_at = len(out)
            continue
        out.append(p.strip())
        kinds.append(kind)
        where.append(index)
    if paywall_at is not None and _paywall_box(out, paywall_at):
        counts["paywall"] += len(out) - paywall_at
        del out[paywall_at:], kinds[paywall_at:], where[paywall_at:]

    # the title printed again at the top of the body
    titles = {_norm(t) for t in ([title] if isinstance(title, str) else title or []) if t and _norm(t)}
    if titles:
        if len(out) > 1 and _is_kicker(out[0]) and (
                _norm(out[1]) in titles or (kinds[1] == "head" and _reads_as_title(out[1], titles))):
            out.pop(0)  # the kicker above the headline ("Verkehr", "Exclusive"): header chrome with it
            kinds.pop(0)
            where.pop(0)
            counts["kicker"] += 1
        while out and (_norm(out[0]) in titles or (kinds[0] == "head" and _reads_as_title(out[0], titles))):
            out.pop(0)
            kinds.pop(0)
            where.pop(0)
            counts["title-repeat"] += 1

    # repeated paragraphs (keep the first) and pull quotes repeating a body sentence
    keep: list[int] = []  # positions in ``out`` kept by each step
    previous = ""
    for i, p in enumerate(out):
        key = _norm(p)
        if key and key == previous and len(p) <= REPEAT_MAX_CHARS:
            counts["repeated-paragraph"] += 1
            continue
        previous = key
        keep.append(i)
    out, kinds, where = [out[i] for i in keep], [kinds[i] for i in keep], [where[i] for i in keep]
    grams = [_word_grams(_norm(p)) for p in out]
    keep = []
    for i, p in enumerate(out):
        g = grams[i]
        if kinds[i] == "quote" and len(p) <= PULL_QUOTE_MAX_CHARS and len(g) >= PULL_QUOTE_MIN_WORDS - 2 and any(
            j != i and len(out[j]) > len(p) + PULL_QUOTE_HOST_EXTRA_CHARS and len(g & grams[j]) >= PULL_QUOTE_OVERLAP * len(g)
            for j in range(len(out))
        ):
            counts["pull-quote"] += 1
            continue
        keep.append(i)
    out, where = [out[i] for i in keep], [where[i] for i in keep]

    # lorem-ipsum family filler, only as a minority of the text
    flags = [is_filler(p) for p in out]
    filler_chars = sum(len(p) for p, f in zip(out, flags, strict=True) if f)
    total = sum(len(p) for p in out)
    if (
        filler_chars
        and total
        and filler_chars / total <= FILLER_MAX_PAGE_SHARE
        and _reads_as_modern_text(" ".join(p for p, f in zip(out, flags, strict=True) if not f))
    ):
        counts["filler"] += sum(flags)
        where = [w for w, f in zip(where, flags, strict=True) if not f]
        out = [p for p, f in zip(out, flags, strict=True) if not f]
    return list(zip(where, out, strict=True))
