"""Noise filters, one class at a time: what must go, and the story text next to it that must stay."""

from __future__ import annotations

from collections import Counter

import pytest
from lxml import html as lxml_html

from crawler.extraction import Article, extract
from crawler.noise import filter_blocks, filter_paragraphs, is_agency_credit, is_dateline, is_filler, preclean

STORY = [
    "The regional parliament passed the water bill on Thursday after eleven hours of debate.",
    "Farmers' groups said the new quotas were fair, while two environmental organisations announced a legal challenge.",
    "The minister said the first permits would be issued in the autumn.",
]


def run(lines: list[str], **kw: object) -> tuple[list[str], Counter[str]]:
    removed: Counter[str] = Counter()
    return filter_paragraphs(lines, removed=removed, **kw), removed  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("noise", "cls"),
    [
        ("Go to Top", "back-to-top"),
        ("Go toTop", "back-to-top"),
        ("Back to top", "back-to-top"),
        ("↑ Nach oben", "back-to-top"),
        ("Source link", "source-link"),
        ("(Quelle: APA/dpa)", "source-link"),
        ("Previous Story", "navigation"),
        ("Next article", "navigation"),
        ("Latest Posts", "teaser-heading"),
        ("Related articles", "teaser-heading"),
        ("You may also like", "teaser-heading"),
        ("Lesen Sie auch", "teaser-heading"),
        ("Share this article", "teaser-heading"),
        ("MORE: Putin 'prepared to discuss ceasefire' with Trump", "teaser-heading"),
        ("More on Brexit: what the deal means for you", "teaser-heading"),
        ("READ MORE: First look at the theme park's terrifying new rollercoaster that's the country's tallest and fastest",
         "teaser-heading"),
        ("The GOP Primary Debate Was a Tedious Mess The GOP Primary Debate Was a Tedious Mess", "teaser-heading"),
        ("Share on Facebook", "share"),
        ("Sign up for our newsletter", "share"),
        ("We use cookies to improve your experience.", "share"),
        ("Follow us on Instagram", "share"),
        ("Photo: Jane Smith", "photo-credit"),
        ("© Reuters", "photo-credit"),
        ("STR/AFP via Getty Images", "photo-credit"),
        ("3 mins read", "header-chrome"),
        ("Today: February 2, 2026", "header-chrome"),
        ("Lesedauer: 4 Minuten", "header-chrome"),
        ("12 comments", "comments"),
        ("Externer Inhalt nicht verfügbar", "embed-placeholder"),
        ("Facebook https://fb.me/examplenews", "share"),
        ("Twitter: twitter.com/examplenews", "share"),
        ("เฟซบุ๊ก https://www.facebook.com/examplenews", "share"),
        ("Already a subscriber? Log in to read the rest.", "paywall"),
        ("Dieser Artikel ist exklusiv für Abonnenten.", "paywall"),
        ("［有料会員限定］ この記事は会員限定です。電子版に登録すると続きをお読みいただけます。", "paywall"),
        ("Check out more of the Gazette's latest travel stories by signing up to our free weekly newsletter",
         "subscribe"),
        ("Eine Newsübersicht am Morgen und zum Feierabend: Abonniere den Whatsapp-Kanal von Example News.",
         "subscribe"),
        ("Sie mögen den Tag kompakt zusammengefasst? Dann sind Sie beim täglichen Newsletter richtig – hier entlang.",
         "subscribe"),
        ("Aktuelle Nachrichten aufs Handy? Hier geht es zur neuen News-App – für Android und iOS.", "subscribe"),
        ("Фото: Иван Петров, Коммерсантъ", "photo-credit"),
        ("写真：共同通信", "photo-credit"),
        ("사진: 연합뉴스", "photo-credit"),
    ],
)
def test_line_noise_classes(noise: str, cls: str) -> None:
    out, removed = run([STORY[0], noise, *STORY[1:]])
    assert out == STORY
    assert removed[cls] == 1


