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
        # initials are not the one-letter conjunctions of Czech, Italian, Spanish or Polish
        ("Dana A. Ford, James S.A. Corey, and Tom Watkins", ["Dana A. Ford", "James S.A. Corey", "Tom Watkins"]),
        ("Jan Novák a Petr Svoboda", ["Jan Novák", "Petr Svoboda"]),
        ("Mario Rossi e Luca Bianchi", ["Mario Rossi", "Luca Bianchi"]),
        # a middle dot or bullet before the time of a teaser or card byline
        ("By Tom Bradley · Yesterday", ["Tom Bradley"]),
        ("By Jane Doe • 3 hours ago", ["Jane Doe"]),
        ("Von Anna Müller · vor 2 Stunden", ["Anna Müller"]),
        ("By Ann Lee, Today", ["Ann Lee"]),
        ("By Chris Hoy", ["Chris Hoy"]),
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


STORY = "<p>" + "IN the heart of the valley, the council met on Tuesday to decide the future of the old mill. " * 2 + "</p>"


def test_bold_name_line_heading_the_story_is_its_byline() -> None:
    head = "<meta property='og:site_name' content='Valley Times'><meta name='author' content='Valley Times'>"
    one = md_of(head, f"<article><p>&nbsp;</p><p><strong>Mohlo Mpesi</strong></p>{STORY}</article>")
    assert one.authors == ["Mohlo Mpesi"]
    assert one.sources["authors"] == "byline"
    two = md_of(head, f"<article><p><b>Ana Ruiz/TOM HALE</b></p>{STORY}</article>")
    assert two.authors == ["Ana Ruiz", "TOM HALE"]


@pytest.mark.parametrize(
    "body",
    [
        f"{STORY}<p><strong>Closing Remarks</strong></p>{STORY}",  # a subheading inside the story
        "<p><strong>Ana Ruiz</strong></p><p>Short caption.</p>",  # no story paragraph after it
        f"<p><strong>Ana Ruiz</strong> said the mill would close.</p>{STORY}",  # a sentence, not a name
        f"<p><strong>the new mill</strong></p>{STORY}",  # not capitalised like a name
        f"<p><strong>Breaking News: Mill Closes</strong></p>{STORY}",  # punctuation
    ],
)
def test_bold_lines_that_are_not_bylines(body: str) -> None:
    head = "<meta property='og:site_name' content='Valley Times'><meta name='author' content='Valley Times'>"
    assert md_of(head, f"<article>{body}</article>").authors == ["Valley Times"]


def test_a_person_named_in_json_ld_wins_over_a_bold_name_line() -> None:
    head = ld({"@type": "NewsArticle", "author": {"@type": "Person", "name": "Lena Fischer"}})
    assert md_of(head, f"<article><p><strong>Ana Ruiz</strong></p>{STORY}</article>").authors == ["Lena Fischer"]


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
        ("Budget passes narrowly -- Example News", "Budget passes narrowly"),
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


