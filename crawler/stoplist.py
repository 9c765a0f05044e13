"""One copy of jusText's all-language stoplist per process, built the first time jusText runs.

trafilatura runs jusText as a fallback extractor on pages whose first pass looks too short. Without a
known page language it passes jusText the union of all jusText's stoplists (about 154,000 words), and
the libraries keep that list twice: trafilatura as a tuple (``trafilatura.external.JT_STOPLIST``, about
12 MB of strings) and jusText as a lower-cased ``frozenset`` copy cached by ``define_stoplist`` (about
16 MB more), which also hashes the whole 154,000-word tuple again on every call (about 4 ms of CPU).

`install` (called once when `crawler.extraction` is imported) makes the list one ``frozenset`` of the
same lower-cased words, built lazily, that both libraries use as is: jusText's ``define_stoplist``
returns it unchanged, since lower-casing it again would give an equal set. The words, and so every
extraction result, are exactly the ones the libraries would have used. Measured on the development
sets' pages: a worker's resident memory after the jusText fallback has run is about 12 MB smaller.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

import justext.core
from justext.utils import get_stoplist, get_stoplists
from trafilatura import external as trafilatura_external

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_stoplist: frozenset[str] | None = None
_define_stoplist: Callable[[Iterable[str]], frozenset[str]] | None = None


def all_languages() -> frozenset[str]:
    """The union of all jusText stoplists, lower-cased (jusText's files already are), built once."""
    global _stoplist
    if _stoplist is None:
        with _lock:
            if _stoplist is None:
                words: frozenset[str] = frozenset().union(*(get_stoplist(language) for language in get_stoplists()))
                _stoplist = words
                setattr(trafilatura_external, "JT_STOPLIST", words)  # noqa: B010 (annotated as a tuple there)
    return _stoplist


def _shared_define_stoplist(stoplist: Any) -> frozenset[str]:
    """jusText's ``define_stoplist``, except that the shared list is returned as is (it is already a
    lower-cased frozenset: jusText would build an equal copy and cache it)."""
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
