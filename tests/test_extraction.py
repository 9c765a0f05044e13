"""Extraction: golden pages, rejections, text assembly, the record, and "never raises"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extraction import (
    LISTING_MAX_TEXT_CHARS,
    MIN_TEXT_CHARS,
    Article,
    Rejection,
    content_hash,
    extract,
    to_item,
)
from crawler.items import ARTICLE_FIELDS

PAGES = Path(__file__).parent / "pages"
GOLDEN = sorted(p.stem for p in PAGES.glob("*.html"))
REPO = Path(__file__).resolve().parent.parent

STORY = (
    "<p>The harbour authority approved the new ferry pier on Tuesday after a two-year planning process "
    "that drew more than four hundred public comments from residents and businesses.</p>"
    "<p>Construction is expected to start in the spring and to last eighteen months, during which the "
    "existing pier will remain open with a reduced timetable for commuters.</p>"
    "<p>Local shop owners welcomed the decision, saying that more frequent crossings would bring visitors "
    "back to the old town after several difficult seasons.</p>"
)


def page(body: str, head: str = "") -> str:
    return f"<html lang='en'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_page(name: str) -> None:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    result = extract((PAGES / f"{name}.html").read_bytes(), expected["url"])
    if "rejection" in expected:
        assert isinstance(result, Rejection), result
        assert result.reason == expected["rejection"]
        return
    assert isinstance(result, Article), result
    for key, value in expected.items():
        assert getattr(result, key) == value, key


def test_golden_pages_exist_in_several_themes() -> None:
    assert len(GOLDEN) >= 4


def test_seed_page_holds_the_story_and_nothing_else() -> None:
    url = "https://islanddailywire.example/2026/02/02/cuba-changes-tone/"
    article = extract((PAGES / "wp_news_cuba.html").read_bytes(), url)
    assert isinstance(article, Article)
    text = article.text
    assert article.title == "Cuba changes tone towards the United States and reaffirms “its commitment to cooperate”"
    assert article.date_published and article.date_published.startswith("2026-02-02")
    assert text.startswith("In a very different tone than exhibited by Miguel Díaz-Canel Last Friday")
    assert text.endswith("after the capture of Nicolás Maduro, with Delcy Rodríguez.")
    subheading = "According to independent journalist Carlos Cabrera, Cuba and the United States are negotiating in Mexico"
    assert text.count(subheading) == 1
    for noise in (
        "Today: February 2, 2026", "3 mins read", "Source link", "Latest Posts", "Buenos Aires Coffee Day",
        "Cum at clita latine", "Previous Story", "Next Story", "Salary increase at UNAM", "Latest from Blog",
        "world day of solidarity", "Go to", "Categories", "beforeTrump", "CabreraCuba",
    ):
        assert noise not in text, noise
    assert article.title not in text  # the title printed twice above the story is gone
    # the pull quote stands alone no more; its sentence stays once, inside its paragraph
    assert text.count("subsequently designated as terrorists occurred only in limited humanitarian") == 1
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert article.signals["noise_removed"].get("pull-quote") == 1


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"", "empty page"),
        ("   \n ", "empty page"),
        (b"%PDF-1.7 binary", "not html"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not html"),
    ],
)
def test_rejections_of_non_pages(html: bytes | str, reason: str) -> None:
    result = extract(html, "https://example.test/x")
    assert isinstance(result, Rejection)
    assert result.reason == reason
    assert result.url == "https://example.test/x"


def test_too_short_fragment_of_a_big_page() -> None:
    nav = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(80))
    html = page(f"<ul>{nav}</ul><article><p>Short teaser only.</p></article>")
    result = extract(html, "https://example.test/a")
    assert isinstance(result, Rejection)
    assert result.reason in ("too short", "not an article")


def test_paywall_stub() -> None:
    filler = "".join(f"<li><a href='/s{i}'>Another section of this website {i}</a></li>" for i in range(60))
    body = (
        f"<nav><ul>{filler}</ul></nav><article><h1>Council budget row deepens</h1>"
        "<p>The council's budget row deepened on Monday.</p>"
        "<p>This article is only available to subscribers. Already a subscriber? Log in.</p></article>"
    )
    result = extract(page(body, "<meta property='og:type' content='article'>"), "https://example.test/p")
    assert isinstance(result, Rejection)
    assert result.reason == "paywall stub"


@pytest.mark.parametrize(
    ("jsonld", "paywalled"),
    [
        ({"@type": "NewsArticle", "headline": "Ferry pier approved", "isAccessibleForFree": "False"}, True),
        ({"@type": "NewsArticle", "headline": "Ferry pier approved", "isAccessibleForFree": False,
          "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paid"}}, True),
        ({"@type": "NewsArticle", "headline": "Ferry pier approved",
          "hasPart": [{"@type": "WebPageElement", "isAccessibleForFree": False}]}, True),
        ({"@type": "NewsArticle", "headline": "Ferry pier approved", "isAccessibleForFree": True}, False),
        ({"@type": "NewsArticle", "headline": "Ferry pier approved"}, False),
    ],
)
def test_story_the_page_declares_not_free_is_kept_and_flagged(jsonld: dict[str, object], paywalled: bool) -> None:
    head = f"<script type='application/ld+json'>{json.dumps(jsonld)}</script>"
    result = extract(page(f"<article><h1>Ferry pier approved</h1>{STORY}</article>", head), "https://example.test/f")
    assert isinstance(result, Article), result
    assert result.signals["paywalled"] is paywalled
    assert "four hundred public comments" in result.text


def _card(i: int) -> str:
    return (f"<article class='card'><a href='/politics/2025/10/0{i}/story-{i}/'><h3>Headline number {i} of the"
            f" section front</h3></a><p>Summary {i}: negotiators from both parties met late into the night but"
            f" remained divided over a stopgap bill that would keep the government funded, number {i}.</p>"
            f"<p>By Reporter {i} · 2 hours ago</p></article>")


def test_a_section_front_of_story_cards_is_not_an_article() -> None:
    """Each card's heading links to its story; what the extractor keeps is one card's summary."""
    head = "<title>Politics | The Courier</title><script type='application/ld+json'>{\"@type\": \"WebSite\"}</script>"
    html = page("<main><h1>Politics</h1>" + "".join(_card(i) for i in range(1, 7)) + "</main>", head)
    result = extract(html, "https://courier.example/politics/")
    assert isinstance(result, Rejection) and result.reason == "not an article"
    assert "story card" in result.detail


def test_a_story_followed_by_related_story_cards_is_an_article() -> None:
    """Cards below the story (related stories) do not make it a listing: its text is in none of them; nor
    does the story's own <article> whose headline links to the page itself."""
    url = "https://courier.example/politics/2025/10/09/ferry-pier/"
    story = f"<article><h1><a href='{url}'>Ferry pier approved</a></h1>{STORY}</article>"
    html = page(story + "<section class='related'>" + "".join(_card(i) for i in range(1, 5)) + "</section>")
    result = extract(html, url)
    assert isinstance(result, Article), result
    assert "four hundred public comments" in result.text


def test_a_story_whose_article_holds_section_and_related_links_is_an_article() -> None:
    """The story's own <article> is no card though headings in it link elsewhere: a kicker linking to the
    section above its <h1>, related stories inside it, an author box."""
    url = "https://courier.example/politics/2025/10/09/ferry-pier/"
    story = ("<article class='story'><h2><a href='/politics/'>Politics</a></h2><h1>Ferry pier approved</h1>"
             f"{STORY}<aside>{''.join(_card(i) for i in range(1, 4))}</aside>"
             "<h3><a href='/author/jane-doe/'>Jane Doe</a></h3></article>")
    result = extract(page(story), url)
    assert isinstance(result, Article), result
    assert "four hundred public comments" in result.text