def test_declared_canonical_url_in_canonical_form_and_only_when_it_can_be_the_key() -> None:
    """The page's canonical tag is put in the crawl's canonical form (no tracking parameters, no
    fragment, default port and host case folded); a tag that cannot be the page's key (not http(s), a
    broken host or port, or the site's front page declared by an article: a misconfigured theme would
    make every article of the site one record) is passed over for og:url, then the page's URL."""
    tag = "<link rel='canonical' href='{}'>"
    assert md_of(tag.format("HTTPS://News.Example.com:443/politics/story-123?utm_source=rss&id=7#top")
                 ).canonical_url == "https://news.example.com/politics/story-123?id=7"
    og = "<meta property='og:url' content='https://news.example.com/politics/story-123'>"
    for broken in ("https://news.example.com/", "/", "http://exa mple.com/a", "https://news.example.com:99999/a",
                   "http://[::1/a", "ftp://news.example.com/a", "javascript:void(0)"):
        assert md_of(tag.format(broken)).canonical_url == URL, broken
        md = md_of(tag.format(broken) + og)
        assert md.canonical_url == "https://news.example.com/politics/story-123", broken
        assert md.sources["canonical_url"] == "og:url"
    # another site's page (a syndicated copy naming its original) and a front page's own tag stay
    assert md_of(tag.format("https://wire.example.org/2024/05/03/story")).canonical_url == (
        "https://wire.example.org/2024/05/03/story")
    assert md_of(tag.format("https://news.example.com/"), url="https://news.example.com/").canonical_url == (
        "https://news.example.com/")


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
    # the <h1> the bare <title> starts with is the headline, separator spaced or not
    h1 = "<h1>短缺药品保供稳价 全力保障临床用药需求</h1>"
    assert md_of("<title>短缺药品保供稳价 全力保障临床用药需求-新华网</title>", h1).title == "短缺药品保供稳价 全力保障临床用药需求"
    assert md_of("<title>Short - Site</title>", "<h1>Short</h1>").title == "Short"
    # an <h1> that is not the <title>'s head (a section name, a logo) cuts nothing
    assert md_of("<title>Harbour plans-Example</title>", "<h1>Harbour</h1>").title == "Harbour plans-Example"


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


def test_jsonld_name_wins_when_more_sources_repeat_it_than_the_headline() -> None:
    # a short SEO headline that only the <title> repeats; name, og:title and the <h1> give the full one
    full = "A woman who lost 130 pounds shares 7 changes she was not expecting"
    head = (ld({"@type": "NewsArticle", "headline": "Woman who lost 130lb: seven changes", "name": full})
            + f"<meta property='og:title' content='{full}'>"
            + "<title>Woman Who Lost 130lb: Seven Changes - Example News</title>")
    md = md_of(head, f"<h1>{full}</h1>")
    assert md.title == full
    # a tie keeps the headline
    head = (ld({"@type": "NewsArticle", "headline": "Council votes on the harbour budget", "name": full})
            + f"<meta property='og:title' content='{full}'>")
    assert md_of(head, "<h1>Council votes on the harbour budget</h1>").title == "Council votes on the harbour budget"


def test_tail_glued_on_without_spaces_dropped_where_the_declared_headline_ends() -> None:
    head = ("<meta property='og:site_name' content='한국일보'>"
            "<meta property='og:title' content='장동혁, 한동훈 제명했지만 외연 확장 부담 커졌다-정치ㅣ한국일보'>"
            "<meta name='headline' content='장동혁, 한동훈 제명했지만 외연 확장 부담 커졌다'>")
    md = md_of(head, url="https://www.hankookilbo.com/news/article/A1")
    assert md.title == "장동혁, 한동훈 제명했지만 외연 확장 부담 커졌다"
    # without another declared form of the headline, a hyphen without spaces is the headline's own
    head = "<meta property='og:title' content='Covid-19 cases fall again in the capital region'>"
    assert md_of(head).title == "Covid-19 cases fall again in the capital region"


def test_meta_headline_is_evidence_not_a_title_source() -> None:
    head = ("<meta property='og:title' content='Green hydrogen pipeline flagged'>"
            "<meta itemprop='headline' content='Environmental groups concerned'>")
    assert md_of(head).title == "Green hydrogen pipeline flagged"


