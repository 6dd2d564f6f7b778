"""Index safety: never replace or remove what is not an index of this tool, concurrent writers both land,
a damaged index is reported (never silently rebuilt from the sample), wrong-shaped index files are one
"damaged index" line, unchanged files are not re-read, and "nothing could be indexed" says why."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rag.indexer as indexer_mod
import rag.load as load_mod
from rag.config import Config
from rag.indexer import IndexingError, build_index, ensure_default_index
from rag.store import Store, StoreError
from rag.types import Chunk

ROOT = Path(__file__).parents[1]
HOUR_NS = 3600 * 10**9


def _write(p: Path, text: str, age_ns: int = 0) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    if age_ns:  # an old file (not one written "just now", whose mtime may still be racy)
        t = time.time_ns() - age_ns
        os.utime(p, ns=(t, t))
    return p


def _rag(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("rag: error: "), proc.stderr
    return lines[0]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def docs(tmp_path) -> Path:
    d = tmp_path / "docs"
    _write(d / "a.txt", "一、收入\n\n一般公共预算收入2441亿元，增长16%。\n", age_ns=HOUR_NS)
    return d


@pytest.fixture()
def victim(tmp_path) -> Path:
    """An ordinary folder of the user's files."""
    v = tmp_path / "idx" / "victim"
    _write(v / "notes.txt", "my notes")
    _write(v / "sub" / "report.md", "# report")
    return v


# -- 1. only an index of this tool is ever replaced ---------------------------------------------------------

def test_cli_index_refuses_to_replace_an_ordinary_folder(docs, victim):
    before = _tree(victim)
    line = _one_error_line(_rag("index", str(docs), "--index-dir", str(victim.parent), "--index", "victim", "-q"))
    assert "not an index of this tool" in line and "notes.txt" in line and "nothing was changed" in line
    assert _tree(victim) == before


@pytest.mark.parametrize("name", ["../victim", "", "."])
def test_cli_index_refuses_path_like_names(docs, victim, name):
    before = _tree(victim)
    (victim.parent / "other").mkdir()
    line = _one_error_line(_rag("index", str(docs), "--index-dir", str(victim.parent / "other"), "--index", name, "-q"))
    assert "invalid index name" in line
    assert _tree(victim) == before


def test_cli_search_never_replaces_an_ordinary_default_folder(tmp_path):
    default = tmp_path / "idx" / "default"
    _write(default / "notes.txt", "my notes")
    before = _tree(default)
    line = _one_error_line(_rag("search", "收入", "--index-dir", str(default.parent)))
    assert "no index at" in line and "notes.txt" in line
    assert _tree(default) == before


def _small_index(tmp_path, docs, name="small") -> Config:
    cfg = Config(index_dir=tmp_path / "idx", index_name=name)
    build_index([docs], cfg, progress=False)
    return cfg


def _foreign_targets(tmp_path, cfg) -> dict[str, Path]:
    base = tmp_path / "targets"
    out = {}
    out["a file"] = _write(base / "file", "user data")
    _write(base / "real" / "keep.txt", "user data")
    (base / "link").symlink_to(base / "real", target_is_directory=True)
    out["a symbolic link"] = base / "link"
    out["a folder of user files"] = _write(base / "plain" / "keep.txt", "user data").parent
    out["a lone manifest.json of someone else"] = _write(base / "webapp" / "manifest.json", '{"name": "app"}').parent
    # an index of ours into which the user put a file
    mixed = base / "mixed"
    os.rename(cfg.index_path, mixed)
    _write(mixed / "keep.txt", "user data")
    out["an index holding a user file"] = mixed
    # the whole index folder (what `--index ''` pointed at): an index, uploads, the vector cache
    _small_index(tmp_path, tmp_path / "docs", name="again")
    _write(cfg.index_dir / "uploads" / "again" / "up.txt", "uploaded")
    out["the index folder itself"] = cfg.index_dir
    return out


def test_store_save_replaces_only_its_own_indexes(tmp_path, docs):
    cfg = _small_index(tmp_path, docs)
    store = Store.load(cfg.index_path)
    for what, target in _foreign_targets(tmp_path, cfg).items():
        before = _tree(target) if target.is_dir() else target.read_bytes()
        for rebuild in (False, True):
            with pytest.raises(StoreError, match="not an index of this tool, so nothing was changed"):
                store.save(target, rebuild=rebuild)
        assert (_tree(target) if target.is_dir() else target.read_bytes()) == before, what
    assert Store.inspect(tmp_path / "targets" / "link")[0] == "foreign"
    assert (tmp_path / "targets" / "link").is_symlink()