@pytest.mark.parametrize("line", ["More than 40 people died in the floods, the regional authorities said.",
                                  "Moreover, the minister said the permits would follow.",
                                  # a sentence citing a post says more than its address
                                  "The minister announced it at https://twitter.com/ministry/status/17 on Monday.",
                                  "netflix.com/title/80100172",  # no social network's address
                                  # a story's paragraph about a paywall is longer than a notice
                                  "The paper's own report, which is for subscribers only, said the council had known of "
                                  "the cracks in the bridge since 2019 and had chosen to repair the road first.",
                                  # a story about a newsletter or an app offers none
                                  "Her newsletter now has 40,000 paying subscribers, she said.",
                                  "Users can download the app from Monday, the company said.",
                                  "The ministry's push alerts reached two million phones during the storm."])
def test_story_lines_like_teaser_headings_stay(line: str) -> None:
    out, removed = run([STORY[0], line, *STORY[1:]])
    assert out == [STORY[0], line, *STORY[1:]]
    assert not removed


def test_datelines_and_bylines_only_at_the_edges() -> None:
    out, removed = run(["By Maria Lopez", "12.03.2025, 14:20 Uhr", *STORY, "1998", "Posted on May 3, 2024"])
    assert out == STORY  # a year alone on the story's last line is a dateline too
    assert removed["byline"] == 1 and removed["dateline"] == 3
    middle = ["Intro paragraph of a timeline story about the bridge.", "Second paragraph of the story.",
              "Third paragraph, still the story.", "12 March 2025", "The bridge opened.", "More text.",
              "Closing text of the piece.", "Final words of the piece."]
    out, _ = run(middle)
    assert "12 March 2025" in out  # a date inside the story is part of it


def test_the_authors_names_alone_at_the_top_are_a_byline() -> None:
    story = ["A long first paragraph of the story about the mill and the council.", "Second paragraph."]
    removed: Counter[str] = Counter()
    kept = filter_paragraphs(["Ana Ruiz / Tom Hale", *story], authors=["Ana Ruiz", "Tom Hale"], removed=removed)
    assert kept == story
    assert removed["byline"] == 1
    # anywhere else, or naming someone else, the line is the story's
    assert filter_paragraphs([*story, "x", "y", "Ana Ruiz and Tom Hale"], authors=["Ana Ruiz", "Tom Hale"])[-1] == (
        "Ana Ruiz and Tom Hale"
    )
    assert filter_paragraphs(["Ana Ruiz", *story], authors=["Tom Hale"])[0] == "Ana Ruiz"


def test_title_repeated_at_top_is_removed() -> None:
    title = "Water bill passes after marathon debate"
    out, removed = run([title, title, *STORY], title=[title, "Water bill passes after marathon debate | Daily"])
    assert out == STORY and removed["title-repeat"] == 2


def test_a_kicker_above_the_repeated_title_goes_with_it() -> None:
    title = "Water bill passes after marathon debate"
    out, removed = run(["Verkehr", title, *STORY], title=[title])
    assert out == STORY and removed["kicker"] == 1 and removed["title-repeat"] == 1
    # a short line not followed by the title is the story's (a one-line answer, a list's label)
    out, removed = run(["Verkehr", *STORY], title=[title])
    assert out == ["Verkehr", *STORY] and not removed["kicker"]


def test_a_heading_atop_the_story_that_reads_as_the_title_is_removed() -> None:
    """The headline again, with a kicker before it or a clause left out: most of its words are the title's."""
    title = "Water bill passes after marathon debate in the regional parliament"
    removed: Counter[str] = Counter()
    kept = filter_blocks([("head", "Farming: Water bill passes after marathon debate"), *(("p", s) for s in STORY)],
                         title=[title], removed=removed)
    assert [text for _, text in kept] == STORY and removed["title-repeat"] == 1
    # a subheading of the story shares a word or two with the title, and a paragraph is never taken
    story_head = "Farmers plan a legal challenge to the bill"
    kept = filter_blocks([("head", story_head), *(("p", s) for s in STORY)], title=[title])
    assert kept[0][1] == story_head
    kept = filter_blocks([("p", "Water bill passes after debate"), *(("p", s) for s in STORY)], title=[title])
    assert kept[0][1] == "Water bill passes after debate"


