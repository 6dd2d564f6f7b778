"""The EN->ZH bridge's English side: stems (rag.lexicon) shared by the query path of concurrent UI requests."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from rag import bridge, lexicon


def test_stemming_is_thread_safe():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so an unguarded stemmer would interleave
    try:
        _check_concurrent_stems()
    finally:
        sys.setswitchinterval(old)


def _check_concurrent_stems():
    words = [f"{w}{suffix}" for w in ("agricultur", "settl", "transact", "revenu", "industri", "procur")
             for suffix in ("al", "ed", "ing", "ions", "es", "ly", "ation", "ment")]
    reference = snowballstemmer.stemmer("english")  # a private one, used by this thread only
    expected = {w: reference.stemWord(w) for w in words}
    for _ in range(5):
        lexicon.stem.cache_clear()
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lexicon.stem, words * 20))
        assert got == [expected[w] for w in words * 20]


def test_the_glossary_and_home_words_come_from_the_profile():
    """build_bridge / build_gloss use the glossary of the profile an index is built with (none outside a
    profile_terms block by default); a profile's home words are stopwords for bridging and glossing."""
    from rag.profile import load_profile

    vocab = ["一般公共预算收入", "重庆", "收入"]
    with load_profile("general").bridge_terms():
        plain = bridge.build_bridge(vocab)
        assert list(bridge.glossary_pairs()) == []
    with load_profile("gov-report").bridge_terms():
        gov = bridge.build_bridge(vocab)
        _, glossary = bridge.build_gloss(vocab)
        assert ("general public budget revenu", "一般公共预算收入") in list(bridge.glossary_pairs())
    assert gov["general public budget revenu"][0] == "一般公共预算收入"
    assert "general public budget revenu" not in plain
    # "chongqing" is a home word of gov-report: never part of a phrase, never a gloss word
    assert all("chongq" not in words for _, words in glossary)
    stop = load_profile("gov-report").en_stop
    assert bridge.expand("Chongqing general public budget revenue", gov, stop) == [("一般公共预算收入", 1.0)]
    assert "chongq" in bridge.query_gloss_words("Chongqing revenue")
    assert "chongq" not in bridge.query_gloss_words("Chongqing revenue", stop)
    assert "chongqing" not in bridge.EN_STOP  # no corpus word in the code's stopwords
    # a user's inline glossary entries reach the bridge too
    with bridge.profile_terms([("drinking water works", "水厂")]):
        assert bridge.build_bridge(["水厂"])["drink water work"] == ["水厂"]
