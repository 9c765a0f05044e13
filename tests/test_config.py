from __future__ import annotations

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.config import Config, ConfigError, mask_password


def settings(**overrides: object) -> Settings:
    s = Settings()
    s.setmodule(project_settings)
    for key, value in overrides.items():
        s.set(key, value)
    return s


def test_defaults_parse() -> None:
    config = Config.from_settings(settings())
    assert config.database_url == "sqlite:///newsclean.db"
    assert config.feed == "articles.jsonl"
    assert config.batch_size == 100


def test_retry_after_maximum() -> None:
    assert Config.from_settings(settings()).retry_after_max_seconds == 60.0
    assert Config.from_settings(settings(NEWSCLEAN_RETRY_AFTER_MAX_SECONDS="5")).retry_after_max_seconds == 5.0


def test_command_line_strings_parse() -> None:
    config = Config.from_settings(settings(NEWSCLEAN_BATCH_SIZE="7", NEWSCLEAN_FOLLOW_LINKS="false"))
    assert config.batch_size == 7 and config.follow_links is False


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("NEWSCLEAN_BATCH_SIZE", "0", "NEWSCLEAN_BATCH_SIZE must be at least 1"),
        ("NEWSCLEAN_BATCH_SIZE", "many", "NEWSCLEAN_BATCH_SIZE must be a whole number"),
        ("NEWSCLEAN_FOLLOW_LINKS", "perhaps", "NEWSCLEAN_FOLLOW_LINKS must be true or false"),
        ("NEWSCLEAN_DATABASE_URL", "not a url", "NEWSCLEAN_DATABASE_URL is not a database URL"),
        ("NEWSCLEAN_DATABASE_URL", "mysql://u:secret@h/db", "supports sqlite, postgresql"),
        ("NEWSCLEAN_DATABASE_URL", "", "NEWSCLEAN_DATABASE_URL is empty"),
        ("NEWSCLEAN_RETRY_AFTER_MAX_SECONDS", "-1", "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS must be at least 0"),
        ("NEWSCLEAN_RETRY_AFTER_MAX_SECONDS", "a minute", "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS must be a number"),
    ],
)
def test_bad_values_are_rejected_with_the_setting_named(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_settings(settings(**{key: value}))


def test_plain_postgresql_url_uses_psycopg3() -> None:
    config = Config.from_settings(settings(NEWSCLEAN_DATABASE_URL="postgresql://u:pw@h:5432/db"))
    assert config.database_url.startswith("postgresql+psycopg://")
    assert "pw" not in config.database_url_masked


def test_mask_password() -> None:
    assert mask_password("postgresql://user:s3cr3t@host/db") == "postgresql://user:***@host/db"
    assert mask_password("sqlite:///x.db") == "sqlite:///x.db"