def test_listing_page_is_not_an_article() -> None:
    teasers = "".join(
        f"<div class='teaser'><h2><a href='/story-{i}'>Headline number {i} about the city council</a></h2></div>"
        for i in range(30)
    )
    head = "<meta property='og:type' content='website'>"
    result = extract(page(teasers, head), "https://example.test/")
    assert isinstance(result, Rejection)
    assert result.reason == "not an article"


def test_real_article_with_website_og_type_is_kept() -> None:
    head = "<meta property='og:type' content='website'><title>Ferry pier approved</title>"
    result = extract(page(f"<article><h1>Ferry pier approved</h1>{STORY}</article>", head), "https://example.test/f")
    assert isinstance(result, Article)
    assert "four hundred public comments" in result.text


def test_text_assembly_keeps_order_and_never_glues_words() -> None:
    body = (
        "<article><h1>Ferry pier approved</h1>"
        "<p>The vote came late<br>Councillors then went home after a long session.</p>"
        f"{STORY}"
        "<ul><li>First point of the plan</li><li>Second point of the plan</li></ul></article>"
    )
    result = extract(page(body), "https://example.test/f")
    assert isinstance(result, Article)
    assert "lateCouncillors" not in result.text
    blocks = result.text.split("\n\n")
    assert blocks.index("First point of the plan") < blocks.index("Second point of the plan")
    assert result.text.index("four hundred") < result.text.index("eighteen months") < result.text.index("shop owners")


#: trafilatura tries its story frames in turn and keeps the one element a too-small first frame gave
#: (here a ``post-content`` div around a single element) ahead of the next, wider frame's text.
ONE_ELEMENT_FRAME = '<div class="post-content">{}</div>'


def test_an_element_from_a_too_small_frame_goes_back_to_its_place_in_the_story() -> None:
    checklist = "<ul><li>Planning permission from the county</li><li>A ferry operator</li><li>Funding</li></ul>"
    first, *others = STORY.split("</p>")
    body = f"<article><h1>Ferry pier approved</h1>{first}</p>{ONE_ELEMENT_FRAME.format(checklist)}{'</p>'.join(others)}</article>"
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    assert blocks.index("Planning permission from the county") < blocks.index("Funding")
    assert result.text.index("four hundred") < result.text.index("Planning permission") < result.text.index("eighteen months")
    assert "Ferry pier approved" not in blocks  # the headline, now not hidden behind the list, is a title repeat


def test_an_element_from_a_too_small_frame_after_the_story_is_left_out() -> None:
    bio = "<p>Jane Doe covers the harbour and transport for the Gazette and has written about the town since 2009.</p>"
    body = f"<article><h1>Ferry pier approved</h1>{STORY}</article><div class='author-card'>{ONE_ELEMENT_FRAME.format(bio)}</div>"
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article)
    assert "Jane Doe" not in result.text
    assert result.text.startswith("The harbour authority approved")
    assert result.signals["noise_removed"]["outside-story"] == 1


def test_in_source_order_moves_or_drops_only_a_first_block_placed_once_on_the_page() -> None:
    from collections import Counter

    from lxml.html import fromstring

    from crawler.extraction import Block, _in_source_order, _served_page

    s0, s1, s2 = (Block("p", p) for p in (
        "The harbour authority approved the new ferry pier on Tuesday after a two-year planning process",
        "Construction is expected to start in the spring and to last eighteen months",
        "Local shop owners welcomed the decision",
    ))
    served = _served_page(fromstring(page(f"<article>{STORY}</article>")))
    removed: Counter[str] = Counter()
    assert _in_source_order([s0, s1, s2], served, removed) == [s0, s1, s2]
    assert _in_source_order([s1, s0, s2], served, removed) == [s0, s1, s2]
    assert not removed
    assert _in_source_order([s2, s0, s1], served, removed) == [s0, s1]
    assert removed == Counter({"outside-story": 1})
    # the items of a list move together
    items = [Block("item", "Construction is expected to start in the spring", 1), Block("item", "and last", 1)]
    assert _in_source_order([*items, s0, s2], served, Counter()) == [s0, *items, s2]
    # the first block's start stands twice on this page: its place is unknown, nothing moves
    twice = _served_page(fromstring(page(
        f"<article>{STORY}</article><p>Construction is expected to start in the spring and to last eighteen months.</p>"
    )))
    assert _in_source_order([s1, s0, s2], twice, Counter()) == [s1, s0, s2]


def test_mathml_formulas_stay_in_the_text() -> None:
    body = (
        "<article><h1>Solving quadratics</h1>"
        "<p>When <math><mi>a</mi><mo>≠</mo><mn>0</mn></math>, there are two solutions to "
        "<math><mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><mi>c</mi><mo>=</mo><mn>0</mn></math> "
        "and they are shown below.</p>"
        "<math display='block'><mi>x</mi><mo>=</mo><mn>42</mn></math>"
        f"{STORY}</article>"
    )
    result = extract(page(body), "https://example.test/m")
    assert isinstance(result, Article)
    assert "When a ≠ 0, there are two solutions to a x 2 + c = 0 and they are" in result.text
    assert "x = 42" in result.text


def test_mathjax_rendered_formulas_become_their_text_once() -> None:
    """MathJax 3 keeps each formula twice in an <mjx-container> (glyphs, and MathML for screen readers):
    the formula is read once, and the sentence around it, abutting the container, stays whole."""

    def formula(mathml: str, display: bool = False) -> str:
        mode = " display='true'" if display else ""
        return (f"<mjx-container class='MathJax' jax='CHTML'{mode}>"
                "<mjx-math aria-hidden='true'><mjx-mi><mjx-c class='mjx-c1D44E'></mjx-c></mjx-mi></mjx-math>"
                f"<mjx-assistive-mml><math>{mathml}</math></mjx-assistive-mml></mjx-container>")

    body = (
        "<article><h1>Solving quadratics</h1>"
        f"<p>When {formula('<mi>a</mi><mo>≠</mo><mn>0</mn>')}, there are two solutions to "
        f"{formula('<mi>a</mi><msup><mi>x</mi><mn>2</mn></msup><mo>=</mo><mn>0</mn>')}and they are shown.</p>"
        f"{formula('<mi>x</mi><mo>=</mo><mn>42</mn>', display=True)}"
        f"{STORY}</article>"
    )
    result = extract(page(body), "https://example.test/mj")
    assert isinstance(result, Article)
    assert "When a ≠ 0, there are two solutions to a x 2 = 0 and they are shown." in result.text
    assert "x = 42" in result.text.split("\n\n")


DEK = "Residents waited two years for the decision, and the new pier will double the number of daily crossings."


DEK_MARKUP = {
    "paragraph": f"<p class='article-dek'>{DEK}</p>",
    # opening with a topic link, the site's template comments around the words
    "nested": "<div class='intro'> <a href='/topics/harbour'><!-- t -->Residents<!-- /t --></a>"
              f"{DEK.removeprefix('Residents')}</div>",
}


@pytest.mark.parametrize("markup", sorted(DEK_MARKUP))
@pytest.mark.parametrize("lead_on", [True, False])
def test_lead_shown_under_the_headline_is_the_first_block(monkeypatch: pytest.MonkeyPatch, lead_on: bool,
                                                           markup: str) -> None:
    """The page's description, shown as the dek under the headline, is the story's lead."""
    monkeypatch.setattr("crawler.extraction.LEAD_FROM_DESCRIPTION", lead_on)
    head = f"<meta name='description' content='{DEK}'><meta property='og:title' content='Harbour: ferry pier approved after two years'>"
    body = (
        "<header class='article-header'><h1>Ferry pier approved after two years</h1>"
        f"{DEK_MARKUP[markup]}<div class='byline'>By Ana Pérez</div></header>"
        f"<article>{STORY}</article>"
    )
    result = extract(page(body, head), "https://example.test/dek")
    assert isinstance(result, Article)
    # without the lead rule the main extractor leaves the header's dek out: the test can tell
    assert result.text.startswith(DEK) is lead_on
    assert result.text.count("two years for the decision") == int(lead_on)
    assert ("+lead" in result.signals["path"]) is lead_on


