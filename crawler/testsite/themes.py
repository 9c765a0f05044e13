"""HTML of the test site: a WordPress-style theme and a div-soup magazine theme, full of page noise.

Article renderers append every visible noise string they print to a `noise` list; the site keeps
that list on the `Article` so tests know exactly what must not reach a stored text.
"""

from __future__ import annotations

import json
import random
from html import escape
from typing import TYPE_CHECKING

from . import seed
from .content import COMMENTS, FILLERS, PLACES, SECTIONS, name
from .model import SITE_NAME, Article, tag_slug

if TYPE_CHECKING:
    from .site import NewsSite


def e(text: str) -> str:
    return escape(text, quote=True)


def long_date(iso: str) -> str:
    from datetime import datetime

    d = datetime.fromisoformat(iso)
    return f"{d:%B} {d.day}, {d.year}"


def uk_date(iso: str) -> str:
    from datetime import datetime

    d = datetime.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}, {d:%H:%M}"


def feed_links(base: str) -> str:
    return (
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} &raquo; Feed" href="{base}/feed/">\n'
        f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} &raquo; Atom" '
        f'href="{base}/feed/atom/">\n'
    )


COOKIE_WP = "We use cookies to give you the best experience on our website."
COOKIE_MAG = "We and our 842 partners store and access information on your device."
#: In-body noise, only with ``NewsSite(inline_noise=True)``: paragraphs inside the story container.
INLINE_FOLLOW = "Follow us on Telegram and WhatsApp for the latest news."
INLINE_PROFILES = "Facebook https://www.facebook.com/dailyexample<br>X: https://x.com/dailyexample"
INLINE_COMMENT_RULES = ('Comments are moderated before they appear. Please read our <a href="/community-guidelines/">'
                        'community guidelines</a> and our <a href="/privacy-policy/">privacy policy</a>, which say how '
                        'your name and photo may be shown with what you write.')
INLINE_SIGNUP = "Sign up to The Morning Briefing, our free newsletter, to get the day's top stories first."


def wp_header(site: NewsSite, today: str) -> str:
    sections = "".join(f'<li class="menu-item"><a href="/section/{s}/">{s.capitalize()}</a></li>' for s in SECTIONS)
    return f"""<div id="cookie-notice" class="cookie-notice"><span class="cn-text">{COOKIE_WP}</span>
<a href="#" class="cn-accept">Accept</a> <a href="/about/#privacy">Privacy policy</a></div>
<header id="masthead" class="site-header">
<div class="top-bar"><span class="today-date">{e(today)}</span>
<a class="login" href="/login/">Log in</a></div>
<div class="site-branding"><p class="site-title"><a href="/" rel="home">{SITE_NAME}</a></p>
<p class="site-description">Independent news, every day</p></div>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
<li class="menu-item"><a href="/">Home</a></li>{sections}
<li class="menu-item"><a href="/about/">About</a></li>
<li class="menu-item"><a href="/search?q=election">Search</a></li></ul></nav>
</header>"""


def wp_footer(extra: str = "") -> str:
    return f"""<footer id="colophon" class="site-footer">{extra}
<div class="footer-menu"><a href="/about/">About us</a> | <a href="/about/#privacy">Privacy</a> |
<a href="/feed/">RSS</a> | <a href="/sitemap_index.xml">Sitemap</a></div>
<div class="site-info">&copy; 2026 {SITE_NAME}. All rights reserved.</div>
<a href="#" id="back-to-top" class="go-top"><span>Go to</span><span class="go-top-strong">Top</span></a>
</footer>"""


def teaser_li(site: NewsSite, a: Article, noise: list[str], excerpt: bool = False) -> str:
    noise.append(a.title)
    text = ""
    if excerpt:
        noise.append(a.description)
        text = f'<p class="excerpt">{e(a.description)}</p>'
    return f'<li><a href="{a.path}">{e(a.title)}</a>{text}</li>'


