"""Request bounds of the web UI (issue 9, items 5, 7, 10), on a small inline corpus: a 1 MB question
gets a clear message while other users are answered; uploads that were never indexed are cleaned up;
logins are throttled; the document list shows no server paths; stored names carry no bidi controls;
file names are not Markdown in the status line. Tests that start a server are marked slow."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from pathlib import Path

import pytest

from rag.config import Config
from rag.indexer import build_index
from rag.ui.engine import Engine, EngineError
from tests.ui.helpers import free_port

WATER = """青湖区水务年报

一、供水
青湖区2024年新建水厂3座，日供水能力达到45万吨。
二、污水处理
污水处理率提高到96%，新建管网120公里。
"""
PARKS = """青湖区园林简报

一、公园建设
青湖区2024年新建口袋公园18个，绿道总长达到64公里。
"""
QUESTIONS = [("青湖区2024年新建水厂多少座？", "3座"), ("青湖区新建口袋公园多少个？", "18个")]
ONE_MB = ("青湖区新建水厂多少座？" * 40_000)[: 1_048_576 // 3 + 1]  # 1 MB of UTF-8 (3 bytes a character)


def small_index(root: Path, name: str = "small") -> Config:
    """Two inline documents in ``root/docs`` indexed into ``root/indexes/<name>``."""
    docs = root / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "water.txt").write_text(WATER, encoding="utf-8")
    (docs / "parks.txt").write_text(PARKS, encoding="utf-8")
    cfg = Config(index_dir=root / "indexes", index_name=name)
    build_index([docs], cfg, progress=False)
    return cfg


def upload_folder(cfg: Config, index: str | None = None) -> Path:
    return Path(cfg.index_dir) / "uploads" / (index or cfg.index_name)


# -- engine (no server) ----------------------------------------------------------------------------
@pytest.fixture
def engine(tmp_path) -> Engine:
    return Engine(small_index(tmp_path))


def test_index_names_go_through_the_config_validator(engine):
    """One validator (rag.config.check_index_name), its message as a one-line EngineError."""
    for bad in ("../x", "uploads", "Uploads", ".hidden", "", "name.", "a/b"):
        with pytest.raises(EngineError, match="invalid index name"):
            engine.check_name(bad)
    assert engine.check_name(" café ") == "café"  # a plain name in any script
    assert not engine.exists("name.") and engine.exists("small")


def test_unindexed_uploads_are_removed_when_the_engine_starts(engine, tmp_path):
    """Item 7: copies the manifest does not reference and leftover .part files go; the indexed upload,
    sub-folders, symlinks and anything outside the uploads folder stay."""
    doc = tmp_path / "in" / "library.txt"
    doc.parent.mkdir()
    doc.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    assert engine.add_files("small", [("library.txt", doc)]).added == ["library.txt"]
    up = upload_folder(engine.cfg)
    (up / "killed-mid-upload.txt").write_text("从未索引。", encoding="utf-8")
    (up / ".half.txt.part").write_bytes(b"half")
    (up / "sub").mkdir()
    (up / "sub" / "inner.txt").write_text("子目录。", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("外面。", encoding="utf-8")
    (up / "link.txt").symlink_to(outside)
    (up.parent / "never-built").mkdir()
    (up.parent / "never-built" / "orphan.txt").write_text("没有索引。", encoding="utf-8")
    (up.parent / "..bad").mkdir()  # not an index name: never looked into
    (up.parent / "..bad" / "x.txt").write_text("x", encoding="utf-8")
    other = Path(engine.cfg.index_dir) / "keep-me.txt"
    other.write_text("索引目录里的别的文件。", encoding="utf-8")

    Engine(engine.cfg)  # a server (re)start
    assert sorted(p.name for p in up.iterdir()) == ["library.txt", "link.txt", "sub"]
    assert (up / "sub" / "inner.txt").is_file() and outside.is_file() and other.is_file()
    assert not (up.parent / "never-built" / "orphan.txt").exists()
    assert (up.parent / "..bad" / "x.txt").is_file()
    assert [d["name"] for d in Engine(engine.cfg).documents("small") if d["uploaded"]] == ["library.txt"]


def test_an_upload_the_indexer_rejects_is_not_kept(engine, tmp_path, monkeypatch):
    """Item 7: a file that passes the upload checks but fails in the indexer is rejected, and neither its
    copy nor its entry in the index's sources stays behind."""
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    bad = tmp_path / "in" / "blank.txt"
    bad.write_bytes(b"")  # the indexer refuses an empty file
    monkeypatch.setattr(engine, "validate", lambda name, path: None)  # let it past the upload checks
    res = engine.add_files("small", [("good.txt", good), ("blank.txt", bad)])
    assert res.added == ["good.txt"] and [r.name for r in res.rejected] == ["blank.txt"]
    assert sorted(p.name for p in upload_folder(engine.cfg).iterdir()) == ["good.txt"]
    manifest = json.loads((Path(engine.cfg.index_dir) / "small" / "manifest.json").read_text(encoding="utf-8"))
    assert not any(s.endswith("blank.txt") for s in manifest["sources"])


