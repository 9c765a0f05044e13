"""Client-rendered pages: the story recovered from HTML embedded in inline script data."""

from __future__ import annotations

import json

import pytest

from crawler import embedded
from crawler.embedded import candidates, decode_literal, story_fragment
from crawler.extraction import Article, Rejection, _parse, extract

PARAGRAPHS = [
    "The river authority opened the new flood barrier on Thursday, three years after the storm that "
    "left the lower town under a metre of water for most of a week.",
    "Engineers said the barrier can be raised in under ten minutes and will protect about two thousand "
    "homes and the old market square from a surge of the size seen in the last storm.",
    "Residents who lost shops and cars in the flood said they were relieved, though several asked why "
    "the work had taken so long and whether the upstream villages would be protected too.",
    "The authority said a second phase, covering the villages, would be put out to tender next spring.",
]
STORY_HTML = (
    "<figure class='pic'><img src='/img/barrier.jpg'><figcaption><p>The barrier, raised.</p></figcaption></figure>"
    + "".join(f'<p class="body-p">{p}</p>' for p in PARAGRAPHS)
)
HEAD = (
    "<meta charset='utf-8'><title>Flood barrier opens in the lower town | The Valley Courier</title>"
    "<meta property='og:type' content='article'>"
    "<meta property='og:title' content='Flood barrier opens in the lower town'>"
    "<meta name='author' content='Ada Fenwick'>"
    "<meta property='article:published_time' content='2026-02-03T09:30:00+01:00'>"
)
SHELL = "<div id='root'><header><a href='/'>The Valley Courier</a></header><div class='loading'>Loading</div></div>"


