"""The first schema: one articles table keyed by canonical URL.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_url", sa.String(2048), nullable=False, unique=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("authors", JSONType),
        sa.Column("date_published", sa.String(40)),
        sa.Column("date_modified", sa.String(40)),
        sa.Column("language", sa.String(35)),
        sa.Column("site_name", sa.Text),
        sa.Column("description", sa.Text),
        sa.Column("tags", JSONType),
        sa.Column("categories", JSONType),
        sa.Column("image", sa.String(2048)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("word_count", sa.Integer),
        sa.Column("fetched_at", sa.String(40)),
        sa.Column("discovered_via", sa.String(16)),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("extraction", JSONType),
        sa.Column("site", sa.String(255)),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_articles_site_date", "articles", ["site", "date_published"])
    op.create_index("ix_articles_date_published", "articles", ["date_published"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])


def downgrade() -> None:
    op.drop_table("articles")