def test_lead_is_not_added_twice_nor_from_a_container() -> None:
    # a description that is the story's own first sentences, shown only inside the story
    first = "The harbour authority approved the new ferry pier on Tuesday after a two-year planning process"
    result = extract(page(f"<article>{STORY}</article>", f"<meta name='description' content='{first}'>"),
                     "https://example.test/same")
    assert isinstance(result, Article)
    assert result.text.count("two-year planning process") == 1
    assert "+lead" not in result.signals["path"]
    # a site's tagline in its header, which the description repeats, comes before the headline: no lead
    tagline = "Independent local news from the harbour towns of the north coast, every day since 1998."
    body = (f"<header class='site-header'><div class='logo'>Harbour Herald</div><p class='tagline'>{tagline}</p>"
            f"</header><article><h1>Ferry pier approved after two years</h1>{STORY}</article>")
    result = extract(page(body, f"<meta name='description' content='{tagline}'><title>Ferry pier approved after"
                                " two years | Harbour Herald</title>"), "https://example.test/tagline")
    assert isinstance(result, Article) and tagline not in result.text
    # a hidden copy of the description (for share buttons) is not shown to the reader: no lead
    head = f"<meta name='description' content='{DEK}'><title>Ferry pier approved after two years</title>"
    body = (f"<article><h1>Ferry pier approved after two years</h1><div class='share' hidden><p>{DEK}</p></div>"
            f"{STORY}</article>")
    result = extract(page(body, head), "https://example.test/hid")
    assert isinstance(result, Article) and DEK not in result.text
    # ... while the same description shown to the reader after it is
    body = (f"<header class='article-header'><h1>Ferry pier approved after two years</h1><div class='share' hidden>"
            f"<p>{DEK}</p></div><p class='standfirst'>{DEK}</p></header><article>{STORY}</article>")
    result = extract(page(body, head), "https://example.test/hid2")
    assert isinstance(result, Article) and result.text.startswith(DEK) and result.text.count(DEK) == 1
    # a description nowhere on the page adds nothing
    result = extract(page(f"<article>{STORY}</article>", f"<meta name='description' content='{DEK}'>"),
                     "https://example.test/hidden")
    assert isinstance(result, Article) and DEK not in result.text
    # a caption the description repeats (sites describe a story by its lead image's caption) is no lead
    caption = "Ferry passengers wait at the old pier, which will stay open during the two years of works."
    head = f"<meta name='description' content='{caption}'><title>Ferry pier approved after two years</title>"
    body = (f"<article><h1>Ferry pier approved after two years</h1><figure><img src='pier.jpg'>"
            f"<figcaption>{caption}</figcaption></figure>{STORY}</article>")
    result = extract(page(body, head), "https://example.test/caption")
    assert isinstance(result, Article) and caption not in result.text and "+lead" not in result.signals["path"]


def test_min_text_chars_parameter() -> None:
    html = page(f"<article>{STORY}</article>" + "<footer>" + "<a href='/x'>link</a> " * 200 + "</footer>")
    assert isinstance(extract(html, "https://example.test/a"), Article)
    result = extract(html, "https://example.test/a", min_text_chars=100_000)
    assert isinstance(result, Rejection) and result.reason == "too short"
    assert MIN_TEXT_CHARS > 0


def test_min_text_chars_weighs_chinese_japanese_and_korean_characters() -> None:
    # two paragraphs of a Japanese story, 180 characters: as much as 360 Latin-script ones
    story = ("<p>" + "首脳会談を巡って戦っていたのは米大統領と北朝鮮委員長ばかりではなかった。" * 3 + "</p>"
             "<p>" + "中国国家主席も重要な陰の参戦者だったと専門家は指摘している。" * 3 + "</p>")
    html = page(f"<article><h1>米朝首脳会談の舞台裏</h1>{story}</article>"
                + "<footer>" + "<a href='/x'>link</a> " * 150 + "</footer>")
    assert len(lxml_text(story)) < MIN_TEXT_CHARS
    result = extract(html, "https://example.test/jp")
    assert isinstance(result, Article), result
    # the same number of Latin-script characters is a fragment of the page
    latin = "<p>" + "The ministers met on Tuesday. " * 6 + "</p>"
    result = extract(page(f"<article><h1>Ministers meet</h1>{latin}</article>"
                          + "<footer>" + "<a href='/x'>link</a> " * 150 + "</footer>"), "https://example.test/en")
    assert isinstance(result, Rejection) and result.reason == "too short"


def test_listing_length_weighs_chinese_japanese_and_korean_characters() -> None:
    """On a link-heavy page typed og:type website, a story is told from a list of teasers by its length:
    some 900 Japanese characters are a story, as many Latin-script ones are not (the pages otherwise alike)."""
    links = "<nav>" + "".join(f"<a href='/section/{i}/'>Section link number {i} of the site</a> " for i in range(90)) + "</nav>"
    head = "<meta property='og:type' content='website'>"
    japanese = "".join(f"<p>第{i}回の首脳会談を巡って戦っていたのは米大統領と北朝鮮委員長ばかりではなかった。"
                       f"中国国家主席も重要な陰の参戦者だったと専門家{i}人が指摘している。"
                       f"核放棄を巡って検証可能なの文字がなく軍事演習の中止にまで踏み込んだ{i}度目の会談だった。</p>"
                       for i in range(1, 9))
    result = extract(page(f"<h1>米朝首脳会談の舞台裏</h1><article>{japanese}</article>{links}", head), "https://example.test/jp")
    assert isinstance(result, Article), result
    assert len(result.text) < LISTING_MAX_TEXT_CHARS <= 2 * len(result.text)
    latin = "".join(f"<p>The ministers met for round {i} on Tuesday to talk about the border, the budget and"
                    f" the harbour, and {i} of them spoke to reporters afterwards.</p>" for i in range(1, 9))
    result = extract(page(f"<h1>Ministers meet</h1><article>{latin}</article>{links}", head), "https://example.test/en")
    assert isinstance(result, Rejection) and result.reason == "not an article", result


def lxml_text(fragment: str) -> str:
    from lxml import html as lxml_html

    return str(lxml_html.fromstring(f"<div>{fragment}</div>").text_content())


def test_encoding_parameter_and_hinted_date() -> None:
    html = page(f"<article><p>Café déjà vu, naïve façade.</p>{STORY}</article>").encode("latin-1", "replace")
    result = extract(html, "https://example.test/e", encoding="latin-1", hinted_date="2024-05-03")
    assert isinstance(result, Article)
    assert "Café déjà vu" in result.text
    assert result.date_published == "2024-05-03T00:00:00+00:00"
    assert result.signals["metadata_sources"]["date_published"] == "hinted"


def test_content_hash_normalises_whitespace() -> None:
    assert content_hash("a  b\n\nc ") == content_hash("a b c")
    assert content_hash("a b c") != content_hash("a b d")
    assert len(content_hash("x")) == 64


def test_to_item_fills_record() -> None:
    article = extract((PAGES / "blog_graph_multi_author.html").read_bytes(), "https://gearbox-notes.example/p")
    assert isinstance(article, Article)
    item = to_item(article, fetched_at="2025-06-04T00:00:00+00:00", discovered_via="feed")
    assert item.word_count == len(article.text.split())
    assert item.content_hash == content_hash(article.text)
    assert item.extraction["path"]
    assert item.fetched_at == "2025-06-04T00:00:00+00:00" and item.discovered_via == "feed"
    assert {f for f in ARTICLE_FIELDS} >= {"title", "authors", "text", "extraction"}


