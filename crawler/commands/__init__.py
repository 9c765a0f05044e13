"""newsclean's Scrapy commands (``COMMANDS_MODULE``): ``crawl`` (checked arguments), ``demo``, ``extract``,
``export``, ``db``; and what they share: settings, and one-line errors for a database or file they cannot use."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.config import Config, ConfigError, mask_password


class CommandError(Exception):
    """A command cannot do its work (no database, an unwritable output file): the arguments were
    well-formed, so it is reported as one line on standard error with exit status 1, not as a usage error."""


def report(command: ScrapyCommand, name: str, exc: CommandError) -> None:
    """Print ``exc`` as ``scrapy NAME: error: ...`` and make the command exit with status 1."""
    print(f"scrapy {name}: error: {exc}", file=sys.stderr)
    command.exitcode = 1


def command_config(settings: Any, database: str | None = None) -> Config:
    """newsclean's settings for a command, with ``--database URL`` applied; a bad value is a usage error."""
    if database:
        settings.set("NEWSCLEAN_DATABASE_URL", database, priority="cmdline")
    try:
        return Config.from_settings(settings)
    except ConfigError as exc:
        raise UsageError(str(exc), print_help=False) from None


def database_reason(exc: SQLAlchemyError) -> str:
    """The driver's reason for a database error, on one line, passwords masked."""
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return mask_password(reason.splitlines()[0] if reason else type(exc).__name__)


def cannot_open(config: Config, exc: SQLAlchemyError) -> CommandError:
    """The error for a database that cannot be reached, worded as ``scrapy crawl``'s start-up check."""
    return CommandError(f"cannot open the database {config.database_url_masked}: {database_reason(exc)}")


def newer_schema(revision: str | None) -> bool:
    """True when ``revision`` is none of the migrations this version ships: a newer newsclean wrote it."""
    from alembic.script import ScriptDirectory

    from crawler.storage import MIGRATIONS_DIR

    known = {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
    return revision is not None and revision not in known


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases, in-memory SQLite and ``uri=true`` URLs."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if str(url.query.get("uri", "")).lower() in ("true", "1"):
        return None
    return Path(url.database)


def open_engine(config: Config, *, read_only: bool) -> Engine:
    """An engine on the configured database that has connected once.

    ``read_only``: a SQLite file that does not exist is an error instead of being created (connecting
    to SQLite creates the file), for commands that only read.
    """
    from crawler.storage import make_engine

    path = sqlite_file(config.database_url)
    if read_only and path is not None and not path.exists():
        raise CommandError(f"no database at {path}")
    engine = make_engine(config.database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise cannot_open(config, exc) from None
    return engine


def read_revision(config: Config) -> tuple[str | None, str]:
    """``(the database's schema revision, this version's head)``, only reading: a SQLite file that does
    not exist, a database that cannot be reached or a broken version table is a `CommandError`."""
    from crawler.storage import SchemaError, current_revision, head_revision

    engine = open_engine(config, read_only=True)
    try:
        return current_revision(engine), head_revision()
    except SQLAlchemyError as exc:
        raise cannot_open(config, exc) from None
    except SchemaError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.dispose()


@contextmanager
def output(path: str | None) -> Iterator[IO[str]]:
    """``path`` opened for writing text (standard output when None or ``-``).

    A file that cannot be opened, written or closed (no such folder, no permission, a full disk) is a
    `CommandError`; the file is opened on entering, so a command enters before doing its work.
    """
    if not path or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        f = Path(path).open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with f:
            yield f
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None
