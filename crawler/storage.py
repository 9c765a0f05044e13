"""Storage: SQLAlchemy 2 models and batched upserts, the same on SQLite and PostgreSQL.

Articles are keyed by canonical URL. `ArticleStore.upsert` writes a batch in one transaction with
the dialect's ``INSERT ... ON CONFLICT (canonical_url) DO UPDATE``, so a second crawl of the same
site updates rows and never duplicates them. ``first_seen_at`` is kept from the first write,
``last_seen_at`` moves on every write, ``updated_at`` only when the text changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    case,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from crawler.config import mask_password
from crawler.items import ARTICLE_FIELDS

logger = logging.getLogger(__name__)

#: One JSON type for lists and objects: JSON on SQLite, JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")

#: SQLite waits this long for another writer's lock before failing (seconds).
SQLITE_BUSY_TIMEOUT_S = 30


class Base(DeclarativeBase):
    pass


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
    extraction: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    site: Mapped[str | None] = mapped_column(String(255))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("ix_articles_site_date", "site", "date_published"),
        Index("ix_articles_date_published", "date_published"),
        Index("ix_articles_content_hash", "content_hash"),
    )


#: Record fields written by an upsert (all of the record; bookkeeping columns are handled apart).
_RECORD_COLUMNS = tuple(name for name in ARTICLE_FIELDS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (exports, dashboards) read while a crawl writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL (SQLite gets WAL and a busy timeout)."""
    engine = create_engine(database_url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: The revision of the first schema (issue 2), stamped on databases written before migrations existed.
FIRST_REVISION = "0001"


class SchemaError(RuntimeError):
    """The database's schema is not the one this version of newsclean writes."""


def _alembic_config(connection: Any = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this version of newsclean ships."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database (None: empty database, or one written before migrations)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database's schema to ``revision``, keeping every row; returns (before, after).

    A database written before migrations existed (an ``articles`` table, no ``alembic_version``) is
    recognised as the first schema and stamped so, then upgraded like any other.
    """
    before = current_revision(engine)
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
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


class ArticleStore:
    """Batched, idempotent writes of article records to one database."""

    def __init__(self, database_url: str, *, migrate: bool = True) -> None:
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            upgrade(self.engine)
        else:
            have, want = current_revision(self.engine), head_revision()
            if have != want:
                self.engine.dispose()
                raise SchemaError(
                    f"database {mask_password(database_url)} has schema {have or 'none'}, this version writes "
                    f"{want}; run `scrapy db upgrade` (or set NEWSCLEAN_AUTO_MIGRATE=True)"
                )

    def __repr__(self) -> str:
        return f"ArticleStore({mask_password(self.database_url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def _insert(self) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "postgresql":
            return postgresql.insert(Article)
        if dialect == "sqlite":
            return sqlite.insert(Article)
        raise ValueError(f"unsupported database dialect {dialect!r}")

    def _rows(self, records: Iterable[Mapping[str, Any]], now: datetime) -> list[dict[str, Any]]:
        by_key: dict[str, dict[str, Any]] = {}
        for record in records:
            row = {name: record.get(name) for name in _RECORD_COLUMNS}
            row["authors"] = list(row["authors"] or [])
            row["tags"] = list(row["tags"] or [])
            row["categories"] = list(row["categories"] or [])
            row["extraction"] = dict(row["extraction"] or {})
            row["text"] = row["text"] or ""
            row["word_count"] = row["word_count"] or 0
            key = str(row["canonical_url"] or row["url"])
            row["canonical_url"] = key
            row["site"] = site_of(key)
            row["first_seen_at"] = row["last_seen_at"] = row["updated_at"] = now
            # One statement may not touch a row twice (PostgreSQL refuses): the last record wins.
            by_key[key] = row
        return list(by_key.values())

    def upsert(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Insert or update records by canonical URL in one transaction; returns rows written."""
        now = datetime.now(UTC)
        rows = self._rows(records, now)
        if not rows:
            return 0
        stmt = self._insert()
        excluded = stmt.excluded
        update: dict[str, Any] = {name: getattr(excluded, name) for name in _RECORD_COLUMNS if name != "canonical_url"}
        update["site"] = excluded.site
        update["last_seen_at"] = excluded.last_seen_at
        # updated_at moves only when the story changed, so "what changed since" queries stay honest.
        update["updated_at"] = case(
            (Article.content_hash.is_distinct_from(excluded.content_hash), excluded.updated_at),
            else_=Article.updated_at,
        )
        stmt = stmt.on_conflict_do_update(index_elements=[Article.canonical_url], set_=update)
        with self.Session.begin() as session:
            session.execute(stmt, rows)
        return len(rows)

    def count(self) -> int:
        with self.Session() as session:
            return int(session.scalar(select(func.count()).select_from(Article)) or 0)

    def iter_records(self, *, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every stored record, in insertion order, as dicts with the feed's field names."""
        columns = [getattr(Article, name) for name in _RECORD_COLUMNS]
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(select(*columns).order_by(Article.id))
            for row in result:
                yield dict(row._mapping)


__all__ = ["Article", "ArticleStore", "Base", "SQLAlchemyError", "SchemaError", "current_revision",
           "head_revision", "make_engine", "site_of", "upgrade"]