def never_fails(result: Article | Rejection) -> None:
    """An article or a rejection with a reason, not the "unparseable" rejection extract() gives when
    its own code raised (it never raises, so a bare isinstance check could not fail)."""
    assert isinstance(result, Article | Rejection)
    if isinstance(result, Rejection):
        assert result.reason != "unparseable", result.detail


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_extract_never_raises_on_bytes(data: bytes) -> None:
    never_fails(extract(data, "https://example.test/fuzz"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.sampled_from(["", "<html><body><p>", "<?xml version='1.0'?><html>"]))
def test_extract_never_raises_on_text(text: str, prefix: str) -> None:
    never_fails(extract(prefix + text, "not a url"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["<p>", "</p>", "<div class='share'>", "</div>", "<br>", "<h1>", "</h1>",
                                 "<script type='application/ld+json'>{\"@type\": [1, {}]}</script>",
                                 "<meta property='og:title' content=''>", "Lorem ipsum dolor sit amet. ",
                                 "The council met on Monday. ", "<a href='x'>", "</a>", "<li>", "\x00"]),
                max_size=200))
def test_extract_never_raises_on_html_soup(parts: list[str]) -> None:
    never_fails(extract("".join(parts), "https://example.test/soup"))


def test_scrapy_extract_command(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    missing = tmp_path / "missing.html"
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        json.dumps({"url": "https://gearbox-notes.example/p", "path": str(PAGES / "blog_graph_multi_author.html")})
        + "\n" + json.dumps({"url": "https://chronicle.example/", "path": str(PAGES / "listing_home.html")}) + "\n"
        + json.dumps({"url": "https://x.example/", "path": str(missing)}) + "\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", "--manifest", str(manifest), "-o", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr  # the missing path is reported
    assert "missing.html" in proc.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3
    ok, listing, gone = records
    assert ok["title"] == "How a volunteer repair café keeps 2,000 bikes a year on the road"
    assert set(ARTICLE_FIELDS) <= set(ok) and ok["path"].endswith("blog_graph_multi_author.html")
    assert listing["error"].startswith("not an article") and listing["url"] == "https://chronicle.example/"
    assert gone["error"].startswith("unreadable")


def test_scrapy_extract_command_on_directory_and_gzip(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html.gz").write_bytes(gzip.compress((PAGES / "regional_de_byline.html").read_bytes()))
    (tmp_path / "b.html").write_bytes((PAGES / "wp_news_cuba.html").read_bytes())
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "extract", str(tmp_path)], cwd=REPO, capture_output=True, text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["path"]).name for r in records] == ["b.html", "a.html.gz"]
    assert all("error" not in r for r in records)
    assert records[1]["authors"] == ["Anna Berger", "Jonas Keller"]


def test_stream_of_signed_teasers_is_not_an_article() -> None:
    teasers = "".join(
        f"<div><p>Teaser {i}: the council approved another plan on Tuesday after a long planning process that "
        f"drew many public comments from residents, shop owners and businesses of the old town.</p>"
        f"<p>By {name}</p></div>"
        for i, name in enumerate(["Ana Ruiz", "Tom Hale", "Lena Fischer", "Jean Dupont"])
    )
    result = extract(page(f"<main>{teasers}</main>"), "https://example.test/section")
    assert isinstance(result, Rejection)
    assert result.reason == "not an article"
    # one story with its byline is kept
    result = extract(page(f"<article><p>By Ana Ruiz</p>{STORY}</article>"), "https://example.test/story")
    assert isinstance(result, Article)



def test_the_second_extractor_run_inside_trafilatura_is_reused() -> None:
    """trafilatura's fallback runs Readability on a copy of our tree; its words are caught for the tail
    vote instead of a second run. If a trafilatura release stops calling it, this fails (the vote then
    runs Readability itself: same result, slower)."""
    from lxml.html import document_fromstring

    from crawler import extraction

    html = page(f"<article><h1>Pier approved</h1>{STORY}</article><aside><ul><li><a href='/x'>Other</a></li></ul></aside>")
    tree = document_fromstring(html)
    recorded: list[str | None] = []
    extraction._run_trafilatura(tree, "https://example.com/a", recorded)
    assert len(recorded) == 1 and recorded[0]
    assert extraction._readability_words(tree, recorded) == recorded[0]
    # the words of its own run on this tree (no comments or appended articles to prune: the same)
    assert extraction._readability_words(tree) == recorded[0]
    # outside `_run_trafilatura`, nothing is recorded and trafilatura is unaffected
    import trafilatura

    assert trafilatura.extract(html) and getattr(extraction._capture, "runs", None) is None


def test_tail_vote_keeps_a_closing_paragraph_the_second_extractor_words_slightly_differently() -> None:
    """A closing paragraph whose link text the second extractor dropped is still found by it (most of
    its word trigrams are in its text); a teaser after the story, absent from its text, is cut."""
    from collections import Counter

    from lxml.html import document_fromstring

    from crawler import extraction

    story = [
        "The harbour authority approved the new ferry pier on Tuesday after a long planning process.",
        "Construction is expected to start in the spring and to last eighteen months for commuters.",
        "Local shop owners welcomed the decision, as the mayor wrote in a letter, saying that more "
        "frequent crossings would bring visitors back to the old town after several difficult seasons.",
    ]
    teaser = "Ten things to do this weekend in the old town"
    # the second extractor's text: the story, without the link text "in a letter"
    vote = extraction._words(" ".join(story).replace(" in a letter", ""))
    tree = document_fromstring(page(STORY))
    removed: Counter[str] = Counter()
    blocks = [extraction.Block("p", p) for p in [*story, teaser]]
    kept, voted = extraction._trim_tail_by_vote(blocks, tree, removed, [vote])
    assert voted and [b.text for b in kept] == story and removed["tail-vote"] == 1


def test_hard_wrapped_source_paragraph_is_one_block() -> None:
    """A line break in the HTML source is a space (HTML's whitespace rules): a paragraph its author
    wrapped in the page's source, around inline elements too, comes out whole, in one block."""
    whole = (
        "The harbour authority approved the new ferry pier on Tuesday after a two-year planning process "
        "that drew more than four hundred public comments."
    )
    wrapped = (
        "\n    The harbour authority approved\n    the new <a href='/pier'>ferry\npier</a> on Tuesday after a\r\n"
        "    two-year planning process that <em>drew\nmore</em> than four hundred\n    public comments.\n"
    )
    for html in (f"<div>{wrapped}</div>", f"<p>{wrapped}</p>"):
        result = extract(page(f"<article><h1>Ferry pier approved</h1>{html}{STORY}</article>"), "https://example.test/w")
        assert isinstance(result, Article)
        blocks = result.text.split("\n\n")
        assert blocks.count(whole) == 1, blocks
        assert all("\n" not in b for b in blocks)
    # a story made only of hard-wrapped text blocks
    lines = [s.replace(" spring ", " spring\n        ") for s in STORY.replace("</p>", "").split("<p>") if s]
    result = extract(page("<article>" + "".join(f"<div>\n        {s}\n    </div>" for s in lines) + "</article>"),
                     "https://example.test/w2")
    assert isinstance(result, Article)
    assert result.text.split("\n\n") == [" ".join(s.split()) for s in lines]