def test_bidi_controls_are_stripped_from_stored_names(engine, tmp_path):
    """Item 10: "report<RLO>gpj.txt" would show as "report.txtjpg"; it is stored as "reportgpj.txt"."""
    src = tmp_path / "upload.bin"
    src.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    name = "report\u202egpj\u2066.txt"
    res = engine.add_files("small", [(name, src)])
    assert res.added == ["reportgpj.txt"]
    evil = tmp_path / "evil.txt"
    evil.write_bytes(b"MZ\x90\x00")
    res = engine.add_files("small", [("setup\u202etxt.exe", evil)])
    assert res.rejected[0].name == "setuptxt.exe" and "'.exe'" in res.rejected[0].reason
    stored = [p.name for p in upload_folder(engine.cfg).iterdir()]
    listed = [d["name"] for d in engine.documents("small")] + [d["ref"] for d in engine.documents("small")]
    assert stored == ["reportgpj.txt"]
    assert not any(ch in s for s in stored + listed for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_documents_are_listed_and_deleted_by_a_relative_path(engine, tmp_path):
    """Item 10: the list shows paths relative to the index's sources; deleting by that path works."""
    docs = engine.documents("small")
    assert sorted(d["ref"] for d in docs) == ["docs/parks.txt", "docs/water.txt"]
    assert engine.delete("small", "docs/parks.txt") == "parks.txt"
    assert [d["ref"] for d in engine.documents("small")] == ["docs/water.txt"]
    with pytest.raises(EngineError, match="not in index"):
        engine.delete("small", "docs/parks.txt")


def test_login_throttle_policy():
    """Item 10 (policy, on a fake clock): 20 parallel wrong passwords for one name: a few are checked,
    spaced ever further apart, the rest refused unchecked; another name is not slowed; a right password
    clears the name's count."""
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    from fastapi import HTTPException

    from rag.ui.web import LoginThrottle

    now = [0.0]
    waits: list[float] = []

    async def sleep(s):  # the fake clock stands still: a waiting attempt only records its wait
        waits.append(s)
        await asyncio.sleep(0)

    th = LoginThrottle([("alice", "s3cret"), ("bob", "pw2")], clock=lambda: now[0], sleep=sleep)

    async def attempt(user, pw):
        try:
            return await th.check(user, pw)
        except HTTPException as exc:
            assert exc.status_code == 400 and "too many failed logins" in exc.detail
            return "refused"

    async def burst():
        return await asyncio.gather(*(attempt("alice", f"guess{i}") for i in range(20)))

    results = asyncio.run(burst())
    checked = [r for r in results if r is False]
    assert results.count("refused") >= 10 and len(checked) + results.count("refused") == 20
    # 4 at once (3 free, then the first throttled one), then 4 at 1, 3, 7 and 15 s: the spacing doubles
    assert len(checked) == 8 and waits == [1.0, 3.0, 7.0, 15.0]
    assert asyncio.run(th.check("bob", "pw2")) is True  # per-name: bob is not slowed
    now[0] = 1000.0  # later: alice's pending slots are over
    assert asyncio.run(attempt("alice", "s3cret")) is True
    assert asyncio.run(attempt("alice", "wrong")) is False and th._users["alice"][0] == 1


# -- a server over the small index ------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(url, engine, cfg) of the app on a small inline corpus, launched in this process."""
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    from rag.ui.web import CHAT_CONCURRENCY, build_app, launch_kwargs, prepare

    cfg = small_index(tmp_path_factory.mktemp("bounds-server"))
    engine = prepare(cfg, progress=False)
    demo = build_app(engine)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                **launch_kwargs(cfg))
    try:
        yield f"http://127.0.0.1:{port}/", engine, cfg
    finally:
        demo.close()


