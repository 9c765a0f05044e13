"""Near-duplicate fingerprints: 64-bit SimHash of the text, banded for indexed look-ups.

The fingerprint is trafilatura's Charikar SimHash (`trafilatura.deduplication.Simhash`, the same bits computed
faster by `charikar`). Two texts
whose fingerprints differ in at most `NEAR_DUPLICATE_MAX_BITS` bits are near duplicates. To find
candidates without comparing against every stored article, the 64 bits are cut into `BANDS` = 3
bands (22, 21 and 21 bits), each stored in an indexed column. By the pigeonhole principle, two
fingerprints within 5 bits of each other differ in at most `PROBE_RADIUS` = 1 bit in at least one
band, so a look-up of each band's value and its one-bit variants (3 x 22 values) finds every
candidate, and the exact distance is checked afterwards. Three indexed columns, rather than six
exact-match bands, keep the write path fast (each index costs every insert).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b

from trafilatura.deduplication import sample_tokens

#: Fingerprints at most this many bits apart (of 64) are near duplicates. Measured on the 261 real
#: pages of the development sets: a story with an agency line put in front and a "Source link" after
#: it moves 0-5 bits in 191 of 192 pages; distinct stories are 15 or more bits apart (31,000 pairs),
#: and distinct stories of our template-generated test site 10 or more. Manku et al. (WWW 2007) used
#: 3 for near-duplicate web pages; trafilatura's unigram SimHash moves more per changed word.
NEAR_DUPLICATE_MAX_BITS = 5
#: Number of bands the fingerprint is cut into (one indexed column each).
BANDS = 3
#: Bits in which some band of two near-duplicate fingerprints differs at most (pigeonhole).
PROBE_RADIUS = NEAR_DUPLICATE_MAX_BITS // BANDS
#: Bit widths of the bands, low band first (64 bits split as evenly as possible).
BAND_WIDTHS = tuple(64 // BANDS + (1 if i < 64 % BANDS else 0) for i in range(BANDS))
#: Texts with fewer words than this get no fingerprint: SimHash of a few words matches too easily.
MIN_WORDS_FOR_FINGERPRINT = 50


_BAND_SHIFTS_MASKS = tuple((sum(BAND_WIDTHS[:i]), (1 << w) - 1) for i, w in enumerate(BAND_WIDTHS))

#: Bits per counter lane in `_spread`: a lane counts the tokens with one hash bit set, so it must
#: hold the number of tokens of a text (2**32, far above any page).
_LANE = 32
_LANE_MASK = (1 << _LANE) - 1
#: `_spread` of every byte value: bit j of the byte moved to the low bit of lane j.
_SPREAD_BYTE = tuple(sum(((b >> j) & 1) << (_LANE * j) for j in range(8)) for b in range(256))
#: Distinct tokens whose spread hash is kept (trafilatura caches its per-token vectors the same way).
_TOKEN_CACHE = 2**14


@lru_cache(maxsize=_TOKEN_CACHE)
def _spread(token: str) -> int:
    """The token's 64-bit hash (as trafilatura's SimHash computes it) with each bit in a lane of its own."""
    value = int.from_bytes(blake2b(token.encode(), digest_size=8).digest(), "big")
    return sum(_SPREAD_BYTE[(value >> (8 * k)) & 0xFF] << (8 * _LANE * k) for k in range(8))


def charikar(text: str) -> int:
    """trafilatura's Charikar SimHash of the text (`trafilatura.deduplication.Simhash(text).hash`), the
    same 64 bits, computed faster: instead of adding a 64-item +1/-1 vector per token, one big-integer
    addition per token counts, in 64 lanes at once, the tokens that set each bit; a bit of the hash
    is set when at least half of the tokens set it (the vector's sum is then >= 0)."""
    tokens = sample_tokens(text, 64)
    counts = sum(map(_spread, tokens))
    n = len(tokens)
    return sum(1 << i for i in range(64) if 2 * ((counts >> (_LANE * i)) & _LANE_MASK) >= n)


def simhash(text: str) -> str | None:
    """The text's 64-bit SimHash as 16 hex digits, or None for texts too short to fingerprint."""
    if len(text.split()) < MIN_WORDS_FOR_FINGERPRINT:
        return None
    return f"{charikar(text):016x}"


def bands(fingerprint: str) -> tuple[int, ...]:
    """The fingerprint's band values (`BAND_WIDTHS`), low band first."""
    value = int(fingerprint, 16)
    return tuple((value >> shift) & mask for shift, mask in _BAND_SHIFTS_MASKS)


def probes(fingerprint: str) -> list[tuple[int, ...]]:
    """For each band, the values within `PROBE_RADIUS` bits of the fingerprint's own (radius 0 or 1)."""
    out = []
    for value, width in zip(bands(fingerprint), BAND_WIDTHS, strict=True):
        variants = [value]
        if PROBE_RADIUS >= 1:
            variants += [value ^ (1 << bit) for bit in range(width)]
        out.append(tuple(variants))
    return out


def distance(a: str, b: str) -> int:
    """Hamming distance of two fingerprints."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def other_story(a: str | None, b: str | None) -> bool:
    """Whether two fingerprints are of different texts (farther apart than a near duplicate); False
    when either is unknown."""
    return bool(a and b and distance(a, b) > NEAR_DUPLICATE_MAX_BITS)


#: Two headlines sharing at least this share of their words (Jaccard) are one story's, rewritten: an
#: update moves words of its headline ("... kills 12" -> "... kills 15 as rescue goes on"), another
#: story's headline shares few.
SAME_STORY_TITLE_OVERLAP = 0.5
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Story:
    """What tells one article from another when two pages claim one canonical URL."""

    fingerprint: str | None
    title: str | None = None
    date_published: str | None = None


def other_article(a: Story, b: Story) -> bool:
    """Whether ``a`` and ``b`` are different articles, not one story before and after an update: texts
    farther apart than a near duplicate, both headlines known and sharing few words
    (`SAME_STORY_TITLE_OVERLAP`), and not the same stated publication time. A text that changed a lot
    (a live blog, a developing story) keeps its headline or its date, and stays one article."""
    if not other_story(a.fingerprint, b.fingerprint) or not a.title or not b.title:
        return False
    if a.date_published and a.date_published == b.date_published:
        return False
    x, y = set(_WORD_RE.findall(a.title.casefold())), set(_WORD_RE.findall(b.title.casefold()))
    return not x or not y or len(x & y) / len(x | y) < SAME_STORY_TITLE_OVERLAP


@dataclass
class NearDuplicateIndex:
    """An in-memory band index of fingerprints (the articles of the current run not yet stored)."""

    _bands: list[dict[int, list[tuple[str, str]]]] = field(default_factory=lambda: [{} for _ in range(BANDS)])

    def add(self, fingerprint: str, key: str) -> None:
        for i, value in enumerate(bands(fingerprint)):
            self._bands[i].setdefault(value, []).append((fingerprint, key))

    def remove(self, fingerprint: str, key: str) -> None:
        """Forget an entry `add` made (nothing if there is none)."""
        for i, value in enumerate(bands(fingerprint)):
            entries = self._bands[i].get(value)
            if entries is not None:
                entries[:] = [entry for entry in entries if entry != (fingerprint, key)]
                if not entries:
                    del self._bands[i][value]

    def __len__(self) -> int:
        """Entries indexed (each is in every band)."""
        return sum(map(len, self._bands[0].values()))

    def find(self, fingerprint: str, *, exclude: str | None = None) -> str | None:
        """The key of the closest indexed fingerprint within the threshold, if any."""
        best: tuple[int, str] | None = None
        for i, values in enumerate(probes(fingerprint)):
            for other, key in (entry for value in values for entry in self._bands[i].get(value, ())):
                if key == exclude:
                    continue
                d = distance(fingerprint, other)
                if d <= NEAR_DUPLICATE_MAX_BITS and (best is None or d < best[0]):
                    best = (d, key)
        return best[1] if best else None


#: `StoredKeys` is a Bloom filter of this many bits (1 MiB) probed at this many positions: about 1% false
#: positives up to ~870,000 keys (a run's stored articles), more beyond. A false positive costs one
#: indexed database look-up that finds nothing, never a wrong answer; the memory never grows.
STORED_KEYS_BITS = 1 << 23
STORED_KEYS_HASHES = 7


class StoredKeys:
    """The canonical URLs this run has stored, in fixed memory: ``key in keys`` is False for every key
    never added, and True for every key added (and, rarely, for another one)."""

    def __init__(self, bits: int = STORED_KEYS_BITS, hashes: int = STORED_KEYS_HASHES) -> None:
        self._bits = bits
        self._hashes = hashes
        self._array = bytearray(bits // 8)

    def _positions(self, key: str) -> list[int]:
        digest = blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        h1, h2 = int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1
        return [(h1 + i * h2) % self._bits for i in range(self._hashes)]

    def add(self, key: str) -> None:
        for pos in self._positions(key):
            self._array[pos >> 3] |= 1 << (pos & 7)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and all(self._array[pos >> 3] & (1 << (pos & 7)) for pos in self._positions(key))
