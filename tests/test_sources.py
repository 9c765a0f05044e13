from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crawler.config import ConfigError
from crawler.sources import load_sources, read_url_list


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_file(tmp_path: Path) -> None:
    path = write(tmp_path, """
[[site]]
name = "Example"
url = "https://www.news.example/"
article_patterns = ['/\\d{4}/\\d{2}/']
deny_patterns = ['/video/']
max_pages = 50
since = "2026-01-01"

[[site]]
sitemaps = ["https://other.example/sitemap.xml"]
""")
    first, second = load_sources(path)
    assert first.name == "Example" and first.max_pages == 50 and first.since == date(2026, 1, 1)
    assert first.allowed_domains == frozenset({"news.example"})
    assert first.discover_sitemaps and first.article_patterns[0].pattern == r"/\d{4}/\d{2}/"
    assert second.name == "other.example" and not second.discover_sitemaps


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[site]]\nurl = 'ftp://x.example/'\n", "not an absolute http"),
        ("[[site]]\nname = 'x'\n", "give at least one of url, sitemaps, feeds, urls"),
        ("[[site]]\nurl = 'https://x.example/'\nmax_pages = -1\n", "max_pages: expected a whole number"),
        ("[[site]]\nurl = 'https://x.example/'\nsince = 'yesterday'\n", "since: 'yesterday' is not a date"),
        ("[[site]]\nurl = 'https://x.example/'\narticle_patterns = ['(']\n", "not a valid regular expression"),
        ("[[site]]\nurl = 'https://x.example/'\nmax_page = 3\n", "unknown key"),
        ("site = 3\n", "has no \\[\\[site\\]\\] tables"),
        ("[[site]\n", "is not valid TOML"),
    ],
)
def test_bad_sources_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_sources(write(tmp_path, text))


def test_missing_sources_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources(tmp_path / "nope.toml")


def test_url_list(tmp_path: Path) -> None:
    path = write(tmp_path, "# list\nhttps://a.example/x\n\nhttps://a.example/y?utm_source=z\n", "urls.txt")
    assert read_url_list(path) == ("https://a.example/x", "https://a.example/y")
    with pytest.raises(ConfigError, match="line 1"):
        read_url_list(write(tmp_path, "not a url\n", "bad.txt"))


@pytest.mark.parametrize(("text", "message"), [
    ("[[site]]\nurls = ['https://a.example/x']\nmax_pages = 'x'\n", r"site #1 \(https://a.example/x\) max_pages"),
    ("[[site]]\nsitemaps = ['https://a.example/s.xml']\nmax_depth = -1\n", r"site #1 \(https://a.example/s.xml\) max_depth"),
    ("[[site]]\nfollow_links = 'yes'\nurl = 'https://a.example/'\n", r"site #1 \(https://a.example/\) follow_links"),
    ("[[site]]\nmax_pages = 3\n", r"site #1: give at least one of"),
])
def test_sites_are_labelled_by_what_they_crawl(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_sources(write(tmp_path, text))
    assert "None" not in str(caught.value)


def test_urls_may_name_a_file_relative_to_the_sources_file(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    write(tmp_path / "lists", "https://a.example/x\n# comment\nhttps://a.example/y\n", "urls.txt")
    path = write(tmp_path, "[[site]]\nurl = 'https://a.example/'\nurls = 'lists/urls.txt'\n")
    (source,) = load_sources(path)
    assert source.urls == ("https://a.example/x", "https://a.example/y")
    assert source.url == "https://a.example/"


def test_urls_keeps_a_single_url_string(tmp_path: Path) -> None:
    (source,) = load_sources(write(tmp_path, "[[site]]\nurls = 'https://a.example/x'\n"))
    assert source.urls == ("https://a.example/x",)


@pytest.mark.parametrize(("text", "message"), [
    ("[[site]]\nurls = 'urls.txt'\n", r"site #1 \(urls.txt\) urls: 'urls.txt' is neither an http\(s\) URL nor a file"),
    ("[[site]]\nurls = 'empty.txt'\n", r"urls: URL list .*empty.txt' holds no URLs"),
    ("[[site]]\nurls = 'bad.txt'\n", r"urls: .*bad.txt line 1: 'news.example/x' is not an absolute"),
    ("[[site]]\nurls = 3\n", "urls: expected a list of URLs or the path of a file of URLs, got 3"),
])
def test_bad_urls_say_what_is_expected(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "# nothing\n", "empty.txt")
    write(tmp_path, "news.example/x\n", "bad.txt")
    with pytest.raises(ConfigError, match=message):
        load_sources(write(tmp_path, text))
