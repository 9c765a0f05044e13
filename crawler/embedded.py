"""HTML fragments embedded in a page's inline script data: the story of a client-rendered page.

Some sites render the article in the browser: the paragraphs are not in the DOM the server sends, only
inside inline ``<script>`` data, as HTML escaped in JavaScript/JSON string literals: the React Server
Components stream of Next.js's app router (``self.__next_f.push([1,"..."])`` chunks), ``__NEXT_DATA__``
and other ``application/json`` scripts, state objects assigned to ``window`` (``window.X = {...}``).
`story_fragment` finds those fragments and picks the one most plausibly the story.

Pure functions on text, no evaluation of any script: string literals are decoded with a small
JavaScript-to-JSON escape translation and `json.loads`; anything that does not decode is skipped.
The work is bounded (`MAX_SCRIPT_CHARS`, `MAX_DEPTH`); callers use it only on pages the DOM extraction
found no story in (see `crawler.extraction`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from lxml.html import HtmlElement

#: Inline script text scanned per page, at most (characters, summed over the page's scripts, in page
#: order). A news page's inline data is well under 1 MB; the cap bounds the fallback's cost on
#: pages that inline megabytes of application code.
MAX_SCRIPT_CHARS = 4_000_000
#: Levels of string-in-string escaping followed: a Next.js stream chunk (1) holding a JSON row whose
#: string value is HTML (2); a JSON document stored as a string inside another one adds a level (3).
MAX_DEPTH = 3
#: A fragment is a story candidate only with at least this many paragraphs (``<p>`` elements with
#: text): a single paragraph in page data is a teaser, a description or a caption field.
MIN_PARAGRAPHS = 2

#: Script ``type`` values whose content is script or data (an absent type is JavaScript). Other types
#: (templates, ``text/plain``) hold no string literals of page data.
_DATA_TYPE_RE = re.compile(r"^\s*$|javascript|ecmascript|module|json", re.IGNORECASE)
#: One chunk of Next.js's app-router payload stream: ``self.__next_f.push([1, "<text>"])``. The
#: stream is cut in arbitrary places (a row, a string, an HTML fragment may span chunks), so chunks
#: are decoded and joined in page order before anything is looked for in them.
_NEXT_CHUNK_RE = re.compile(r"""self\.__next_f\.push\(\[\s*1\s*,\s*("[^"\\]*(?:\\.[^"\\]*)*")\s*\]\)""", re.DOTALL)
#: A text row of that stream: ``<id>:T<hex byte length>,`` then the text itself, unquoted (the way
#: React Server Components send long strings, HTML bodies included).
_FLIGHT_TEXT_ROW_RE = re.compile(r"(?:^|\n)[0-9a-fA-F]+:T([0-9a-fA-F]+),")
#: JavaScript string literals, double- or single-quoted (no raw line break inside, as in JavaScript).
#: (Written as "unrolled loops", several times faster than an alternation per character.)
_STRING_RE = re.compile(r""""[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'""", re.DOTALL)
#: A literal worth decoding: it holds a paragraph tag, literal or escaped (``<p``, ``\u003cp``,
#: ``\x3cp``, at any escaping depth).
_P_HINT_RE = re.compile(r"(?:<|\\+u003c|\\+x3c)p[\s>/\\]", re.IGNORECASE)
#: ... and a decoded string worth scanning one level deeper: it still holds escaped markup.
_ESCAPED_HINT_RE = re.compile(r"\\+(?:u003c|x3c)p", re.IGNORECASE)
#: Escapes of a JavaScript string body, and the quote JSON needs escaped, for `_js_to_json`.
_JS_ESCAPE_RE = re.compile(r"\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|\r\n|.)|\"", re.DOTALL)
_JSON_ESCAPES = frozenset('"\\/bfnrtu')
#: Paragraph start and end tags (an unclosed ``<p>`` ends at the next one, as in HTML).
_P_TAG_RE = re.compile(r"<(/?)p\b[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Fragment:
    """An HTML fragment found in script data: its markup, where it came from, its paragraph text size,
    and how many copies of it the page holds."""

    html: str
    source: str
    paragraph_chars: int
    paragraphs: int
    copies: int = 1


def _escape(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc is None:  # an unescaped double quote (in a single-quoted literal)
        return '\\"'
    if esc[0] == "x":
        return "\\u00" + esc[1:]
    if esc.startswith("u{"):
        return json.dumps(chr(min(int(esc[2:-1], 16), 0x10FFFF)))[1:-1]
    if esc[0] == "u" or esc in _JSON_ESCAPES:
        return "\\" + esc
    if esc in ("\n", "\r", "\r\n", "\u2028", "\u2029"):  # a line continuation
        return ""
    if esc == "v":
        return "\\u000b"
    if esc == "0":
        return "\\u0000"
    return json.dumps(esc)[1:-1]  # any other escaped character is itself


def _js_to_json(body: str) -> str:
    """The body of a JavaScript string literal (quotes removed) as the body of a JSON string."""
    return _JS_ESCAPE_RE.sub(_escape, body)


def decode_literal(literal: str) -> str | None:
    """The value of one JavaScript string literal (with its quotes), or ``None`` when it is malformed.
    No evaluation: escapes are translated to JSON's and the result is parsed by `json.loads`. Lone
    surrogates (half of an escaped pair) become U+FFFD, so the value always encodes to UTF-8."""
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "\"'":
        return None
    body = literal[1:-1]
    if literal[0] == "'" or "\\x" in body or "\\u{" in body or "\\'" in body or "\\v" in body or "\\0" in body:
        body = _js_to_json(body)
    try:
        value = json.loads('"' + body + '"', strict=False)
    except ValueError:
        return None
    if not isinstance(value, str):
        return None
    return _LONE_SURROGATE_RE.sub("\ufffd", value)


def paragraph_stats(html: str) -> tuple[int, int]:
    """(characters of paragraph text, number of non-empty paragraphs) of an HTML fragment: the
    measure of how much story prose it holds."""
    chars = count = 0
    opened = -1  # end of the last ``<p>`` tag not yet closed (one pass: no search per tag)
    for m in _P_TAG_RE.finditer(html):
        if opened >= 0:  # a paragraph ends at its end tag, or at the next paragraph's start
            text = " ".join(_TAG_RE.sub(" ", html[opened : m.start()]).split())
            if text:
                chars += len(text)
                count += 1
        opened = -1 if m.group(1) else m.end()
    return chars, count


def _flight_text_rows(stream: str) -> tuple[list[str], str]:
    """The text rows of a React Server Components stream, and the rest of the stream (rows of JSON)
    with them cut out. A row's length is in UTF-8 bytes; a row whose length runs past the stream's
    end (a truncated page) is kept to the end."""
    rows: list[str] = []
    rest: list[str] = []
    pos = 0
    for m in _FLIGHT_TEXT_ROW_RE.finditer(stream):
        if m.start() < pos:
            continue  # inside the previous text row
        size = int(m.group(1), 16)
        data = stream[m.end() : m.end() + size]  # at most `size` characters, each at least one byte
        encoded = data.encode("utf-8", "surrogatepass")
        text = encoded[:size].decode("utf-8", "ignore")
        rows.append(text)
        rest.append(stream[pos : m.start()])
        pos = m.end() + len(text)
    rest.append(stream[pos:])
    return rows, "\n".join(rest)


def _strings(text: str, depth: int, budget: list[int]) -> Iterator[str]:
    """Decoded string literals of ``text`` that hold paragraph markup, following escaped markup down
    to `MAX_DEPTH` levels; ``budget`` (characters left to decode) bounds the work."""
    for m in _STRING_RE.finditer(text):
        literal = m.group(0)
        if budget[0] <= 0:
            return
        if not _P_HINT_RE.search(literal):
            continue
        budget[0] -= len(literal)
        value = decode_literal(literal)
        if value is None:
            continue
        # a value holding escaped markup, or a JSON document stored as a string, holds the fragments
        # in its own literals: it is looked into, not taken as one
        if _ESCAPED_HINT_RE.search(value) or value.lstrip()[:1] in ("{", "["):
            if depth < MAX_DEPTH:
                yield from _strings(value, depth + 1, budget)
        elif "<" in value:
            yield value


def _script_texts(tree: HtmlElement) -> Iterator[str]:
    """Text of the page's inline data scripts, in page order, `MAX_SCRIPT_CHARS` in all at most."""
    left = MAX_SCRIPT_CHARS
    for script in tree.iter("script"):
        if left <= 0:
            return
        if script.get("src") or not _DATA_TYPE_RE.search(script.get("type") or ""):
            continue
        text = script.text or ""
        if text.strip():
            text = text[:left]
            left -= len(text)
            yield text


def candidates(tree: HtmlElement) -> list[Fragment]:
    """HTML fragments of the page's inline script data that hold paragraphs, one per distinct
    fragment (copies counted, the first kept): the scripts' string literals in page order, then the
    Next.js stream's text rows and string literals."""
    found: list[tuple[str, str]] = []
    budget = [MAX_SCRIPT_CHARS]
    chunks: list[str] = []
    for text in _script_texts(tree):
        outside: list[str] = []  # the script's text around its stream chunks
        pos = 0
        for m in _NEXT_CHUNK_RE.finditer(text):
            value = decode_literal(m.group(1))
            if value is not None:
                chunks.append(value)
            outside.append(text[pos : m.start()])
            pos = m.end()
        if pos:
            text = "".join(outside) + text[pos:]
        found.extend(("script-string", s) for s in _strings(text, 1, budget))
    if chunks:
        rows, rest = _flight_text_rows("".join(chunks))
        found.extend(("next-flight-text", r) for r in rows if "<" in r)
        found.extend(("next-flight-string", s) for s in _strings(rest, 2, budget))
    return _dedupe(found)


def _dedupe(found: Iterable[tuple[str, str]]) -> list[Fragment]:
    """One `Fragment` per distinct paragraph text (a page often carries its data twice: in the
    server-rendered stream and in a client cache's state), with fewer than `MIN_PARAGRAPHS`
    paragraphs left out."""
    by_text: dict[str, Fragment] = {}
    for source, html in found:
        chars, count = paragraph_stats(html)
        if count < MIN_PARAGRAPHS:
            continue
        key = " ".join(_TAG_RE.sub(" ", html).split())
        seen = by_text.get(key)
        if seen is None:
            by_text[key] = Fragment(html, source, chars, count)
        else:
            by_text[key] = replace(seen, copies=seen.copies + 1)
    return list(by_text.values())


def story_fragment(tree: HtmlElement, min_chars: int) -> Fragment | None:
    """The fragment of the page's script data most plausibly its story: the one with the most
    paragraph text, when that is at least ``min_chars`` characters; else ``None``."""
    best = max(candidates(tree), key=lambda f: f.paragraph_chars, default=None)
    if best is None or best.paragraph_chars < min_chars:
        return None
    return best
