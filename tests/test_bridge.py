"""The EN->ZH bridge's English side: stems shared by the query path of concurrent UI requests."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

from rag import bridge


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
    expected = {w: bridge._stemmer().stemWord(w) for w in words}
    for _ in range(5):
        bridge.stem.cache_clear()
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(bridge.stem, words * 20))
        assert got == [expected[w] for w in words * 20]