def test_preformatted_text_and_code_blocks_keep_their_lines() -> None:
    poem = "<pre>The ferry leaves at dawn\nthe gulls follow it home\nand the pier waits</pre>"
    code = "<pre><code>def fare(zone):\n    return 2 * zone\nprint(fare(3))</code></pre>"
    inline = "<p>Riders call <code>fare(zone)</code> on the\nkiosk to see the price of a ticket before boarding.</p>"
    result = extract(page(f"<article><h1>Ferry pier approved</h1>{STORY}{poem}{code}{inline}</article>"),
                     "https://example.test/pre")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    for line in ("The ferry leaves at dawn", "the gulls follow it home", "and the pier waits",
                 "def fare(zone):", "return 2 * zone", "print(fare(3))"):
        assert line in blocks, line
    # inline code is part of its sentence, which stays whole
    assert "Riders call fare(zone) on the kiosk to see the price of a ticket before boarding." in blocks


def test_collapse_source_newlines_follows_html_whitespace_rules() -> None:
    from lxml.html import document_fromstring

    from crawler.extraction import _collapse_source_newlines

    tree = document_fromstring(
        "<html><body><p>one\ntwo <b>three\nfour</b>\nfive</p><pre>a\n<i>b\nc</i>\nd</pre>"
        "<textarea>x\ny</textarea><div><code>k\nl</code></div><p>use <code>m\nn</code> now</p><!-- a\nb -->"
        "</body></html>"
    )
    _collapse_source_newlines(tree)
    p, pre, area, div, p2, _comment = tree.find("body")
    assert p.text_content() == "one two three four five"
    assert pre.text_content() == "a\nb\nc\nd" and area.text == "x\ny"
    assert div.text_content() == "k\nl"  # a code block
    assert p2.text_content() == "use m n now"  # inline code, in the sentence's flow
    assert pre.tail is None or "\n" not in pre.tail
    assert _comment.text == " a\nb "  # not page text: left as it is


def test_line_break_element_still_splits_a_block() -> None:
    body = "<article><h1>Ferry pier approved</h1><p>Harbour Road 12<br>\nSpringfield<br/>Open daily</p>" + STORY
    result = extract(page(body + "</article>"), "https://example.test/br")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    assert blocks[blocks.index("Harbour Road 12") + 1 : blocks.index("Harbour Road 12") + 3] == ["Springfield", "Open daily"]


def test_blocks_of_numbers_the_list_of_each_item() -> None:
    from lxml import etree

    from crawler.extraction import Block, blocks_of

    body = etree.fromstring(
        "<body><p>Intro</p><list><item>a</item><item>b<list><item>b1</item></list></item></list>"
        "<list><item>c</item></list><p>End</p></body>"
    )
    assert blocks_of(body) == [
        Block("p", "Intro"), Block("item", "a", 1), Block("item", "b", 1), Block("item", "b1", 1),
        Block("item", "c", 2), Block("p", "End"),
    ]


def test_tail_vote_does_not_cut_into_a_list_or_section_it_keeps_the_start_of() -> None:
    """The vote's cut starts after whole units: the rest of a list whose first items the second
    extractor found (a references list it shows only in part), the section under a heading it found;
    what follows a unit, and a list it found nothing of, are still cut."""
    from collections import Counter

    from lxml.html import document_fromstring

    from crawler.extraction import Block, _trim_tail_by_vote, _words

    story = [Block("p", s) for s in (
        "The harbour authority approved the new ferry pier on Tuesday after a long planning process.",
        "Construction is expected to start in the spring and to last eighteen months for commuters.",
    )]
    refs = [Block("item", f"Harbour report number {n}, planning office, page {n * 7}.", 1) for n in range(1, 5)]
    teasers = [Block("item", t, 2) for t in ("Ten things to do this weekend", "Five new cafes by the sea")]
    tree = document_fromstring(page(STORY))
    # the second extractor shows the story and the first reference only
    vote = _words(" ".join(b.text for b in [*story, refs[0]]))
    removed: Counter[str] = Counter()
    kept, _ = _trim_tail_by_vote([*story, *refs, *teasers], tree, removed, [vote])
    assert kept == [*story, *refs] and removed["tail-vote"] == 2
    # a heading it found keeps its section, up to the next heading
    head = Block("head", "What happens next")
    section = [Block("p", "Work starts in spring."), Block("p", "The old pier stays open meanwhile.")]
    promo = [Block("head", "Subscribe"), Block("p", "Get our newsletter every morning in your inbox.")]
    vote = _words(" ".join(b.text for b in [*story, head]))
    kept, _ = _trim_tail_by_vote([*story, head, *section, *promo], tree, Counter(), [vote])
    assert kept == [*story, head, *section]
    # a plain paragraph is no such unit: what follows it and is not found is cut
    vote = _words(" ".join(b.text for b in [*story, section[0]]))
    kept, _ = _trim_tail_by_vote([*story, section[0], *promo], tree, Counter(), [vote])
    assert kept == [*story, section[0]]


def _split_story(between: str = "", card: str = "") -> str:
    """A story cut into three same-class containers by in-story ads (as many news themes print it)."""
    def part(n: int) -> str:
        paragraphs = "".join(
            f"<p>Paragraph {n}.{k} of the council story: the members argued for hours about the ferry, the pier"
            f" and the harbour budget before the vote, which the mayor called historic.</p>" for k in range(1, 4))
        return (f"<div class='grid__container'><div class='grid__content article__content'>{paragraphs}</div>"
                "<aside class='grid__sidebar'><div class='ad'><span class='ad-label'>Advertisement</span></div></aside></div>")
    ad = "<div class='ad full-bleed'><span class='ad-label'>Advertisement</span></div>"
    return page(f"<article><h1>Council approves the ferry pier</h1>{part(1)}{ad}{between}{part(2)}{ad}{part(3)}"
                f"{card}</article>")


@pytest.mark.parametrize("join_on", [True, False])
def test_a_story_split_into_same_class_containers_is_read_whole(monkeypatch: pytest.MonkeyPatch,
                                                                 join_on: bool) -> None:
    monkeypatch.setattr("crawler.extraction.JOIN_SPLIT_STORY", join_on)
    result = extract(_split_story(), "https://example.org/news/pier")
    assert isinstance(result, Article), result
    found = [f"Paragraph {n}.{k} " in result.text for n in (1, 2, 3) for k in (1, 2, 3)]
    assert all(found) is join_on  # the main extractor alone reads the first part only: the test can tell
    if join_on:
        assert result.text.index("Paragraph 1.3") < result.text.index("Paragraph 2.1") < result.text.index("Paragraph 3.3")
        assert "Advertisement" not in result.text
        assert "+joined" in result.signals["path"]


def test_a_story_whose_parts_microdata_marks_as_its_body_is_read_whole() -> None:
    """Each part carries ``itemprop="articleBody"`` and a class that names no story body ("group")."""
    def part(n: int) -> str:
        paragraphs = "".join(
            f"<p>Paragraph {n}.{k} of the council story: the members argued for hours about the ferry, the pier"
            f" and the harbour budget before the vote, which the mayor called historic.</p>" for k in range(1, 4))
        return f"<div class='group-container'><div class='group' itemprop='articleBody'>{paragraphs}</div></div>"
    ad = "<div class='ad'><span class='ad-label'>Advertisement</span></div>"
    html = page(f"<article><h1>Council approves the ferry pier</h1><div class='content'>{part(1)}{ad}{part(2)}"
                f"{ad}{part(3)}</div></article>")
    result = extract(html, "https://example.org/news/pier")
    assert isinstance(result, Article), result
    assert all(f"Paragraph {n}.{k} " in result.text for n in (1, 2, 3) for k in (1, 2, 3))
    assert "+joined" in result.signals["path"]


