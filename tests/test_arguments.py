"""Spider arguments are checked before the crawl: unknown ones refused, errors named as the user typed them."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.config import Config, ConfigError
from spiders.news import NewsSpider

SETTINGS = Settings()
SETTINGS.setmodule(project_settings)
HOME = "https://news.example/"


def check(**arguments: str) -> None:
    NewsSpider.check_arguments(SETTINGS, arguments)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"sitemap": "x"}, r"^-a sitemap: 'x' is not an absolute http\(s\) URL$"),
    ({"feed": "/rss"}, r"^-a feed: '/rss' is not an absolute"),
    ({"url": "news.example"}, r"^-a url: 'news.example' is not an absolute"),
    ({"feed": ""}, r"^-a feed= is empty: give a feed URL$"),
    ({"sitemap": " "}, r"^-a sitemap= is empty: give a sitemap URL$"),
    ({"url": HOME, "feed": ""}, r"^-a feed= is empty"),
])
def test_errors_name_the_argument_as_typed(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check(**arguments)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"url": HOME, "foo": "bar"}, r"^-a foo: unknown spider argument; known: url, sitemap, feed, urls, sources"),
    ({"url": HOME, "max_pages": "5"},
     r"^-a max_pages: not a spider argument but a key of a sources file .*-s NEWSCLEAN_MAX_PAGES="),
    ({"url": HOME, "since": "2026-01-01"}, r"^-a since: not a spider argument but a key of a sources file"),
    ({"sitemaps": "https://news.example/s.xml"}, r"^-a sitemaps: .*\(one sitemap: -a sitemap=URL\)"),
    ({"url": HOME, "name": "x"}, r"^-a name: not a spider argument"),
])
def test_unknown_arguments_are_refused_with_the_known_ones(arguments: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check(**arguments)


def test_scrapyd_and_scrapy_arguments_stay_accepted() -> None:
    check(url=HOME, _job="6487ec79947edab326d6db28a2d86511e8247444", _version="r23", user_agent="me/1.0")


def test_the_spider_itself_refuses_unknown_arguments() -> None:
    crawler = get_crawler(NewsSpider, settings_dict={"NEWSCLEAN_DATABASE_URL": "sqlite:///:memory:"})
    with pytest.raises(ConfigError, match="-a max_depth: not a spider argument"):
        NewsSpider.from_crawler(crawler, url=HOME, max_depth="1")
    spider = NewsSpider.from_crawler(crawler, url=HOME, _job="abc")
    assert [s.url for s in spider.sources] == [HOME]


def test_a_sources_file_site_with_a_file_of_urls(tmp_path: Path) -> None:
    (tmp_path / "urls.txt").write_text("https://news.example/2026/01/02/a/\n", encoding="utf-8")
    (tmp_path / "sources.toml").write_text("[[site]]\nurls = 'urls.txt'\n", encoding="utf-8")
    sources = NewsSpider.build_sources(Config.from_settings(SETTINGS), {"sources": str(tmp_path / "sources.toml")})
    assert sources[0].urls == ("https://news.example/2026/01/02/a/",)