def bot_text(chat: list) -> str:
    content = chat[-1]["content"] if chat else ""
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


def ask(client, question: str, index: str, timeout: float = 180) -> list:
    """The chat after ``question`` (fails after ``timeout`` s: a liveness bound, not a latency target)."""
    chat, _ = client.submit(question, index, 5, "offline", False, api_name="/ask").result(timeout=timeout)
    return chat


@pytest.mark.slow
def test_a_1mb_question_gets_a_clear_message_while_others_are_answered(server):
    """Item 5: one client sends a 1 MB question three times; three other clients ask ordinary questions
    meanwhile and all get their answers; the long one gets one line naming its length and the limit."""
    from gradio_client import Client

    url, engine, cfg = server
    index = cfg.index_name
    errors: list[BaseException] = []
    long_replies: list[list] = []
    answers: list[tuple[str, str]] = []

    def long_user():
        try:
            c = Client(url, verbose=False)
            for _ in range(3):
                long_replies.append(ask(c, ONE_MB, index))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def ordinary_user():
        try:
            c = Client(url, verbose=False)
            for q, fact in QUESTIONS * 2:
                c.predict(api_name="/new_chat")
                answers.append((fact, bot_text(ask(c, q, index))))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=long_user)] + [threading.Thread(target=ordinary_user) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not errors, errors
    assert len(answers) == 12 and all(fact in text for fact, text in answers), answers
    assert len(long_replies) == 3
    for chat in long_replies:
        msg = bot_text(chat)
        assert "问题太长" in msg and f"{len(ONE_MB)} 个字符" in msg and "2000" in msg, msg[:300]
        assert "Traceback" not in msg and "\n" not in msg and len(msg) < 300
        assert len(chat[-2]["content"]) <= 201 + 10  # the question is echoed as a short preview only

    # the same message in the interface language, and the textbox itself carries the limit
    with pytest.raises(Exception):
        engine.assistant(index).ask(ONE_MB)
    import httpx

    config = httpx.get(url + "config", timeout=30).json()
    box = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "rag-question")
    assert box["props"]["max_length"] == cfg.max_question_chars


def gradio_temp_copies(name: str) -> list[Path]:
    import gradio as gr

    return list(Path(gr.utils.get_upload_folder()).rglob(name))


@pytest.mark.slow
def test_gradio_temp_copies_of_uploads_are_removed(server, tmp_path):
    """Item 7: accepted and rejected uploads leave no copy in Gradio's temp folder."""
    from gradio_client import Client, handle_file

    url, _, cfg = server
    tag = uuid.uuid4().hex[:8]
    good = tmp_path / f"library-{tag}.txt"
    good.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    bad = tmp_path / f"tool-{tag}.exe"
    bad.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    c = Client(url, verbose=False)
    status, _, docs, _ = c.predict([handle_file(str(good)), handle_file(str(bad))], cfg.index_name,
                                   api_name="/upload")
    assert good.name in status.replace("\\", "") and "'.exe'" in status.replace("\\", "")
    assert (upload_folder(cfg) / good.name).is_file()
    assert gradio_temp_copies(good.name) == [] and gradio_temp_copies(bad.name) == []