def test_component_classes_named_cmp_are_not_cookie_banners() -> None:
    """Adobe Experience Manager names every component "cmp cmp-text", "cmp cmp-image": the story's own."""
    paragraphs = "".join(f"<div class='cmp cmp-text'><p>{p}</p></div>" for p in STORY.split("</p>")[:3] if p)
    html = page(f"<main><h1>Ferry pier approved</h1>{paragraphs.replace('<p><p>', '<p>')}"
                "<div class='cmp cmp-image'><img src='pier.jpg'></div></main>")
    result = extract(html, "https://example.org/news/pier")
    assert isinstance(result, Article), result
    assert "four hundred public comments" in result.text and "shop owners" in result.text


def test_parts_with_prose_between_them_or_link_cards_are_not_joined() -> None:
    """Prose between the parts (the page interleaves its story with something else) stops the joining;
    a same-class container of links (teaser cards) is never a part."""
    between = ("<h2>Meanwhile at the harbour</h2><p>" + "A different account of the harbour's history, told by the "
               "old harbour master who remembers every ferry that ever docked there. " * 4 + "</p>")
    result = extract(_split_story(between=between), "https://example.org/news/pier")
    assert isinstance(result, Article), result
    assert "+joined" not in result.signals["path"]
    links = "".join(f"<p><a href='/news/other-{i}'>Another story about the harbour, number {i}</a> tells how"
                    f" the ferry crews of the old town spent the winter of the strike, year {1990 + i}.</p>"
                    for i in range(6))
    card = f"<div class='grid__container'><div class='grid__content article__content'>{links}</div></div>"
    result = extract(_split_story(card=card), "https://example.org/news/pier")
    assert isinstance(result, Article), result
    assert "Another story about the harbour" not in result.text


def test_every_test_site_page_with_in_story_noise_is_the_story_and_nothing_else() -> None:
    """Both themes of the test site with noise inside the story container too (newsletter and "follow
    us" lines, "Also read:", a list of the site's other stories, a gallery of numbered pictures, the
    story container split around an ad): every page extracts to its paragraphs, in order, each once,
    and none of its noise."""
    from crawler.testsite import NewsSite, SiteServer
    from tests.test_crawl import assert_paragraphs_in_order_once

    site = NewsSite(40, inline_noise=True)
    with SiteServer(site) as server:
        for a in site.articles:
            result = extract(server.get(a.path)[2], a.url(server.base_url))
            assert isinstance(result, Article), (a.path, result)
            assert_paragraphs_in_order_once(result.text, a.paragraphs)
            leaked = [n for n in a.noise if n in result.text]
            assert not leaked, (a.path, leaked)


def test_pages_are_parsed_with_the_c_element_lookup_and_give_the_same_records() -> None:
    """trafilatura's parser hands out plain `HtmlElement`s (no Python call per element: see
    `install_fast_element_lookup`), and the records are the ones lxml.html's own lookup gives."""
    from lxml.html import HtmlElement as LxmlHtmlElement
    from lxml.html import HtmlElementClassLookup
    from trafilatura.utils import HTML_PARSER, load_html

    from crawler.extraction import install_fast_element_lookup

    form = load_html("<html><body><form><input name='q'></form><p>Text.</p></body></html>")
    assert form is not None and type(form.find(".//form")) is LxmlHtmlElement  # not lxml.html's FormElement
    pages = [(json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))["url"],
              (PAGES / f"{name}.html").read_bytes()) for name in GOLDEN]
    fast = [extract(html, url) for url, html in pages]
    HTML_PARSER.set_element_class_lookup(HtmlElementClassLookup())
    try:
        slow_form = load_html("<html><body><form></form></body></html>")
        assert slow_form is not None and type(slow_form.find(".//form")) is not LxmlHtmlElement
        slow = [extract(html, url) for url, html in pages]
    finally:
        assert install_fast_element_lookup()
    assert fast == slow


def test_a_subheading_the_extractor_left_out_goes_back_above_the_block_it_heads() -> None:
    from lxml.html import fromstring

    from crawler.extraction import Block, _restore_subheadings, _served_page, _visible_subheadings

    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    card = "<a href='/other'><div class='card'><img src='x.jpg'><h3>Teaser headline of another story</h3></div></a>"
    tree = fromstring(page(f"<article>{first}<h2>Work starts in spring</h2>{second}{card}{third}<h2>Related</h2><ul><li><a href='/x'>x</a></li></ul></article>"))
    blocks = [Block("p", fromstring(p).text_content()) for p in (first, second, third)]
    out = _restore_subheadings(blocks, _served_page(tree), _visible_subheadings(tree))
    # the card's headline heads nothing (the last element of its card), "Related" heads a list left out
    assert [b.text for b in out] == [blocks[0].text, "Work starts in spring", blocks[1].text, blocks[2].text]
    assert out[1].kind == "head"
    # a heading pruning removed from the tree stays out; one above the story's first block too
    pruned = fromstring(page(f"<article>{first}{second}{third}</article>"))
    assert _restore_subheadings(blocks, _served_page(tree), _visible_subheadings(pruned)) == blocks
    above = fromstring(page(f"<article><h2>Harbour</h2>{first}{second}{third}</article>"))
    assert _restore_subheadings(blocks, _served_page(above), _visible_subheadings(above)) == blocks


def test_a_paragraph_written_bare_after_a_figure_is_a_paragraph() -> None:
    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    bare = ("The pier will also get a covered waiting area and a bicycle shelter, paid for by the county "
            "and the two ferry operators together.")
    figure = "<div class='figure'><img src='pier.jpg'><p class='legend'>The old pier</p></div>"
    body = f"<article><h1>Ferry pier approved</h1>{first}{second}{figure}{bare} <a href='/x'>More</a><br>short{third}</article>"
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    assert bare + " More" in blocks
    assert result.text.index("eighteen months") < result.text.index("covered waiting area") < result.text.index("shop owners")


LAYOUT_PAGE = (
    "<table width='90%' cellpadding='20'><tr><td>"
    "<h1>Ferry pier approved</h1>"
    "<p>The harbour authority approved the new ferry pier on Tuesday after a two-year planning process "
    "that drew more than four hundred public comments from residents and businesses.</p>"
    "<p>The comments fell roughly into these groups:</p>"
    "<ul><li>residents asking for a later last crossing on weekdays</li>"
    "<li>shop owners asking for a covered waiting area by the old town</li>"
    "<li>cyclists asking for room for bicycles on every boat</li></ul>"
    "<p>Construction is expected to start in the spring and to last eighteen months, during which the "
    "existing pier will remain open with a reduced timetable for commuters.</p>"
    "</td><td>"
    "<p>Local shop owners welcomed the decision, saying that more frequent crossings would bring visitors "
    "back to the old town after several difficult seasons.</p>"
    "<p>The county will publish the new timetable in the autumn, once the operators have agreed on the "
    "number of crossings the new pier allows.</p>"
    "</td></tr></table>"
)


def test_a_table_that_lays_out_the_story_is_read_as_its_paragraphs_and_lists() -> None:
    result = extract(page(LAYOUT_PAGE), "https://example.test/pier")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    # one block per paragraph and list item, none glued to the next cell with " | ", lists kept
    assert "The comments fell roughly into these groups:" in blocks
    assert "cyclists asking for room for bicycles on every boat" in result.text
    assert "|" not in result.text
    assert any(b.startswith("Local shop owners") for b in blocks)
    assert result.text.index("four hundred") < result.text.index("bicycles") < result.text.index("autumn")


