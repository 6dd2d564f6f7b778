"""FileArray: rows read with pread, so what a query reads never stays in the process' resident memory."""

from __future__ import annotations

import numpy as np
import pytest

from rag.backends.filearray import FileArray


def _rss_file_kb() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    pytest.skip("no /proc/self/status")


def test_reads_equal_numpy_and_leave_nothing_resident(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(40_000, 384)).astype(np.float32)  # 61 MB
    np.save(tmp_path / "v.npy", a)
    ref = a  # (in memory: a memory-mapped reference would itself make file pages resident)
    f = FileArray(tmp_path / "v.npy")
    before = _rss_file_kb()
    for _ in range(50):
        rows = np.sort(rng.choice(40_000, 200, replace=False))
        assert np.array_equal(f[rows], np.asarray(ref[rows]))
    grown = _rss_file_kb() - before
    assert grown < 4096, f"{grown} kB of file pages became resident"
    assert np.array_equal(f[5:9], np.asarray(ref[5:9])) and np.array_equal(f[-1], ref[-1])


def test_bad_files_and_indexes(tmp_path):
    np.save(tmp_path / "o.npy", np.array([1, "x"], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="object arrays"):
        FileArray(tmp_path / "o.npy")
    np.save(tmp_path / "v.npy", np.arange(10, dtype=np.int32))
    (tmp_path / "t.npy").write_bytes((tmp_path / "v.npy").read_bytes()[:-8])
    with pytest.raises(ValueError, match="truncated"):
        FileArray(tmp_path / "t.npy")
    f = FileArray(tmp_path / "v.npy")
    with pytest.raises(IndexError):
        f[np.array([3, 10])]
    with pytest.raises(TypeError):
        f[np.array([True, False])]
    assert f[np.array([], np.int64)].shape == (0,)


def test_the_seek_and_read_fallback_reads_the_same(tmp_path):
    """Where os.preadv is missing (Windows), reads take turns on a lock: the same rows come back."""
    import threading

    a = np.arange(3000, dtype=np.int32).reshape(1000, 3)
    np.save(tmp_path / "a.npy", a)
    f = FileArray(tmp_path / "a.npy")
    f._lock = threading.Lock()  # as on a platform without preadv
    rows = np.array([999, 0, 500, 501])
    assert np.array_equal(f[rows], a[rows]) and np.array_equal(f[10:20], a[10:20])
    f.close()
