"""Many crawl processes, one frontier: scrapy-redis glue (``NEWSCLEAN_REDIS_URL``).

With ``NEWSCLEAN_REDIS_URL`` set, the add-on makes `RedisScheduler` the scheduler of every
``scrapy crawl news`` process: the request queue and the duplicate filter live in Redis (scrapy-redis'
``PriorityQueue`` and ``RFPDupeFilter``), so any number of processes on any number of machines share
one crawl. Records go to the shared PostgreSQL of ``NEWSCLEAN_DATABASE_URL``. Without the setting
nothing here runs and Scrapy's own scheduler is used unchanged.

Why an adapter and not scrapy-redis as it ships (0.9.1, the latest release):

* its ``Scheduler`` passes ``spider=`` to the stats collector, deprecated since Scrapy 2.14 (a
  warning per request), and its ``RedisSpider`` feeds start URLs through ``start_requests``, which
  Scrapy 2.16 removed. We keep its queue (encoding, priorities, keys) and its duplicate filter, and
  override the scheduler's ``enqueue_request`` / ``next_request`` (the two calls that pass ``spider=``)
  with our own, below. The news spider keeps its own async ``start()``.
* crash safety. scrapy-redis adds a fingerprint to the filter and pushes the request in two round
  trips, and pops a request so that it then lives only in the worker's memory: a worker killed with
  SIGKILL loses what it popped (and the records still buffered by the store pipeline). Here a Lua
  script filters and pushes in one step, and another pops a request *and* records it in the worker's
  in-flight hash in one step. The entry is removed when the request's outcome is final: the article
  it produced is committed (or journaled, or rejected) by the store pipeline (`records_committed`),
  or dropped, or failed, or the page gave only links. Each worker refreshes a heartbeat key that
  expires after ``NEWSCLEAN_REDIS_WORKER_TIMEOUT``; an idle worker that finds a worker without a
  heartbeat takes over its in-flight requests and requeues them, skipping articles already stored
  (the database is the source of truth). Pages that were in flight in a killed worker may so be
  requested twice; nothing is lost and nothing is stored twice.
* seeding once: the first worker of a crawl takes the seed key (``SET NX``) and yields the start
  requests; the others wait on the shared queue. A worker that dies while seeding is replaced.
* the end of a crawl: a worker stops when the shared queue is empty, seeding is done and every live
  worker is idle, and that has lasted ``NEWSCLEAN_REDIS_IDLE_SECONDS``. The last worker to leave a
  finished crawl deletes its keys, so the next scheduled run starts afresh; a crawl whose workers were
  all killed keeps its keys, and a restarted worker continues it.

Redis keys, under the prefix ``NEWSCLEAN_REDIS_KEY`` (default ``newsclean:<spider>:<hash of the
spider arguments>``): ``:requests`` (sorted set, the queue), ``:dupefilter`` (set of fingerprints),
``:seed``, ``:workers`` (set), ``:idle`` (hash worker -> time), ``:alive:<worker>`` (expiring),
``:inflight:<worker>`` (hash token -> ``<unix time popped>|<encoded request>``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

import redis
from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task
from w3lib.url import canonicalize_url

from crawler.config import Config, ConfigError, mask_password
from crawler.items import ArticleItem, PageItem
from crawler.signals import FRONTIERS, frontier_for, records_committed

logger = logging.getLogger(__name__)

#: Finish reason of a worker stopped because Redis went away or lost the crawl's keys: not "finished",
#: so the run counts as failed (exit status 1) instead of as a complete crawl.
REDIS_FAILED = "redis_failed"

#: scrapy-redis releases whose internals (queue encoding, filter keys, scheduler attributes) this
#: adapter was written and tested against; any other stops the crawl at start.
SUPPORTED_SCRAPY_REDIS = ("0.9.1",)
#: Scrapy: from the project's floor (async ``start()``, ``Crawler.get_spider_middleware``) up to, not
#: including, the next major version (which may change the scheduler interface).
SCRAPY_MIN, SCRAPY_BEFORE = (2, 14), (3, 0)
#: redis-py: scrapy-redis 0.9.1 needs 4.2; 9 is untested.
REDIS_PY_MIN, REDIS_PY_BEFORE = (4, 2), (9, 0)
#: Redis server: the Lua scripts call TIME, which scripts may do with effects replication (5.0+).
REDIS_SERVER_MIN = (5, 0)

#: The worker's heartbeat is refreshed this many times per NEWSCLEAN_REDIS_WORKER_TIMEOUT, so a few
#: slow round trips never make a live worker look dead.
HEARTBEATS_PER_TIMEOUT = 4
#: Workers starting together on a fresh database would run its schema migration at once (and
#: collide creating the same tables): they take turns under a Redis lock held at most this long (s),
#: which a migration of a large table fits in.
MIGRATION_LOCK_SECONDS = 600
#: How often a worker with room checks the shared queue between its own downloads (`RedisScheduler._wake`):
#: one ZCARD per interval; short against a page's download and extraction time.
WAKE_SECONDS = 0.5
#: Meta key holding a popped request's in-flight token (never written to Redis with the request).
TOKEN_META = "nc_inflight"
#: Spider middleware order of `FrontierAckMiddleware`: the lowest, so it sees a callback's output
#: last, after every request in it was scheduled.
ACK_MIDDLEWARE_ORDER = 1

_FRONTIERS = FRONTIERS  # registered here, looked up through `crawler.signals.frontier_for`


# ------------------------------------------------------------------------------------ compatibility
def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(c for c in piece if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def installed_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in ("scrapy", "scrapy-redis", "redis"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def check_compatibility(installed: Mapping[str, str | None] | None = None) -> None:
    """Raise ConfigError, saying what to install, unless Scrapy, scrapy-redis and redis-py are a
    combination this adapter supports (``installed`` defaults to what is installed)."""
    versions = dict(installed) if installed is not None else installed_versions()
    fix = "install the pinned versions with `pip install -e .` (pyproject.toml)"
    problems = []
    scrapy_redis_version = versions.get("scrapy-redis")
    if scrapy_redis_version is None:
        problems.append("scrapy-redis is not installed")
    elif scrapy_redis_version not in SUPPORTED_SCRAPY_REDIS:
        problems.append(f"scrapy-redis {scrapy_redis_version} is installed; newsclean's adapter supports "
                        f"{', '.join(SUPPORTED_SCRAPY_REDIS)}")
    scrapy_version = versions.get("scrapy")
    if scrapy_version is None or not SCRAPY_MIN <= _version(scrapy_version) < SCRAPY_BEFORE:
        problems.append(f"Scrapy {scrapy_version} is installed; the Redis frontier needs Scrapy "
                        f">={'.'.join(map(str, SCRAPY_MIN))},<{'.'.join(map(str, SCRAPY_BEFORE))}")
    redis_version = versions.get("redis")
    if redis_version is None or not REDIS_PY_MIN <= _version(redis_version) < REDIS_PY_BEFORE:
        problems.append(f"redis-py {redis_version} is installed; the Redis frontier needs redis "
                        f">={'.'.join(map(str, REDIS_PY_MIN))},<{'.'.join(map(str, REDIS_PY_BEFORE))}")
    if problems:
        raise ConfigError("NEWSCLEAN_REDIS_URL is set, but " + "; ".join(problems) + f": {fix}")


def connect(url: str) -> redis.Redis:
    """A Redis client for ``url``, checked: answers, and a server version the scripts run on."""
    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    try:
        info = client.info("server")
    except redis.RedisError as exc:
        raise ConfigError(f"cannot reach Redis at {mask_password(url)} (NEWSCLEAN_REDIS_URL): {exc}") from None
    server = str(info.get("redis_version", "0"))
    if _version(server) < REDIS_SERVER_MIN:
        raise ConfigError(f"Redis at {mask_password(url)} is version {server}; the Redis frontier needs "
                          f"{'.'.join(map(str, REDIS_SERVER_MIN))} or later")
    return client


def key_prefix(config: Config, spider_name: str, inputs: Mapping[str, Any]) -> str:
    """The crawl's Redis key prefix: NEWSCLEAN_REDIS_KEY, else one per spider and arguments."""
    if config.redis_key:
        return config.redis_key
    arguments = json.dumps({k: str(v) for k, v in inputs.items()}, sort_keys=True)
    return f"newsclean:{spider_name}:{hashlib.sha256(arguments.encode()).hexdigest()[:12]}"