def wp_sidebar(site: NewsSite, a: Article | None, noise: list[str], rng: random.Random) -> str:
    latest = site.latest(5, exclude=a)
    items = "".join(teaser_li(site, x, noise) for x in latest)
    if a is not None and a.index == 0:
        items = f'<li><a href="{seed.COFFEE_URL}">{e(seed.COFFEE_TEASER)}</a></li>' + items
        noise.append(seed.COFFEE_TEASER)
        filler = seed.FILLER
    else:
        filler = rng.choice(FILLERS)
    cats = "".join(f'<li class="cat-item"><a href="/section/{s}/">{s.capitalize()}</a></li>' for s in SECTIONS)
    noise += ["Latest Posts", filler, "Categories", "Get the day's top stories in your inbox every morning."]
    return f"""<aside id="secondary" class="widget-area">
<section class="widget widget_search"><form role="search" method="get" action="/search">
<label>Search for:<input type="search" name="q"></label><input type="submit" value="Search"></form></section>
<section class="widget widget_recent_entries"><h2 class="widget-title">Latest Posts</h2><ul>{items}</ul></section>
<section class="widget widget_text"><div class="textwidget"><p>{e(filler)}</p></div></section>
<section class="widget widget_categories"><h2 class="widget-title">Categories</h2><ul>{cats}</ul></section>
<section class="widget widget_newsletter"><h2 class="widget-title">Newsletter</h2>
<p>Get the day's top stories in your inbox every morning.</p>
<form action="/newsletter/" method="post"><input type="email" name="email"><button>Subscribe</button></form></section>
</aside>"""


def story_html(a: Article, para_tag: str = "p", wrap: str = "") -> list[str]:
    """The story's blocks as HTML, with the article's inline links (spaces kept around them)."""
    out = []
    links: dict[int, list[tuple[str, str]]] = {}
    for i, anchor, href in a.links:
        links.setdefault(i, []).append((anchor, href))
    for i, text in enumerate(a.paragraphs):
        body = e(text)
        for anchor, href in links.get(i, []):
            body = body.replace(e(anchor), f'<a href="{href}">{e(anchor)}</a>', 1)
        if i in a.subheadings:
            out.append(f"<h2>{body}</h2>" if not wrap else f'<div class="{wrap}-subhead"><h2>{body}</h2></div>')
        elif wrap:
            out.append(f'<div class="{wrap}-block"><{para_tag}>{body}</{para_tag}></div>')
        else:
            out.append(f"<{para_tag}>{body}</{para_tag}>")
    return out


#: Paragraph text each part of a split story container holds at least (a few paragraphs, as on real sites).
SPLIT_PART_MIN_CHARS = 600


def split_story(a: Article, at: int) -> bool:
    """Whether the story can be printed in two containers, cut before paragraph ``at``: each part with a
    few paragraphs of prose (`SPLIT_PART_MIN_CHARS`)."""
    prose = [len(p) for i, p in enumerate(a.paragraphs) if i not in a.subheadings]
    return sum(prose[:at]) >= SPLIT_PART_MIN_CHARS and sum(prose[at:]) >= SPLIT_PART_MIN_CHARS


def gallery(site: NewsSite, a: Article, noise: list[str]) -> str:
    """An in-story picture gallery of numbered slides, each with a title and a caption (not the story)."""
    rng = random.Random(f"gallery-{site.seed}-{a.index}")
    n = rng.randint(4, 7)
    slides = []
    for k in range(1, n + 1):
        title = f"{rng.choice(('Crowds gather', 'Boats return', 'Lanterns lit', 'Market opens'))} in {rng.choice(PLACES)}"
        caption = (f"Slide {k} of the weekend gallery: {rng.choice(('visitors', 'residents', 'fishermen', 'pupils'))}"
                   f" photographed by our picture desk near {rng.choice(PLACES)}.")
        noise += [title, caption]
        slides.append(f'<li class="c-pictures__item"><div class="c-pictures__index">{k}/{n}</div>'
                      f'<div class="c-pictures__title">{e(title)}</div><p class="c-pictures__caption">{e(caption)}</p></li>')
    return f'<div class="c-pictures"><ul class="c-pictures__list">{"".join(slides)}</ul></div>'


