"""The shared jusText stoplist: the same words the libraries would use, kept once."""

from __future__ import annotations

import justext.core
from justext.utils import get_stoplist, get_stoplists
from trafilatura import external as trafilatura_external
from trafilatura.utils import load_html

import crawler.extraction  # noqa: F401  (installs the shared stoplist)
from crawler import stoplist


def test_installed_when_extraction_is_imported() -> None:
    assert stoplist.install()
    assert justext.core.define_stoplist is stoplist._shared_define_stoplist
    assert trafilatura_external.jt_stoplist_init is stoplist.all_languages


def test_same_words_as_the_libraries_would_use() -> None:
    words = stoplist.all_languages()
    # What trafilatura built (a tuple of the union) and jusText then lower-cased into a frozenset.
    theirs = tuple({word for language in get_stoplists() for word in get_stoplist(language)})
    assert stoplist._define_stoplist is not None
    assert stoplist._define_stoplist(theirs) == frozenset(words)
    assert len(words) == len(frozenset(words)) > 100_000


def test_a_stoplist_holds_exactly_its_words() -> None:
    import pickle

    words = ["the", "und", "де", "的", "ο", "a", "ab", "abc"]
    kept = stoplist.Stoplist(words + ["the"])
    assert len(kept) == len(set(words)) and sorted(kept) == sorted(words)
    assert all(w in kept for w in words)
    assert not any(w in kept for w in ("th", "thee", "", "The", "ab c", "abcd", "д", "b"))
    assert 3 not in kept and None not in kept
    assert sorted(pickle.loads(pickle.dumps(kept))) == sorted(words)
    # every word of the real list, and as many that are not in it, answered as the frozenset answers
    everything = stoplist.all_languages()
    reference = frozenset(everything)
    probes = list(reference) + [w + "q" for w in reference]
    assert [w in everything for w in probes] == [w in reference for w in probes]


def test_one_copy_is_passed_through() -> None:
    words = stoplist.all_languages()
    assert stoplist.all_languages() is words
    assert trafilatura_external.JT_STOPLIST is words
    assert justext.core.define_stoplist(words) is words
    # Any other list still goes through jusText's own lower-casing.
    assert justext.core.define_stoplist(("The", "AND")) == frozenset({"the", "and"})


def test_jusText_fallback_runs_with_it() -> None:
    paragraph = (
        "<p>The minister said on {0} that the new rules would apply from next year, and that all of the "
        "companies had been told about them in a letter which was sent to each of their offices.</p>"
    )
    days = ("Monday", "Tuesday", "Wednesday", "Thursday")
    html = "<html><body><div>" + "".join(paragraph.format(day) for day in days) + "</div></body></html>"
    tree = load_html(html)
    body = trafilatura_external.try_justext(tree, "https://example.com/a", None)
    assert "the new rules would apply" in " ".join(body.itertext())
