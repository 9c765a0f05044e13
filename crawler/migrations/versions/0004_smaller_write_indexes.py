"""Smaller indexes on the write path: the content hash by its first 16 characters, and site alone.

Every batched write inserts into each index of ``articles``; an index of scattered keys has most of
its pages rewritten (to SQLite's WAL) by every batch, so its size sets its cost. Measured with
benchmarks/storage.py's 50,000 records, SQLite pages written per batch of 1,000 (the rows alone:
~1,500): the 64-character ``content_hash`` index cost ~440, the ``(site, date_published)`` index
~330; their replacements ~170 and ~110.

- ``ix_articles_content_hash`` (content_hash) -> ``ix_articles_content_hash_key``
  (substr(content_hash, 1, 16)): 64 bits of the SHA-256 digest find the candidates, the full hash is
  compared on the row (`ArticleStore.find_exact`).
- ``ix_articles_site_date`` (site, date_published) -> ``ix_articles_site`` (site): ``--site`` exports
  find the site's rows by it; with ``--since``/``--until`` as well the dates are compared on those
  rows, or ``ix_articles_date_published`` is used instead.

Rows are untouched; only the indexes are rebuilt. SQLAlchemy does not reflect SQLite's expression
indexes (it warns and skips them), so a later migration that rebuilds ``articles`` with
``batch_alter_table`` must create ``ix_articles_content_hash_key`` again; tests/test_migrations.py
compares the migrated indexes with the models'.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Kept in step with crawler.storage.CONTENT_HASH_KEY_CHARS (a migration does not import the models).
CONTENT_HASH_KEY = "substr(content_hash, 1, 16)"


def upgrade() -> None:
    op.drop_index("ix_articles_content_hash", table_name="articles")
    op.create_index("ix_articles_content_hash_key", "articles", [sa.text(CONTENT_HASH_KEY)])
    op.drop_index("ix_articles_site_date", table_name="articles")
    op.create_index("ix_articles_site", "articles", ["site"])


def downgrade() -> None:
    op.drop_index("ix_articles_site", table_name="articles")
    op.create_index("ix_articles_site_date", "articles", ["site", "date_published"])
    op.drop_index("ix_articles_content_hash_key", table_name="articles")
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
