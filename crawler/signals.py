"""What the pipelines, middlewares and spider share with the shared Redis frontier, without importing
it: `crawler.redis_frontier` pulls in redis and scrapy-redis (~5 MB), which a crawl on the
single-machine scheduler never needs."""

from __future__ import annotations

import weakref
from typing import Any

#: Sent by the store pipeline with ``urls=[...]`` (the records' ``url`` field) once those records no
#: longer depend on the process's memory: committed to the database, written to the local journal, or
#: rejected. Until then the requests that produced them stay in the worker's in-flight record.
records_committed = object()

#: Sent by the store pipeline with ``canonical_urls=[...]`` and ``run_id`` once those records are in the
#: database (committed; not journaled, not rejected): the deduplicate pipeline then finds them there
#: and forgets them, so that its memory holds only the records not yet stored, however long the crawl.
records_stored = object()

#: Each crawl's shared frontier (`crawler.redis_frontier.RedisScheduler`), registered by it.
FRONTIERS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def frontier_for(crawler: Any) -> Any:
    """The crawl's shared frontier (a `crawler.redis_frontier.RedisScheduler`), or None when it runs on
    the single-machine scheduler."""
    return FRONTIERS.get(crawler) if crawler is not None else None