def reading_time(a: Article) -> str:
    minutes = max(1, round(a.word_count / 200))
    return f"{minutes} min read" if minutes == 1 else f"{minutes} mins read"


def comments(rng: random.Random, noise: list[str], klass: str) -> tuple[int, str]:
    picked = rng.sample(COMMENTS, rng.randint(1, 3))
    noise.extend(picked)
    if klass == "wp":
        items = "".join(
            f'<li class="comment"><article class="comment-body"><footer class="comment-meta"><b class="fn">'
            f'{e(name(rng))}</b> <span class="says">says:</span></footer><div class="comment-content">'
            f'<p>{e(c)}</p></div><a class="comment-reply-link" href="#respond">Reply</a></article></li>'
            for c in picked
        )
        return len(picked), items
    items = "".join(
        f'<div class="c-comment"><div class="c-comment__author">{e(name(rng))}</div>'
        f'<div class="c-comment__body">{e(c)}</div><div class="c-comment__meta">{rng.randint(1, 90)} likes</div></div>'
        for c in picked
    )
    return len(picked), items


def share_wp(url: str) -> str:
    return (
        '<div class="share-buttons"><span class="share-label">Share this:</span> '
        f'<a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={e(url)}">Facebook</a> '
        f'<a class="share-twitter" href="https://twitter.com/intent/tweet?url={e(url)}">Twitter</a> '
        f'<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={e(url)}">WhatsApp</a> '
        f'<a class="share-email" href="mailto:?subject=Read%20this&amp;body={e(url)}">Email</a></div>'
    )


