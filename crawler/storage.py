"""Storage: SQLAlchemy 2 models and batched upserts, the same on SQLite and PostgreSQL.

Articles are keyed by canonical URL. `ArticleStore.upsert` writes a batch in one transaction with
the dialect's ``INSERT ... ON CONFLICT (canonical_url) DO UPDATE``, so a second crawl of the same
site updates rows and never duplicates them. ``first_seen_at`` is kept from the first write,
``last_seen_at`` moves on every write, ``updated_at`` only when the text changed.

The write path is built for throughput (benchmarks/storage.py): one look-up of the batch's stored
hashes, then on SQLite prepared statements run over the rows' tuples (the upsert, and for articles
stored with the same text, date and site an ``UPDATE`` that leaves their indexed columns alone), on
PostgreSQL one statement that unnests one binary array per column; SQLAlchemy compiles them once per
store. Each index of ``articles`` is kept as small as the queries that use it allow (migration 0004).
"""

from __future__ import annotations

import fcntl
import json
import logging
import re
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import (
    ARRAY,
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from crawler.config import mask_password
from crawler.duplicates import (
    BANDS,
    NEAR_DUPLICATE_MAX_BITS,
    Story,
    bands,
    distance,
    other_article,
    probes,
    simhash,
)
from crawler.extraction import content_hash
from crawler.items import ARTICLE_FIELDS

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")



def is_outage(exc: SQLAlchemyError) -> bool:
    """True when the error says the database is unreachable (connection refused or cut, SQLite
    locked), not that the data is wrong."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError)


def error_reason(exc: BaseException) -> str:
    """The database's own reason for an error, on one line (``OperationalError: connection refused``)."""
    reason = getattr(exc, "orig", None) or exc
    text = str(reason).strip()
    return f"{type(reason).__name__}: {text.splitlines()[0] if text else ''}"


class OutageGuard:
    """Database calls a crawl can go on without (duplicate and known-article look-ups, marking
    articles seen): while the database is unreachable, `ask` answers None ("not known") and `do`
    answers False ("not done, keep it for later") instead of raising, and the database is tried again
    every ``retry_seconds`` only, not once a page (connecting to a vanished host can take seconds).
    One warning when the database goes away, one line when it is back; each call not answered is
    counted in the stat ``stat``. An error that is not an outage (a bug, bad data) is raised."""

    def __init__(self, purpose: str, *, retry_seconds: float, stats: Any, stat: str) -> None:
        self.purpose = purpose
        self.retry_seconds = retry_seconds
        self.stats = stats
        self.stat = stat
        self.away = False
        self.next_attempt = 0.0  # time.monotonic() of the next try while away

    def ask(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        ok, answer = self._call(call, args, kwargs)
        return answer if ok else None

    def do(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        return self._call(call, args, kwargs)[0]

    def _call(self, call: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, T | None]:
        if self.away and time.monotonic() < self.next_attempt:
            self.stats.inc_value(self.stat)
            return False, None
        try:
            answer = call(*args, **kwargs)
        except SQLAlchemyError as exc:
            if not is_outage(exc):
                raise
            self.next_attempt = time.monotonic() + self.retry_seconds
            self.stats.inc_value(self.stat)
            if not self.away:
                self.away = True
                logger.warning("Database unreachable for %s (%s); the crawl goes on without them until it is"
                               " back", self.purpose, error_reason(exc))
            return False, None
        if self.away:
            self.away = False
            logger.info("Database reachable again for %s", self.purpose)
        return True, answer


#: One JSON type for lists and objects: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")

#: SQLite waits this long for another writer's lock before failing (seconds).
SQLITE_BUSY_TIMEOUT_S = 30
#: WAL size between checkpoints (SQLite's default is 1,000 pages, 4 MiB of 4 KiB pages): with 4 KB
#: article texts the default checkpoints, and syncs to disk, every few hundred articles, which halves
#: batch write speed. Set as ``wal_autocheckpoint`` pages of the database's own page size.
SQLITE_WAL_CHECKPOINT_BYTES = 40 * 1024 * 1024
#: Page size of a new SQLite database (SQLite's default is 4 KiB; an existing database keeps its own,
#: see the README). A 4 KB article text does not fit in a 4 KiB page: each row spilled onto an overflow
#: page, and building and chaining those was most of the insert's cost. Measured (sqlite3 alone, the
#: store's upsert and schema, 30,000 records): 29,000 inserts/s with 4 KiB pages, 53,000 with 32 KiB.
#: The price: a row updated in place rewrites its whole page into the WAL, so re-stamping unchanged
#: articles in random order (a re-crawl) fell from 21,500 to 11,400 rows/s, still far above a crawl's rate.
SQLITE_PAGE_SIZE = 32 * 1024
#: SQLite page cache per connection (KiB; SQLite's default is 2 MiB): the unique URL index and the
#: query indexes a crawl inserts into stay in memory instead of being read back from the OS for every
#: batch. Pages are allocated as they are used, so this is what a long crawl's process holds. Measured:
#: 16 MiB as fast as 64 MiB on the storage benchmark (50,000 records: 12,651/s insert against 11,647/s,
#: within the machine's noise); 8 MiB took 10 MB off a 2,000-page crawl's peak RSS (163 -> 153 MB) at
#: the same pages/s.
SQLITE_CACHE_KIB = 8 * 1024
#: How long connecting to PostgreSQL may take before the database counts as unreachable (seconds).
PG_CONNECT_TIMEOUT_S = 5


class Base(DeclarativeBase):
    pass


class CrawlRun(Base):
    """One crawl: which spider with which arguments, when, how it ended, and its stats."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spider: Mapped[str] = mapped_column(String(100), nullable=False)
    arguments: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(40), nullable=False)
    stats: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Article(Base):
    """One story, stored once per canonical URL."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True, nullable=False)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSONType, default=list)
    date_published: Mapped[str | None] = mapped_column(String(40))
    date_modified: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(35))
    site_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    categories: Mapped[list[str]] = mapped_column(JSONType, default=list)
    image: Mapped[str | None] = mapped_column(String(2048))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[str | None] = mapped_column(String(40))
    discovered_via: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    simhash: Mapped[str | None] = mapped_column(String(16))
    duplicate_of: Mapped[str | None] = mapped_column(String(2048))
    etag: Mapped[str | None] = mapped_column(String(255))
    extraction: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    site: Mapped[str | None] = mapped_column(String(255))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", name="fk_articles_run_id"))
    simhash_band0: Mapped[int | None] = mapped_column(Integer)
    simhash_band1: Mapped[int | None] = mapped_column(Integer)
    simhash_band2: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    # Every index costs every write (migration 0004 has the measurements): these are the ones the
    # exports' filters and the duplicate look-ups use, each as small as serves them.
    __table_args__ = (
        Index("ix_articles_site", "site"),
        Index("ix_articles_date_published", "date_published"),
        Index("ix_articles_first_seen_at", "first_seen_at"),
        *(Index(f"ix_articles_simhash_band{i}", f"simhash_band{i}") for i in range(BANDS)),
    )


#: Leading characters of the content hash its index holds: 64 bits of a SHA-256 hex digest tell
#: texts apart as well as all 256 (the full hash is compared on the row), and the index of the whole
#: 64-character hash was three times bigger, rewritten in most of its pages by every batch.
CONTENT_HASH_KEY_CHARS = 16
#: The indexed expression (rendered with literal numbers, so that SQLite and PostgreSQL match it).
#: SQLite's expression indexes are not reflected by SQLAlchemy: see migration 0004 before rebuilding articles.
_CONTENT_HASH_KEY = func.substr(Article.content_hash, literal_column("1"), literal_column(str(CONTENT_HASH_KEY_CHARS)))
Index("ix_articles_content_hash_key", _CONTENT_HASH_KEY)


def _same_hash_key(digest: str) -> Any:
    """``(canonical_url, content_hash)`` of the articles whose content hash starts as ``digest`` does, oldest
    first, found by the index of the hash's leading characters.

    The caller compares the whole hash: with ``content_hash = :digest`` in the same WHERE, SQLite
    substitutes the constant into the indexed expression (its constant propagation) and scans the table.
    """
    return (select(Article.canonical_url, Article.content_hash)
            .where(_CONTENT_HASH_KEY == digest[:CONTENT_HASH_KEY_CHARS]).order_by(Article.id))


class ArticleRevision(Base):
    """The text an article had before a crawl found it changed (one row per change)."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), nullable=False, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    date_modified: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[str | None] = mapped_column(String(40))
    #: When the newer text replaced this one.
    replaced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    #: The crawl run that found the newer text.
    run_id: Mapped[int | None] = mapped_column(Integer)


class UrlAlias(Base):
    """Another URL that led to a stored article (a redirect, tracking variant, or the same text elsewhere)."""

    __tablename__ = "url_aliases"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), nullable=False, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


#: Record fields written by an upsert (all of the record; bookkeeping columns are handled apart).
_RECORD_COLUMNS = ARTICLE_FIELDS
_BAND_COLUMNS = tuple(f"simhash_band{i}" for i in range(BANDS))
#: Columns of a row `ArticleStore._rows` makes; the upsert adds the run and the time stamps.
_ROW_COLUMNS = (*_RECORD_COLUMNS, "site", *_BAND_COLUMNS)
#: Columns set to the time of the write (first_seen_at survives an update, see `_upsert_statement`).
_STAMP_COLUMNS = ("first_seen_at", "last_seen_at", "updated_at")
_UPSERT_COLUMNS = (*_ROW_COLUMNS, "run_id", *_STAMP_COLUMNS)
_JSON_COLUMNS = tuple(c.name for c in Article.__table__.columns if isinstance(c.type, JSON))
#: Element types of the PostgreSQL upsert's arrays other than text (JSON goes as text, cast to JSONB).
_PG_ARRAY_TYPES: dict[str, Any] = {c.name: Integer for c in Article.__table__.columns
                                   if isinstance(c.type, Integer) and c.name in _UPSERT_COLUMNS}
#: Columns an export adds to the record's fields.
EXPORT_EXTRA_COLUMNS = ("site", "first_seen_at", "last_seen_at", "updated_at", "run_id")
#: JSON columns holding lists of strings (`_json_list`); the other JSON column, extraction, is an object.
_JSON_LIST_COLUMNS = ("authors", "tags", "categories")
#: Record fields stored as they come (`ArticleStore._rows` encodes the JSON ones).
_SCALAR_COLUMNS = tuple(name for name in _RECORD_COLUMNS if name not in _JSON_COLUMNS)
_NO_BANDS = (None,) * BANDS
#: Indexed columns that, when a stored article has the same values as the record and its text is the
#: same (content_hash first), are left alone by the write, with the columns derived from them.
_REFRESH_MATCH = ("content_hash", "simhash", "date_published", "site")
#: Columns the write of such an unchanged article sets (not the text, nor the bands of its fingerprint;
#: first_seen_at and updated_at stay as they are, as the upsert keeps them for an unchanged text).
_REFRESH_SET = tuple(name for name in _UPSERT_COLUMNS if name not in {
    "canonical_url", "first_seen_at", "updated_at", "text", *_REFRESH_MATCH, *_BAND_COLUMNS})
#: What a batch's write reads of the articles already stored: their canonical URL, text hash, stated
#: modification date, the rest of `_REFRESH_MATCH`, and the URL and title of the page stored.
_STORED_COLUMNS = ("canonical_url", "content_hash", "date_modified", *_REFRESH_MATCH[1:], "url", "title")
#: Bound parameters per SQLite statement at most (SQLite before 3.32 allows 999).
SQLITE_MAX_PARAMETERS = 999
#: Metadata a write keeps from the stored article when the record has none (NULL, "" or an empty list):
#: a revisit whose page lacks it this time (template change, A/B test, partial render) must not wipe
#: what an earlier fetch found. The text and what is derived from it (hash, fingerprint, word count) and
#: the fetch's own facts (url, fetched_at, discovered_via, etag, duplicate_of, extraction) always take the
#: record's values; canonical_url is the key. Values are compared as `_rows` encodes them.
_KEEP_STORED_EMPTY: dict[str, str] = {
    **dict.fromkeys(("title", "date_published", "date_modified", "language", "site_name", "description", "image"),
                    "''"),
    **dict.fromkeys(_JSON_LIST_COLUMNS, "'[]'"),
}
#: ``extraction.metadata_sources.date_published`` of a date the page's metadata did not state: taken
#: from the discovery source (``hinted``: sitemap lastmod, feed date; a revisit's lastmod is the latest
#: change, not the publication) or guessed by htmldate (often the URL's day, without a time). A stored
#: date wins over such a guess as over no date at all (the publication date does not move).
GUESSED_DATE_SOURCES = ("hinted", "htmldate")
#: ``extraction`` key of the URLs that redirected to the record's page: recorded as aliases of its article.
_REDIRECTED = "redirected_from"
#: The one character PostgreSQL cannot store in text or JSONB; removed from every string of a row on
#: both backends, so that they store the same (a JSON-LD ``\u0000`` escape reaches the record as one).
_NUL = "\x00"
#: How json.dumps writes NUL: the encoded JSON columns are cleaned only when they contain it.
_NUL_ESCAPE = "\\u0000"


def _story(row: Mapping[str, Any]) -> Story:
    """What `crawler.duplicates.other_article` compares of a row."""
    return Story(row["simhash"], row["title"], row["date_published"])


def _json_list(value: Any) -> str:
    """``json.dumps(list(value or []))``; a list of strings is joined without json.dumps's set-up per call,
    which for three short lists a row was a fifth of the batched write's Python time."""
    if not value:
        return "[]"
    if type(value) is list or type(value) is tuple:
        try:
            return "[" + ", ".join(map(encode_basestring_ascii, value)) + "]"
        except TypeError:  # an item that is not a string: json.dumps says how to write it, or that it cannot
            pass
    return json.dumps(list(value))


def _without_nul(value: Any) -> Any:
    """``value`` (decoded JSON) with NUL removed from every string in it, keys of objects included."""
    if isinstance(value, str):
        return value.replace(_NUL, "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _kept(new: Any, stored: Any, empty: str) -> Any:
    """SQL for a `_KEEP_STORED_EMPTY` column: ``new`` unless it is NULL or ``empty`` (an SQL literal),
    then ``stored``; ``new`` again when nothing is stored (an empty value is not turned into NULL)."""
    return func.coalesce(func.nullif(new, literal_column(empty)), stored, new)


@dataclass(frozen=True)
class _SqliteStatements:
    """SQLite's write statements (compiled once per store) and how to bind a row's values to them."""

    #: ``INSERT ... ON CONFLICT (canonical_url) DO UPDATE`` of every column.
    upsert: str
    upsert_values: Callable[[dict[str, Any]], tuple[Any, ...]]
    #: ``UPDATE`` of an unchanged article: `_REFRESH_SET` where the row still has the `_REFRESH_MATCH` values.
    refresh: str
    refresh_values: Callable[[dict[str, Any]], tuple[Any, ...]]
    #: The time stamps' conversion (applied once per batch).
    stamp: Callable[[Any], Any]
    #: Other columns that need a conversion per row (none with the pysqlite driver).
    converters: tuple[tuple[str, Callable[[Any], Any]], ...]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # before WAL: a database in WAL mode keeps its page size; a no-op on an existing database
    cursor.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
    # WAL lets readers (exports, dashboards) read while a crawl writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    page_size = cursor.execute("PRAGMA page_size").fetchone()[0]
    cursor.execute(f"PRAGMA wal_autocheckpoint={max(1, SQLITE_WAL_CHECKPOINT_BYTES // page_size)}")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    # Sorts and temporary indexes of large exports in memory rather than in temporary files.
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


class _BinaryArray(list[Any]):
    """A list psycopg sends to PostgreSQL as a binary array: the text format quotes every element
    with a regular expression, which took half the time of a batched upsert of 4 KB texts."""


def _pg_binary_arrays(dbapi_connection: Any, _record: Any) -> None:
    from psycopg.types.array import ListBinaryDumper

    dbapi_connection.adapters.register_dumper(_BinaryArray, ListBinaryDumper)


def make_engine(database_url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL (SQLite gets WAL and a busy timeout)."""
    connect_args: dict[str, Any] = {}
    if database_url.startswith("postgresql"):
        # Fail fast when the server is away, so the store can journal and go on (seconds).
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    engine = create_engine(database_url, future=True, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _pg_binary_arrays)
    return engine


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The revision of the first schema (issue 2), stamped on databases written before migrations existed.
FIRST_REVISION = "0001"
#: The newest schema revision this version ships: the head of the migrations in MIGRATIONS_DIR
#: (tests/test_migrations.py checks the two agree). Add a migration, move this.
HEAD_REVISION = "0004"
#: Where Alembic keeps a database's schema revision (its default table name).
ALEMBIC_VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class ExportFilter:
    """Which stored articles an export streams (every field optional)."""

    since: datetime | None = None
    until: datetime | None = None
    #: "published" (date_published) or "first_seen" (first_seen_at): the date since/until apply to.
    by: str = "published"
    site: str | None = None
    language: str | None = None
    run_id: int | None = None


@dataclass(frozen=True)
class KnownArticle:
    """A stored article, as much as deciding whether to fetch it again needs."""

    canonical_url: str
    fetched_at: str | None
    etag: str | None
    date_published: str | None


class SchemaError(RuntimeError):
    """The database's schema is not the one this version of newsclean writes."""


def _alembic_config(connection: Any = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of newsclean ships (`HEAD_REVISION`)."""
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (None: empty database, or one written before migrations).

    Read with plain SQL from Alembic's version table, as Alembic's MigrationContext does, so that
    opening a database whose schema is current does not import Alembic (9 MB of a crawl process).
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table(ALEMBIC_VERSION_TABLE):
            return None
        versions = conn.execute(sql_text(f"SELECT version_num FROM {ALEMBIC_VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        raise SchemaError(f"database has several schema heads ({', '.join(sorted(versions))}); expected one")
    return versions[0] if versions else None


#: The PostgreSQL advisory lock (a 64-bit key of our own: "newsclea" in ASCII) under which one process at a
#: time migrates a database: crawls started together on a new database (cron, scrapyd, several sources'
#: jobs) would otherwise create the same tables at once, and all but one fail.
MIGRATION_LOCK_KEY = int.from_bytes(b"newsclea", "big") & 0x7FFF_FFFF_FFFF_FFFF


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock: PostgreSQL's advisory lock, or for a SQLite file an exclusive
    ``flock`` on the file itself (independent of SQLite's own byte-range locks, so readers and writers of
    the database are not held); nothing for an in-memory database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(select(func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
            try:
                yield
            finally:
                conn.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
                conn.commit()
        return
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    with open(path, "ab") as handle:  # creates the (empty) database file, as the migration would
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database's schema to ``revision``, keeping every row; returns (before, after).

    A database written before migrations existed (an ``articles`` table, no ``alembic_version``) is
    recognised as the first schema and stamped so, then upgraded like any other. A database already
    at the head is left alone without loading Alembic.
    """
    before = current_revision(engine)
    if before == HEAD_REVISION and revision in ("head", HEAD_REVISION):
        return before, before
    from alembic import command

    with _migration_lock(engine):
        before = current_revision(engine)  # read again: a process starting beside this one may have migrated
        if before == HEAD_REVISION and revision in ("head", HEAD_REVISION):
            return before, before
        with engine.begin() as conn:
            cfg = _alembic_config(conn)
            if before is None and inspect(conn).has_table("articles"):
                logger.info("Database has the first schema without a revision; stamping %s", FIRST_REVISION)
                command.stamp(cfg, FIRST_REVISION)
            command.upgrade(cfg, revision)
    after = current_revision(engine)
    if before != after:
        logger.info("Database schema upgraded from %s to %s", before or "nothing", after)
    return before, after


def site_of(url: str) -> str | None:
    """The host of a URL, lower-cased, without ``www.``; stored for per-site queries."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


#: Scheme and authority of a URL (everything before its path, query or fragment): all `site_of` reads.
_ORIGIN = re.compile(r"[^:/?#]*://[^/?#]*")
#: Distinct origins whose site is remembered: a crawl covers a few hundred sites, a batch mostly one.
SITE_CACHE_SIZE = 4096


@lru_cache(maxsize=SITE_CACHE_SIZE)
def _site_of_origin(origin: str) -> str | None:
    return site_of(origin)


def _site(url: str) -> str | None:
    """`site_of`, parsing each origin once (URL parsing was a tenth of the batched write's time)."""
    origin = _ORIGIN.match(url)
    return _site_of_origin(origin.group()) if origin else site_of(url)


class ArticleStore:
    """Batched, idempotent writes of article records to one database, and the reads around them."""

    def __init__(self, database_url: str, *, migrate: bool = True) -> None:
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self._sqlite_statement: _SqliteStatements | None = None
        self._pg_statement: Any = None
        try:
            if migrate:
                upgrade(self.engine)
            else:
                have, want = current_revision(self.engine), head_revision()
                if have != want:
                    raise SchemaError(
                        f"database {mask_password(database_url)} has schema {have or 'none'}, this version writes "
                        f"{want}; run `scrapy db upgrade` (or set NEWSCLEAN_AUTO_MIGRATE=True)"
                    )
        except BaseException:
            self.engine.dispose()  # no store: its connections are not left open (unreachable, old schema)
            raise

    def __repr__(self) -> str:
        return f"ArticleStore({mask_password(self.database_url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        return str(self.engine.dialect.name)

    def _insert(self, table: Any) -> Any:
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        if self.dialect == "sqlite":
            return sqlite.insert(table)
        raise ValueError(f"unsupported database dialect {self.dialect!r}")

    # ------------------------------------------------------------------ runs
    def start_run(self, spider: str, arguments: Mapping[str, Any]) -> int:
        """Record the start of a crawl; returns the run's id."""
        with self.Session.begin() as session:
            run = CrawlRun(spider=spider, arguments=dict(arguments), started_at=datetime.now(UTC), status="running")
            session.add(run)
            session.flush()
            return int(run.id)

    def finish_run(self, run_id: int, status: str, stats: Mapping[str, Any]) -> None:
        """Record how a crawl ended, with its stats (made JSON-safe)."""
        safe = {str(k): (v if isinstance(v, int | float | str | bool) or v is None else str(v)) for k, v in stats.items()}
        with self.Session.begin() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None:
                run.finished_at, run.status, run.stats = datetime.now(UTC), status, safe

    def runs(self) -> list[CrawlRun]:
        with self.Session() as session:
            return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))

    # --------------------------------------------------------------- writes
    def _rows(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The batch's rows: the records' fields normalised, JSON columns encoded, fingerprint bands and
        site added; one row per canonical URL (the last record wins). NUL is removed from every string
        (`_NUL`), in the JSON columns too."""
        by_key: dict[str, dict[str, Any]] = {}
        for record in records:
            row = dict(zip(_SCALAR_COLUMNS, map(record.get, _SCALAR_COLUMNS), strict=True))
            for name, value in row.items():
                if isinstance(value, str) and _NUL in value:
                    row[name] = value.replace(_NUL, "")
            key = str(row["canonical_url"] or row["url"])
            row["canonical_url"] = key
            for name in _JSON_LIST_COLUMNS:
                encoded = _json_list(record.get(name))
                if _NUL_ESCAPE in encoded:  # (or a backslash before "u0000": decoding tells them apart)
                    encoded = _json_list(_without_nul(json.loads(encoded)))
                row[name] = encoded
            extraction = record.get("extraction")
            encoded = json.dumps(extraction if type(extraction) is dict else dict(extraction or {}))
            if _NUL_ESCAPE in encoded:
                encoded = json.dumps(_without_nul(json.loads(encoded)))
            row["extraction"] = encoded
            text = row["text"] = row["text"] or ""
            if not row["content_hash"]:
                # updates rewrite the text only when its hash changes: a record must carry its hash
                row["content_hash"] = content_hash(str(text))
            row["word_count"] = row["word_count"] or 0
            fingerprint = row["simhash"]
            if fingerprint is None and "simhash" not in record:
                fingerprint = row["simhash"] = simhash(str(text))
            row.update(zip(_BAND_COLUMNS, bands(fingerprint) if fingerprint else _NO_BANDS, strict=True))
            row["site"] = _site(key)
            earlier = by_key.get(key)
            if (earlier is not None and row["url"] == key and earlier["url"] and earlier["url"] != key
                    and earlier["url"] not in by_key and other_article(_story(earlier), _story(row))):
                # the key's own page after a page that declared it canonical with another story (a wrong
                # canonical tag): that page keeps its story, under its own URL
                earlier["canonical_url"] = earlier["url"]
                earlier["site"] = _site(earlier["url"])
                by_key[earlier["url"]] = earlier
                logger.warning("%s declared %s as its canonical URL with another story; stored under its own URL",
                               earlier["url"], key)
            # One statement may not touch a row twice (PostgreSQL refuses): the last record wins.
            by_key[key] = row
        return list(by_key.values())

    def upsert(self, records: Iterable[Mapping[str, Any]], *, run_id: int | None = None,
               counts: dict[str, int] | None = None) -> int:
        """Insert or update records by canonical URL in one transaction; returns rows written.

        A record whose ``url`` differs from its ``canonical_url`` also records that URL as an alias.
        ``counts``, when given, is increased by the rows that were ``new``, ``updated`` (text changed)
        and ``same_text`` (fetched again, text unchanged).
        """
        now = datetime.now(UTC)
        rows = self._rows(records)
        if not rows:
            return 0
        aliases = [(r["url"], r["canonical_url"]) for r in rows if r["url"] and r["url"] != r["canonical_url"]]
        aliases += [(u, r["canonical_url"]) for r in rows if _REDIRECTED in r["extraction"]
                    for u in json.loads(r["extraction"]).get(_REDIRECTED) or () if isinstance(u, str) and u]
        with self.engine.begin() as conn:
            stored, changed, unchanged = self._keep_revisions(conn, rows, now, run_id)
            self._write_articles(conn, rows, now, run_id, unchanged)
            if aliases:
                self._write_aliases(conn, aliases, now)
        if counts is not None:
            for key, n in (("new", len(rows) - stored), ("updated", changed), ("same_text", stored - changed)):
                counts[key] = counts.get(key, 0) + n
        return len(rows)

    def _upsert_statement(self, columns: tuple[str, ...], source: Any = None) -> Any:
        """``INSERT ... ON CONFLICT (canonical_url) DO UPDATE`` of ``columns``, from ``source`` if given."""
        stmt = self._insert(Article.__table__)
        if source is not None:
            stmt = stmt.from_select(list(columns), source)
        excluded = stmt.excluded
        keep = ("canonical_url", "first_seen_at")
        update: dict[str, Any] = {name: getattr(excluded, name) for name in columns if name not in keep}
        table = Article.__table__
        for name, empty in _KEEP_STORED_EMPTY.items():
            if name in update:
                update[name] = _kept(getattr(excluded, name), table.c[name], empty)
        if "date_published" in update and "extraction" in columns:
            stored = table.c.date_published
            guessed = self._date_source(excluded.extraction).in_(
                [literal_column(f"'{source}'") for source in GUESSED_DATE_SOURCES])
            update["date_published"] = case((guessed, func.coalesce(func.nullif(stored, literal_column("''")),
                                                                   excluded.date_published)),
                                             else_=update["date_published"])
        text_changed = Article.content_hash.is_distinct_from(excluded.content_hash)
        # updated_at moves only when the story changed, so "what changed since" queries stay honest.
        update["updated_at"] = case((text_changed, excluded.updated_at), else_=Article.updated_at)
        # An unchanged text is not rewritten: PostgreSQL then keeps its compressed out-of-line copy
        # instead of compressing and storing it again (re-crawl updates several times faster).
        update["text"] = case((text_changed, excluded.text), else_=Article.text)
        return stmt.on_conflict_do_update(index_elements=[Article.canonical_url], set_=update)

    def _date_source(self, extraction: Any) -> Any:
        """SQL for ``extraction.metadata_sources.date_published`` as text (NULL when not there); the path is
        rendered as a literal, so the compiled SQLite statement has one parameter per column."""
        if self.dialect == "postgresql":
            return extraction.op("#>>")(literal_column("'{metadata_sources,date_published}'"))
        return func.json_extract(extraction, literal_column("'$.metadata_sources.date_published'"))

    def _write_articles(self, conn: Connection, rows: list[dict[str, Any]], now: datetime,
                        run_id: int | None, unchanged: set[str]) -> None:
        """The batch's upsert, as one statement per batch on PostgreSQL and prepared statements on SQLite.

        Values are bound as they are (`_rows` encoded the JSON columns): SQLAlchemy's per-row parameter
        processing cost more than SQLite's own work for the row (benchmarks/storage.py). On SQLite the
        ``unchanged`` rows (stored with the same text, fingerprint, date and site) are refreshed by an
        ``UPDATE`` that leaves those columns alone, so that no index entry of theirs is rewritten.
        """
        if self.dialect == "postgresql":
            values: dict[str, Any] = {name: [row[name] for row in rows] for name in _ROW_COLUMNS}
            values["run_id"] = [run_id] * len(rows)
            conn.execute(self._pg_upsert(), {"now": now, **{f"v_{name}": _BinaryArray(column)
                                                             for name, column in values.items()}})
            return
        sql = self._bind_sqlite(conn, rows, now, run_id)
        full: list[dict[str, Any]] = []
        same: list[dict[str, Any]] = []
        for row in rows:
            (same if row["canonical_url"] in unchanged else full).append(row)
        if same and conn.exec_driver_sql(sql.refresh, list(map(sql.refresh_values, same))).rowcount != len(same):
            # Some changed or went since they were read (another writer): the upsert decides for them.
            full += same
        if full:
            conn.exec_driver_sql(sql.upsert, list(map(sql.upsert_values, full)))

    def _bind_sqlite(self, conn: Connection, rows: list[dict[str, Any]], now: datetime,
                     run_id: int | None) -> _SqliteStatements:
        """Complete `_rows`' rows for SQLite's statements (the run and time stamps, each column's
        conversion) and return the statements, whose ``*_values`` getters take such rows."""
        sql = self._sqlite_statements(conn)
        # The same values for every row, converted once.
        constants = {"run_id": run_id, **dict.fromkeys(_STAMP_COLUMNS, sql.stamp(now))}
        for row in rows:
            row.update(constants)
            for name, convert in sql.converters:
                row[name] = convert(row[name])
        return sql

    def _sqlite_statements(self, conn: Connection) -> _SqliteStatements:
        """The SQLite write statements' SQL and the getters of their parameters from a row, compiled once."""
        if self._sqlite_statement is None:
            dialect = conn.dialect
            table = Article.__table__
            compiled = self._upsert_statement(_UPSERT_COLUMNS).compile(dialect=dialect,
                                                                        column_keys=list(_UPSERT_COLUMNS))
            order = list(compiled.positiontup or ())
            assert sorted(order) == sorted(_UPSERT_COLUMNS), order
            refresh = update(Article).where(
                table.c.canonical_url == bindparam("p_canonical_url"),
                *(table.c[name].is_not_distinct_from(bindparam(f"p_{name}")) for name in _REFRESH_MATCH),
            ).values({name: _kept(bindparam(f"p_{name}"), table.c[name], _KEEP_STORED_EMPTY[name])
                      if name in _KEEP_STORED_EMPTY else bindparam(f"p_{name}")
                      for name in _REFRESH_SET}).compile(dialect=dialect)
            # (a kept column's parameter comes twice, see `_kept`)
            refresh_order = [name.removeprefix("p_") for name in refresh.positiontup or ()]
            assert set(refresh_order) == {"canonical_url", *_REFRESH_MATCH, *_REFRESH_SET}, refresh_order
            converters = {}
            for name in order:
                convert = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                if convert is not None:
                    converters[name] = convert
            stamp = converters.get("first_seen_at") or (lambda value: value)
            self._sqlite_statement = _SqliteStatements(
                upsert=compiled.string, upsert_values=itemgetter(*order),
                refresh=refresh.string, refresh_values=itemgetter(*refresh_order), stamp=stamp,
                # JSON is encoded by `_rows`, the time stamps once per batch: any other conversion per row.
                converters=tuple((name, convert) for name, convert in converters.items()
                                 if name not in _JSON_COLUMNS and name not in _STAMP_COLUMNS),
            )
        return self._sqlite_statement

    def _pg_upsert(self) -> Any:
        """The PostgreSQL upsert: the batch comes as one array per column, unnested into rows in order.

        One statement per batch instead of one per row (psycopg's pipelined executemany), and the
        server parses 30 arrays instead of 30,000 parameters.
        """
        if self._pg_statement is None:
            names = (*_ROW_COLUMNS, "run_id")
            # Untyped parameters cast in SQL: an ARRAY-typed one would be copied into a plain list.
            arrays = [cast(bindparam(f"v_{name}"), ARRAY(_PG_ARRAY_TYPES.get(name, Text))) for name in names]
            rows = func.unnest(*arrays).table_valued(*names, with_ordinality="position").render_derived()
            source = select(
                *(cast(rows.c[name], JSONB) if name in _JSON_COLUMNS else rows.c[name] for name in names),
                *(bindparam("now", type_=DateTime(timezone=True)) for _ in _STAMP_COLUMNS),
            ).order_by(rows.c.position)
            self._pg_statement = self._upsert_statement(_UPSERT_COLUMNS, source)
        return self._pg_statement

    def _stored(self, conn: Connection, urls: list[str]) -> list[tuple[Any, ...]]:
        """`_STORED_COLUMNS` of the stored articles among ``urls``."""
        if self.dialect != "postgresql":
            # Driver-level SQL: SQLAlchemy's expanding IN and result rows cost more than SQLite's look-ups.
            found: list[tuple[Any, ...]] = []
            for start in range(0, len(urls), SQLITE_MAX_PARAMETERS):
                chunk = urls[start:start + SQLITE_MAX_PARAMETERS]
                found += conn.exec_driver_sql(
                    f"SELECT {', '.join(_STORED_COLUMNS)} FROM articles WHERE canonical_url IN "
                    f"({', '.join('?' * len(chunk))})", tuple(chunk)).all()
            return found
        # One index probe per URL, whatever the planner believes of the table: with `IN (...)` a table
        # without statistics yet (a first crawl) was scanned whole for every batch, re-crawls 5x slower.
        # The LIMIT keeps PostgreSQL from flattening the lateral subquery into a join it could plan so.
        columns = [Article.__table__.c[name] for name in _STORED_COLUMNS]
        given = func.unnest(cast(bindparam("urls"), ARRAY(Text))).table_valued("url").render_derived()
        lateral = select(*columns).where(Article.canonical_url == given.c.url).limit(1).lateral()
        query = select(*(lateral.c[name] for name in _STORED_COLUMNS)).select_from(given).join(lateral, literal(True))
        return list(conn.execute(query, {"urls": _BinaryArray(urls)}).all())

    def _keep_revisions(self, conn: Connection, rows: list[dict[str, Any]], now: datetime,
                        run_id: int | None) -> tuple[int, int, set[str]]:
        """Before rows are overwritten, copy the stored text of those whose text changed to revisions.

        A changed article whose page states no newer modification date gets the time the change was
        found as ``date_modified``. Returns how many rows were already stored, how many changed, and
        the canonical URLs of those stored with the same text, fingerprint, date and site.
        """
        incoming = {r["canonical_url"]: r for r in rows}
        changed: list[tuple[str, str | None]] = []
        unchanged: set[str] = set()
        stored = self._stored(conn, list(incoming))
        released = 0
        for url, digest, modified, *match, page_url, title in stored:
            row = incoming[url]
            if (row["url"] == url and page_url and page_url != url
                    and other_article(Story(match[0], title, match[1]), _story(row))
                    and self._release(conn, url, page_url)):
                released += 1  # no longer stored under the key: the key's own page is inserted
                continue
            if digest != row["content_hash"]:
                changed.append((url, modified))
            elif match == [row[name] for name in _REFRESH_MATCH[1:]]:
                unchanged.add(url)
        if not changed:
            return len(stored) - released, 0, unchanged
        for url, modified in changed:
            row = incoming[url]
            if not row["date_modified"] or row["date_modified"] == modified:
                row["date_modified"] = now.isoformat(timespec="seconds")
        conn.execute(
            insert(ArticleRevision).from_select(
                ["canonical_url", "title", "text", "content_hash", "date_modified", "fetched_at", "replaced_at",
                 "run_id"],
                select(Article.canonical_url, Article.title, Article.text, Article.content_hash,
                       Article.date_modified, Article.fetched_at, literal(now, DateTime(timezone=True)),
                       literal(run_id, Integer))
                .where(Article.canonical_url.in_([url for url, _ in changed])),
            )
        )
        return len(stored) - released, len(changed), unchanged

    def _release(self, conn: Connection, key: str, page_url: str) -> bool:
        """Give the canonical URL ``key`` back to its own page (being written now): the article stored under
        it is another one's, of the page ``page_url`` that declared ``key`` canonical. That article moves to
        its own URL with its revisions and aliases (all written while it held the key); when its URL holds
        an article already, the copy under the key is deleted instead. Always True (the key is free)."""
        if conn.scalar(select(Article.id).where(Article.canonical_url == page_url)) is None:
            conn.execute(update(Article).where(Article.canonical_url == key)
                         .values(canonical_url=page_url, site=_site(page_url)))
            moved = "moves to its own URL"
        else:
            conn.execute(delete(Article).where(Article.canonical_url == key))
            moved = "is stored under its own URL already: the copy under the key is deleted"
        conn.execute(update(ArticleRevision).where(ArticleRevision.canonical_url == key).values(canonical_url=page_url))
        conn.execute(delete(UrlAlias).where(UrlAlias.url == page_url, UrlAlias.canonical_url == key))
        conn.execute(update(UrlAlias).where(UrlAlias.canonical_url == key).values(canonical_url=page_url))
        logger.warning("%s declared %s as its canonical URL with another article; its article %s, the key's own"
                       " page takes the key", page_url, key, moved)
        return True

    def iter_revisions(self, where: ExportFilter | None = None) -> Iterator[dict[str, Any]]:
        """Stored revisions (oldest first), optionally of the articles an export filter selects."""
        table = ArticleRevision.__table__
        query = select(table).order_by(table.c.id)
        if where is not None:
            query = query.where(table.c.canonical_url.in_(select(Article.canonical_url).where(*self._conditions(where))))
        with self.engine.connect() as conn:
            for row in conn.execution_options(stream_results=True, yield_per=1000).execute(query):
                yield dict(row._mapping)

    def _write_aliases(self, conn: Connection, pairs: Iterable[tuple[str, str]], now: datetime) -> None:
        values = {url: {"url": url, "canonical_url": canonical, "first_seen_at": now, "last_seen_at": now}
                  for url, canonical in pairs}
        stmt = self._insert(UrlAlias.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=[UrlAlias.url],
            set_={"canonical_url": stmt.excluded.canonical_url, "last_seen_at": stmt.excluded.last_seen_at},
        )
        conn.execute(stmt, list(values.values()))

    def add_aliases(self, pairs: Iterable[tuple[str, str]]) -> int:
        """Record ``(url, canonical_url)`` pairs: other URLs that led to a stored article."""
        pairs = [(u, c) for u, c in pairs if u != c]
        if pairs:
            with self.engine.begin() as conn:
                self._write_aliases(conn, pairs, datetime.now(UTC))
        return len(pairs)

    # ---------------------------------------------------------------- reads
    def find_exact(self, content_hash: str, *, exclude: str) -> str | None:
        """Canonical URL of a stored article (not ``exclude``) with exactly this text, if any."""
        with self.engine.connect() as conn:
            candidates = conn.execute(_same_hash_key(content_hash).where(Article.canonical_url != exclude))
            return next((url for url, digest in candidates if digest == content_hash), None)

    def find_near(self, fingerprint: str, *, exclude: str) -> str | None:
        """Canonical URL of the stored original (not ``exclude``) this fingerprint nearly repeats, if any.

        When the closest stored article is itself a duplicate, its original is returned.
        """
        match = or_(*(getattr(Article, col).in_(values) for col, values in zip(_BAND_COLUMNS, probes(fingerprint),
                                                                                 strict=True)))
        best: tuple[int, int, str] | None = None
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(Article.id, Article.canonical_url, Article.simhash, Article.duplicate_of)
                .where(match, Article.canonical_url != exclude, Article.simhash.is_not(None))
            )
            for article_id, canonical, other, original in rows:
                d = distance(fingerprint, str(other))
                target = original or canonical
                if target != exclude and d <= NEAR_DUPLICATE_MAX_BITS and (best is None or (d, article_id) < best[:2]):
                    best = (d, article_id, target)
        return best[2] if best else None

    def stored_page(self, canonical_url: str, run_id: int | None = None) -> tuple[str, Story] | None:
        """The URL of the page whose article is stored under ``canonical_url``, and what tells its story
        (`crawler.duplicates.Story`), if any; with ``run_id``, only if crawl run ``run_id`` wrote it last."""
        query = select(Article.url, Article.simhash, Article.title, Article.date_published).where(
            Article.canonical_url == canonical_url)
        if run_id is not None:
            query = query.where(Article.run_id == run_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row[0], Story(row[1], row[2], row[3])) if row is not None else None

    def known(self, url: str) -> KnownArticle | None:
        """What the store knows of the article at ``url`` (its canonical URL or an alias), if anything."""
        with self.engine.connect() as conn:
            canonical = conn.scalar(select(UrlAlias.canonical_url).where(UrlAlias.url == url)) or url
            row = conn.execute(
                select(Article.canonical_url, Article.fetched_at, Article.etag, Article.date_published)
                .where(Article.canonical_url == canonical)
            ).first()
        return KnownArticle(*row) if row is not None else None

    def touch(self, canonical_urls: Iterable[str]) -> int:
        """Mark articles as seen now without rewriting them (a revisit answered 304 Not Modified)."""
        urls = list(dict.fromkeys(canonical_urls))
        if not urls:
            return 0
        with self.Session.begin() as session:
            session.connection().execute(
                update(Article).where(Article.canonical_url.in_(urls)).values(last_seen_at=datetime.now(UTC)))
        return len(urls)

    def count(self) -> int:
        with self.Session() as session:
            return int(session.scalar(select(func.count()).select_from(Article)) or 0)

    def aliases(self) -> dict[str, str]:
        with self.Session() as session:
            return {a.url: a.canonical_url for a in session.scalars(select(UrlAlias))}

    def iter_records(self, where: ExportFilter | None = None, *, extra: bool = False,
                     batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Stored records, oldest first, as dicts with the feed's field names, streamed in constant memory.

        With ``extra``, the database's own columns (`EXPORT_EXTRA_COLUMNS`) follow the record's fields.
        """
        names = _RECORD_COLUMNS + (EXPORT_EXTRA_COLUMNS if extra else ())
        query = select(*(getattr(Article, name) for name in names)).order_by(Article.id)
        if where is not None:
            query = query.where(*self._conditions(where))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            for row in result:
                yield dict(row._mapping)

    def _published_instant(self) -> Any:
        """SQL for ``date_published`` (ISO 8601 text with the page's own offset) as an instant: SQLite's
        ``datetime()`` gives it in UTC (``YYYY-MM-DD HH:MM:SS``, NULL for a malformed value), PostgreSQL
        casts it to ``timestamptz``."""
        if self.dialect == "postgresql":
            return cast(Article.date_published, DateTime(timezone=True))
        return func.datetime(Article.date_published)

    def _instant(self, when: datetime) -> Any:
        """A bound in the form `_published_instant` compares with."""
        utc = when.astimezone(UTC)
        return utc if self.dialect == "postgresql" else utc.strftime("%Y-%m-%d %H:%M:%S")

    def _conditions(self, where: ExportFilter) -> list[Any]:
        out: list[Any] = []
        if where.by == "published":
            # instants, whatever offset each page states and the bound carries (a day alone is its UTC midnight);
            # first the calendar days such an instant can have anywhere (offsets are within a day), on the
            # text as stored, so that the index on date_published narrows the rows the exact test reads
            published = self._published_instant()
            if where.since is not None:
                out.append(Article.date_published >= (where.since.astimezone(UTC) - timedelta(days=1)).date().isoformat())
                out.append(published >= self._instant(where.since))
            if where.until is not None:
                out.append(Article.date_published < (where.until.astimezone(UTC) + timedelta(days=2)).date().isoformat())
                out.append(published < self._instant(where.until))
        else:
            if where.since is not None:
                out.append(Article.first_seen_at >= where.since)
            if where.until is not None:
                out.append(Article.first_seen_at < where.until)
        if where.site:
            site = where.site.strip()
            host = (urlsplit(site).hostname or "") if "://" in site else site.split("/")[0].split(":")[0]
            out.append(Article.site == host.lower().removeprefix("www."))
        if where.language:
            # stored as the primary subtag, lower-cased (`crawler.metadata`): "EN", "en-US" and "en_GB" are "en"
            out.append(Article.language == where.language.strip().replace("_", "-").split("-")[0].lower())
        if where.run_id is not None:
            out.append(Article.run_id == where.run_id)
        return out


__all__ = ["Article", "ArticleStore", "Base", "CrawlRun", "ExportFilter", "SQLAlchemyError", "SchemaError",
           "UrlAlias", "current_revision",
           "head_revision", "make_engine", "site_of", "upgrade"]


# ------------------------------------------------------------------ one store per crawl

#: The crawl each shared store belongs to, with the number of its users.
_SHARED: weakref.WeakKeyDictionary[Any, tuple[ArticleStore, int]] = weakref.WeakKeyDictionary()


def open_shared(crawler: Any, database_url: str, *, migrate: bool = True) -> ArticleStore:
    """The crawl's one `ArticleStore` for ``database_url``: the pipelines and middlewares that use the
    database share its engine, its connection pool (and SQLite page cache) and its one schema check,
    instead of one each. Every `open_shared` is matched by a `release_shared`; the last one closes it."""
    entry = _SHARED.get(crawler)
    if entry is not None and entry[0].database_url == database_url:
        _SHARED[crawler] = (entry[0], entry[1] + 1)
        return entry[0]
    store = ArticleStore(database_url, migrate=migrate)
    if entry is None:
        _SHARED[crawler] = (store, 1)
    return store


def release_shared(crawler: Any, store: ArticleStore) -> None:
    """One user of the crawl's shared store is done with it; the last one closes it."""
    entry = _SHARED.get(crawler)
    if entry is None or entry[0] is not store:
        store.close()  # not the shared one (another database URL)
        return
    if entry[1] > 1:
        _SHARED[crawler] = (store, entry[1] - 1)
        return
    del _SHARED[crawler]
    store.close()