def test_only_tables_of_laid_out_prose_are_unwrapped() -> None:
    from lxml.html import fromstring

    from crawler.extraction import _unwrap_layout_tables

    prose = "<p>" + "A sentence of the story that goes on for a while. " * 3 + "</p>"
    layout = f"<table><tr><td>{prose}{prose}</td><td>side</td></tr></table>"
    tree = fromstring(page(layout))
    assert _unwrap_layout_tables(tree) == 1
    assert tree.find(".//table") is None and tree.find(".//td") is None
    assert len(tree.findall(".//p")) == 2
    # data tables stay tables: header cells, a caption, or cells of one value or one line each
    for data in (
        f"<table><tr><th>Year</th><th>Notes</th></tr><tr><td>2024</td><td>{prose}{prose}</td></tr></table>",
        f"<table><caption>Crossings</caption><tr><td>{prose}{prose}</td></tr></table>",
        "<table><tr><td>2024</td><td>412</td></tr><tr><td>2025</td><td>" + "A long note. " * 30 + "</td></tr></table>",
        f"<table><tr><td>{prose}</td><td>{prose}</td></tr></table>",
    ):
        tree = fromstring(page(data))
        assert _unwrap_layout_tables(tree) == 0, data
        assert tree.find(".//table") is not None
    # a data table nested in a layout table's cell is judged on its own, and stays
    nested = f"<table><tr><td>{prose}{prose}<table><tr><th>Year</th></tr><tr><td>2024</td></tr></table></td></tr></table>"
    tree = fromstring(page(nested))
    assert _unwrap_layout_tables(tree) == 1
    assert tree.find(".//table/tr/th") is not None or tree.find(".//table//th") is not None


def test_a_list_the_extractor_left_out_between_two_story_blocks_goes_back() -> None:
    from lxml.html import fromstring

    from crawler.extraction import Block, _restore_lists, _served_page

    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    steps = "<ol><li>Close the old ticket office</li><li>Build the new pier <ul><li>with a shelter</li></ul></li></ol>"
    links = "<ul><li><a href='https://other.test/a'>Timetables of the other ferries</a></li><li><a href='https://other.test/b'>Parking</a></li></ul>"
    gallery = "<ul><li><figure><img src='a.jpg'><figcaption>The old pier at dawn</figcaption></figure></li></ul>"
    tail = "<ul><li>A list after the story's last block</li></ul>"
    tree = fromstring(page(f"<div>{first}{steps}{second}{links}{gallery}{third}{tail}</div>"))
    blocks = [Block("p", fromstring(p).text_content()) for p in (first, second, third)]
    out = _restore_lists(blocks, _served_page(tree), tree.find("body"))
    # the steps go back between the blocks they stand between, nested items as items of their own;
    # the links, the gallery's caption and the list after the story stay out
    assert [b.text for b in out] == [blocks[0].text, "Close the old ticket office", "Build the new pier",
                                     "with a shelter", blocks[1].text, blocks[2].text]
    assert {b.kind for b in out[1:4]} == {"item"} and len({b.group for b in out[1:4]}) == 1
    # a list pruning removed stays out; a list the story holds already is not added twice
    pruned = fromstring(page(f"<div>{first}{steps}{second}{third}</div>"))
    served = _served_page(pruned)
    pruned.find(".//ol").drop_tree()
    assert _restore_lists(blocks, served, pruned.find("body")) == blocks
    assert _restore_lists(out, _served_page(tree), tree.find("body")) == out


def test_a_story_without_a_container_keeps_its_lists_in_place() -> None:
    story = STORY.split("</p>")
    body = (f"<div><h1>Ferry pier approved</h1>{story[0]}</p><p>The plan has three parts:</p>"
            "<ul><li>a longer pier for the larger boats</li><li>a covered waiting area</li>"
            f"<li>a shelter for bicycles</li></ul>{story[1]}</p>{story[2]}</p></div>")
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    assert blocks.index("The plan has three parts:") + 1 == blocks.index("a longer pier for the larger boats")
    assert result.text.index("a shelter for bicycles") < result.text.index("eighteen months")
    # the record says which blocks were put back
    assert "+lists" in result.signals["path"] and "+subheadings" not in result.signals["path"]


def test_names_that_are_links_in_a_tables_cells_are_kept() -> None:
    rows = "".join(f"<tr><td><div><a href='https://apps.example/{n}'>{n}</a></div></td><td><div>{mb} MB</div></td></tr>"
                   for n, mb in (("Ferry Planner", 71), ("Harbour Maps", 32), ("Tide Tables", 18)))
    table = f"<table><tr><th>App</th><th>Size</th></tr>{rows}</table>"
    first, second = STORY.split("</p>")[:2]
    result = extract(page(f"<article>{first}</p>{table}{second}</p></article>"), "https://example.test/apps")
    assert isinstance(result, Article)
    assert "Ferry Planner | 71 MB" in result.text and "Tide Tables | 18 MB" in result.text


def test_a_paragraph_the_page_prints_several_times_in_a_row_is_kept_as_often() -> None:
    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    refrain = ("<p>We will rebuild the pier, we will rebuild the boats, and the town will cross the water "
               "again as it always has, said the mayor, and the crowd on the quay, who had waited since the "
               "morning, said it back to her.</p>")
    like = "<div class='sharedaddy'><h3>Like this:</h3><span>Like</span><span>Loading...</span></div>"
    body = f"<article><h1>Ferry pier approved</h1>{first}{refrain}{refrain}{like}{refrain}{second}{third}</article>"
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article)
    blocks = result.text.split("\n\n")
    refrain_text = ("We will rebuild the pier, we will rebuild the boats, and the town will cross the water again as it "
                    "always has, said the mayor, and the crowd on the quay, who had waited since the morning, said it back to her.")
    # three copies in a row: the like widget between the second and the third is not the story's
    assert blocks.count(refrain_text) == 3
    assert blocks.index(refrain_text) == 1 and blocks[1:4] == [refrain_text] * 3
    assert "+repeats" in result.signals["path"]


def test_a_copy_the_theme_adds_stays_out() -> None:
    from lxml.html import fromstring

    from crawler.extraction import Block, _restore_repeats, _served_page

    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    # a paragraph long enough to be the author's when repeated (shorter repeated lines are a theme's)
    first = first.replace("</p>", " The plans are on show at the town hall until the end of the month.</p>")
    text = fromstring(first).text_content()
    blocks = [Block("p", text), Block("p", fromstring(second).text_content()), Block("p", fromstring(third).text_content())]
    copies = {
        # a screen-reader or responsive copy: another class
        "other attributes": f"<div>{first}<p class='sr-only'>{text}</p>{second}{third}</div>",
        # the same paragraph again further down, with the story between: a quote of it, not a repeat
        "story between": f"<div>{first}{second}{first}{third}</div>",
        # a headline and its teaser link: other elements
        "other element": f"<div><div>{first}<h2>{text}</h2></div>{second}{third}</div>",
    }
    for why, body in copies.items():
        tree = fromstring(page(body))
        out = _restore_repeats(blocks, _served_page(tree), tree)
        assert out == blocks, why
    # the author's own copies, each the same element: kept as often as printed, also when the extractor
    # left one in the story already
    tree = fromstring(page(f"<div>{first}{first}{first}{second}{third}</div>"))
    out = _restore_repeats(blocks, _served_page(tree), tree)
    assert [b.text for b in out] == [text, text, text, blocks[1].text, blocks[2].text]
    assert _restore_repeats(out, _served_page(tree), tree) == out
    # short lines repeated in a row are a theme's (menu items, labels): not restored
    short = "<p>Menu item words here and there for navigation</p>"
    tree = fromstring(page(f"<div>{short * 3}{second}{third}</div>"))
    menu = [Block("p", "Menu item words here and there for navigation"), *blocks[1:]]
    assert _restore_repeats(menu, _served_page(tree), tree) == menu


