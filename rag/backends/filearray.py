"""A ``.npy`` array read on demand with ``pread`` instead of being memory-mapped.

A big index's arrays (posting lists, exact vectors) are read a few rows at a time per query. Memory-mapped,
every page a query touches stays in the process' resident set, and the kernel maps far more than was asked
for (read-around windows and large page-cache folios: here 200 random 1.5 KB rows of a mapped file put
~250 MB into the resident set). Read with ``pread``, a query copies exactly the bytes it needs into memory it
frees afterwards; the file's pages stay in the page cache, shared and reclaimable, and never count as the
process' memory. ``pread`` keeps no file position, so threads share one descriptor (where the platform has no
``preadv``, Windows, reads take turns on a lock: seek, then read).

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "a.npy")
>>> np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3))
>>> a = FileArray(path)
>>> a.shape, a.dtype, len(a)
((4, 3), dtype('float32'), 4)
>>> a[1:3].tolist()
[[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
>>> a[np.array([3, 0])].tolist()
[[9.0, 10.0, 11.0], [0.0, 1.0, 2.0]]
>>> a[2].tolist()
[6.0, 7.0, 8.0]
>>> bool(np.asarray(a).sum() == np.arange(12).sum())
True
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

_SPAN_BYTES = 1 << 20  # rows asked for by an index array: one read of their whole span up to this size (or
# 4x the bytes asked for), else row by row


class FileArray:
    """A read-only view of a C-order ``.npy`` file: ``len``, ``shape``, ``ndim``, ``dtype``, indexing by an
    int, a slice (step 1) or an array of ints, and ``np.asarray`` (reads it all)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        with open(self.path, "rb") as f:
            major, _ = np.lib.format.read_magic(f)
            read = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read(f)
            self._offset = f.tell()
        if not shape:
            raise ValueError(f"{self.path.name}: a 0-d array")
        if fortran and len(shape) > 1:
            raise ValueError(f"{self.path.name}: Fortran-order arrays are not supported")
        if dtype.hasobject:
            raise ValueError(f"{self.path.name}: object arrays are not read (no pickle)")
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self.ndim = len(self.shape)
        self._row_shape = self.shape[1:]
        self._row_bytes = self.dtype.itemsize * int(np.prod(self._row_shape, dtype=np.int64))
        if os.path.getsize(self.path) < self._offset + self._row_bytes * self.shape[0]:
            raise ValueError(f"{self.path.name} is truncated")
        self._file = open(self.path, "rb", buffering=0)
        self._lock = None if hasattr(os, "preadv") else threading.Lock()
        self.bytes_read = 0  # what queries have read so far (a statistic: not locked)

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, start: int, stop: int) -> np.ndarray:
        """Rows [start, stop) as a new array."""
        n = max(0, stop - start)
        want = n * self._row_bytes
        buf = bytearray(want)
        view, got = memoryview(buf), 0
        while got < want:
            at = self._offset + start * self._row_bytes + got
            if self._lock is None:
                k = os.preadv(self._file.fileno(), [view[got:]], at)
            else:
                with self._lock:
                    self._file.seek(at)
                    k = self._file.readinto(view[got:])
            if not k:
                raise OSError(f"{self.path.name}: short read")
            got += k
        self.bytes_read += want
        return np.frombuffer(buf, self.dtype).reshape((n, *self._row_shape))

    def __getitem__(self, key):
        n = self.shape[0]
        if isinstance(key, (int, np.integer)):
            i = int(key) + (n if key < 0 else 0)
            if not 0 <= i < n:
                raise IndexError("index out of range")
            return self._read(i, i + 1)[0]
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if step != 1:
                raise ValueError("FileArray slices take no step")
            return self._read(start, max(start, stop))
        idx = np.asarray(key)
        if idx.dtype == bool or idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
            raise TypeError("FileArray takes an int, a slice or a 1-D array of ints")
        if not len(idx):
            return np.zeros((0, *self._row_shape), self.dtype)
        idx = np.where(idx < 0, idx + n, idx)
        lo, hi = int(idx.min()), int(idx.max()) + 1
        if lo < 0 or hi > n:
            raise IndexError("index out of range")
        if (hi - lo) * self._row_bytes <= max(_SPAN_BYTES, 4 * len(idx) * self._row_bytes):  # one read of the span
            return self._read(lo, hi)[idx - lo]
        out = np.empty((len(idx), *self._row_shape), self.dtype)
        for j, i in enumerate(idx.tolist()):
            out[j] = self._read(i, i + 1)[0]
        return out

    def __array__(self, dtype=None, copy=None):
        a = self._read(0, self.shape[0])
        return a if dtype is None else a.astype(dtype)

    def close(self) -> None:
        self._file.close()
