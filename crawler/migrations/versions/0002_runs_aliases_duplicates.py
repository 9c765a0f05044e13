"""Crawl runs, URL aliases and near-duplicate links.

Adds ``crawl_runs`` (one row per crawl: spider, arguments, start/end, status, stats), ``url_aliases``
(other URLs that led to a stored article), and on ``articles``: ``run_id`` (the run that last wrote
the row), ``simhash`` with three indexed bands (see crawler.duplicates), and ``duplicate_of`` (canonical URL of the
article a near-duplicate repeats). Existing rows are kept; their fingerprints stay empty until the
article is crawled again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("spider", sa.String(100), nullable=False),
        sa.Column("arguments", JSONType),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("stats", JSONType),
    )
    op.create_table(
        "url_aliases",
        sa.Column("url", sa.String(2048), primary_key=True),
        # No foreign key: an alias may be recorded before the article it points to is flushed.
        sa.Column("canonical_url", sa.String(2048), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_url_aliases_canonical_url", "url_aliases", ["canonical_url"])
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer, sa.ForeignKey("crawl_runs.id", name="fk_articles_run_id")))
        batch.add_column(sa.Column("simhash", sa.String(16)))
        for i in range(3):
            batch.add_column(sa.Column(f"simhash_band{i}", sa.Integer))
        batch.add_column(sa.Column("duplicate_of", sa.String(2048)))
        batch.create_index("ix_articles_first_seen_at", ["first_seen_at"])
        for i in range(3):
            batch.create_index(f"ix_articles_simhash_band{i}", [f"simhash_band{i}"])


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        for i in range(3):
            batch.drop_index(f"ix_articles_simhash_band{i}")
        batch.drop_index("ix_articles_first_seen_at")
        batch.drop_column("duplicate_of")
        for i in range(3):
            batch.drop_column(f"simhash_band{i}")
        batch.drop_column("simhash")
        batch.drop_column("run_id")
    op.drop_table("url_aliases")
    op.drop_table("crawl_runs")