def render_wordpress(site: NewsSite, a: Article, base: str, noise: list[str]) -> str:
    rng = random.Random(f"wp-{site.seed}-{a.index}")
    url = a.url(base)
    is_seed = a.index == 0
    today = seed.TODAY if is_seed else f"Today: {long_date(site.now_iso)}"
    rtime = seed.READING_TIME if is_seed else reading_time(a)
    credit = f"Photo: {name(rng)} / {rng.choice(('Reuters', 'AFP', 'EFE', 'AP', 'Courier archive'))}"
    noise += [today, rtime, a.title, credit, "Share this:", "Leave a Reply", "Post Comment",
              "Your email address will not be published.", "Go to Top", "Go toTop", COOKIE_WP]
    meta = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{e(a.title)}">',
        f'<meta property="og:url" content="{e(url)}">',
        f'<meta property="og:image" content="{base}{a.image}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:description" content="{e(a.description)}">',
        '<meta property="og:locale" content="en_US">',
        f'<meta property="article:published_time" content="{a.date_published}">',
        f'<meta property="article:section" content="{a.section_title}">',
        f'<meta name="author" content="{e(", ".join(a.authors))}">',
        f'<meta name="description" content="{e(a.description)}">',
    ]
    if a.date_modified:
        meta.append(f'<meta property="article:modified_time" content="{a.date_modified}">')
    meta += [f'<meta property="article:tag" content="{e(t)}">' for t in a.tags]
    blocks = story_html(a)
    pull = e(a.pull_quote if is_seed else f"\u201c{a.pull_quote}\u201d")
    noise.append(a.pull_quote.strip("\u201c\u201d") if is_seed else f"\u201c{a.pull_quote}\u201d")
    blocks.insert(min(3, len(blocks)), f'<figure class="wp-block-pullquote"><blockquote><p>{pull}</p></blockquote></figure>')
    ad = '<div class="code-block code-block-2"><span class="ad-label">Advertisement</span></div>'
    if not is_seed and split_story(a, 4):
        # the theme closes the story container around its in-story ad and opens a second one (as
        # WordPress VIP themes do): the story is read whole only if both containers are
        ad = f'</div>\n{ad}\n<div class="entry-content">'
    blocks.insert(min(5, len(blocks)), ad)
    noise.append("Advertisement")
    if site.inline_noise and not is_seed:
        also = site.pick(rng, 1, exclude=a)[0]
        blocks.insert(min(2, len(blocks)), f'<p><strong>Also read:</strong> <a href="{also.path}">{e(also.title)}</a></p>')
        blocks.append(f"<p><em>{INLINE_FOLLOW}</em></p>")
        noise += ["Also read:", also.title, INLINE_FOLLOW]
        # a list of the site's other stories inside the story, each a kicker and a headline link
        more = site.pick(rng, 3, exclude=a)
        kickers = ("Analysis", "Explainer", "Exclusive")
        blocks.insert(len(blocks) - 1, "<ul>" + "".join(
            f'<li><strong>{k}: </strong><a href="{x.path}">{e(x.title)}</a></li>' for k, x in zip(kickers, more, strict=True)
        ) + "</ul>")
        noise += [x.title for x in more]
    if is_seed or rng.random() < 0.5:
        blocks.append(f'<p class="source-link"><a href="https://partner-wire.example/story/{a.index}" rel="nofollow">Source link</a></p>')
        noise.append("Source link")
    byline = " and ".join(
        f'<span class="author vcard"><a class="url fn n" href="/author/{site.author(n).slug}/">{e(n)}</a></span>'
        for n in a.authors
    )
    updated = (
        f' <time class="updated" datetime="{a.date_modified}">Updated {long_date(a.date_modified)}</time>'
        if a.date_modified else ""
    )
    tags = ", ".join(f'<a href="/tag/{tag_slug(t)}/" rel="tag">{e(t)}</a>' for t in a.tags)
    bios = "".join(f'<div class="author-bio"><p>{e(site.author(n).bio)}</p></div>' for n in a.authors)
    noise += [site.author(n).bio for n in a.authors]
    prev, nxt = site.neighbours(a)
    if is_seed:  # the seed page always shows both, with the seed page's headlines
        prev = prev or site.latest(2, exclude=a)[-1]
        nxt = nxt or site.latest(1, exclude=a)[0]
        prev_title, next_title = seed.PREVIOUS_HEADLINE, seed.NEXT_HEADLINE
        next_caption = f'<span class="nav-thumb-caption">{e(seed.NEXT_IMAGE_CAPTION)}</span>'
        noise.append(seed.NEXT_IMAGE_CAPTION)
    else:
        prev_title = prev.title if prev else ""
        next_title = nxt.title if nxt else ""
        next_caption = ""
    nav = '<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">'
    if prev:
        nav += (f'<div class="nav-previous"><a href="{prev.path}" rel="prev"><span class="meta-nav">Previous Story</span>'
                f'<span class="post-title">{e(prev_title)}</span></a></div>')
        noise += ["Previous Story", prev_title]
    if nxt:
        nav += (f'<div class="nav-next"><a href="{nxt.path}" rel="next">{next_caption}<span class="meta-nav">Next Story'
                f'</span><span class="post-title">{e(next_title)}</span></a></div>')
        noise += ["Next Story", next_title]
    nav += "</div></nav>"
    if is_seed:
        blog_title, blog_excerpt = seed.BLOG_TITLE, seed.BLOG_EXCERPT
        blog_href = site.latest(1, exclude=a)[0].path
    else:
        other = site.pick(rng, 1, exclude=a)[0]
        blog_title, blog_excerpt, blog_href = other.title, other.description, other.path
    noise += ["Latest from Blog", blog_title, blog_excerpt, "You may also like"]
    related = "".join(teaser_li(site, x, noise) for x in site.related(a, 3, rng))
    n_comments, comment_items = comments(rng, noise, "wp")
    noise.append(f"{n_comments} thoughts on \u201c{a.title}\u201d")
    tag_classes = " ".join(f"tag-{tag_slug(t)}" for t in a.tags)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(a.title)} &#8211; {SITE_NAME}</title>