def test_pull_quote_repeating_a_body_sentence() -> None:
    body = (
        "The minister defended the bill. “Any past objections raised by farming groups were heard and answered "
        "in full during the consultation,” she said on Thursday evening."
    )
    quote = "“Any past objections raised by farmers were heard and answered in full during the consultation.”"
    out, removed = run([("p", STORY[0]), ("quote", quote), ("p", body)])
    assert out == [STORY[0], body] and removed["pull-quote"] == 1
    # a block quote that says something new stays
    other = "“We will take this to the constitutional court, and we expect to win,” the lawyer said."
    out, _ = run([("p", STORY[0]), ("quote", other), ("p", body)])
    assert other in out


def test_repeated_teaser_title_is_removed_once_kept() -> None:
    out, removed = run([*STORY, "Tomorrow there is a world day of solidarity", "Tomorrow there is a world day of solidarity"])
    assert out.count("Tomorrow there is a world day of solidarity") == 1
    assert removed["repeated-paragraph"] == 1


@pytest.mark.parametrize(
    "filler",
    [
        "Cum at clita latine. Tation nominavi quo id. An est possit adipiscing, error tation qualisque vel te.",
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.",
        "Ei mel sumo iriure, vix ut possim deleniti. Quo te nonumy causae, eos eu sale dicant.",
    ],
)
def test_filler_is_detected_and_removed_beside_a_story(filler: str) -> None:
    assert is_filler(filler)
    out, removed = run([*STORY, filler])
    assert out == STORY and removed["filler"] == 1


@pytest.mark.parametrize(
    "text",
    [
        *STORY,
        "Il est parti et il ne veut pas revenir avant la fin de la semaine prochaine.",
        "Il governo non ha ancora deciso per la riforma delle pensioni di quest'anno.",
        "Et tu, Brute? The senator quoted Caesar in a speech that was mostly about taxes.",
        "Der Bürgermeister ist nicht mit dem Ergebnis der Abstimmung zufrieden.",
    ],
)
def test_real_language_is_not_filler(text: str) -> None:
    assert not is_filler(text)


def test_placeholder_page_keeps_its_filler() -> None:
    lorem = [
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore.",
        "Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.",
    ]
    out, removed = run(lorem)
    assert out == lorem and not removed["filler"]


def test_dateline_and_credit_helpers() -> None:
    assert is_dateline("Freitag, 28.04.2023, 19:25 Uhr")
    assert is_dateline("posted on April 21, 2015, at 11:29 a.m.")
    assert not is_dateline("In 2015 the bridge was closed for repairs.")
    # the place it was written in, before the date; the labels of dates whose elements were dropped
    assert is_dateline("Madrid - 20 may 2025 - 13:05 CEST") and is_dateline("BERLIN, 3. Mai 2024")
    assert is_dateline("Published · Updated")
    assert not is_dateline("The council said on May 3, 2024") and not is_dateline("Votes: 2024")
    assert not is_dateline("Published reports disagree")
    # Chinese, Japanese and Korean dates write their units after the numbers
    assert is_dateline("2025年1月14日 01時28分 (1月14日 01時40分更新)")
    assert is_dateline("2024년 5월 3일 오후 10:00 입력") and is_dateline("2023年5月3日 10:00 发布")
    assert not is_dateline("2025年の日本経済は回復した") and not is_dateline("5月3日に東京で")
    assert is_agency_credit("Oli Scarff | Getty Images")
    assert not is_agency_credit("He met Reuters")
    assert not is_agency_credit("The AP")


