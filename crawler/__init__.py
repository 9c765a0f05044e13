"""newsclean: a news scraper that stores the story and nothing else."""

from __future__ import annotations

__version__ = "0.1.0"