<link rel="canonical" href="{e(url)}">
{chr(10).join(meta)}
{feed_links(base)}<link rel="stylesheet" href="/wp-content/themes/zoxpress/style.css">
</head>
<body class="post-template-default single single-post postid-{a.index} single-format-standard">
{wp_header(site, today)}
<div id="content" class="site-content">
<div class="single-post-hero"><h2 class="hero-title">{e(a.title)}</h2></div>
<div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-{a.index}" class="post-{a.index} post type-post status-publish format-standard has-post-thumbnail category-{a.section} {tag_classes}">
<header class="entry-header">
<div class="entry-meta"><span class="cat-links"><a href="/section/{a.section}/" rel="category tag">{a.section_title}</a></span>
<span class="posted-on"><time class="entry-date published" datetime="{a.date_published}">{long_date(a.date_published)}</time>{updated}</span>
<span class="reading-time">{rtime}</span></div>
<h1 class="entry-title">{e(a.title)}</h1>
<div class="byline">by {byline}</div>
</header>
<div class="post-thumbnail"><img src="{a.image}" alt="" width="1200" height="675">
<span class="photo-credit">{e(credit)}</span></div>
<div class="entry-content">
{chr(10).join(blocks)}
</div>
<footer class="entry-footer"><span class="tags-links">Tags: {tags}</span>
{share_wp(url)}{bios}</footer>
</article>
{nav}
<section class="related-posts"><h3 class="related-title">You may also like</h3><ul>{related}</ul></section>
<section class="latest-from-blog"><h3 class="block-title">Latest from Blog</h3>
<div class="blog-teaser"><h4 class="blog-teaser-title"><a href="{blog_href}">{e(blog_title)}</a></h4>
<a class="blog-teaser-thumb" href="{blog_href}">{e(blog_title)}</a><p>{e(blog_excerpt)}</p></div></section>
<div id="comments" class="comments-area"><h2 class="comments-title">{n_comments} thoughts on &ldquo;{e(a.title)}&rdquo;</h2>
<ol class="comment-list">{comment_items}</ol>
<div id="respond" class="comment-respond"><h3 class="comment-reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" class="comment-form">
<p class="comment-notes">Your email address will not be published.</p>
<textarea name="comment"></textarea><button name="submit" type="submit">Post Comment</button></form></div></div>
</main></div>
{wp_sidebar(site, a, noise, rng)}
</div>
{wp_footer()}
</body>
</html>
"""


def render_magazine(site: NewsSite, a: Article, base: str, noise: list[str]) -> str:
    rng = random.Random(f"mag-{site.seed}-{a.index}")
    url = a.url(base)
    credit = f"Photo: {name(rng)}/{rng.choice(('Getty Images', 'Bloomberg', 'Panos', 'Magnum'))}"
    caption = f"A view of {rng.choice(('the harbour', 'the old town', 'the main square', 'the assembly hall'))} earlier this {rng.choice(('week', 'month', 'year'))}."
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "description": a.description,
        "datePublished": a.date_published,
        "author": [{"@type": "Person", "name": n, "url": f"{base}/author/{site.author(n).slug}/"} for n in a.authors],
        "publisher": {"@type": "Organization", "name": SITE_NAME, "logo": {"@type": "ImageObject", "url": f"{base}/logo.png"}},
        "image": [f"{base}{a.image}"],
        "articleSection": a.section_title,
        "keywords": a.tags,
        "inLanguage": "en-GB",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    if a.date_modified:
        ld["dateModified"] = a.date_modified
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{base}/"},
            {"@type": "ListItem", "position": 2, "name": a.section_title, "item": f"{base}/section/{a.section}/"},
        ],
    }
    ticker = site.latest(1, exclude=a)[0]
    noise += [a.title, COOKIE_MAG, "Accept all", "Manage preferences", "Breaking", ticker.title, credit, caption,
              "Share this article", "Copy link", "Read more:", "Advertisement", "Related stories",
              "Join the conversation", "Comments are moderated. Please keep it civil.", "Most read",
              "The Morning Briefing", "Sign up for our free daily newsletter.", "Sponsored content",
              "Back to top"]
    byline = " and ".join(
        f'<a class="c-byline__author" href="{base}/author/{site.author(n).slug}/">{e(n)}</a>' for n in a.authors
    )
    updated = (f'<span class="c-byline__updated">Updated {uk_date(a.date_modified)}</span>' if a.date_modified else "")
    blocks = story_html(a, wrap="c-text")
    pull = f"\u201c{a.pull_quote}\u201d"
    noise.append(pull)
    blocks.insert(min(2, len(blocks)), f'<aside class="c-pullquote"><blockquote>{e(pull)}</blockquote></aside>')
    inline = site.related(a, 1, rng)[0]
    blocks.insert(min(4, len(blocks)), f'<div class="c-inline-related"><span class="c-inline-related__label">Read more:</span> '
                  f'<a href="{base}{inline.path}">{e(inline.title)}</a></div>')
    noise.append(inline.title)
    blocks.insert(min(6, len(blocks)), '<div class="c-ad c-ad--inline"><div class="c-ad__label">Advertisement</div></div>')
    blocks.insert(min(5, len(blocks)), gallery(site, a, noise))
    if site.inline_noise:
        blocks.insert(min(3, len(blocks)), f'<div class="c-text-block"><p>{INLINE_SIGNUP}</p></div>')
        blocks.append(f'<div class="c-text-block"><p><i>{INLINE_FOLLOW}</i></p></div>')
        noise += [INLINE_SIGNUP, INLINE_FOLLOW]
        # the site's other stories one per line in a paragraph, under a label no word list knows,
        # and the site's social profiles as bare addresses
        dossier = site.pick(rng, 2, exclude=a)
        blocks.insert(min(4, len(blocks)), '<div class="c-text-block"><p><b>Dossier</b><br>' + "<br>".join(
            f'<a href="{base}{x.path}">{e(x.title)}</a>' for x in dossier) + "</p></div>")
        blocks.append(f'<div class="c-text-block"><p>{INLINE_PROFILES}</p></div>')
        noise += [x.title for x in dossier] + ["facebook.com/", "x.com/"]
        # the comment rules, above the comments (a notice linking the site's legal pages)
        blocks.append(f'<div class="c-text-block"><p>{INLINE_COMMENT_RULES}</p></div>')
        noise.append("community guidelines")
    cards = site.related(a, 3, rng)
    related = "".join(
        f'<div class="c-card"><a class="c-card__link" href="{base}{x.path}"><div class="c-card__title">{e(x.title)}</div>'
        f'<div class="c-card__excerpt">{e(x.description)}</div></a></div>'
        for x in cards
    )
    noise += [x.title for x in cards] + [x.description for x in cards]
    most = site.pick(rng, 5, exclude=a)
    most_read = "".join(f'<li class="c-mostread__item"><a href="{base}{x.path}">{e(x.title)}</a></li>' for x in most)
    noise += [x.title for x in most]
    prev, nxt = site.neighbours(a)
    prevnext = ""
    if prev:
        prevnext += f'<a class="c-prevnext__prev" href="{base}{prev.path}"><div>&larr; Previous article</div><div>{e(prev.title)}</div></a>'
        noise += ["Previous article", prev.title]
    if nxt:
        prevnext += f'<a class="c-prevnext__next" href="{base}{nxt.path}"><div>Next article &rarr;</div><div>{e(nxt.title)}</div></a>'
        noise += ["Next article", nxt.title]
    filler = rng.choice(FILLERS)
    sponsored = f"{rng.choice(('Doctors stunned', 'Homeowners rush', 'Travellers amazed'))} by this one simple {rng.choice(('trick', 'gadget', 'habit'))}"
    noise += [filler, sponsored, "Topics"]
    _, comment_items = comments(rng, noise, "mag")
    tags = "".join(f'<a class="c-tags__tag" href="{base}/tag/{tag_slug(t)}/">{e(t)}</a>' for t in a.tags)
    nav = "".join(f'<div class="c-nav__item"><a href="{base}/section/{s}/">{s.capitalize()}</a></div>' for s in SECTIONS)
    return f"""<!doctype html>
