"""The ``NEWSCLEAN_*`` settings, parsed once into a frozen dataclass and checked at start-up.

Every component reads `Config.from_settings(crawler.settings)` instead of the raw settings, so a bad
value is rejected before the first request with a message naming the setting, never mid-crawl.
"""

from __future__ import annotations

import inspect
import math
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError


class ConfigError(ValueError):
    """A ``NEWSCLEAN_*`` setting has a value newsclean cannot use."""


class _SettingsLike(Protocol):
    def get(self, name: str, default: Any = None) -> Any: ...


#: Database drivers newsclean is tested with (SQLAlchemy URL ``drivername`` prefixes).
SUPPORTED_DATABASES = ("sqlite", "postgresql")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _get(settings: _SettingsLike, name: str) -> Any:
    """A setting's value; settings objects without newsclean's (a bare Scrapy Settings) get our defaults."""
    value = settings.get(name)
    if value is None:
        from crawler import settings as defaults

        value = getattr(defaults, name, None)
    return value


def _int(settings: _SettingsLike, name: str, *, minimum: int, maximum: int | None = None) -> int:
    raw = _get(settings, name)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value


#: Longest revisit window (days): a century already takes in every stored article, and much larger
#: values overflow Python's timedelta (999,999,999 days) in the middle of a crawl.
MAX_REVISIT_DAYS = 36_500
#: Longest NEWSCLEAN_REVISIT_HOURS: the same century, in hours (timedelta overflows mid-crawl beyond ~2.4e10).
MAX_REVISIT_HOURS = MAX_REVISIT_DAYS * 24.0
#: Longest NEWSCLEAN_REDIS_WORKER_TIMEOUT (seconds): a week, as a worker silent that long is dead by any
#: measure; much larger values overflow Redis's expiry times (64-bit milliseconds) and Python's thread waits.
MAX_WORKER_TIMEOUT_SECONDS = 7 * 24 * 3600.0


def _float(settings: _SettingsLike, name: str, *, minimum: float, maximum: float | None = None) -> float:
    """A finite number in range: NaN passes every comparison and infinity means "never" for none of
    newsclean's settings (a wait, an interval, a timeout), so both are refused here."""
    raw = _get(settings, name)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {raw!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum:g}, got {value:g}")
    return value


def _bool(settings: _SettingsLike, name: str) -> bool:
    raw = _get(settings, name)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


#: What happens to a near-duplicate article: stored with a duplicate_of link, or dropped.
NEAR_DUPLICATE_POLICIES = ("link", "drop")


def _choice(settings: _SettingsLike, name: str, choices: tuple[str, ...]) -> str:
    value = str(_get(settings, name) or "").strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {_get(settings, name)!r}")
    return value


#: ``//user:password@`` in a URL (any scheme, even a malformed one; empty user as in ``redis://:pw@``).
#: The password runs to the last ``@`` before the path, so a raw ``@`` inside it is masked too.
_URL_PASSWORD = re.compile(r"(//[^\s:/@'\"]*:)[^\s'\"/]*@(?=[^\s@'\"/]*(?:[\s'\"/]|$))")
#: ``user:password@host`` without a scheme (a URL typed without ``scheme://``).
_BARE_PASSWORD = re.compile(r"((?:^|[\s'\"=(<])[\w.+-]+:)[^\s'\"/@]+@")
#: ``password=...`` in libpq keyword strings and query strings.
_KEYWORD_PASSWORD = re.compile(r"(\b(?:password|passwd|pwd)=)[^\s&;'\"]+", re.IGNORECASE)


def mask_password(url: str) -> str:
    """The URL (or any text holding URLs) with every password replaced by ``***``, for logs and errors."""
    if "@" not in url and "=" not in url:
        return url  # each pattern needs one of them: most log lines are returned after two scans
    masked = _URL_PASSWORD.sub(r"\1***@", url)
    return _KEYWORD_PASSWORD.sub(r"\1***", _BARE_PASSWORD.sub(r"\1***@", masked))