@pytest.mark.slow
def test_file_names_are_not_markdown_in_the_status_line(server, tmp_path):
    """Item 10: a name with Markdown (a link, emphasis) and a bidi override is shown as plain text."""
    from gradio_client import Client, handle_file

    url, _, cfg = server
    tag = uuid.uuid4().hex[:6]
    src = tmp_path / f"[点我](evil)_x{tag}_\u202egpj.txt"
    src.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    status, _, docs_html, _ = Client(url, verbose=False).predict([handle_file(str(src))], cfg.index_name,
                                                                 api_name="/upload")
    assert "已索引" in status
    assert "[点我](evil)" not in status, status  # not a link
    assert f"\\[点我\\]\\(evil\\)\\_x{tag}\\_" in status, status
    assert "\u202e" not in status and "\u202e" not in docs_html


@pytest.mark.slow
def test_no_server_paths_in_the_ui(server, tmp_path):
    """Item 10: /documents, the delete dropdown, the page config and the passage panel show paths
    relative to the index's sources; deleting by that path works."""
    import httpx
    from gradio_client import Client, handle_file

    url, engine, cfg = server
    index = cfg.index_name
    secret_parts = {str(Path(cfg.index_dir).resolve()), str(Path(cfg.index_dir).resolve().parent)}
    stored = f"library-{uuid.uuid4().hex[:6]}.txt"
    src = tmp_path / stored
    src.write_text("青湖区图书馆简报\n\n青湖区2024年新建图书馆5座。\n", encoding="utf-8")
    c = Client(url, verbose=False)
    status, _, docs_html, _ = c.predict([handle_file(str(src))], index, api_name="/upload")
    assert "已索引" in status and stored in docs_html

    # /documents over plain HTTP: the table and the dropdown's choices
    r = httpx.post(url + "gradio_api/call/documents", json={"data": [index, "zh"]}, timeout=30)
    stream = httpx.get(url + f"gradio_api/call/documents/{r.json()['event_id']}", timeout=60).text
    page = httpx.get(url + "config", timeout=30).text
    for text in (stream, page, docs_html):
        assert not any(p in text for p in secret_parts), text[:500]
    data = json.loads(next(line[6:] for line in stream.splitlines() if line.startswith("data: ")))
    choices = [v for _, v in next(d for d in data if isinstance(d, dict) and "choices" in d)["choices"]]
    assert "docs/water.txt" in choices and stored in choices

    # the passage panel
    html = bot_text(ask(c, QUESTIONS[0][0], index))
    chunk_id = html.split('data-chunk="', 1)[1].split('"', 1)[0]
    panel = c.predict(chunk_id, index, False, api_name="/passage")
    assert "docs/water.txt" in panel and not any(p in panel for p in secret_parts)

    # delete by the shown path
    status, docs_html, _ = c.predict(stored, index, api_name="/delete_doc")
    assert "已删除" in status and stored not in docs_html
    assert not (upload_folder(cfg) / stored).exists()
    assert engine.documents(index)


@pytest.mark.slow
def test_login_is_throttled(tmp_path):
    """Item 10: the server started with --auth: 20 parallel wrong passwords for one user: some are
    refused without a check; another user still logs in."""
    pytest.importorskip("gradio", reason="the web UI needs gradio: pip install -e '.[ui]'")
    import httpx

    from rag.ui.web import serve

    cfg = small_index(tmp_path)
    port = free_port()
    demo = serve(cfg, port=port, auth="alice:s3cret,bob:pw2", block=False)
    url = f"http://127.0.0.1:{port}/"
    try:
        results: list[tuple[int, str]] = []

        def wrong(i):
            r = httpx.post(url + "login", data={"username": "alice", "password": f"guess{i}"}, timeout=120)
            results.append((r.status_code, r.text))

        threads = [threading.Thread(target=wrong, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        assert len(results) == 20 and all(code == 400 for code, _ in results)
        refused = [text for _, text in results if "too many failed logins" in text]
        assert len(refused) >= 10, results
        ok = httpx.post(url + "login", data={"username": "bob", "password": "pw2"}, timeout=60)
        assert ok.status_code == 200
    finally:
        demo.close()
