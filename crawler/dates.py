"""Date parsing and normalisation to ISO 8601 with a UTC offset.

Every function here returns either ``None`` or a string such as ``2024-05-03T15:47:42+02:00``.

Timezone policy: the offset the page states is kept as it is (never converted to UTC), so the
calendar day stays the one the publisher printed. When the page gives a time without any offset,
or only a calendar day, **UTC is assumed** and ``+00:00`` is appended; a bare day becomes
``YYYY-MM-DDT00:00:00+00:00``.
"""

from __future__ import annotations

import logging
import math
import re
import warnings
from datetime import UTC, date, datetime, timedelta, timezone

from dateutil import parser as dateutil_parser

logger = logging.getLogger(__name__)

#: Dates before this year are rejected as implausible for a published web page (the web's start).
MIN_YEAR = 1990
#: Dates further in the future than this are rejected: a publication date cannot be much later
#: than now; one day of slack covers timezones and clocks that are slightly off.
MAX_FUTURE = timedelta(days=1)

#: UTC offsets (hours) of the timezone abbreviations news pages print that name one zone only
#: ("May 3, 2024 10:00 EST"); dateutil knows none of them by itself and would drop the name, making the
#: time UTC. Left out as ambiguous: CST (US Central / China), IST (India / Ireland / Israel), BST
#: (British Summer / Bangladesh), AST (Atlantic / Arabia); these, like unknown names, stay UTC.
ZONE_ABBREVIATIONS: dict[str, float] = {
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
    "HST": -10, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "JST": 9,
    "KST": 9, "AEST": 10, "AEDT": 11, "ACST": 9.5, "ACDT": 10.5, "AWST": 8, "NZST": 12, "NZDT": 13,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in ZONE_ABBREVIATIONS.items()}

_YEAR_RE = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")
_EPOCH_RE = re.compile(r"^\d{10}(\d{3})?$")
_ISO_DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# ISO-like: "2024-05-03 15:47:42.389000+00:00", "2024-05-03T15:47Z", "2024-05-03T15:47:42+0200"
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2}|[+-]\d{2})?$",
    re.IGNORECASE,
)
_DMY_RE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _offset(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _plausible(value: datetime) -> bool:
    now = datetime.now(UTC)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.year >= MIN_YEAR and aware <= now + MAX_FUTURE


def format_iso(value: datetime | date) -> str:
    """ISO 8601 string with offset; naive datetimes and bare dates are taken as UTC."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.replace(microsecond=0).isoformat()


def parse_date(text: object) -> str | None:
    """Parse one date string (ISO 8601, RFC 2822, epoch seconds, common local forms) to ISO 8601.

    Returns ``None`` when ``text`` is not a plausible date. Assumes UTC when no offset is given.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        if isinstance(text, float) and not math.isfinite(text):
            return None
        text = str(int(text))
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s or len(s) > 80:
        return None
    value = _parse(s)
    try:
        if value is None or not _plausible(value):
            return None
        return format_iso(value)
    except (ValueError, OverflowError):
        # e.g. dateutil accepts an offset of 24 hours or more, which datetime cannot represent
        return None


def states_time_without_zone(text: object) -> bool:
    """True when ``text`` is a date with a time of day but no UTC offset ("2025-08-19T09:15:00"):
    the value :func:`parse_date` stamps ``+00:00`` by assumption, not because the page said so."""
    if not isinstance(text, str) or not text.strip() or len(text.strip()) > 80:
        return False
    s = text.strip()
    m = _ISO_RE.match(s)
    if m:
        return m[7] is None
    m = _DMY_RE.match(s)
    if m:
        return m[4] is not None
    if _EPOCH_RE.match(s) or ":" not in s:
        return False
    value = _parse(s)
    return isinstance(value, datetime) and value.tzinfo is None


#: Two defaults that differ in month and day, to tell the fields a string gives from those dateutil fills in.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2000, 2, 2)


def _parse(s: str) -> datetime | None:
    try:
        if _EPOCH_RE.match(s):
            seconds = int(s[:10])
            return datetime.fromtimestamp(seconds, UTC)
        m = _ISO_DAY_RE.match(s)
        if m:
            return datetime(int(m[1]), int(m[2]), int(m[3]))
        m = _ISO_RE.match(s)
        if m:
            return datetime(
                int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0), tzinfo=_offset(m[7])
            )
        m = _DMY_RE.match(s)
        if m:
            return datetime(
                int(m[3]), int(m[2]), int(m[1]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
            )
        if not _YEAR_RE.search(s):
            return None  # dateutil would fill a missing year with the current one
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning for a name not in ZONE_ABBREVIATIONS
            value = dateutil_parser.parse(s, fuzzy=False, tzinfos=_TZINFOS, default=_DEFAULT_A)
            # dateutil fills a missing month or day from its default (today's, unless given): a year
            # or a month alone ("2018", "May 2018") names no day, so no publication date
            other = dateutil_parser.parse(s, fuzzy=False, tzinfos=_TZINFOS, default=_DEFAULT_B)
            return value if (value.month, value.day) == (other.month, other.day) else None
    except (ValueError, OverflowError, TypeError, IndexError) as exc:
        logger.debug("unparseable date %r: %s", s, exc)
        return None


def day_of(iso: str | None) -> str | None:
    """The ``YYYY-MM-DD`` part of an ISO 8601 string, or ``None``."""
    if not iso:
        return None
    m = re.match(r"\d{4}-\d{2}-\d{2}", iso)
    return m.group(0) if m else None