def _database_url(settings: _SettingsLike) -> str:
    raw = str(_get(settings, "NEWSCLEAN_DATABASE_URL") or "").strip()
    if not raw:
        raise ConfigError("NEWSCLEAN_DATABASE_URL is empty; give a database URL such as sqlite:///newsclean.db")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is no number, a broken [IPv6]
        reason = f" ({exc})" if isinstance(exc, ValueError) else ""
        raise ConfigError(
            f"NEWSCLEAN_DATABASE_URL is not a database URL: {mask_password(raw)!r}{reason} "
            "(expected e.g. sqlite:///newsclean.db or postgresql+psycopg://user@host/db)"
        ) from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DATABASES:
        raise ConfigError(
            f"NEWSCLEAN_DATABASE_URL uses {backend!r}; newsclean supports {', '.join(SUPPORTED_DATABASES)}"
        )
    if url.port is not None and not MIN_PORT <= url.port <= MAX_PORT:
        raise ConfigError(f"NEWSCLEAN_DATABASE_URL has port {url.port}, not one of {MIN_PORT}-{MAX_PORT}: "
                          f"{mask_password(raw)!r}")
    if backend == "sqlite" and url.host:
        raise ConfigError(f"NEWSCLEAN_DATABASE_URL: a SQLite URL names a file, not a host ({url.host!r}); "
                          "write sqlite:///relative.db or sqlite:////absolute/path.db")
    _check_driver(url, raw)
    if backend == "postgresql" and url.drivername == "postgresql":
        # SQLAlchemy's bare "postgresql" means psycopg2; newsclean depends on psycopg 3.
        raw = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return raw


#: URL schemes redis-py accepts for NEWSCLEAN_REDIS_URL.
REDIS_SCHEMES = ("redis", "rediss", "unix")

#: TCP ports a server can listen on (0 only means "any free port" when binding, never to connect to).
MIN_PORT, MAX_PORT = 1, 65535


def _check_driver(url: URL, raw: str) -> None:
    """The URL's driver (``postgresql+pg8000``, ``sqlite+pysqlcipher``) is known and installed: else the
    engine would fail later with an ImportError traceback instead of a message."""
    try:
        url.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise ConfigError(f"NEWSCLEAN_DATABASE_URL names an unknown driver {url.drivername!r}: "
                          f"{mask_password(raw)!r} (use sqlite:/// or postgresql://)") from None
    except ImportError as exc:
        raise ConfigError(f"NEWSCLEAN_DATABASE_URL needs the driver {url.drivername!r}, whose module "
                          f"{exc.name or '?'} is not installed (a plain postgresql:// URL uses psycopg 3)") from None