def test_preclean_removes_widgets_but_keeps_the_article() -> None:
    story = "".join(f"<p>{s} {s}</p>" for s in STORY) * 3
    doc = lxml_html.fromstring(
        "<html><body>"
        f"<article class='post has-share-bar related-content'>{story}"
        "<div class='share-buttons'><a href='#'>Facebook</a><a href='#'>X</a></div>"
        "<div class='newsletter-box'><p>Get our newsletter</p></div>"
        "<ul class='related-posts'><li><a href='/a'>Other story</a></li></ul>"
        "<nav class='post-navigation'><a href='/p'>Previous</a></nav>"
        "<a class='back-to-top' href='#'>Top</a>"
        "<p class='wp-caption-text photo-credit'>Photo: A. Person</p>"
        "</article><div id='cookie-consent'>Accept cookies</div></body></html>"
    )
    removed = preclean(doc)
    text = doc.text_content()
    assert STORY[1] in text
    for gone in ("Facebook", "Get our newsletter", "Other story", "Previous", "Accept cookies", "A. Person"):
        assert gone not in text
    assert set(removed) >= {"share", "subscribe", "related", "navigation", "back-to-top", "cookie"}


def test_noise_classes_end_to_end() -> None:
    paras = "".join(f"<p>{s}</p>" for s in STORY)
    page = (
        "<html lang='en'><head><title>Water bill passes</title></head><body><main><article>"
        "<h1>Water bill passes</h1><p>Water bill passes</p>"
        f"{paras}<p>Source link</p><p>Go toTop</p>"
        "<p>Cum at clita latine. Tation nominavi quo id. An est possit adipiscing, error tation qualisque vel te.</p>"
        "</article></main></body></html>"
    )
    result = extract(page, "https://example.test/water-bill")
    assert isinstance(result, Article)
    assert result.text == "\n\n".join(STORY)


def test_teaser_card_lists_are_removed_but_story_lists_kept() -> None:
    cards = "".join(
        f"<li><article><h3><a href='/other-{i}'>Other story number {i}</a></h3><p>Summary {i}.</p></article></li>"
        for i in range(4)
    )
    headed = "".join(f"<li><h2><a href='/x-{i}'>Headline {i}</a></h2><p>Teaser {i}</p></li>" for i in range(3))
    steps = "".join(f"<li>Step {i}: see <a href='/src-{i}'>the source</a></li>" for i in range(5))
    tree = lxml_html.fromstring(
        f"<html><body><article><p>Story text.</p><ol>{steps}</ol></article><ul>{cards}</ul><ol>{headed}</ol></body></html>"
    )
    removed = preclean(tree)
    text = tree.text_content()
    assert removed["teaser-list"] == 2
    assert "Other story" not in text and "Headline 1" not in text
    assert "Step 4" in text


def test_lists_of_links_to_the_sites_other_stories_are_removed_but_story_lists_kept() -> None:
    """A list whose items are each a link to another article of the same site ("Kicker: <a>headline</a>")
    goes; lists of links to other sites (sources, a bug tracker), a table of contents of the page, and
    a list saying more than its links stay. Without the page's address nothing is taken."""
    url = "https://news.example/politics/2026/01/02/budget-vote-1234.html"
    teasers = "".join(f"<li><strong>Kicker {i}: </strong><a href='/politics/article{900 + i}/other-story-{i}.html'>"
                      f"Other story headline number {i}</a></li>" for i in range(4))
    sources = "".join(f"<li><a href='https://tracker.example/show_bug.cgi?id={100 + i}'>Bug {100 + i} fixed in the"
                      f" parser</a></li>" for i in range(4))
    toc = "".join(f"<li><a href='#part-{i}'>Part {i} of this long explainer about the budget</a></li>" for i in range(4))
    notes = "".join(f"<li>The committee heard witness {i} on the second day of hearings, as the"
                    f" <a href='/politics/2026/01/0{i + 1}/hearing-{i}.html'>transcript</a> shows.</li>" for i in range(4))
    doc = (f"<html><body><article><p>Story text.</p><ul class='a'>{teasers}</ul><ul class='b'>{sources}</ul>"
           f"<ol class='c'>{toc}</ol><ul class='d'>{notes}</ul></article></body></html>")
    text = assert_one_teaser_list_only_with_the_url(doc, url)
    assert "Other story headline" not in text
    assert "Bug 103 fixed" in text and "Part 3 of this long explainer" in text and "witness 3" in text


