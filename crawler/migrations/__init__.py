"""Alembic migrations of the newsclean database, shipped in the package (see `crawler.storage.upgrade`)."""