def _check_redis_url(raw: str, scheme: str) -> None:
    """Everything redis-py reads from the URL, checked now: a bad port or database, a query argument it
    cannot convert or does not know would otherwise fail at connection time, as a traceback."""
    import redis.connection  # only a shared crawl needs redis-py

    shown = mask_password(raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
        options = redis.connection.parse_url(raw)
    except ValueError as exc:
        raise ConfigError(f"NEWSCLEAN_REDIS_URL is not a valid Redis URL ({exc}): {shown!r}") from None
    if scheme == "unix":
        if not parts.path:
            raise ConfigError(f"NEWSCLEAN_REDIS_URL: a unix:// URL needs the socket's path "
                              f"(unix:///run/redis.sock), got {shown!r}")
    else:
        if not parts.hostname:
            raise ConfigError(f"NEWSCLEAN_REDIS_URL has no host (e.g. redis://frontier.internal:6379/0), got {shown!r}")
        if port is not None and port < MIN_PORT:
            raise ConfigError(f"NEWSCLEAN_REDIS_URL has port {port}, not one of {MIN_PORT}-{MAX_PORT}: {shown!r}")
        database = unquote(parts.path).strip("/")
        if database and not database.isdigit():  # redis-py silently uses database 0 for /notadb
            raise ConfigError(f"NEWSCLEAN_REDIS_URL: the path is the database number (redis://host:6379/0), "
                              f"got {database!r}")
    known = _redis_keywords(options.get("connection_class", redis.connection.Connection))
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(f"NEWSCLEAN_REDIS_URL has query argument(s) redis-py does not know: "
                          f"{', '.join(unknown)} ({shown!r})")


def _redis_keywords(connection_class: type) -> set[str]:
    """Keyword arguments a redis-py connection pool and its connections take (every class's ``__init__``)."""
    import redis.connection

    names = {"connection_class", "max_connections"}
    for cls in (*connection_class.__mro__, redis.connection.ConnectionPool):
        init = cls.__dict__.get("__init__")
        if init is not None:
            names |= {p.name for p in inspect.signature(init).parameters.values()
                      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names - {"self"}


def _redis_url(settings: _SettingsLike) -> str:
    """NEWSCLEAN_REDIS_URL ("" for the single-machine scheduler); Redis mode needs a shared PostgreSQL."""
    raw = str(_get(settings, "NEWSCLEAN_REDIS_URL") or "").strip()
    if not raw:
        return ""
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme not in REDIS_SCHEMES:
        raise ConfigError(f"NEWSCLEAN_REDIS_URL must be a redis://, rediss:// or unix:// URL, got {mask_password(raw)!r}")
    _check_redis_url(raw, scheme)
    backend = make_url(_database_url(settings)).get_backend_name()
    if backend != "postgresql":
        raise ConfigError("NEWSCLEAN_REDIS_URL is set: the workers of a shared crawl store into one PostgreSQL "
                          f"database, but NEWSCLEAN_DATABASE_URL is {backend} (give a postgresql:// URL)")
    return raw


@dataclass(frozen=True)
class Config:
    """newsclean's own settings, validated (README, "Settings", documents each)."""

    database_url: str
    auto_migrate: bool
    feed: str
    feed_overwrite: bool
    min_text_chars: int
    max_depth: int
    max_pages: int
    batch_size: int
    follow_links: bool
    near_duplicates: str
    incremental: bool
    progress_interval: float
    lock_dir: str
    on_overlap: str
    revisit_days: int
    revisit_hours: float
    journal_dir: str
    db_retry_seconds: float
    extract_workers: int = 0
    max_pages_in_flight: int = 0
    max_queued: int = 1000
    allow_private_addresses: bool = False
    max_links_per_page: int = 1000
    max_listing_pages: int = 5000
    redis_url: str = ""
    redis_key: str = ""
    redis_idle_seconds: float = 30.0
    redis_worker_timeout: float = 60.0
    retry_after_max_seconds: float = 60.0
    batch_seconds: float = 5.0

    @classmethod
    def from_settings(cls, settings: _SettingsLike) -> Config:
        return cls(
            database_url=_database_url(settings),
            auto_migrate=_bool(settings, "NEWSCLEAN_AUTO_MIGRATE"),
            feed=str(_get(settings, "NEWSCLEAN_FEED") or "").strip(),
            feed_overwrite=_bool(settings, "NEWSCLEAN_FEED_OVERWRITE"),
            min_text_chars=_int(settings, "NEWSCLEAN_MIN_TEXT_CHARS", minimum=0),
            max_depth=_int(settings, "NEWSCLEAN_MAX_DEPTH", minimum=0),
            max_pages=_int(settings, "NEWSCLEAN_MAX_PAGES", minimum=0),
            batch_size=_int(settings, "NEWSCLEAN_BATCH_SIZE", minimum=1),
            follow_links=_bool(settings, "NEWSCLEAN_FOLLOW_LINKS"),
            near_duplicates=_choice(settings, "NEWSCLEAN_NEAR_DUPLICATES", NEAR_DUPLICATE_POLICIES),
            incremental=_bool(settings, "NEWSCLEAN_INCREMENTAL"),
            progress_interval=_float(settings, "NEWSCLEAN_PROGRESS_INTERVAL", minimum=0.0),
            lock_dir=str(_get(settings, "NEWSCLEAN_LOCK_DIR") or "").strip() or ".newsclean-locks",
            on_overlap=_choice(settings, "NEWSCLEAN_ON_OVERLAP", ("exit", "wait")),
            revisit_days=_int(settings, "NEWSCLEAN_REVISIT_DAYS", minimum=0, maximum=MAX_REVISIT_DAYS),
            revisit_hours=_float(settings, "NEWSCLEAN_REVISIT_HOURS", minimum=0.0, maximum=MAX_REVISIT_HOURS),
            journal_dir=str(_get(settings, "NEWSCLEAN_JOURNAL_DIR") or "").strip() or ".newsclean-journal",
            db_retry_seconds=_float(settings, "NEWSCLEAN_DB_RETRY_SECONDS", minimum=0.0),
            extract_workers=_int(settings, "NEWSCLEAN_EXTRACT_WORKERS", minimum=-1),
            max_pages_in_flight=_int(settings, "NEWSCLEAN_MAX_PAGES_IN_FLIGHT", minimum=0),
            max_queued=_int(settings, "NEWSCLEAN_MAX_QUEUED", minimum=0),
            allow_private_addresses=_bool(settings, "NEWSCLEAN_ALLOW_PRIVATE_ADDRESSES"),
            max_links_per_page=_int(settings, "NEWSCLEAN_MAX_LINKS_PER_PAGE", minimum=0),
            max_listing_pages=_int(settings, "NEWSCLEAN_MAX_LISTING_PAGES", minimum=0),
            redis_url=_redis_url(settings),
            redis_key=str(_get(settings, "NEWSCLEAN_REDIS_KEY") or "").strip(),
            redis_idle_seconds=_float(settings, "NEWSCLEAN_REDIS_IDLE_SECONDS", minimum=0.0),
            redis_worker_timeout=_float(settings, "NEWSCLEAN_REDIS_WORKER_TIMEOUT", minimum=1.0,
                                        maximum=MAX_WORKER_TIMEOUT_SECONDS),
            retry_after_max_seconds=_float(settings, "NEWSCLEAN_RETRY_AFTER_MAX_SECONDS", minimum=0.0),
            batch_seconds=_float(settings, "NEWSCLEAN_BATCH_SECONDS", minimum=0.0),
        )

    @property
    def database_url_masked(self) -> str:
        return mask_password(self.database_url)
