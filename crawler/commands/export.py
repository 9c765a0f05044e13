"""``scrapy export``: stream stored articles from the database to JSON lines or CSV.

The records carry the crawl feed's field names, followed by the database's own columns (site,
first_seen_at, last_seen_at, updated_at, run_id). Rows are streamed with a server-side cursor and
written one at a time, so memory stays constant however many rows match.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from crawler.commands import (
    CommandError,
    cannot_open,
    command_config,
    database_reason,
    newer_schema,
    output,
    read_revision,
    report,
)
from crawler.config import Config
from crawler.items import ARTICLE_FIELDS
from crawler.storage import (
    EXPORT_EXTRA_COLUMNS,
    ArticleRevision,
    ArticleStore,
    ExportFilter,
    SchemaError,
    is_outage,
)

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")
#: Fields of an exported revision: the article's earlier text, and when a newer one replaced it.
REVISION_COLUMNS = [c.name for c in ArticleRevision.__table__.columns]
#: List and object fields, written as JSON text inside a CSV cell.
_JSON_FIELDS = frozenset({"authors", "tags", "categories", "extraction"})


def _when(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date (e.g. 2026-01-31 or 2026-01-31T12:00:00+00:00)",
                         print_help=False) from None
    # A date without an offset is taken as UTC, like dates stored without one.
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)


def _json_value(value: Any) -> Any:
    """A stored value for JSON and CSV; times with their UTC offset (SQLite gives them back without one)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def open_store(config: Config) -> ArticleStore:
    """The store to export from, read-only: it must exist, be reachable and have the current schema.

    Export never migrates (whatever ``NEWSCLEAN_AUTO_MIGRATE`` says), so an old schema asks for
    ``scrapy db upgrade``; a SQLite file that does not exist is reported, not created.
    """
    have, want = read_revision(config)
    if have != want:
        advice = "upgrade newsclean" if newer_schema(have) else "run `scrapy db upgrade` first"
        raise CommandError(f"database {config.database_url_masked} has schema {have or 'none'}, this version "
                           f"reads {want}; {advice}")
    try:
        return ArticleStore(config.database_url, migrate=False)
    except SQLAlchemyError as exc:
        raise cannot_open(config, exc) from None
    except SchemaError as exc:  # changed since the check above
        raise CommandError(str(exc)) from None


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[-o FILE] [--format jsonl|csv] [--since DATE] [--until DATE] [--by published|first_seen] " \
               "[--site HOST] [--language CODE] [--run ID]"

    def short_desc(self) -> str:
        return "Stream stored articles to JSON lines or CSV"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
        parser.add_argument("--format", choices=FORMATS, help="jsonl or csv (default: from the file name, else jsonl)")
        parser.add_argument("--since", metavar="DATE", help="only articles on or after this date")
        parser.add_argument("--until", metavar="DATE", help="only articles before this date")
        parser.add_argument("--by", choices=("published", "first_seen"), default="published",
                            help="the date --since/--until apply to: date_published (default) or first_seen_at")
        parser.add_argument("--site", metavar="HOST", help="only articles of this host (www. ignored; a URL stands for its host)")
        parser.add_argument("--language", metavar="CODE", help="only articles in this language (its primary subtag: en, EN and en-GB all mean en)")
        parser.add_argument("--run", type=int, metavar="ID", help="only articles last written by this crawl run")
        parser.add_argument("--revisions", action="store_true",
                            help="export the earlier texts of changed articles (of the articles the filters select)")
        parser.add_argument("--database", metavar="URL", help="database URL (default: NEWSCLEAN_DATABASE_URL)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args:
            raise UsageError(f"unexpected arguments: {' '.join(args)}")
        assert self.settings is not None
        config = command_config(self.settings, opts.database)
        fmt = opts.format or ("csv" if (opts.output or "").lower().endswith(".csv") else "jsonl")
        where = ExportFilter(since=_when(opts.since, "--since"), until=_when(opts.until, "--until"), by=opts.by,
                             site=opts.site, language=opts.language, run_id=opts.run)
        try:
            count = self._export(config, where, fmt, opts)
        except CommandError as exc:
            report(self, "export", exc)
            return
        print(f"Exported {count} {'revisions' if opts.revisions else 'articles'}{' to ' + opts.output if opts.output and opts.output != '-' else ''}.",
              file=sys.stderr)

    def _export(self, config: Config, where: ExportFilter, fmt: str, opts: argparse.Namespace) -> int:
        """Rows written; the database is opened first, so a failure there leaves the output file alone."""
        store = open_store(config)
        try:
            with output(opts.output) as out:
                if opts.revisions:
                    return self._write_rows(store.iter_revisions(where), REVISION_COLUMNS, fmt, out)
                return self._write_rows(store.iter_records(where, extra=True),
                                        list(ARTICLE_FIELDS + EXPORT_EXTRA_COLUMNS), fmt, out)
        except SQLAlchemyError as exc:
            if not is_outage(exc):
                raise  # a bug, not the user's database: the traceback is wanted
            logger.debug("export stopped by the database", exc_info=True)
            raise CommandError(f"lost the database {config.database_url_masked} during the export: "
                               f"{database_reason(exc)}") from None
        finally:
            store.close()

    @staticmethod
    def _write_rows(records: Iterable[dict[str, Any]], columns: list[str], fmt: str, out: IO[str]) -> int:
        count = 0
        writer = csv.DictWriter(out, fieldnames=columns) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for record in records:
            if writer is not None:
                writer.writerow({k: (json.dumps(v, ensure_ascii=False) if k in _JSON_FIELDS else _json_value(v))
                                 for k, v in record.items()})
            else:
                out.write(json.dumps({k: _json_value(v) for k, v in record.items()}, ensure_ascii=False) + "\n")
            count += 1
        return count
