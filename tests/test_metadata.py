"""Metadata: strongest signal first, conflicts between sources, clean titles and author names."""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from crawler.metadata import clean_author, extract_metadata, jsonld_objects, strip_site_suffix

URL = "https://news.example.com/politics/2024/05/03/story-123"


def md_of(head: str, body: str = "", url: str = URL, lang: str = "en"):
    tree = lxml_html.fromstring(f"<html lang='{lang}'><head>{head}</head><body>{body}</body></html>")
    return extract_metadata(tree, url)


def ld(obj: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps(obj)}</script>"


def test_jsonld_wins_over_meta_tags() -> None:
    head = (
        ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Budget passes narrowly",
            "datePublished": "2024-05-03T10:00:00+02:00", "dateModified": "2024-05-04T08:30:00+02:00",
            "author": {"@type": "Person", "name": "Lena Fischer"}})
        + "<meta property='og:title' content='Budget passes | Example News'>"
        + "<meta property='article:published_time' content='2024-05-02T09:00:00Z'>"
        + "<meta name='author' content='Someone Else'>"
    )
    md = md_of(head)
    assert md.title == "Budget passes narrowly"
    assert md.date_published == "2024-05-03T10:00:00+02:00"
    assert md.date_modified == "2024-05-04T08:30:00+02:00"
    assert md.authors == ["Lena Fischer"]
    assert md.sources["date_published"] == "json-ld datePublished"
    assert md.sources["authors"] == "json-ld author"


def test_published_and_modified_kept_apart_from_meta() -> None:
    head = (
        "<meta property='article:published_time' content='2024-05-03T10:00:00+02:00'>"
        "<meta property='article:modified_time' content='2024-05-05T12:00:00+02:00'>"
    )
    md = md_of(head)
    assert md.date_published == "2024-05-03T10:00:00+02:00"
    assert md.date_modified == "2024-05-05T12:00:00+02:00"


def test_graph_lists_and_several_authors() -> None:
    head = ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example News"},
        {"@type": ["ReportageNewsArticle"], "headline": "Inside the flood zone",
         "author": [{"@type": "Person", "name": "Ana Ruiz"}, {"@type": "Person", "name": "Ben Okafor"},
                    {"@type": "Organization", "name": "Example News"}],
         "datePublished": "2024-05-03"}]})
    md = md_of(head)
    assert md.title == "Inside the flood zone"
    assert md.authors == ["Ana Ruiz", "Ben Okafor"]
    assert md.date_published == "2024-05-03T00:00:00+00:00"  # a bare day: UTC assumed


def test_article_object_preferred_over_embedded_video() -> None:
    head = ld([{"@type": "VideoObject", "name": "Clip", "uploadDate": "2024-01-01", "datePublished": "2024-01-01"},
               {"@type": "NewsArticle", "headline": "Real story", "datePublished": "2024-05-03T10:00:00Z"}])
    md = md_of(head)
    assert md.title == "Real story"
    assert md.date_published == "2024-05-03T10:00:00+00:00"


def test_broken_jsonld_is_tolerated() -> None:
    head = ("<script type='application/ld+json'><![CDATA[{\"@type\": \"Article\", \"headline\": \"Kept\",}]]></script>"
            "<script type='application/ld+json'>{not json</script>")
    assert md_of(head).title == "Kept"
    assert jsonld_objects(lxml_html.fromstring("<html><head><script type='application/ld+json'>[</script></head></html>")) == []


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("By JANE DOE and John Roe", ["JANE DOE", "John Roe"]),
        ("Von Anna Berger und Jonas Keller, 12.03.2025, 14:20 Uhr", ["Anna Berger", "Jonas Keller"]),
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jane Doe | Senior Political Correspondent", ["Jane Doe"]),
        ("Por María López y Carlos Ruiz", ["María López", "Carlos Ruiz"]),
        ("Written by Rob Smith (rob@example.com)", ["Rob Smith"]),
        ("Brenda Goodman, MA", ["Brenda Goodman"]),
        ("Jane Doe May 3, 2024", ["Jane Doe"]),
        ("https://example.com/authors/jane", []),
        ("By MND Staff", ["MND Staff"]),
        ("Staff Writer", []),
    ],
)
def test_clean_author(raw: str, names: list[str]) -> None:
    assert clean_author(raw) == names