def test_punctuation_variant_given_by_the_title_element_is_taken() -> None:
    head = (ld({"@type": "NewsArticle", "headline": "Rückbau von Atomkraftwerk - Kühltürme gesprengt"})
            + "<meta property='og:title' content='Rückbau von Atomkraftwerk: Kühltürme gesprengt'>"
            + "<title>Rückbau von Atomkraftwerk: Kühltürme gesprengt - Politik</title>")
    md = md_of(head)
    assert md.title == "Rückbau von Atomkraftwerk: Kühltürme gesprengt"
    assert "typeset as <title>" in md.sources["title"]
    # when the <title> gives the JSON-LD form, or neither, the JSON-LD headline stays
    head = (ld({"@type": "NewsArticle", "headline": "Kohberger’s lawyers get an interview"})
            + "<meta property='og:title' content=\"Kohberger's lawyers get an interview\">"
            + "<title>Kohberger’s lawyers get an interview | Example News</title>")
    assert md_of(head).title == "Kohberger’s lawyers get an interview"
    head = (ld({"@type": "NewsArticle", "headline": "Kohberger’s lawyers get an interview"})
            + "<meta property='og:title' content=\"Kohberger's lawyers get an interview\">")
    assert md_of(head).title == "Kohberger’s lawyers get an interview"


def test_author_credit_in_the_title_is_dropped_like_the_site_name() -> None:
    head = ("<meta property='og:site_name' content='Example News'><meta name='author' content='Cristina Laila'>"
            "<meta property='og:title' content='Roommate agrees to interview | Example News | by Cristina Laila'>")
    assert md_of(head).title == "Roommate agrees to interview"
    # "by" followed by anything but the page's author is the headline's
    head = "<meta property='og:title' content='Stand by me | by the river'>"
    assert md_of(head).title == "Stand by me | by the river"


def test_byline_name_ends_with_its_link_and_comment_bylines_are_skipped() -> None:
    body = ("<ul class='comments-list'><li class='comment'><div class='byline'><div class='username'>Sky</div>"
            "</div></li></ul>"
            "<div class='author_fmt'>By <a rel='author' href='/kelli-miller'>Kelli Miller</a><br/>WebMD Health News</div>")
    assert md_of("", body).authors == ["Kelli Miller"]
    body = ("<div class='author'><a href='/author/ben-silverman'>Ben Silverman</a>"
            "<div class='author-title'>Games Editor</div></div>")
    assert md_of("", body).authors == ["Ben Silverman"]


def test_dublin_core_creators_written_family_name_first() -> None:
    head = "<meta name='DC.Creator' content='Kooman, F.'><meta name='DC.Creator' content='Jong, Michiel de'>"
    assert md_of(head).authors == ["F. Kooman", "Michiel de Jong"]
    # two full names in one value are not one inverted name
    head = "<meta name='DC.Creator' content='Jane Doe, John Roe'>"
    assert md_of(head).authors == ["Jane Doe", "John Roe"]


def test_date_stated_as_a_title_part_is_the_fallback_publishing_day() -> None:
    md = md_of("<title>Una solución no violenta - 07.12.2017 - LA NACION</title>")
    assert md.date_published == "2017-12-07T00:00:00+00:00"
    assert md.sources["date_published"] == "title date part"
    # a slashed date is ambiguous (day or month first) and is not read; metadata dates come first
    assert md_of("<title>Budget passes | 07/12/2017 | Example News</title>").date_published is None
    head = ("<meta property='article:published_time' content='2017-12-08T10:00:00Z'>"
            "<title>Budget passes | 07.12.2017</title>")
    assert md_of(head).date_published == "2017-12-08T10:00:00+00:00"


def test_co_authors_in_parentheses_after_the_byline_name_are_authors() -> None:
    assert clean_author("Par Martin Dupont (avec Anne Roy et Paul Nez)") == ["Martin Dupont", "Anne Roy", "Paul Nez"]
    assert clean_author("By Jane Doe (with John Roe)") == ["Jane Doe", "John Roe"]
    # an aside that is not names stays out, as any other parenthesis
    assert clean_author("By Jane Doe (with reporting from the city desk)") == ["Jane Doe"]
    assert clean_author("Jane Doe (Reuters)") == ["Jane Doe"]