def test_a_syndicated_copys_teaser_list_links_the_site_it_was_fetched_from() -> None:
    """A story syndicated to a sister site: its canonical address is on the other site, its teaser list
    links the site that serves it; that list goes when the fetched address is given too."""
    canonical = "https://sister.example/politics/article900/budget-vote.html"
    fetched = "https://news.example/politics/article900/budget-vote.html"
    teasers = "".join(f"<li><strong>Kicker {i}: </strong><a href='https://news.example/politics/article{910 + i}/"
                      f"story-{i}.html'>Other story headline number {i}</a></li>" for i in range(4))
    doc = f"<html><body><article><p>Story text.</p><ul>{teasers}</ul></article></body></html>"
    assert preclean(lxml_html.fromstring(doc), canonical)["teaser-list"] == 0
    tree = lxml_html.fromstring(doc)
    assert preclean(tree, canonical, also_url=fetched)["teaser-list"] == 1
    assert "Other story headline" not in tree.text_content()


def assert_one_teaser_list_only_with_the_url(doc: str, url: str) -> str:
    """Preclean ``doc``: one teaser list goes when the page's address is known, none without it; the text left."""
    tree = lxml_html.fromstring(doc)
    assert preclean(tree, url)["teaser-list"] == 1
    assert preclean(lxml_html.fromstring(doc))["teaser-list"] == 0
    return str(tree.text_content())


def test_paragraph_of_links_one_per_line_to_the_sites_other_stories_is_removed() -> None:
    """The same teaser list written as a paragraph ("<strong>Related</strong><br><a>..</a><br><a>..</a>",
    in any language) goes; a paragraph of links to other sites, or with a sentence around its links, stays."""
    url = "https://news.example/journal/2026/01/80642"
    related = ("<p><strong>เรื่องที่เกี่ยวข้อง</strong><br><a href='https://news.example/journal/2025/12/80211'>"
               "First related headline</a><br><a href='/journal/2025/12/80328'>Second related headline</a></p>")
    sources = ("<p><strong>Sources</strong><br><a href='https://court.example/ruling/2025/123'>The ruling</a><br>"
               "<a href='https://court.example/ruling/2025/124'>The appeal</a></p>")
    prose = ("<p>The court cited <a href='/journal/2025/12/80211'>our report</a> and<br>"
             "<a href='/journal/2025/12/80328'>the follow-up</a> in its ruling on Monday.</p>")
    doc = f"<html><body><article><p>Story text.</p>{prose}{sources}{related}</article></body></html>"
    text = assert_one_teaser_list_only_with_the_url(doc, url)
    assert "related headline" not in text
    assert "The ruling" in text and "our report" in text and "the follow-up" in text


def test_notice_linking_the_sites_legal_pages_is_removed() -> None:
    """Comment rules or a data-use notice linking the privacy policy and terms (in any language) go; a
    story paragraph linking stories about privacy, or one legal page, stays."""
    notice = ("<p>ترحب الشبكة بالنقاش. ننصحك بمراجعة <a href='/community_guidelines.html'>إرشادات الاستخدام</a>"
              " و<a href='/privacy.html'>سياسة الخصوصية</a>.</p>")
    story = ("<p>The regulator's <a href='/2026/01/02/new-privacy-rules-for-apps-1234'>new privacy rules</a> follow"
             " <a href='/2025/11/30/terms-of-the-data-deal-explained-987'>the data deal</a>; see its"
             " <a href='https://regulator.example/privacy'>privacy notice</a>.</p>")
    tree = lxml_html.fromstring(f"<html><body><article><p>Story text.</p>{story}{notice}</article></body></html>")
    removed = preclean(tree, "https://news.example/2026/01/03/story-1")
    text = tree.text_content()
    assert removed["legal-notice"] == 1
    assert "إرشادات" not in text and "new privacy rules" in text
    # several on one page, next to each other and apart, all go
    tree = lxml_html.fromstring(f"<html><body><article>{notice}{notice}<p>Story text.</p>{story}{notice}</article>"
                                "</body></html>")
    assert preclean(tree, "https://news.example/2026/01/03/story-1")["legal-notice"] == 3