def test_build_index_refuses_a_folder_with_a_user_file_then_works_once_it_is_moved(tmp_path, docs):
    cfg = _small_index(tmp_path, docs)
    _write(cfg.index_path / "mine.txt", "user data")
    _write(docs / "b.txt", "二、支出\n\n一般公共预算支出5305亿元。\n")
    with pytest.raises(IndexingError, match=r"holds files this tool did not write \(mine.txt\)"):
        build_index([docs], cfg, progress=False)
    assert (cfg.index_path / "mine.txt").read_text(encoding="utf-8") == "user data"
    assert len(Store.load(cfg.index_path).chunks) == 1  # a reader still works
    (cfg.index_path / "mine.txt").unlink()
    assert build_index([docs], cfg, progress=False).files_indexed == 1


def test_replaceable_folders(tmp_path, docs):
    cfg = Config(index_dir=tmp_path / "idx", index_name="fresh")
    cfg.index_path.mkdir(parents=True)  # an empty folder: nothing to lose
    assert Store.inspect(cfg.index_path)[0] == "missing"
    build_index([docs], cfg, progress=False)
    assert Store.inspect(cfg.index_path)[0] == "index"
    # file-browser litter is no reason to refuse
    _write(cfg.index_path / ".DS_Store", "x")
    _write(docs / "b.txt", "二、支出\n\n一般公共预算支出5305亿元。\n")
    assert build_index([docs], cfg, progress=False).files_indexed == 1
    # an index written before the "tool" marker existed is recognised by its manifest's shape
    mf = cfg.index_path / "manifest.json"
    m = json.loads(mf.read_text(encoding="utf-8"))
    del m["tool"]
    mf.write_text(json.dumps(m), encoding="utf-8")
    assert Store.inspect(cfg.index_path)[0] == "index"
    _write(docs / "c.txt", "三、科技\n\n高新技术企业达到7565家。\n")
    assert build_index([docs], cfg, progress=False).files_indexed == 1
    assert json.loads(mf.read_text(encoding="utf-8"))["tool"] == "rag-zh"


def test_old_folder_removal_spares_files_dropped_in_meanwhile(tmp_path, docs):
    """After the swap only the files save() writes are deleted from the previous index's folder."""
    from rag.store import _remove_own

    cfg = _small_index(tmp_path, docs)
    old = cfg.index_path.parent / ".small.old-1-2"
    os.rename(cfg.index_path, old)
    _write(old / "late.txt", "user data")
    assert _remove_own(old) is False
    assert [p.name for p in old.iterdir()] == ["late.txt"]


# -- 2. concurrent writers ----------------------------------------------------------------------------------