def test_the_cms_admin_account_is_not_the_writer() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Council votes on the new budget",
               "author": {"@id": "https://news.example.com/author/admin/", "name": "Example D"}})
    body = ("<h1>Council votes on the new budget</h1><p>by <a href='https://news.example.com/author/admin/' "
            "rel='author'>Example D</a></p><p><strong>JANE DOE</strong></p><p>" + "The council met. " * 12 + "</p>")
    assert md_of(head, body).authors == ["JANE DOE"]
    # a writer with an account of their own is still the JSON-LD author
    head = ld({"@type": "NewsArticle", "headline": "Council votes on the new budget",
               "author": {"@id": "https://news.example.com/author/jdoe/", "name": "Example D"}})
    assert md_of(head, body.replace("/author/admin/", "/author/jdoe/")).authors == ["Example D"]


def test_an_agency_code_on_the_page_does_not_outrank_the_declared_site_author() -> None:
    head = "<meta property='og:site_name' content='Example News'><meta name='author' content='Example News'>"
    assert md_of(head, "<div class='article-author'>von APA</div>").authors == ["Example News"]
    assert md_of(head, "<div class='backlink__author'>Quelle: sid/dpa</div>").authors == ["Example News"]
    # a person's name on the page still does, and a code stands where nothing else is declared
    assert md_of(head, "<div class='article-author'>von Anna Berger</div>").authors == ["Anna Berger"]
    assert md_of("", "<div class='article-author'>von APA</div>").authors == ["APA"]


def test_naive_timestamp_takes_the_offset_the_page_prints_for_the_same_minute() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Bridge reopens", "datePublished": "2025-08-19T09:15:00",
               "dateModified": "2025-08-21T16:40:00"})
    body = ("<p>Published <time datetime='2025-08-19T09:15:00-07:00'>Aug. 19, 9:15 a.m.</time></p>"
            "<p>Updated <time datetime='2025-08-21T16:40:00-07:00'>Aug. 21, 4:40 p.m.</time></p>")
    md = md_of(head, body)
    assert md.date_published == "2025-08-19T09:15:00-07:00"
    assert md.date_modified == "2025-08-21T16:40:00-07:00"
    assert md.sources["date_published"] == "json-ld datePublished + page offset"


def test_naive_timestamp_stays_utc_when_no_date_on_the_page_shows_the_same_minute() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Bridge reopens", "datePublished": "2025-08-19T09:15:00"})
    md = md_of(head, "<time datetime='2025-08-19T11:00:00-07:00'>later</time>")
    assert md.date_published == "2025-08-19T09:15:00+00:00"
    assert md.sources["date_published"] == "json-ld datePublished"


def test_stated_offset_is_never_replaced_by_another_on_the_page() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Bridge reopens", "datePublished": "2025-08-19T09:15:00+02:00"})
    md = md_of(head, "<time datetime='2025-08-19T09:15:00-07:00'>x</time>")
    assert md.date_published == "2025-08-19T09:15:00+02:00"


def test_time_element_gives_the_publication_time_when_no_metadata_does() -> None:
    body = ("<header><h1>Power plan</h1><p class='meta'>"
            "<time datetime='2025-06-12T18:45:00+09:00'>2025/06/12 18:45</time> "
            "更新：<time datetime='2025-06-13T08:00:00+09:00'>2025/06/13</time></p></header>")
    md = md_of("", body)
    assert md.date_published == "2025-06-12T18:45:00+09:00"
    assert md.sources["date_published"] == "time element"


@pytest.mark.parametrize(
    "body",
    [
        # an "Updated" label introduces the only timestamp
        "<p>Updated <time datetime='2025-06-13T08:00:00+09:00'>June 13</time></p>",
        "<p><span>Zuletzt aktualisiert:</span> <time datetime='2025-06-13T08:00:00+02:00'>13.6.</time></p>",
        # teaser lists, sidebars and links date other stories
        "<aside><time datetime='2025-06-13T08:00:00+09:00'>June 13</time></aside>",
        "<ul class='related-posts'><li><time datetime='2025-06-13T08:00:00+09:00'>June 13</time></li></ul>",
        "<a href='/other'><time datetime='2025-06-13T08:00:00+09:00'>June 13</time> Other story</a>",
        # an embedded post quoted in the story carries its own date
        "<blockquote class='instagram-media'><p>A post (@someone) <time datetime='2018-03-12T19:30:12+00:00'>"
        "Mar 12, 2018</time></p></blockquote>",
        # a day alone, or a time without an offset, is not a printed timestamp to trust over htmldate
        "<time datetime='2025-06-13'>June 13</time>",
        "<time datetime='2025-06-13T08:00:00'>June 13</time>",
    ],
)
def test_time_element_not_taken_for_publication(body: str) -> None:
    md = md_of("", body)
    assert md.date_published is None