# ------------------------------------------------------------------------------------ Lua scripts
#: Register a worker. A crawl left behind finished (a seed key, no worker, an empty queue) is reset.
_REGISTER = """
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('SCARD', KEYS[2]) == 0
   and redis.call('ZCARD', KEYS[3]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[4], KEYS[5])
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[6], ARGV[1], 'PX', ARGV[2])
return 1
"""
#: Heartbeat; returns 0 when the key had expired (others may have taken this worker's requests).
_HEARTBEAT = """
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return existed
"""
#: Claim seeding: when nobody has, or the worker seeding it has no heartbeat and it is not done.
_CLAIM_SEED = """
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 0 end
if v then
  local owner = string.sub(v, 9)
  if owner == ARGV[1] or redis.call('EXISTS', ARGV[2] .. owner) == 1 then return 0 end
end
redis.call('SET', KEYS[1], 'seeding:' .. ARGV[1])
return 1
"""
#: Filter (unless ARGV[1] is empty) and push in one step; a derived request (a retry, a redirect)
#: also settles its parent's in-flight token ARGV[4].
_ENQUEUE = """
local pushed = 0
if ARGV[1] == '' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
  pushed = 1
end
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
return pushed
"""
#: Pop the first request and record it as in flight for this worker, in one step.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local t = redis.call('TIME')
redis.call('HSET', KEYS[2], ARGV[1], t[1] .. '|' .. r[1])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
return r[1]
"""
#: Move a dead worker's in-flight requests into ours (fields ``<dead worker>/<token>``); -1 if alive.
_CLAIM_DEAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  redis.call('HSET', KEYS[3], ARGV[1] .. '/' .. entries[i], entries[i + 1])
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return #entries / 2
"""
#: Requeue one of our in-flight entries: back on the queue (not filtered) and out of our hash.
_REQUEUE = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[3])
return 1
"""
#: The crawl's state as one snapshot: 'queue', 'seeding', 'dead', 'busy' or 'idle'.
_STATE = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 'queue' end
if redis.call('GET', KEYS[2]) ~= 'done' then return 'seeding' end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('EXISTS', ARGV[1] .. w) == 0 then return 'dead' end
  if redis.call('HEXISTS', KEYS[4], w) == 0 then return 'busy' end
end
return 'idle'
"""
#: Leave the crawl. With requests still in flight the worker stays registered (without heartbeat:
#: another takes them over). The last worker to leave a finished crawl deletes its keys.
_LEAVE = """
redis.call('DEL', KEYS[3])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
redis.call('SREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' and redis.call('SCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[5]) == 0 then
  redis.call('DEL', KEYS[5], KEYS[6], KEYS[7], KEYS[2], KEYS[1], KEYS[8], KEYS[9])
  return 2
end
return 1
"""