def _lock_waiters(lock_file: Path) -> int:
    """Processes blocked on the flock of ``lock_file`` (Linux /proc/locks: '-> FLOCK ... dev:inode ...')."""
    ino = os.stat(lock_file).st_ino
    n = 0
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and "FLOCK" in fields and any(f.endswith(f":{ino}") for f in fields):
            n += 1
    return n


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks to see blocked writers")
def test_concurrent_writers_both_land(tmp_path):
    """Two `rag index` processes add different files to one index at once: both files end up in it.

    Deterministic: this test holds the index's lock while both start, waits until the kernel shows both
    blocked on it, then lets them go at the same moment (first into a new index, then into an existing one).
    """
    import fcntl

    index_dir = tmp_path / "idx"
    index_dir.mkdir()
    lock_file = index_dir / ".shared.lock"
    texts = {"a": "一、收入\n\n一般公共预算收入2441亿元。\n", "b": "二、支出\n\n一般公共预算支出5305亿元。\n",
             "c": "三、科技\n\n高新技术企业达到7565家。\n", "d": "四、生态\n\n空气质量优良天数达到325天。\n"}
    files = {k: _write(tmp_path / "src" / f"{k}.txt", v) for k, v in texts.items()}
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    for pair in (("a", "b"), ("c", "d")):
        with open(lock_file, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            procs = [subprocess.Popen([sys.executable, "-m", "rag", "index", str(files[k]), "--index-dir",
                                       str(index_dir), "--index", "shared"], cwd=ROOT, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in pair]
            deadline = time.monotonic() + 600  # a safety net against a hang, not a timing assertion
            while _lock_waiters(lock_file) < 2:
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                assert time.monotonic() < deadline, "the writers never reached the lock"
                time.sleep(0.05)
            if pair == ("c", "d"):  # readers never need the lock
                assert len(Store.load(index_dir / "shared").chunks) == 2
            fcntl.flock(fh, fcntl.LOCK_UN)
        errs = []
        for p in procs:
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0 and "1 file(s) (re)indexed" in out, err
            errs.append(err)
        done = sorted(texts)[:2 if pair == ("a", "b") else 4]
        store = Store.load(index_dir / "shared")
        assert sorted(Path(f).stem for f in store.manifest["files"]) == done  # no file lost
        assert sorted(c.text for c in store.chunks) == sorted(texts[k].split("\n\n")[1].strip() for k in done)
        assert all("being written by another process: waiting" in err for err in errs)


def test_lock_is_reentrant_within_a_thread_and_exclusive_across_threads(tmp_path):
    import threading

    path = tmp_path / "x"
    with Store.lock(path) as held:
        assert held
        with Store.lock(path, wait=False) as again:  # the same thread: no self-deadlock
            assert again
        got: list[bool] = []

        def other_thread() -> None:
            with Store.lock(path, wait=False) as h:
                got.append(h)

        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert got == [False]  # another thread (or process) waits its turn


# -- 3. a damaged index is an error, never silently rebuilt from the sample ----------------------------------

def _sample_stand_in(tmp_path, monkeypatch) -> Path:
    sample = _write(tmp_path / "sample" / "sample.txt", "样本语料。\n\n这是一段样本文字，共十二个字。\n")
    monkeypatch.setattr(indexer_mod, "SAMPLE_CORPUS", sample)
    return sample


def test_missing_manifest_is_reported_not_rebuilt_from_the_sample(tmp_path, docs, monkeypatch):
    _sample_stand_in(tmp_path, monkeypatch)
    cfg = _small_index(tmp_path, docs, name="default")
    (cfg.index_path / "manifest.json").unlink()
    before = _tree(cfg.index_path)
    ensure_default_index(cfg, progress=False)
    assert _tree(cfg.index_path) == before  # the user's documents are still there, the sample is not
    with pytest.raises(StoreError, match=r"damaged index \(manifest.json is missing\); rebuild it: "
                                         r"rag index PATH --index default --rebuild"):
        Store.load(cfg.index_path)
    with pytest.raises(IndexingError, match="damaged index .*--rebuild"):
        build_index([docs], cfg, progress=False)
    assert _tree(cfg.index_path) == before
    # the explicit rebuild replaces it
    s = build_index([docs], cfg, rebuild=True, progress=False)
    assert s.files_indexed == 1 and "2441亿元" in Store.load(cfg.index_path).chunks[0].text


def test_default_index_is_built_only_into_a_missing_folder(tmp_path, monkeypatch):
    _sample_stand_in(tmp_path, monkeypatch)
    cfg = Config(index_dir=tmp_path / "idx", index_name="default")
    ensure_default_index(cfg, progress=False)
    assert "样本文字" in Store.load(cfg.index_path).chunks[0].text


def test_cli_search_on_a_damaged_default_index(tmp_path, docs):
    cfg = _small_index(tmp_path, docs, name="default")
    (cfg.index_path / "manifest.json").unlink()
    before = _tree(cfg.index_path)
    line = _one_error_line(_rag("search", "收入", "--index-dir", str(cfg.index_dir)))
    assert "damaged index" in line and "--index default --rebuild" in line
    assert _tree(cfg.index_path) == before


def test_rebuild_keeps_the_sources(tmp_path, docs):
    cfg = _small_index(tmp_path, docs)
    s = build_index([], cfg, rebuild=True, progress=False)
    assert s.files_indexed == 1 and s.chunks == 1
    (cfg.index_path / "manifest.json").write_text("[]", encoding="utf-8")  # the list of sources is lost
    with pytest.raises(IndexingError, match="no files or folders to index; give them: rag index PATH"):
        build_index([], cfg, rebuild=True, progress=False)


# -- 4. wrong-shaped index files: one "damaged index" line ------------------------------------------------

def _edit_json(path: Path, fn) -> None:
    path.write_text(json.dumps(fn(json.loads(path.read_text(encoding="utf-8"))), ensure_ascii=False), encoding="utf-8")


def _edit_chunk(fn):
    def edit(index: Path) -> None:
        f = index / "chunks.jsonl"
        rec = json.loads(f.read_text(encoding="utf-8").splitlines()[0])
        f.write_text(json.dumps(fn(rec), ensure_ascii=False) + "\n", encoding="utf-8")
    return edit


DAMAGE = {
    "manifest []": lambda p: (p / "manifest.json").write_text("[]", encoding="utf-8"),
    "manifest embedder null": lambda p: _edit_json(p / "manifest.json", lambda m: dict(m, embedder=None)),
    "manifest embedder dim text": lambda p: _edit_json(p / "manifest.json",
                                                       lambda m: dict(m, embedder=dict(m["embedder"], dim="384"))),
    "manifest sources string": lambda p: _edit_json(p / "manifest.json", lambda m: dict(m, sources="docs")),
    "manifest files entry number": lambda p: _edit_json(p / "manifest.json", lambda m: dict(m, files={"x": 5})),
    "manifest truncated": lambda p: (p / "manifest.json").write_text('{"embedder": {', encoding="utf-8"),
    "chunk text number": _edit_chunk(lambda r: dict(r, text=5)),
    "chunk section string": _edit_chunk(lambda r: dict(r, section="一、收入")),
    "chunk line_start string": _edit_chunk(lambda r: dict(r, line_start="1")),
    "chunk page_start bool": _edit_chunk(lambda r: dict(r, page_start=True)),
    "chunk record list": _edit_chunk(lambda r: list(r.values())),
    "chunk unknown field": _edit_chunk(lambda r: dict(r, extra=1)),
    "chunk missing field": _edit_chunk(lambda r: {k: v for k, v in r.items() if k != "doc_id"}),
    "bridge list": lambda p: (p / "bridge.json").write_text("[]", encoding="utf-8"),
    "bridge values numbers": lambda p: (p / "bridge.json").write_text('{"tax": 1}', encoding="utf-8"),
}


@pytest.fixture()
def small_index(tmp_path, docs) -> Config:
    return _small_index(tmp_path, docs)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_wrong_shaped_index_files_are_a_damaged_index(small_index, docs, damage):
    DAMAGE[damage](small_index.index_path)
    hint = r"damaged index \(.*\); rebuild it: rag index PATH --index small --rebuild"
    with pytest.raises(StoreError, match=hint) as exc:
        Store.load(small_index.index_path)
    assert "\n" not in str(exc.value)
    with pytest.raises(IndexingError, match="damaged index"):
        build_index([docs], small_index, progress=False)
    assert build_index([docs], small_index, rebuild=True, progress=False).chunks == 1


def test_cli_info_on_a_wrong_shaped_manifest(small_index):
    (small_index.index_path / "manifest.json").write_text("[]", encoding="utf-8")
    line = _one_error_line(_rag("info", "--index-dir", str(small_index.index_dir), "--index", "small"))
    assert "damaged index" in line and "--rebuild" in line


def test_chunk_field_table_matches_the_dataclass():
    from rag.types import _CHUNK_FIELDS

    assert [f.name for f in dataclasses.fields(Chunk)] == list(_CHUNK_FIELDS)


# -- 6. unchanged files are not re-read; extraction limits reach the loader ---------------------------------

@pytest.fixture()
def load_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = load_mod.load_file

    def counting(path, *a, **k):
        calls.append(Path(path).name)
        return real(path, *a, **k)

    monkeypatch.setattr(load_mod, "load_file", counting)
    return calls


def test_unchanged_files_are_not_opened_again(tmp_path, load_calls):
    docs = tmp_path / "docs"
    _write(docs / "a.txt", "一、收入\n\n一般公共预算收入2441亿元。\n", age_ns=HOUR_NS)
    _write(docs / "b.txt", "二、支出\n\n一般公共预算支出5305亿元。\n", age_ns=HOUR_NS)
    cfg = Config(index_dir=tmp_path / "idx", index_name="stat")
    build_index([docs], cfg, progress=False)
    assert sorted(load_calls) == ["a.txt", "b.txt"]
    entry = Store.load(cfg.index_path).manifest["files"][str((docs / "a.txt").resolve())]
    assert entry["size"] == (docs / "a.txt").stat().st_size and entry["mtime_ns"] == (docs / "a.txt").stat().st_mtime_ns

    load_calls.clear()
    assert build_index([docs], cfg, progress=False).up_to_date
    assert load_calls == []
    _write(docs / "c.txt", "三、科技\n\n高新技术企业达到7565家。\n", age_ns=HOUR_NS)
    s = build_index([docs], cfg, progress=False)
    assert load_calls == ["c.txt"] and (s.files_indexed, s.files_unchanged) == (1, 2)
    # a changed stat means the file is loaded and compared by content: touched only -> unchanged
    load_calls.clear()
    os.utime(docs / "a.txt")
    s = build_index([docs], cfg, progress=False)
    assert load_calls == ["a.txt"] and s.up_to_date


def test_manifest_without_sizes_and_mtimes_still_works(tmp_path, load_calls):
    docs = tmp_path / "docs"
    _write(docs / "a.txt", "一、收入\n\n一般公共预算收入2441亿元。\n", age_ns=HOUR_NS)
    cfg = Config(index_dir=tmp_path / "idx", index_name="legacy")
    build_index([docs], cfg, progress=False)
    _edit_json(cfg.index_path / "manifest.json",
               lambda m: dict(m, files={k: {f: v for f, v in e.items() if f not in ("size", "mtime_ns")}
                                        for k, e in m["files"].items()}))
    load_calls.clear()
    assert build_index([docs], cfg, progress=False).up_to_date  # compared by content, sizes/mtimes learned
    assert load_calls == ["a.txt"]
    load_calls.clear()
    assert build_index([docs], cfg, progress=False).up_to_date
    assert load_calls == []


def test_a_file_written_just_before_indexing_is_compared_by_content(tmp_path, monkeypatch):
    """Its mtime could repeat for a write in the same clock tick: its size/mtime are not trusted yet."""
    monkeypatch.setattr(indexer_mod, "RACY_NS", HOUR_NS)  # "just before": within the window, however slow the run
    docs = tmp_path / "docs"
    a = _write(docs / "a.txt", "一、收入\n\n一般公共预算收入2441亿元。\n")
    st = a.stat()
    cfg = Config(index_dir=tmp_path / "idx", index_name="racy")
    build_index([docs], cfg, progress=False)
    a.write_text("一、收入\n\n一般公共预算收入2587亿元。\n", encoding="utf-8")  # same size
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    assert build_index([docs], cfg, progress=False).files_indexed == 1
    assert "2587亿元" in Store.load(cfg.index_path).chunks[0].text


def test_extraction_limits_reach_the_loader(tmp_path, docs, monkeypatch):
    seen: dict = {}
    real = load_mod.load_paths

    def loader(paths, max_mb=50.0, max_pages=0, max_chars=0, max_seconds=0.0):
        seen.update(max_mb=max_mb, max_pages=max_pages, max_chars=max_chars, max_seconds=max_seconds)
        return real(paths, max_mb=max_mb)

    monkeypatch.setattr(indexer_mod, "load_paths", loader)
    cfg = Config(index_dir=tmp_path / "idx", index_name="lim", max_file_mb=7.0, max_file_pages=11,
                 max_file_chars=12345, max_load_seconds=9.5)
    build_index([docs], cfg, progress=False)
    assert seen == {"max_mb": 7.0, "max_pages": 11, "max_chars": 12345, "max_seconds": 9.5}


# -- 9. messages ----------------------------------------------------------------------------------------

def test_empty_folder_is_named_with_the_supported_types(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = _write(tmp_path / "other" / "data.xyz", "x").parent
    cfg = Config(index_dir=tmp_path / "idx", index_name="e")
    for folder in (empty, other):
        with pytest.raises(IndexingError) as exc:
            build_index([folder], cfg, progress=False)
        assert str(exc.value) == (f"nothing could be indexed: {folder} holds no supported files "
                                  "(supported: .docx .htm .html .markdown .md .pdf .txt)")
    line = _one_error_line(_rag("index", str(empty), "--index-dir", str(cfg.index_dir), "--index", "e", "-q"))
    assert line == (f"rag: error: nothing could be indexed: {empty} holds no supported files "
                    "(supported: .docx .htm .html .markdown .md .pdf .txt)")


def test_no_index_hint_never_suggests_an_invalid_name(tmp_path):
    for name, hint in (("mydocs", "--index mydocs)"), ("my docs!", "--index NAME)"), ("uploads", "--index NAME)")):
        with pytest.raises(StoreError) as exc:
            Store.load(tmp_path / name)
        assert str(exc.value).endswith(f"(build one with: rag index PATH {hint}"), str(exc.value)