def test_slideshow_of_numbered_slides_is_removed_but_story_lists_kept() -> None:
    """A gallery laid over the story (each slide a "k/N" counter, a title and a caption) goes; a
    numbered list of the story's own, or a few counters, stay."""
    slides = "".join(
        f"<li><h2><span class='counter'>{i}/12</span> Picture title {i}</h2><p>Caption of picture {i}, a longer"
        f" sentence describing what the photographer saw.</p><p>AGENCY</p></li>" for i in range(1, 13)
    )
    steps = "".join(f"<li><span>Step {i}</span> Mix the ingredient number {i} into the bowl.</li>" for i in range(1, 6))
    pages = "".join(f"<li><span>{i} of 3</span> Part {i} of the series.</li>" for i in range(1, 4))
    tree = lxml_html.fromstring(
        f"<html><body><article><p>Story text.</p><ol>{steps}</ol><div class='gallery'><ul class='legends'>{slides}"
        f"</ul></div><ul>{pages}</ul><p>More story text.</p></article></body></html>"
    )
    removed = preclean(tree)
    text = tree.text_content()
    assert removed["slideshow"] == 1
    assert "Picture title" not in text and "Caption of picture" not in text
    assert "Step 5" in text and "Part 3 of the series" in text and "More story text." in text


def test_slideshow_counters_spread_over_the_page_are_not_one_container() -> None:
    """Counters of the same total in unrelated places (their lowest common container is the article,
    whose other children are the story) remove nothing."""
    body = "".join(f"<p>Paragraph {i} of the story.</p><div><span>{i}/5</span></div>" for i in range(1, 6))
    body += "".join(f"<p>Closing paragraph {i}.</p>" for i in range(20))
    tree = lxml_html.fromstring(f"<html><body><div class='story'>{body}</div></body></html>")
    removed = preclean(tree)
    assert removed["slideshow"] == 0
    assert "Closing paragraph 19." in tree.text_content()


def test_filter_blocks_says_which_blocks_are_kept() -> None:
    title = "Water bill passes after marathon debate"
    blocks = [("head", title), ("p", STORY[0]), ("item", "Share on Facebook"), ("item", STORY[1]),
              ("p", STORY[1]), ("p", STORY[2])]
    removed: Counter[str] = Counter()
    kept = filter_blocks(blocks, title=title, removed=removed)
    assert kept == [(1, STORY[0]), (3, STORY[1]), (5, STORY[2])]
    assert [p for _i, p in kept] == filter_paragraphs(blocks, title=title)


@pytest.mark.parametrize("invisible", ["\ufeff", "\u200b \u200d", " \ufeff\u2060 "])
def test_lines_of_invisible_characters_are_empty(invisible: str) -> None:
    out, removed = run([STORY[0], invisible, *STORY[1:]])
    assert out == STORY
    assert not removed  # an empty line is no noise class


@pytest.mark.parametrize("href", ["/politics/2026/01/02/other-story-1234.html", "/politics/2026/01/02/other-story-1234.html?x=1#c",
                                  "/politics/../politics/2026/01/02/budget-vote-1234.html", "/a/./s12", "/s1", "/\tpolitics/x-12",
                                  "/politics/2026/01/02/budget-vote-1234.html#part-2", "//other.example/2026/01/02/story-1234",
                                  "https://news.example/2026/01/02/story-1234", "story-1234", " /a/b/c/d/e/f/g/h/i/j/k/l/m "])
def test_site_article_links_read_without_joining_agree_with_joined_urls(href: str) -> None:
    """Root-relative paths are read straight off the link; what urljoin would change is joined as before."""
    from urllib.parse import urljoin, urlsplit

    from crawler.noise import ARTICLE_ID_MIN_DIGITS, ARTICLE_PATH_MIN_CHARS, _is_site_article

    url = "https://news.example/politics/2026/01/02/budget-vote-1234.html"
    page = urlsplit(url)
    target = urlsplit(urljoin(url, href.strip()))
    last = target.path.rstrip("/").rsplit("/", 1)[-1]
    expected = target.hostname == page.hostname and target.path != page.path and (
        len(target.path) >= ARTICLE_PATH_MIN_CHARS or sum(c.isdigit() for c in last) >= ARTICLE_ID_MIN_DIGITS)
    assert _is_site_article(href, url, page) == expected