def test_byline_used_when_meta_author_is_the_site_name() -> None:
    head = "<meta property='og:site_name' content='Example News'><meta name='author' content='Example News'>"
    body = "<article><div class='byline'>By <a rel='author' href='/a/lena'>Lena Fischer</a> · 3 May 2024</div></article>"
    md = md_of(head, body)
    assert md.authors == ["Lena Fischer"]
    assert md.sources["authors"] == "byline"


def test_site_name_is_the_author_when_no_person_is_named() -> None:
    md = md_of("<meta property='og:site_name' content='Example News'><meta name='author' content='Example News'>")
    assert md.authors == ["Example News"]


def test_author_bio_box_is_not_a_byline() -> None:
    body = ("<div class='author-bio'>Lena Fischer writes about cities.</div>"
            "<p class='byline'>By Tom Hale</p>")
    assert md_of("", body).authors == ["Tom Hale"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Budget passes narrowly | Example News", "Budget passes narrowly"),
        ("Budget passes narrowly - Example News", "Budget passes narrowly"),
        ("Example News: Budget passes narrowly after a long night", "Budget passes narrowly after a long night"),
        ("Example News - Latest News & Headlines", "Example News - Latest News & Headlines"),  # a tagline
        ("Budget passes narrowly – news.example.com", "Budget passes narrowly"),
        ("Brexit: what happens next - Politics - Example News", "Brexit: what happens next - Politics"),
        ("Q&A: Why the budget matters", "Q&A: Why the budget matters"),
    ],
)
def test_strip_site_suffix(title: str, expected: str) -> None:
    assert strip_site_suffix(title, ["Example News", "news.example.com", "example"]) == expected


def test_title_metadata_outranks_the_h1() -> None:
    head = ("<meta property='og:site_name' content='Example News'>"
            "<meta property='og:title' content='Budget passes narrowly after all-night session'>"
            "<title>Budget passes | Example News</title>")
    md = md_of(head, "<h1>Budget passes</h1>")
    assert md.title == "Budget passes narrowly after all-night session"
    # JSON-LD headline first, then og:title
    md = md_of(ld({"@type": "NewsArticle", "headline": "Budget passes narrowly"}) + head, "<h1>Budget passes</h1>")
    assert md.title == "Budget passes narrowly"


def test_jsonld_name_wins_over_a_headline_no_other_source_confirms() -> None:
    head = (ld({"@type": "Article", "name": "Hermitian matrix", "headline": "matrix equal to its conjugate-transpose"})
            + "<title>Hermitian matrix - Wikipedia</title>")
    assert md_of(head, "<h1>Hermitian matrix</h1>").title == "Hermitian matrix"
    head = ld({"@type": "Article", "name": "Example News", "headline": "Budget passes narrowly"})
    assert md_of(head, "<h1>Other</h1>").title == "Budget passes narrowly"


def test_reworded_kicker_in_the_h1_is_not_a_kicker() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Vision Pro hands-on: the display moment for headsets"})
    md = md_of(head, "<h1>Vision Pro is the display moment for headsets</h1>")
    assert md.title == "Vision Pro hands-on: the display moment for headsets"


def test_canonical_language_site_tags_image() -> None:
    head = (
        "<link rel='canonical' href='/politics/story-123'>"
        "<meta property='og:site_name' content='Example News'>"
        "<meta property='og:image' content='/img/a.jpg'>"
        "<meta property='article:tag' content='budget'><meta property='article:tag' content='parliament'>"
        "<meta property='article:section' content='Politics'>"
        "<meta name='description' content='  The budget passed. '>"
    )
    md = md_of(head, lang="de-AT")
    assert md.canonical_url == "https://news.example.com/politics/story-123"
    assert md.language == "de"
    assert md.site_name == "Example News"
    assert md.tags == ["budget", "parliament"]
    assert md.categories == ["Politics"]
    assert md.image == "https://news.example.com/img/a.jpg"
    assert md.description == "The budget passed."


def test_og_url_is_the_canonical_fallback_and_url_the_last() -> None:
    assert md_of("<meta property='og:url' content='https://news.example.com/x'>").canonical_url == "https://news.example.com/x"
    assert md_of("").canonical_url == URL


def test_dates_from_time_element_and_html_entities_in_jsonld() -> None:
    head = ld({"@type": "Article", "headline": "Caf&eacute; &amp; bar"})
    body = "<time itemprop='datePublished' datetime='2024-05-03T07:00:00-04:00'>May 3</time>"
    md = md_of(head, body)
    assert md.title == "Café & bar"
    assert md.date_published == "2024-05-03T07:00:00-04:00"


