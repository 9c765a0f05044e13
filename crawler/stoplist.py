"""One compact copy of jusText's all-language stoplist per process, built the first time jusText runs.

trafilatura runs jusText as a fallback extractor on pages whose first pass looks too short. Without a
known page language it passes jusText the union of all jusText's stoplists (about 154,000 words), and
the libraries keep that list twice: trafilatura as a tuple (``trafilatura.external.JT_STOPLIST``, about
12 MB of strings) and jusText as a lower-cased ``frozenset`` copy cached by ``define_stoplist`` (about
16 MB more), which also hashes the whole 154,000-word tuple again on every call (about 4 ms of CPU).

`install` (called once when `crawler.extraction` is imported) makes the list one `Stoplist` of the same
lower-cased words, built lazily, that both libraries use as is: jusText's ``define_stoplist`` returns it
unchanged, and jusText only asks ``word in stoplist``. A `Stoplist` keeps the words in one string,
ordered by their hash, beside two arrays (hashes, offsets): 4.5 MB of a process's memory where a
``frozenset`` of the words took 18.6 MB. A look-up is a binary search (about 1 microsecond against 50 ns), and jusText made
8,280 of them on the development sets' 261 pages. Membership is exact (the word itself is compared),
so the words, and every extraction result, are exactly the ones the libraries would have used.
"""

from __future__ import annotations

import logging
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import justext.core
from justext.utils import get_stoplist, get_stoplists
from trafilatura import external as trafilatura_external

logger = logging.getLogger(__name__)


class Stoplist:
    """A read-only set of words in little memory: ``word in stoplist``, ``len``, iteration. The words are
    one string in the order of their hashes; a look-up finds the word's hash by binary search and
    compares the word itself (two words may share a hash)."""

    __slots__ = ("_hashes", "_offsets", "_text")

    def __init__(self, words: Iterable[str]) -> None:
        ordered = sorted(set(words), key=hash)
        self._hashes = array("q", map(hash, ordered))
        offsets = array("I", [0])
        end = 0
        for word in ordered:
            end += len(word)
            offsets.append(end)
        self._offsets = offsets
        self._text = "".join(ordered)

    def __contains__(self, word: object) -> bool:
        if type(word) is not str:
            return False
        hashes, offsets, wanted = self._hashes, self._offsets, hash(word)
        i = bisect_left(hashes, wanted)
        while i < len(hashes) and hashes[i] == wanted:
            if self._text[offsets[i] : offsets[i + 1]] == word:
                return True
            i += 1
        return False

    def __len__(self) -> int:
        return len(self._hashes)

    def __reduce__(self) -> tuple[type[Stoplist], tuple[list[str]]]:
        return Stoplist, (list(self),)  # the order is by this process's string hashes: rebuilt on arrival

    def __iter__(self) -> Iterator[str]:
        offsets, text = self._offsets, self._text
        return (text[offsets[i] : offsets[i + 1]] for i in range(len(self._hashes)))


_lock = threading.Lock()
_stoplist: Stoplist | None = None
_define_stoplist: Callable[[Iterable[str]], frozenset[str]] | None = None


def all_languages() -> Stoplist:
    """The union of all jusText stoplists, lower-cased (jusText's files already are), built once."""
    global _stoplist
    if _stoplist is None:
        with _lock:
            if _stoplist is None:
                words = Stoplist(word for language in get_stoplists() for word in get_stoplist(language))
                _stoplist = words
                setattr(trafilatura_external, "JT_STOPLIST", words)  # noqa: B010 (annotated as a tuple there)
    return _stoplist


def _shared_define_stoplist(stoplist: Any) -> Stoplist | frozenset[str]:
    """jusText's ``define_stoplist``, except that the shared list is returned as is (it is already
    lower-cased: jusText would build an equal frozenset and cache it)."""
    if stoplist is _stoplist and _stoplist is not None:
        return _stoplist
    assert _define_stoplist is not None
    return _define_stoplist(stoplist)


def install() -> bool:
    """Point trafilatura and jusText at the shared list; False (and a warning) when either library no
    longer has the functions this relies on, in which case extraction runs exactly as without it."""
    global _define_stoplist
    if _define_stoplist is not None:
        return True
    original = getattr(justext.core, "define_stoplist", None)
    if not callable(original) or not callable(getattr(trafilatura_external, "jt_stoplist_init", None)):
        logger.warning("jusText or trafilatura changed: the shared jusText stoplist is not installed")
        return False
    _define_stoplist = original
    setattr(justext.core, "define_stoplist", _shared_define_stoplist)  # noqa: B010
    setattr(trafilatura_external, "jt_stoplist_init", all_languages)  # noqa: B010
    return True
