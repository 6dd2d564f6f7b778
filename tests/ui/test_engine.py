"""The UI engine without Gradio: upload checks, serialised writes, atomic swaps under concurrent reads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from rag.store import Store
from rag.ui.engine import Engine, EngineError
from tests.ui.helpers import FACT_QUESTION, write_fact_doc


@pytest.fixture(scope="module")
def engine(ui_cfg):
    e = Engine(ui_cfg)
    e.warm()
    return e


def test_validate_reasons(engine, tmp_path):
    (tmp_path / "a.exe").write_bytes(b"MZ")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "c.docx").write_bytes(b"not a zip")
    (tmp_path / "d.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "e.md").write_text("# 标题\n\n正文。", encoding="utf-8")
    assert "unsupported file type '.exe'" in engine.validate("a.exe", tmp_path / "a.exe")
    assert engine.validate("b.txt", tmp_path / "b.txt") == "empty file"
    assert "docx" in engine.validate("c.docx", tmp_path / "c.docx")
    assert "binary" in engine.validate("d.txt", tmp_path / "d.txt")
    assert engine.validate("e.md", tmp_path / "e.md") is None
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * int(engine.cfg.max_file_mb * 1024 * 1024 + 10))
    assert "too large" in engine.validate("big.txt", big)


def test_bad_index_names_are_refused(engine, tmp_path):
    doc = write_fact_doc(tmp_path)
    for bad in ("../x", "uploads", ".hidden", ""):
        with pytest.raises(EngineError):
            engine.add_files(bad, [(doc.name, doc)])


def test_reads_never_see_a_half_written_index(engine, ui_cfg, tmp_path):
    """Readers ask non-stop while a writer adds and deletes a document three times."""
    index = ui_cfg.index_name
    doc = write_fact_doc(tmp_path)
    errors: list[BaseException] = []
    answers: list[str] = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                ans = engine.assistant(index).ask(FACT_QUESTION)
                answers.append(ans.answer)
                for c in ans.citations:  # every citation points into the snapshot that answered
                    assert c.sentence and c.text
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        gen0 = engine.generation[index]
        for _ in range(3):
            res = engine.add_files(index, [(doc.name, doc)])
            assert res.added == [doc.name] and not res.rejected
            assert "27座" in engine.assistant(index).ask(FACT_QUESTION).answer  # the swap is visible at once
            uploaded = str((engine.uploads_dir(index) / doc.name).resolve())
            assert engine.delete(index, uploaded) == doc.name
            assert "27座" not in engine.assistant(index).ask(FACT_QUESTION).answer
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert not errors, errors[0]
    assert answers and engine.generation[index] == gen0 + 6
    store = Store.load(Path(ui_cfg.index_dir) / index)  # the index on disk is whole
    assert len(store.manifest["files"]) == 1 and store.faiss.ntotal == len(store.chunks)


def test_concurrent_writes_are_serialised(engine, ui_cfg, tmp_path):
    """Two uploads at once: both end up in the index (neither build overwrites the other)."""
    index = ui_cfg.index_name
    docs = [write_fact_doc(tmp_path / str(i), f"doc{i}.txt") for i in range(2)]
    (tmp_path / "1" / "doc1.txt").write_text("白鹭县2024年修建步道15公里。\n", encoding="utf-8")
    results = [None, None]

    def add(i):
        results[i] = engine.add_files(index, [(docs[i].name, docs[i])])

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(r and r.added for r in results)
    names = {d["name"] for d in engine.documents(index)}
    assert {"doc0.txt", "doc1.txt"} <= names
    for d in engine.documents(index):
        if d["uploaded"]:
            engine.delete(index, d["path"])
    assert not any(d["uploaded"] for d in engine.documents(index))


def test_last_document_cannot_be_deleted(engine, ui_cfg):
    docs = engine.documents(ui_cfg.index_name)
    assert len(docs) == 1
    with pytest.raises(EngineError, match="last document"):
        engine.delete(ui_cfg.index_name, docs[0]["path"])


def test_upload_into_a_new_index_creates_it(engine, tmp_path):
    doc = write_fact_doc(tmp_path)
    assert not engine.exists("ui_fresh") and not engine.exists("../ui_fresh")
    res = engine.add_files("ui_fresh", [(doc.name, doc)])
    assert res.added == [doc.name] and "ui_fresh" in engine.indexes()
    assert "27座" in engine.assistant("ui_fresh").ask(FACT_QUESTION).answer
    # the swapped-in retriever ranks the new passage by its closest sentence too (loaded at the swap)
    top = engine.retriever("ui_fresh").search(FACT_QUESTION, k=1)[0]
    assert "27座" in top.chunk.text and top.extras.get("sentence_rank") == 1