def test_listing_types_are_recorded() -> None:
    md = md_of(ld({"@type": "CollectionPage", "name": "Politics"}) + "<meta property='og:type' content='website'>")
    assert "collectionpage" in md.jsonld_types
    assert md.og_type == "website"


def test_kicker_dropped_when_another_source_gives_the_headline_alone() -> None:
    head = (ld({"@type": "NewsArticle", "headline": "Neue Leipziger Schule: Judy Lybke, ganz und gar nicht eigenartig"})
            + "<meta property='og:title' content='Judy Lybke, ganz und gar nicht eigenartig'>")
    md = md_of(head, "<h1>Neue Leipziger Schule: Judy Lybke, ganz und gar nicht eigenartig</h1>")
    assert md.title == "Judy Lybke, ganz und gar nicht eigenartig"
    # a colon that is part of the headline stays when no source gives a shorter form
    md = md_of("<meta property='og:title' content='Brexit: what happens next for the Irish border'>",
               "<h1>Brexit: what happens next for the Irish border</h1>")
    assert md.title == "Brexit: what happens next for the Irish border"


def test_date_part_in_title_suffix_is_dropped() -> None:
    head = ("<meta property='og:site_name' content='DW'>"
            "<meta property='og:title' content='Ukrainische Gegenoffensive: Ziele, Chancen, Risiken | DW | 28.04.2023'>")
    assert md_of(head).title == "Ukrainische Gegenoffensive: Ziele, Chancen, Risiken"


def test_labelled_author_and_site_acronym() -> None:
    head = "<meta property='og:site_name' content='DW.COM'><meta name='author' content='Deutsche Welle'>"
    body = "<ul><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autorin/Autor</strong> Roman Goncharenko</li></ul>"
    md = md_of(head, body, url="https://www.dw.com/de/story/a-123")
    assert md.authors == ["Roman Goncharenko"]


def test_space_separated_meta_properties_and_dublin_core_first() -> None:
    head = ("<title>Title Element</title>"
            "<meta property='x:title dc:title' content='Preferred title'>"
            "<meta property='og:title twitter:title' content='A title'>")
    assert md_of(head).title == "Preferred title"
    assert md_of("<meta property='og:title twitter:title' content='A title'>").title == "A title"


def test_bare_title_element_loses_its_last_part() -> None:
    assert md_of("<title>Lorem ipsum dolor sit amet – My website</title>").title == "Lorem ipsum dolor sit amet"
    assert md_of("<title>Short - Site</title>").title == "Short - Site"  # too short a head to stand alone


def test_byline_blocks_are_not_glued_and_login_widgets_are_not_bylines() -> None:
    body = ("<div class='authorization'><a>Sign In</a> <a>Sign Up</a></div>"
            "<div class='article-author'><div>Von</div><div><a>Lena Fischer</a></div></div>")
    assert md_of("", body).authors == ["Lena Fischer"]


def test_role_words_and_site_name_after_a_person_are_cut() -> None:
    assert md_of("<meta name='author' content='신현주 기자'>").authors == ["신현주"]
    head = "<meta property='og:site_name' content='Example News'><meta name='author' content='Jane Doe Example News'>"
    assert md_of(head).authors == ["Jane Doe"]


def test_agency_beside_a_person_in_jsonld_is_a_co_author() -> None:
    head = ld({"@type": "NewsArticle", "author": [{"@type": "Organization", "name": "Deutsche Presse-Agentur"},
                                                  {"@type": "Person", "name": "Lena Fischer"}]})
    assert md_of(head).authors == ["Deutsche Presse-Agentur", "Lena Fischer"]
    # an organisation alone yields to a byline naming a person
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example News"}})
    assert md_of(head, "<p class='byline'>By Tom Hale</p>").authors == ["Tom Hale"]


def test_section_tail_of_jsonld_headline_dropped_when_og_title_gives_the_headline_alone() -> None:
    head = (
        ld({"@type": "NewsArticle", "headline": "Harbour pier approved after long planning row | Local"})
        + "<meta property='og:title' content='Harbour pier approved after long planning row'>"
    )
    md = md_of(head)
    assert md.title == "Harbour pier approved after long planning row"
    assert "tail dropped" in md.sources["title"]


def test_headline_part_after_separator_kept_when_no_other_source_lacks_it() -> None:
    head = (
        ld({"@type": "NewsArticle", "headline": "Council votes on budget - and the mayor walks out"})
        + "<meta property='og:title' content='Council budget vote ends in walkout'>"
    )
    assert md_of(head).title == "Council votes on budget - and the mayor walks out"