<html lang="en-GB" class="no-js">
<head>
<meta charset="utf-8">
<title>{e(a.title)} | {a.section_title} | {SITE_NAME}</title>
<meta name="description" content="{e(a.description)}">
<link rel="canonical" href="{e(url)}">
<meta property="og:title" content="{e(a.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{e(url)}">
<meta property="og:image" content="{base}{a.image}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<script type="application/ld+json">{json.dumps(crumbs, ensure_ascii=False)}</script>
{feed_links(base)}<script>window.dataLayer=window.dataLayer||[];window.dataLayer.push({{"section":"{a.section}"}});</script>
</head>
<body class="t-article">
<div class="c-consent" role="dialog"><div class="c-consent__text">{COOKIE_MAG}</div>
<button class="c-consent__accept">Accept all</button><button class="c-consent__manage">Manage preferences</button></div>
<div class="l-top"><div class="c-masthead"><a class="c-logo" href="{base}/">{SITE_NAME}</a>
<a class="c-masthead__login" href="{base}/login/">Sign in</a></div>
<div class="c-nav">{nav}</div>
<div class="c-ticker"><span class="c-ticker__label">Breaking</span> <a href="{base}{ticker.path}">{e(ticker.title)}</a></div></div>
<div class="l-main"><div class="l-grid"><div class="l-col l-col--main">
<div class="c-breadcrumb"><a href="{base}/">Home</a> &rsaquo; <a href="{base}/section/{a.section}/">{a.section_title}</a></div>
<div class="c-headline"><div class="c-kicker">{a.section_title}</div><h1 class="c-headline__title">{e(a.title)}</h1></div>
<div class="c-byline"><span class="c-byline__by">By</span> {byline}
<span class="c-byline__date">Published {uk_date(a.date_published)}</span>{updated}</div>
<div class="c-share"><button class="c-share__main">Share this article</button> <button class="c-share__copy">Copy link</button>
<a href="https://www.linkedin.com/sharing/share-offsite/?url={e(url)}">LinkedIn</a>
<a href="https://x.com/intent/post?url={e(url)}">X</a></div>
<div class="c-media"><div class="c-media__img"><img src="{a.image}" alt="{e(caption)}"></div>
<div class="c-media__caption">{e(caption)}</div><div class="c-media__credit">{e(credit)}</div></div>
<div class="c-article-body" data-component="article-body">
{chr(10).join(blocks)}
</div>
<div class="c-tags"><span class="c-tags__label">Topics</span> {tags}</div>
<div class="c-related"><div class="c-related__title">Related stories</div>{related}</div>
<div class="c-prevnext">{prevnext}</div>
<div class="c-comments" id="comments"><div class="c-comments__title">Join the conversation</div>
{comment_items}<div class="c-comments__note">Comments are moderated. Please keep it civil.</div></div>
</div>
<div class="l-col l-col--rail">
<div class="c-mostread"><div class="c-mostread__title">Most read</div><ol>{most_read}</ol></div>
<div class="c-promo"><p>{e(filler)}</p></div>
<div class="c-newsletter"><div class="c-newsletter__title">The Morning Briefing</div>
<div>Sign up for our free daily newsletter.</div><form action="{base}/newsletter/"><input type="email" name="email"><button>Sign up</button></form></div>
<div class="c-sponsored"><div class="c-sponsored__label">Sponsored content</div>
<a href="https://ads.adnetwork.example/click?id={a.index}">{e(sponsored)}</a></div>
</div></div></div>
<div class="c-footer"><a href="#top" class="c-backtotop">Back to top &uarr;</a>
<div class="c-footer__links"><a href="{base}/about/">About</a> <a href="{base}/feed/">RSS</a></div>
<div class="c-footer__copy">&copy; 2026 {SITE_NAME}</div></div>
</body>
</html>
"""