@pytest.mark.parametrize(
    ("title", "site"),
    [
        ("Bridge reopens to trucks | Harbour Post", "Harbour Post"),
        ("Harbour Post - Bridge reopens to trucks after repairs", "Harbour Post"),
        ("Bridge reopens to trucks | Politics", None),  # a section, not the host's name
        ("Harbour bridge reopens to trucks", None),
    ],
)
def test_site_name_from_the_title_part_spelling_the_host(title: str, site: str | None) -> None:
    md = md_of(f"<title>{title}</title>", url="https://www.harbourpost.example/2025/08/19/bridge")
    assert md.site_name == site
    if site:
        assert md.sources["site_name"] == "title part"
        assert md.title is not None and site not in md.title


def test_site_name_from_metadata_wins_over_the_title_part() -> None:
    md = md_of("<title>Bridge reopens | Harbour Post</title><meta property='og:site_name' content='The Harbour Post'>",
               url="https://harbourpost.example/a")
    assert md.site_name == "The Harbour Post"


@pytest.mark.parametrize(
    ("body", "authors"),
    [
        ("<div class='artikel-autor'>Von Anna Müller und Jörg Schneider</div>", ["Anna Müller", "Jörg Schneider"]),
        ("<p class='auteur'>Par Marie Dupont</p>", ["Marie Dupont"]),
        ("<span class='nota-autor'>Por Carlos Ruiz</span>", ["Carlos Ruiz"]),
        # a picture's credit ("bildautor") names no writer
        ("<div class='bildautor'>Foto: Bild: SN/APA/KEYSTONE/CYRIL ZINGARO</div>", []),
    ],
)
def test_byline_classes_in_the_theme_s_language(body: str, authors: list[str]) -> None:
    assert md_of("", f"<article><h1>Bahn saniert die Strecke</h1>{body}<p>Text.</p></article>").authors == authors


def test_byline_box_buttons_days_and_credits_are_no_names() -> None:
    from crawler.metadata import _looks_like_name, clean_author

    for label in ("View Comments", "Follow on Twitter", "Print", "center-right perspective Email Bio Follow",
                  "More from Josh", "Ariel Pierre-Louis at MSA Models", "NJ Advance Media for"):
        assert not _looks_like_name(label), label
    for name in ("Jane Doe", "Ludwig van Beethoven", "viktor hedlund", "FOCUS online", "Ana de la Cruz"):
        assert _looks_like_name(name), name
    # the day of a byline's date is not part of the name
    assert clean_author("Joe Wee Monday, February 29, 2016 @ 11:10 PM UTC") == ["Joe Wee"]
    assert clean_author("Wednesday") == []


def test_the_first_byline_box_naming_someone_wins_over_its_buttons() -> None:
    html = ("<html><head><title>Harbour</title></head><body><article>"
            "<div class='author-box'><a href='/comments'>View Comments</a></div>"
            "<div class='byline'>By <a href='/author/juli-clover'>Juli Clover</a> Wednesday December 21, 2016</div>"
            "<p>" + "The harbour authority approved the new ferry pier. " * 8 + "</p></article></body></html>")
    md = extract_metadata(lxml_html.fromstring(html), "https://news.example/2016/12/21/harbour")
    assert md.authors == ["Juli Clover"]