# ------------------------------------------------------------------------------------ components
class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis' filter, with article and other pages apart: a listing URL that redirects to an
    article (``/go/latest/``) must not make the article itself count as requested."""

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprint(request.method, request.url, request.body,
                                article=request.meta.get("nc_role") == "article")

    @staticmethod
    def fingerprint(method: str, url: str, body: bytes | None, *, article: bool) -> str:
        data = {"method": method, "url": canonicalize_url(url), "body": (body or b"").hex(),
                "kind": "article" if article else "page"}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()


class RedisScheduler(Scheduler):
    """scrapy-redis' scheduler with in-flight records, heartbeats, seeding once and end detection."""

    def __init__(self, crawler: Any, server: redis.Redis, config: Config) -> None:
        super().__init__(server, persist=True, flush_on_start=False)
        self.crawler = crawler
        self.config = config
        self.stats = crawler.stats
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.prefix = ""
        self._tokens = 0
        self._idle_since: float | None = None
        self._finished = False
        #: Set when Redis failed under this worker (`_fail`); the crawl's mark seen at start (`open`).
        self._failed = False
        self._crawl_mark: bytes | None = None
        self._store: Any = None
        #: Tokens of requests whose article is still in the item pipelines or the store's buffer.
        self._awaiting: dict[str, list[str]] = {}
        self._store_enabled = "pipelines.store.StorePipeline" in crawler.settings.getdict("ITEM_PIPELINES")
        self._stop = threading.Event()
        self._heartbeat_thread: threading.Thread | None = None
        self._waker: task.LoopingCall | None = None
        scripts = {name: server.register_script(source) for name, source in (
            ("register", _REGISTER), ("heartbeat", _HEARTBEAT), ("claim_seed", _CLAIM_SEED),
            ("enqueue", _ENQUEUE), ("pop", _POP), ("claim_dead", _CLAIM_DEAD), ("requeue", _REQUEUE),
            ("state", _STATE), ("leave", _LEAVE))}
        self._scripts = scripts

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisScheduler:
        check_compatibility()
        config = Config.from_settings(crawler.settings)
        if not config.redis_url:
            raise ConfigError("RedisScheduler needs NEWSCLEAN_REDIS_URL")
        scheduler = cls(crawler, connect(config.redis_url), config)
        _FRONTIERS[crawler] = scheduler
        for handler, signal in ((scheduler._spider_idle, signals.spider_idle),
                                (scheduler._item_dropped, signals.item_dropped),
                                (scheduler._item_error, signals.item_error),
                                (scheduler._item_scraped, signals.item_scraped),
                                (scheduler._records_committed, records_committed)):
            crawler.signals.connect(handler, signal=signal)
        return scheduler

    # -- keys ---------------------------------------------------------------------------------------
    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @property
    def inflight_key(self) -> str:
        return self._key(f"inflight:{self.worker}")

    @property
    def _ttl_ms(self) -> int:
        return max(1, int(self.config.redis_worker_timeout * 1000))

    # -- life cycle ---------------------------------------------------------------------------------
    def open(self, spider: Any) -> None:
        self.spider = spider
        self.prefix = key_prefix(self.config, spider.name, getattr(spider, "inputs", {}) or {})
        self.queue_key = self._key("requests")
        self.dupefilter_key = self._key("dupefilter")
        self.queue = PriorityQueue(server=self.server, spider=spider, key=self.queue_key)
        self.df = SharedDupeFilter(self.server, key=self.dupefilter_key,
                                   debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        if self.config.auto_migrate:
            self._migrate()
        self._scripts["register"](
            keys=[self._key("seed"), self._key("workers"), self.queue_key, self.dupefilter_key,
                  self._key("idle"), self._key(f"alive:{self.worker}")],
            args=[self.worker, self._ttl_ms])
        # The crawl's mark: set by its first worker, read by every one; gone (or another) later means the
        # Redis lost the crawl's keys (restarted without its data), which must not pass for a new crawl.
        self.server.set(self._key("crawl"), uuid.uuid4().hex, nx=True)
        self._crawl_mark = self.server.get(self._key("crawl"))
        logger.info("Shared frontier: Redis %s, keys %s:*, worker %s; %d requests queued",
                    mask_password(self.config.redis_url), self.prefix, self.worker, len(self.queue))
        self._heartbeat_thread = threading.Thread(target=self._beat, name="newsclean-heartbeat", daemon=True)
        self._heartbeat_thread.start()
        self._waker = task.LoopingCall(self._wake)
        self._waker.start(WAKE_SECONDS, now=False)

    def _wake(self) -> None:
        """Let an engine with room take queued requests now. Scrapy's engine asks its scheduler for
        requests when one of its own downloads ends, or on its 5 s heartbeat: a worker with nothing in
        flight would otherwise look at the shared queue only every 5 s, while other workers' pages fill
        it (a fast worker then takes a whole small crawl alone). Adapter: the engine's ``_slot.nextcall``
        is private; without it this worker still works, at the heartbeat's pace."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is None or engine.needs_backout():
            return
        try:
            queued = len(self)
        except redis.RedisError:
            return
        if queued:
            nextcall.schedule()

    def _migrate(self) -> None:
        """Upgrade the database schema, one worker at a time. The store opened for it is the crawl's shared
        one (`crawler.storage.open_shared`), which the pipelines then use without checking again."""
        from crawler.storage import open_shared

        digest = hashlib.sha256(self.config.database_url.encode()).hexdigest()[:16]
        with self.server.lock(f"newsclean:migrate:{digest}", timeout=MIGRATION_LOCK_SECONDS,
                              blocking_timeout=MIGRATION_LOCK_SECONDS):
            self._store = open_shared(self.crawler, self.config.database_url, migrate=True)

    def _beat(self) -> None:
        interval = self.config.redis_worker_timeout / HEARTBEATS_PER_TIMEOUT
        while not self._stop.wait(interval):
            try:
                alive = self._scripts["heartbeat"](keys=[self._key(f"alive:{self.worker}"), self._key("workers")],
                                                   args=[self.worker, self._ttl_ms])
            except redis.RedisError as exc:
                logger.warning("Heartbeat to Redis failed: %s", exc)
                continue
            if not alive:
                logger.warning("This worker's heartbeat had expired (blocked for over %.0f s): other workers "
                               "may have requeued its requests, which may so be fetched twice",
                               self.config.redis_worker_timeout)

    def close(self, reason: str) -> None:
        self._stop.set()
        if self._waker is not None and self._waker.running:
            self._waker.stop()
        if self._heartbeat_thread is not None:
            self._heartbeat_thread.join(timeout=5)
        try:
            left = self._requeue(self._inflight())
            if left:
                logger.info("Requeued %d requests this worker had not finished", left)
            result = self._scripts["leave"](
                keys=[self._key("workers"), self._key("idle"), self._key(f"alive:{self.worker}"), self.inflight_key,
                      self.queue_key, self.dupefilter_key, self._key("seed"), self._key("crawl"),
                      self._key("texts")],
                args=[self.worker, "1" if self._finished and reason == "finished" else "0"])
            if result == 2:
                logger.info("Last worker of a finished crawl: deleted its Redis keys %s:*", self.prefix)
        except redis.RedisError as exc:
            # its requests in flight stay recorded, for a worker of the next run to requeue
            logger.error("Could not leave the shared crawl cleanly (Redis: %s)", exc)
        if self._store is not None:
            from crawler.storage import release_shared

            release_shared(self.crawler, self._store)
            self._store = None
        _FRONTIERS.pop(self.crawler, None)

    # -- queue --------------------------------------------------------------------------------------
    def _fail(self, why: str) -> None:
        """Stop this worker, once, with a failed finish reason: the shared crawl cannot go on without its
        Redis state, and a worker that went on alone would end "finished" with pages never fetched."""
        if self._failed:
            return
        self._failed = True
        logger.error("Shared frontier: %s; stopping this worker (the crawl is incomplete: start it again, "
                     "stored articles are skipped)", why)
        if self.stats is not None:
            self.stats.inc_value("newsclean/redis/failed")
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_FAILED))

    def _lost_state(self) -> bool:
        """Whether the crawl's keys are gone from Redis (`_fail` called if so)."""
        if self.server.get(self._key("crawl")) != self._crawl_mark:
            self._fail("Redis lost this crawl's keys (restarted without its data?)")
        return self._failed

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except redis.RedisError as exc:
            self._fail(f"Redis unreachable ({exc})")
            return False

    def _enqueue(self, request: Request) -> bool:
        parent = request.meta.pop(TOKEN_META, None)
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        data = self.queue._encode_request(request)
        pushed = bool(self._scripts["enqueue"](
            keys=[self.dupefilter_key, self.queue_key, self.inflight_key],
            args=[fingerprint, -request.priority, data, parent or ""]))
        if not pushed:
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self._failed:
            return None
        self._tokens += 1
        token = str(self._tokens)
        try:
            data = self._scripts["pop"](keys=[self.queue_key, self.inflight_key, self._key("idle"),
                                              self._key("workers")], args=[token, self.worker])
        except redis.RedisError as exc:
            self._fail(f"Redis unreachable ({exc})")
            data = None
        if not data:
            self._tokens -= 1
            return None
        request: Request = self.queue._decode_request(data)
        request.meta[TOKEN_META] = token
        self._idle_since = None
        if self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self._failed:
            return True  # closing with REDIS_FAILED: not idle, so not "finished" before that close
        try:
            return len(self) > 0
        except redis.RedisError as exc:
            self._fail(f"Redis unreachable ({exc})")
            return True

    # -- outcomes -----------------------------------------------------------------------------------
    def ack(self, token: str | None) -> None:
        """The request of ``token`` has a final outcome: it leaves the in-flight record."""
        if token:
            self._forget_inflight(token)

    def settle_request(self, request: Request | None) -> None:
        if request is not None:
            self.ack(request.meta.get(TOKEN_META))

    def await_item(self, url: str, token: str) -> None:
        """``token``'s page became an item: its outcome is the item's (dropped, or committed)."""
        self._awaiting.setdefault(url, []).append(token)

    def _settle_item(self, item: Any, response: Any) -> None:
        token = response.meta.get(TOKEN_META) if response is not None else None
        url = str(ItemAdapter(item).get("url") or "")
        tokens = self._awaiting.get(url, [])
        if token in tokens:
            tokens.remove(token)
            if not tokens:
                self._awaiting.pop(url, None)
        self.ack(token)

    def _item_dropped(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        self._settle_item(item, response)

    def _item_error(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        self._settle_item(item, response)

    def _item_scraped(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        if not self._store_enabled or not isinstance(item, ArticleItem):
            self._settle_item(item, response)

    def _records_committed(self, urls: Iterable[str], **kwargs: Any) -> None:
        tokens = [t for url in urls for t in self._awaiting.pop(url, [])]
        if tokens:
            self._forget_inflight(*tokens)

    def _forget_inflight(self, *tokens: str) -> None:
        """Remove settled requests from this worker's in-flight record; with Redis away, they stay there
        (fetched again by the next run, which finds this worker dead) and the worker stops (`_fail`)."""
        try:
            self.server.hdel(self.inflight_key, *tokens)
        except redis.RedisError as exc:
            self._fail(f"Redis unreachable ({exc})")

    def claim_text(self, digest: str, canonical_url: str) -> str | None:
        """Claim a text (its content hash) for ``canonical_url`` across the crawl's workers: None when this
        worker may pass the record on, else the canonical URL another worker passed the same text on
        under (that record may still be in its batch, which the database cannot show yet). Redis away:
        None (the record is passed on, as the deduplication does when the database is away)."""
        try:
            if self.server.hsetnx(self._key("texts"), digest, canonical_url):
                return None
            holder = self.server.hget(self._key("texts"), digest)
        except redis.RedisError as exc:
            logger.debug("text claim in Redis failed: %s", exc)
            return None
        other = holder.decode() if isinstance(holder, bytes) else holder
        return other if other and other != canonical_url else None

    def article_requested(self, url: str) -> bool:
        """Whether any worker of the crawl requested ``url`` as an article."""
        return bool(self.server.sismember(self.dupefilter_key, SharedDupeFilter.fingerprint("GET", url, b"", article=True)))

    # -- seeding ------------------------------------------------------------------------------------
    def claim_seeding(self) -> bool:
        """True when this worker is to yield the start requests (the first of the crawl, or the
        successor of a seeding worker that died)."""
        return bool(self._scripts["claim_seed"](keys=[self._key("seed")],
                                                args=[self.worker, self._key("alive:")]))

    def seeding_done(self) -> None:
        self.server.set(self._key("seed"), "done")
        logger.info("Seeded the shared frontier: every start request is queued")

    def _take_over_seeding(self) -> bool:
        if not self.claim_seeding():
            return False
        from crawler.incremental import IncrementalMiddleware

        logger.warning("The worker seeding this crawl died before it finished: seeding again here "
                       "(start requests already queued are filtered as duplicates)")
        gate = self.crawler.get_spider_middleware(IncrementalMiddleware)
        for request in self.spider.seed_requests():
            if gate is None or gate.keep(request):
                self.crawler.engine.crawl(request)
        self.seeding_done()
        return True

    # -- recovery -----------------------------------------------------------------------------------
    def _inflight(self, *, claimed_only: bool = False) -> dict[bytes, bytes]:
        entries: dict[bytes, bytes] = self.server.hgetall(self.inflight_key)
        return {k: v for k, v in entries.items() if not claimed_only or b"/" in k}

    def _recover_dead(self) -> int:
        """Take over the in-flight requests of workers without a heartbeat; returns how many."""
        claimed = 0
        for raw in self.server.smembers(self._key("workers")):
            other = raw.decode()
            if other == self.worker or self.server.exists(self._key(f"alive:{other}")):
                continue
            n = int(self._scripts["claim_dead"](
                keys=[self._key(f"alive:{other}"), self._key(f"inflight:{other}"), self.inflight_key,
                      self._key("workers"), self._key("idle")], args=[other]))
            if n >= 0:
                logger.warning("Worker %s stopped (no heartbeat for %.0f s): taking over its %d requests in flight",
                               other, self.config.redis_worker_timeout, n)
                claimed += max(n, 1)
        if claimed:
            requeued = self._requeue(self._inflight(claimed_only=True))
            if self.stats is not None:
                self.stats.inc_value("newsclean/redis/requeued", requeued)
        return claimed

    def _requeue(self, entries: dict[bytes, bytes]) -> int:
        """Put in-flight entries back on the queue, except articles the database already has."""
        requeued = 0
        for field, value in entries.items():
            _, _, data = value.partition(b"|")
            request: Request = self.queue._decode_request(data)
            if self._stored(request):
                self.server.hdel(self.inflight_key, field)
                logger.debug("Not requeued, already stored: %s", request.url)
                continue
            self._scripts["requeue"](keys=[self.queue_key, self.inflight_key],
                                     args=[-request.priority, data, field])
            requeued += 1
        return requeued

    def _stored(self, request: Request) -> bool:
        """An article request whose page is in the database (revisits are requeued: they are
        conditional, and cost a ``304`` at most)."""
        if request.meta.get("nc_role") != "article" or request.meta.get("nc_conditional"):
            return False
        if self._store is None:
            from crawler.storage import open_shared

            self._store = open_shared(self.crawler, self.config.database_url, migrate=False)
        return self._store.known(request.url) is not None

    # -- the end ------------------------------------------------------------------------------------
    def _spider_idle(self, spider: Any) -> None:
        try:
            if self._lost_state():
                raise DontCloseSpider  # closing with REDIS_FAILED
            self._idle(spider)
        except redis.RedisError as exc:
            self._fail(f"Redis unreachable ({exc})")
            raise DontCloseSpider from None

    def _idle(self, spider: Any) -> None:
        self.server.hset(self._key("idle"), self.worker, str(time.time()))
        if self._recover_dead() or self._take_over_seeding():
            self._idle_since = None
            raise DontCloseSpider
        state = self._scripts["state"](keys=[self.queue_key, self._key("seed"), self._key("workers"),
                                             self._key("idle")], args=[self._key("alive:")])
        state = state.decode() if isinstance(state, bytes) else str(state)
        if state != "idle":
            logger.debug("Idle, the crawl is not: %s", state)
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.config.redis_idle_seconds:
            raise DontCloseSpider
        logger.info("The shared crawl is done: queue empty and every worker idle for %.0f s",
                    self.config.redis_idle_seconds)
        self._finished = True


class FrontierAckMiddleware:
    """Spider middleware (Redis mode): a page's request is settled once its callback's output is
    scheduled, unless the page became an item, which settles it later (dropped, or committed)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierAckMiddleware:
        return cls(crawler)

    async def process_spider_output(self, response: Any, result: Any) -> Any:
        frontier = frontier_for(self.crawler)
        token = response.meta.get(TOKEN_META) if frontier is not None else None
        became_item = False
        try:
            async for obj in result:
                if token and isinstance(obj, PageItem):
                    assert frontier is not None
                    frontier.await_item(obj.url, token)
                    became_item = True
                yield obj
        except Exception:
            if frontier is not None:
                frontier.ack(token)
            raise
        if frontier is not None and not became_item:
            frontier.ack(token)

    def process_spider_exception(self, response: Any, exception: BaseException) -> None:
        frontier = frontier_for(self.crawler)
        if frontier is not None:
            frontier.settle_request(getattr(response, "request", None))