def test_the_box_after_a_paywall_notice_where_the_story_stops_goes_with_it() -> None:
    story = list(STORY)
    box = ["Already a subscriber? Log in to read the rest.", "All our articles, every day",
           "The newsletter of your choice", "Cancel at any time"]
    removed: Counter[str] = Counter()
    assert filter_paragraphs([*story, *box], removed=removed) == story
    assert removed["paywall"] == len(box)
    # after a notice high up in the story, the story goes on: kept
    rest = [s.replace("Thursday", "Friday").replace("autumn", "spring") + " More to come." for s in STORY]
    assert filter_paragraphs([story[0], box[0], *rest]) == [story[0], *rest]


def _precleaned(body: str, url: str = "https://news.example/2025/01/02/water-bill") -> tuple[str, Counter[str]]:
    doc = lxml_html.fromstring(f"<html><body>{body}</body></html>")
    removed = preclean(doc, url)
    return " ".join(doc.text_content().split()), removed


def test_inline_text_hidden_from_screen_readers_goes_but_hidden_blocks_and_drop_caps_stay() -> None:
    story = "".join(f"<p>{s}</p>" for s in STORY)
    text, removed = _precleaned(
        f"<article><p><span aria-hidden='true'>**ICON LABEL**</span>{STORY[0]}</p>"
        f"<p aria-hidden='true'>A paragraph of the story a theme hides from screen readers.</p>"
        f"<p><span aria-hidden='true'>T</span>he drop cap stays glued to its word.</p>{story}</article>")
    assert "**ICON LABEL**" not in text and removed["aria-hidden"] == 1
    assert "A paragraph of the story a theme hides" in text
    assert "The drop cap stays glued to its word." in text


def test_a_poll_and_a_topics_line_are_widgets() -> None:
    story = "".join(f"<p>{s}</p>" for s in STORY)
    poll = ("<div class='box'><p>Which of these remedies is your favourite?</p>"
            "<label><input type='radio' name='q1' value='a'> Chicken soup</label>"
            "<label><input type='radio' name='q1' value='b'> Ginger tea</label>"
            "<label><input type='radio' name='q1' value='c'> Sleep</label></div>")
    topics = "<p class='topics'>Topics: <a href='/t/water'>water</a>, <a href='/t/farming'>farming</a></p>"
    text, removed = _precleaned(f"<article>{story}{poll}{topics}</article>")
    assert STORY[2] in text
    for gone in ("your favourite", "Chicken soup", "Topics:"):
        assert gone not in text
    assert removed["poll"] == 1 and removed["tags"] == 1


def test_a_grid_of_teaser_cards_in_divs_goes_but_a_story_with_subheadings_stays() -> None:
    story = "".join(f"<p>{s}</p>" for s in STORY)
    cards = "".join(f"<div class='card'><h3><a href='/2025/01/0{i}/another-story-{i}'>Headline of another story {i}</a></h3>"
                    f"<p>The dek of story {i}, which the main extractor would keep.</p></div>" for i in range(1, 5))
    sections = "".join(f"<div><h3><a href='#part-{i}'>Part {i}</a></h3><p>{s}</p></div>" for i, s in enumerate(STORY))
    text, removed = _precleaned(f"<article>{story}</article><div class='more'>{cards}</div><div>{sections}</div>")
    assert "Headline of another story" not in text and "The dek of story" not in text
    assert removed["teaser-list"] == 1
    assert "Part 2" in text  # its headings link to the page's own anchors


def test_a_widget_is_not_kept_as_prose_for_the_code_of_its_scripts() -> None:
    story = "".join(f"<p>{s}</p>" for s in STORY)
    script = "<script>" + "var config = {'share': true, 'networks': ['x', 'y']};" * 40 + "</script>"
    bar = f"<ul class='article-social'>{script}<li><div class='report'>Report an error in this article</div></li></ul>"
    text, removed = _precleaned(f"<article>{story}{bar}</article>")
    assert "Report an error" not in text and removed["share"] == 1