def test_a_page_that_gives_its_date_only_as_a_printed_line_gets_that_day() -> None:
    from lxml.html import fromstring

    from crawler.extraction import _printed_date

    story = f"<article><h1>Ferry pier approved</h1><p class='meta'>Posted on 06.05.2018</p>{STORY}</article>"
    others = ("<aside class='sidebar-widget'><p>01.02.2019</p></aside><footer><p>12.12.2012</p></footer>"
              "<ul class='related'><li><a href='/x'>Another story</a> <span>03.03.2017</span></li></ul>")
    assert _printed_date(fromstring(page(others + story))) == "2018-05-06T00:00:00+00:00"
    # other pages' dates, an update's, a month alone and a slashed date name no publication day here
    for line in ("Updated 06.05.2018", "May 2018", "12/10/2016"):
        assert _printed_date(fromstring(page(others + story.replace("Posted on 06.05.2018", line)))) is None, line
    result = extract(page(story), "https://example.test/pier")
    assert isinstance(result, Article)
    assert result.date_published == "2018-05-06T00:00:00+00:00"


def test_a_heading_written_as_a_classed_span_goes_back_above_the_step_it_heads() -> None:
    from lxml.html import fromstring

    from crawler.extraction import Block, _restore_subheadings, _served_page, _visible_subheadings

    first, second, third = (p + "</p>" for p in STORY.split("</p>")[:3])
    card = "<div><span class='card-title'><a href='/x'>Another story</a></span><p>Its teaser.</p></div>"
    tree = fromstring(page(f"<article>{first}<div class='step'><span class='headline2 head'>Step 1</span>{second}</div>"
                           f"{card}<div><span class='kicker'>Harbour</span>{third}</div></article>"))
    blocks = [Block("p", fromstring(p).text_content()) for p in (first, second, third)]
    served = _served_page(tree)
    out = _restore_subheadings(blocks, served, _visible_subheadings(tree, served.pseudo))
    # a span the page classes as a heading heads the step; a linked card title or another class does not
    assert [b.text for b in out] == [blocks[0].text, "Step 1", blocks[1].text, blocks[2].text]


def test_a_short_block_is_placed_by_the_words_after_it() -> None:
    from crawler.extraction import Block, _run_key

    blocks = [Block("item", "Cloche"), Block("item", "Planter saucer, small shallow dish"), Block("p", "Ruler")]
    assert _run_key(blocks, 0) == "ClochePlantersaucer,smallshallowdishRuler"  # 40 characters or more
    assert _run_key(blocks, 2) is None  # nothing after it to place it by


def test_a_sub_list_of_an_item_the_story_keeps_goes_back_after_the_item() -> None:
    from lxml.html import fromstring

    from crawler.extraction import Block, _restore_sublists

    tree = fromstring(page(
        "<ul><li>Landed this week.</li><li>In progress:<ul><li><a href='https://bugs.test/1'>Bug 1 - crash on start</a></li>"
        "<li><a href='https://bugs.test/2'>Bug 2 - slow tabs</a></li></ul></li></ul>"
        "<nav><ul><li>Sections<ul><li><a href='/world'>World</a></li></ul></li></ul></nav>"))
    blocks = [Block("item", "Landed this week.", 1), Block("item", "In progress:", 1), Block("p", "The end.")]
    out = _restore_sublists(blocks, tree.find("body"))
    # the bugs follow their item, in its list; the menu's sub-menu (its item is no story block) stays out
    assert [b.text for b in out] == ["Landed this week.", "In progress:", "Bug 1 - crash on start",
                                     "Bug 2 - slow tabs", "The end."]
    assert out[2].group == out[3].group == 1
    assert _restore_sublists(out, tree.find("body")) == out


def test_an_itemless_list_of_text_and_a_prose_paragraph_with_a_widget_id_are_read_as_paragraphs() -> None:
    from lxml.html import fromstring

    from crawler.extraction import _wrap_bare_text

    prose = "Winner of the festival's top prize, the film is a needling comedy about the art world. " * 3
    tree = fromstring(page(f"<div><p>Intro.</p><ul> (Really my goal is to <i>create</i> video, later.) </ul>"
                           f"<p id='NavzzU'>{prose}</p><p id='share_text'>Great! Shared.</p><ul><li>item</li></ul></div>"))
    _wrap_bare_text(tree)
    assert [el.tag for el in tree.find("body/div")] == ["p", "p", "p", "p", "ul"]
    paragraphs = tree.findall(".//p")
    assert paragraphs[2].get("id") is None and paragraphs[3].get("id") == "share_text"


def test_a_pull_quote_that_repeats_nothing_is_the_story() -> None:
    from lxml.html import fromstring

    from crawler.noise import preclean

    first, second = (p + "</p>" for p in STORY.split("</p>")[:2])
    own = "Literally means actually, the scene as it actually happened and nothing more."
    copy = fromstring(first).text_content()[:80]
    tree = fromstring(page(f"<article>{first}<blockquote class='pullquote'>{own}</blockquote>{second}"
                           f"<blockquote class='pull-quote' id='copy'>{copy}</blockquote></article>"))
    removed = preclean(tree, "https://news.test/a/1")
    # the author's own line set large stays; the quote of a sentence of the story goes
    assert own in tree.find("body").text_content() and tree.find(".//*[@id='copy']") is None
    assert removed["pull-quote"] == 1


def test_a_header_of_prose_a_no_caption_class_and_an_inline_note_between_blocks_are_the_story() -> None:
    intro = ("Neuroscience tells us that most of the work done by our brains happens on an unconscious level, "
             "but when does that moment of insight occur? New research investigates.")
    note = ("Disclaimer: if you see different patch sizes when you press update manually, that is because "
            "we are not using the new method for interactive updates.")
    first = ("<p>The mother of a woman who took pills bought online has described how her daughter was "
             "burning up from within moments before her death, at an inquest on Tuesday.</p>")
    body = (f"<article><h1>Ferry pier approved</h1><div itemprop='articleBody'><header>{intro}</header>"
            f"<div class='item item_image no_caption'>{first}<img src='a.jpg'></div>{STORY}"
            f"<div class='table'><p>1.2 MB</p></div>\n<em>{note}</em><p>A closing paragraph of the story that"
            " goes on about the harbour and its ferries for a while longer.</p></div></article>")
    result = extract(page(body), "https://example.test/pier")
    assert isinstance(result, Article), result
    blocks = result.text.split("\n\n")
    assert intro in blocks and note in blocks
    assert "burning up from within" in result.text
    # a run of links between blocks is no paragraph
    links = "".join(f"<a href='/story-{i}'>Another story about the harbour number {i}</a> " for i in range(4))
    result = extract(page(f"<article><h1>Ferry pier approved</h1>{STORY}<div><p>x</p></div>{links}<p>"
                          "A closing paragraph of the story that goes on about the harbour for a while.</p></article>"),
                     "https://example.test/pier")
    assert isinstance(result, Article) and "Another story about the harbour" not in result.text


def test_a_short_run_of_bare_text_is_a_paragraph_when_it_ends_as_a_sentence() -> None:
    from lxml.html import fromstring

    from crawler.extraction import _wrap_bare_text

    # "<h2>...</h2> k heads when flipping n coins is: <formula>": a sentence between two blocks
    tree = fromstring(page("<div><h2>The probability of getting</h2><span>k</span> heads when flipping "
                           "<span>n</span> coins is: <p>P(E) = (n k) p^k</p>"
                           "<p>First.</p>Thabo Mokone Parliamentary editor<p>Second.</p></div>"))
    assert _wrap_bare_text(tree) == 1
    paragraphs = [" ".join(p.text_content().split()) for p in tree.iter("p")]
    assert "k heads when flipping n coins is:" in paragraphs
    # a name and a role between two blocks ends without punctuation: not a paragraph (under 100 characters)
    assert not any("Thabo Mokone" in p for p in paragraphs)