def js_string(text: str) -> str:
    """A JavaScript string literal of ``text``, escaped the way Next.js inlines its payload."""
    return json.dumps(text, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def flight_pushes(stream: str, cuts: list[int]) -> str:
    """``stream`` as ``self.__next_f.push`` scripts, cut at ``cuts`` (character offsets)."""
    bounds = [0, *cuts, len(stream)]
    parts = [stream[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    scripts = "<script>(self.__next_f=self.__next_f||[]).push([0])</script>"
    return scripts + "".join(f"<script>self.__next_f.push([1,{js_string(p)}])</script>" for p in parts)


def next_page(story: str = STORY_HTML, *, head: str = HEAD, state_copy: bool = True) -> str:
    size = len(story.encode("utf-8"))
    stream = (
        '1:"$Sreact.fragment"\n3:I[1234,[],"ArticleBody"]\n'
        f"1f:T{size:x},{story}"
        '4:["$","div",null,{"className":"article","children":"$1f"}]\n'
    )
    start = stream.index("<p")
    pushes = flight_pushes(stream, [start + 40, start + 300, start + 301])  # splits inside the fragment
    state = ""
    if state_copy:  # a client cache holding the same article: the payload appears twice on the page
        data = {"queries": [{"state": {"data": {"id": "a1", "content": story}}}]}
        state = f"<script>window['__STATE__'] = window['__STATE__'] || [];window['__STATE__'].push({json.dumps(data)});</script>"
    return f"<!DOCTYPE html><html lang='en'><head>{HEAD if head is HEAD else head}</head><body>{SHELL}{state}{pushes}</body></html>"


def test_decode_literal() -> None:
    assert decode_literal(r'"a\u003cp\u003e\"b\\"') == 'a<p>"b\\'
    assert decode_literal(r"'it\'s \x3cp>'") == "it's <p>"
    assert decode_literal(r'"\ud83d\ude00 \ud800"') == "\U0001f600 \ufffd"  # a lone surrogate is replaced
    for bad in ['"unterminated', r'"\u12"', r'"\x4"', "'", "", "x", '"a"b"', r'"trailing\"']:
        assert decode_literal(bad) is None


def test_next_flight_article_recovered() -> None:
    result = extract(next_page(), "https://courier.example/news/flood-barrier")
    assert isinstance(result, Article), result
    assert result.text.split("\n\n")[-len(PARAGRAPHS):] == PARAGRAPHS
    assert result.text.count(PARAGRAPHS[0]) == 1
    assert result.title == "Flood barrier opens in the lower town"
    assert result.authors == ["Ada Fenwick"]
    assert result.date_published and result.date_published.startswith("2026-02-03")
    assert result.signals["path"].startswith("embedded-html+")
    assert result.signals["embedded_html"]["copies"] == 2


def test_flight_stream_alone_split_across_pushes() -> None:
    tree = _parse(next_page(state_copy=False))
    assert tree is not None
    found = story_fragment(tree, 250)
    assert found is not None and found.source == "next-flight-text"
    assert found.html == STORY_HTML


def test_next_data_json_article_recovered() -> None:
    data = {"props": {"pageProps": {"article": {"title": "Flood barrier", "bodyHtml": STORY_HTML,
                                                "related": [{"teaser": "<p>Other story.</p>"}]}}}}
    body = f"{SHELL}<script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}</script>"
    html = f"<html lang='en'><head>{HEAD}</head><body>{body}</body></html>"
    result = extract(html, "https://courier.example/news/flood-barrier")
    assert isinstance(result, Article), result
    assert PARAGRAPHS[-1] in result.text
    assert result.signals["embedded_html"]["source"] == "script-string"


def test_listing_page_with_embedded_data_still_rejected() -> None:
    head = "<meta charset='utf-8'><title>The Valley Courier</title><meta property='og:type' content='website'>"
    teasers = [
        {"href": f"/news/story-{i}", "title": f"Headline number {i} about the valley",
         "summary": f"<p>Short summary of story {i}.</p>"}
        for i in range(30)
    ]
    links = "".join(f'<p><a href="/news/story-{i}">Headline number {i} about the valley council</a></p>' for i in range(30))
    nav = "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(12))
    data = {"props": {"pageProps": {"teasers": teasers, "promoHtml": links}}}
    body = f"<nav><ul>{nav}</ul></nav><script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}</script>"
    html = f"<html lang='en'><head>{head}</head><body>{body}</body></html>"
    result = extract(html, "https://courier.example/")
    assert isinstance(result, Rejection), result
    assert result.reason in ("too short", "not an article")


def test_short_embedded_fragment_is_no_story() -> None:
    story = "<p>Brief: the ferry is late.</p><p>More soon.</p>"
    result = extract(next_page(story), "https://courier.example/news/brief")
    assert isinstance(result, Rejection) and result.reason == "too short"


def test_dom_article_unchanged_by_script_data() -> None:
    other = "".join(f"<p>Unrelated paragraph {i} of embedded text that is not the story shown.</p>" for i in range(20))
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = next_page(other).replace(SHELL, f"<article><h1>Flood barrier opens</h1>{story}</article>")
    result = extract(html, "https://courier.example/news/flood-barrier")
    assert isinstance(result, Article), result
    assert not result.signals["path"].startswith("embedded-html")
    assert "Unrelated paragraph" not in result.text


@pytest.mark.parametrize(
    "script",
    [
        'self.__next_f.push([1,"unterminated \\u003cp\\u003e',
        'self.__next_f.push([1,"bad escape \\u12 \\u003cp\\u003ex\\u003c/p\\u003e"])',
        'self.__next_f.push([1,"1:Tffffff,\\u003cp\\u003ea\\u003c/p\\u003e\\u003cp\\u003eb"])',
        'self.__next_f.push([1,"\\ud800\\u003cp\\u003e\\udfff"])',
        "var s = '\\x3cp>broken \\x4'; var t = \"\\u003cp>\\\"\";",
        'window.x = "' + "\\\\" * 5000 + '<p>";',
        '"' + "\\u003cp\\u003e" * 2000,
    ],
)
def test_malformed_script_strings_do_not_raise(script: str) -> None:
    html = f"<html><head>{HEAD}</head><body>{SHELL}<script>{script}</script></body></html>"
    tree = _parse(html)
    assert tree is not None
    candidates(tree)
    result = extract(html, "https://courier.example/news/x")
    assert isinstance(result, Rejection) and result.reason == "too short"


def test_scanned_script_text_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    padding = "<script>var pad = 1;" + " " * 5000 + "</script>"
    html = next_page().replace("<body>", "<body>" + padding, 1)
    monkeypatch.setattr(embedded, "MAX_SCRIPT_CHARS", 4000)
    result = extract(html, "https://courier.example/news/flood-barrier")
    assert isinstance(result, Rejection) and result.reason == "too short"


def test_json_document_stored_as_a_string() -> None:
    inner = json.dumps({"article": {"html": STORY_HTML, "id": 7}})
    script = f"window.__APP__ = {{\"cache\": {json.dumps(inner)}}};"
    html = f"<html lang='en'><head>{HEAD}</head><body>{SHELL}<script>{script}</script></body></html>"
    tree = _parse(html)
    assert tree is not None
    found = story_fragment(tree, 250)
    assert found is not None and found.html == STORY_HTML
