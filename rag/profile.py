"""Domain profiles: what the answerer knows about a *kind* of document, as a TOML file a user can read,
edit and extend, never as words in the code.

The code knows the language (question words, units, negations); a profile knows a genre: the filler
words its questions use without naming anything (政府, 报告, 预算 in questions about government reports),
the corpus' home place (a question about "Chongqing's GDP" over Chongqing's reports names nothing by
"Chongqing"), pairs of scopes a figure can be given for (全市 / 市级: the whole city or the city
government's own budget), the labels of its report kinds for English answers, and its English-Chinese
glossary (the keyword bridge of an index is built with it).

Bundled profiles live in ``rag/profiles/`` (``general``: linguistic defaults only; ``gov-report``: Chinese
government work, budget and plan reports; ``law``: laws and regulations asked about in everyday words, whose
``synonyms`` take a question's 老板 to the statute's 用人单位); any other profile is a path to a TOML file. Every profile
extends ``general``; ``extends = "gov-report"`` (or a path, relative to the file) builds on another one:
lists and tables add to the parent's. The keys are documented in ``rag/profiles/general.toml``.

>>> p = load_profile("gov-report")
>>> p.name, p.scopes[0].wide, p.scopes[0].narrow, p.scopes[0].prefer
('gov-report', '全市', '市级', 'wide')
>>> "预算" in p.question_words, "chongqing" in p.generic_en, p.report_label("关于2024年预算草案的报告")
(True, True, 'budget report')
>>> load_profile("general").scopes, load_profile("general").glossary()
((), ())
"""

from __future__ import annotations

import hashlib
import re
import threading
import tomllib
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping

from rag.config import ConfigError
from rag.lexicon import read_glossary

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_PROFILE = "general"

# the keys a profile file may hold (anything else is a typo: an error, not silently ignored)
_LIST_KEYS = ("question_words", "question_words_en", "home_words", "glossary")
_TABLE_KEYS = ("glossary_entries", "report_kinds", "synonyms")
_KEYS = frozenset(("extends", "description", "scopes") + _LIST_KEYS + _TABLE_KEYS)
_SCOPE_KEYS = frozenset({"wide", "narrow", "wide_en", "narrow_en", "prefer"})
_PREFER = ("wide", "narrow", "")
_LATIN = re.compile(r"[a-z0-9]")


class ProfileError(ConfigError):
    """A profile that cannot be found or read, or holds an unknown key or a bad value (one line)."""


@dataclass(frozen=True, eq=False)
class ScopePair:
    """Two scopes a figure of the genre is given for: ``wide`` (全市: the whole city) and ``narrow``
    (市级: the municipal level), each with its English wordings; ``prefer`` is the side a question that
    names neither means ("wide", "narrow" or "": no preference).

    >>> s = ScopePair("全市", "市级", ("city-wide", "whole city"), ("municipal-level", "municipal"), "wide")
    >>> s.side("全市收入2441亿元"), s.side("全市和市级"), s.mentioned("What was municipal spending?")
    ('全市', None, {'市级'})
    """

    wide: str
    narrow: str
    wide_en: tuple[str, ...] = ()
    narrow_en: tuple[str, ...] = ()
    prefer: str = ""

    @property
    def preferred(self) -> str | None:
        return self.wide if self.prefer == "wide" else self.narrow if self.prefer == "narrow" else None

    @property
    def other(self) -> str | None:
        """The side an unscoped question does not mean (None without a preference)."""
        return self.narrow if self.prefer == "wide" else self.wide if self.prefer == "narrow" else None

    def side(self, text: str) -> str | None:
        """The scope a Chinese text speaks of: the one side it names, None for both or neither."""
        wide, narrow = self.wide in text, self.narrow in text
        return self.narrow if narrow and not wide else self.wide if wide and not narrow else None

    def wordings(self, side: str) -> tuple[str, ...]:
        """Every way of writing ``side``: its Chinese word, then its English wordings."""
        return (self.wide, *self.wide_en) if side == self.wide else (self.narrow, *self.narrow_en)

    @cached_property
    def _en_patterns(self) -> dict[str, re.Pattern]:
        return {side: _words_pattern(en) for side, en in ((self.wide, self.wide_en), (self.narrow, self.narrow_en))}

    def mentioned(self, text: str) -> set[str]:
        """The sides ``text`` names, in Chinese or (case-insensitively) in English."""
        low = text.lower()
        out = set()
        for side in (self.wide, self.narrow):
            pattern = self._en_patterns[side]
            if side in text or (pattern is not None and pattern.search(low)):
                out.add(side)
        return out

    def words(self) -> tuple[str, ...]:
        """Every wording of both sides."""
        return self.wordings(self.wide) + self.wordings(self.narrow)


def _words_pattern(phrases) -> re.Pattern | None:
    """Any of ``phrases`` as whole words (lower case), longest first."""
    phrases = sorted({p.lower() for p in phrases if p}, key=lambda p: (-len(p), p))
    if not phrases:
        return None
    return re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z])")


@dataclass(frozen=True, eq=False)
class Profile:
    """A loaded profile (its whole ``extends`` chain merged). Compared and cached by identity."""

    name: str  # a bundled name, or the absolute path of the user's file
    sha256: str = ""  # of the files it was read from (the chain and its glossary files)
    description: str = ""
    question_words: frozenset[str] = frozenset()  # Chinese filler words of the genre's questions
    question_words_en: frozenset[str] = frozenset()  # English ones (lower case)
    home_words: frozenset[str] = frozenset()  # the corpus' home place, Chinese and English (lower case)
    scopes: tuple[ScopePair, ...] = ()
    report_kinds: tuple[tuple[str, str], ...] = ()  # (word in a report title, English label), first match wins
    glossary_files: tuple[Path, ...] = ()
    glossary_entries: tuple[tuple[str, str], ...] = ()  # (english phrase, Chinese term) given in the file itself
    # (a question's everyday Chinese word, the documents' terms for it): 老板 -> 用人单位
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    files: tuple[Path, ...] = field(default=(), repr=False)  # the chain, parent first

    # -- derived -------------------------------------------------------------------------------
    @cached_property
    def zh_generic(self) -> frozenset[str]:
        """Chinese words of a question that name nothing to look for: the genre's fillers and home words."""
        return self.question_words | frozenset(w for w in self.home_words if not w.isascii())

    @cached_property
    def generic_en(self) -> frozenset[str]:
        """English words of a question that name nothing to look for (fillers and home words)."""
        return self.question_words_en | frozenset(w for w in self.home_words if w.isascii())

    @cached_property
    def en_stop(self) -> frozenset[str]:
        """English home words (and their stems): never part of a bridged phrase or a gloss."""
        from rag.lexicon import stem

        words = frozenset(w for w in self.home_words if w.isascii())
        return words | frozenset(stem(w) for w in words)

    @cached_property
    def scope_words(self) -> frozenset[str]:
        """Every scope wording: Chinese words and English wordings in the bridge's stemmed form."""
        from rag.lexicon import en_words

        out: set[str] = set()
        for pair in self.scopes:
            for w in pair.words():
                out.add(w if not w.isascii() else " ".join(en_words(w)))
        return frozenset(out)

    @cached_property
    def _synonyms_longest_first(self) -> list[tuple[str, tuple[str, ...]]]:
        return sorted(self.synonyms, key=lambda x: -len(x[0]))

    def synonyms_in(self, text: str) -> list[tuple[str, int, tuple[str, ...]]]:
        """The everyday words of ``synonyms`` in ``text``: (word, offset, the documents' terms), longest
        first where two overlap, in the order of the text. A match that cuts through a word of the text is
        none (走人 in 行人走人行道: 人行道; 过期 in 超过期限), nor is a Latin key inside a longer Latin word (app in
        "appeal"). Latin letters match in any case (the words are kept in lower case; offsets are the text's).

        >>> p = Profile("t", synonyms=(("老板", ("用人单位",)), ("辞职", ("解除劳动合同",)), ("辞", ("x",)),
        ...                            ("走人", ("y",)), ("app", ("个人信息处理者",))))
        >>> p.synonyms_in("老板不让我辞职")
        [('老板', 0, ('用人单位',)), ('辞职', 5, ('解除劳动合同',))]
        >>> p.synonyms_in("行人走人行道"), p.synonyms_in("Can I appeal?"), p.synonyms_in("这个App收集信息")
        ([], [], [('app', 2, ('个人信息处理者',))])
        """
        if not self.synonyms:
            return []
        low = text.lower() if len(text.lower()) == len(text) else text  # (offsets must stay the text's)
        from rag.lexicon import jieba_module

        words = [(a, b) for _, a, b in jieba_module().tokenize(low)]
        found: list[tuple[str, int, tuple[str, ...]]] = []
        taken = [False] * len(low)
        for word, terms in self._synonyms_longest_first:
            start = low.find(word)
            while start >= 0:
                end = start + len(word)
                if word.isascii():  # a whole Latin word
                    cuts = bool(_LATIN.match(low[end:end + 1]) or (start and _LATIN.match(low[start - 1])))
                else:  # no word of the text cut
                    cuts = any(a < start < b or a < end < b for a, b in words)
                if terms and not cuts and not any(taken[start:end]):
                    found.append((word, start, terms))
                    taken[start:end] = [True] * len(word)
                start = low.find(word, start + 1)
        return sorted(found, key=lambda x: x[1])

    def scope_pair(self, scope: str | None) -> ScopePair | None:
        return next((p for p in self.scopes if scope in (p.wide, p.narrow)), None)

    def report_label(self, title: str) -> str | None:
        """The English label of the first report kind whose word is in ``title``."""
        return next((label for key, label in self.report_kinds if key in title), None)

    def glossary(self) -> tuple[tuple[str, str], ...]:
        """(English phrase, Chinese term) of the glossary files, then of ``glossary_entries``."""
        return self._glossary

    @cached_property
    def _glossary(self) -> tuple[tuple[str, str], ...]:
        return _read_glossaries(self.glossary_files) + self.glossary_entries

    def record(self) -> dict[str, str]:
        """What an index's manifest records: ``{"name", "sha256"}``."""
        return {"name": self.name, "sha256": self.sha256}

    @contextmanager
    def bridge_terms(self) -> Iterator[None]:
        """Within the block (this thread), the keyword bridge and gloss index are built with this
        profile's glossary and home words (see :func:`rag.bridge.profile_terms`)."""
        from rag.bridge import profile_terms

        with profile_terms(self.glossary(), self.en_stop):
            yield


# -- loading ---------------------------------------------------------------------------------------
def bundled_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))


def profile_path(name_or_path: str | Path, base: Path | None = None) -> Path:
    """The file of a bundled profile name, or ``name_or_path`` as a path (relative to ``base``)."""
    text = str(name_or_path).strip()
    if not text:
        raise ProfileError("empty profile name")
    looks_like_path = isinstance(name_or_path, Path) or "/" in text or "\\" in text or text.endswith(".toml")
    if not looks_like_path:
        path = PROFILES_DIR / f"{text}.toml"
        if path.is_file():
            return path
        raise ProfileError(f"unknown profile {text!r}: use one of {', '.join(bundled_profiles())} or a path "
                           f"to a .toml file")
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    path = path.resolve()
    if not path.is_file():
        raise ProfileError(f"profile file not found: {path}")
    return path


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """The profile ``name_or_path`` (a bundled name such as ``gov-report``, or a path to a TOML file;
    default ``general``) with its ``extends`` chain merged. :class:`ProfileError` (one line) for an unknown
    name, a missing or invalid file, an unknown key or a bad value."""
    path = profile_path(name_or_path or DEFAULT_PROFILE)
    with _CACHE_LOCK:
        cached = _CACHE.get(str(path))
    if cached is not None and _stamp(cached[1]) == cached[0]:
        return cached[1]
    profile = _load(str(path))
    with _CACHE_LOCK:
        _CACHE[str(path)] = (_stamp(profile), profile)
    return profile


# loaded profiles by file, with the size and mtime of every file they were read from: a profile is read
# again when one of its files (its chain, its glossaries) changes
_CACHE: dict[str, tuple[tuple, Profile]] = {}
_CACHE_LOCK = threading.Lock()


def _stamp(profile: Profile) -> tuple:
    out = []
    for f in profile.files + profile.glossary_files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None))
    return tuple(out)


def _load(path: str) -> Profile:
    chain = _chain(Path(path), ())
    merged: dict[str, Any] = {}
    for file, data in chain:
        _merge(merged, data, file)
    bundled = Path(path).parent == PROFILES_DIR
    name = Path(path).stem if bundled else path
    digest = hashlib.sha256()
    for file, _ in chain:
        digest.update(file.read_bytes())
    glossary_files = tuple(dict.fromkeys(merged.get("glossary", [])))
    for g in glossary_files:
        digest.update(g.read_bytes())
    return Profile(
        name=name, sha256=digest.hexdigest(), description=merged.get("description", ""),
        question_words=frozenset(merged.get("question_words", [])),
        question_words_en=frozenset(w.lower() for w in merged.get("question_words_en", [])),
        home_words=frozenset(w.lower() for w in merged.get("home_words", [])),
        scopes=tuple(merged.get("scopes", {}).values()),
        report_kinds=tuple(merged.get("report_kinds", [])),
        glossary_files=glossary_files,
        glossary_entries=tuple(merged.get("glossary_entries", [])),
        synonyms=tuple((w, tuple(terms)) for w, terms in merged.get("synonyms", {}).items()),
        files=tuple(f for f, _ in chain))


def _chain(path: Path, seen: tuple[Path, ...]) -> list[tuple[Path, dict]]:
    """[(file, checked data)] from ``general`` down to ``path``."""
    if path in seen:
        raise ProfileError(f"profile {path}: 'extends' loops back to itself")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"profile {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ProfileError(f"profile {path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {path}: invalid TOML ({exc})") from None
    data = _check(data, path)
    general = PROFILES_DIR / f"{DEFAULT_PROFILE}.toml"
    parent = data.get("extends")
    if parent is None and path != general:
        parent = DEFAULT_PROFILE
    if not parent:
        return [(path, data)]
    try:
        parent_path = profile_path(parent, base=path.parent)
    except ProfileError as exc:
        raise ProfileError(f"profile {path}: extends {parent!r}: {exc}") from None
    return _chain(parent_path, seen + (path,)) + [(path, data)]


def _check(data: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """Validate the keys and value types of one profile file; glossary file names become paths."""
    def bad(key: str, what: str) -> ProfileError:
        return ProfileError(f"profile {path}: {key}: {what}")

    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ProfileError(f"profile {path}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    out: dict[str, Any] = {}
    for key in ("extends", "description"):
        if key in data:
            if not isinstance(data[key], str):
                raise bad(key, f"expected a string, got {data[key]!r}")
            out[key] = data[key]
    for key in _LIST_KEYS:
        if key in data:
            value = data[key]
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise bad(key, f"expected a list of non-empty strings, got {value!r}")
            out[key] = [v.strip() for v in value]
    if "glossary" in out:
        out["glossary"] = [_glossary_path(g, path, bad) for g in out["glossary"]]
    if "report_kinds" in data:
        kinds = data["report_kinds"]
        if not isinstance(kinds, dict) or not all(isinstance(k, str) and k and isinstance(v, str) and v.strip()
                                                  for k, v in kinds.items()):
            raise bad("report_kinds", "expected a table of \"word in a title\" = \"English label\"")
        out["report_kinds"] = [(k, v.strip()) for k, v in kinds.items()]
    if "glossary_entries" in data:
        entries = data["glossary_entries"]
        pairs = []
        if not isinstance(entries, dict):
            raise bad("glossary_entries", "expected a table of \"english phrase\" = \"中文\" or [\"中文\", ...]")
        for en, zh in entries.items():
            terms = [zh] if isinstance(zh, str) else zh
            if not (isinstance(terms, list) and terms and all(isinstance(t, str) for t in terms)):
                raise bad("glossary_entries", f"{en!r}: expected a Chinese term or a list of them, got {zh!r}")
            for t in (x.strip() for term in terms for x in term.split(",")):
                if t:
                    pairs.append((en.strip().lower(), t))
        out["glossary_entries"] = pairs
    if "synonyms" in data:
        table = data["synonyms"]
        if not isinstance(table, dict):
            raise bad("synonyms", "expected a table of \"everyday word\" = \"the documents' term\" or [\"term\", ...]")
        syn: dict[str, list[str]] = {}
        for word, terms in table.items():
            terms = [terms] if isinstance(terms, str) else terms
            if not (word.strip() and isinstance(terms, list) and terms
                    and all(isinstance(t, str) and t.strip() for t in terms)):
                raise bad("synonyms", f"{word!r}: expected a Chinese term or a list of them, got {table[word]!r}")
            key = unicodedata.normalize("NFKC", word.strip()).lower()
            syn[key] = list(dict.fromkeys(syn.get(key, []) + [t.strip() for t in terms if t.strip().lower() != key]))
        out["synonyms"] = syn
    if "scopes" in data:
        scopes = data["scopes"]
        if not isinstance(scopes, list) or not all(isinstance(s, dict) for s in scopes):
            raise bad("scopes", "expected [[scopes]] tables")
        out["scopes"] = [_scope(s, bad) for s in scopes]
    return out


def _scope(s: Mapping[str, Any], bad) -> ScopePair:
    unknown = sorted(set(s) - _SCOPE_KEYS)
    if unknown:
        raise bad("scopes", f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_SCOPE_KEYS))})")
    for key in ("wide", "narrow"):
        if not isinstance(s.get(key), str) or not s[key].strip():
            raise bad("scopes", f"each scope needs '{key}' (a Chinese word), got {s.get(key)!r}")
    if s["wide"].strip() == s["narrow"].strip():
        raise bad("scopes", f"'wide' and 'narrow' are the same word {s['wide']!r}")
    for key in ("wide_en", "narrow_en"):
        v = s.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise bad("scopes", f"{key}: expected a list of English wordings, got {v!r}")
    prefer = s.get("prefer", "")
    if prefer not in _PREFER:
        raise bad("scopes", f"prefer: expected \"wide\", \"narrow\" or \"\", got {prefer!r}")
    return ScopePair(s["wide"].strip(), s["narrow"].strip(), tuple(x.strip() for x in s.get("wide_en", [])),
                     tuple(x.strip() for x in s.get("narrow_en", [])), prefer)


def _glossary_path(name: str, profile: Path, bad) -> Path:
    """A glossary file named by a profile: relative to the profile's folder, else in ``rag/data``."""
    p = Path(name).expanduser()
    for candidate in ([p] if p.is_absolute() else [profile.parent / p, DATA_DIR / p]):
        if candidate.is_file():
            return candidate.resolve()
    raise bad("glossary", f"file not found: {name} (looked next to the profile and in {DATA_DIR})")


def _merge(into: dict[str, Any], data: Mapping[str, Any], path: Path) -> None:
    """Add one file's values to the merged profile (parent first): lists and tables grow, a child's
    report kinds come before its parent's (more specific first), a child's scope pair replaces the
    parent's pair of the same two words, ``description`` is the child's."""
    if "description" in data:
        into["description"] = data["description"]
    for key in ("question_words", "question_words_en", "home_words", "glossary", "glossary_entries"):
        if key in data:
            into[key] = list(dict.fromkeys(into.get(key, []) + data[key]))
    if "report_kinds" in data:
        into["report_kinds"] = list(dict.fromkeys(data["report_kinds"] + into.get("report_kinds", [])))
    if "synonyms" in data:
        syn = dict(into.get("synonyms", {}))
        for word, terms in data["synonyms"].items():
            syn[word] = list(dict.fromkeys(syn.get(word, []) + terms))
        into["synonyms"] = syn
    if "scopes" in data:
        scopes = dict(into.get("scopes", {}))
        for s in data["scopes"]:
            scopes[(s.wide, s.narrow)] = s
        into["scopes"] = scopes


def _read_glossaries(files: tuple[Path, ...]) -> tuple[tuple[str, str], ...]:
    """(English phrase, Chinese term) of glossary files: ``english phrase<TAB>中文1,中文2`` lines, ``#``
    comments."""
    out: list[tuple[str, str]] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"glossary {path}: {exc}") from None
        out += read_glossary(text)
    return tuple(out)


# -- which profile an index uses ---------------------------------------------------------------------
def index_profile(manifest: Mapping[str, Any] | None, requested: str | Path | None = None) -> Profile:
    """The profile to read an index with: ``requested`` when given, else the one its manifest records,
    else the one its sources imply (the bundled sample corpus: :data:`rag.config.SAMPLE_PROFILE`),
    else ``general``."""
    if requested:
        return load_profile(requested)
    manifest = manifest or {}
    recorded = manifest.get("profile")
    if isinstance(recorded, dict) and isinstance(recorded.get("name"), str) and recorded["name"]:
        try:
            return load_profile(recorded["name"])
        except ProfileError as exc:
            raise ProfileError(f"the index was built with profile {recorded['name']!r}, which cannot be read "
                               f"({exc}); give --profile NAME|PATH or rebuild the index") from None
    return load_profile(default_for_sources(manifest.get("sources") or []))


def default_for_sources(sources) -> str:
    """``gov-report`` for an index of nothing but the bundled sample corpus, else ``general``."""
    from rag.config import SAMPLE_CORPUS, SAMPLE_PROFILE

    sources = [str(s) for s in sources]
    sample = {str(SAMPLE_CORPUS), str(SAMPLE_CORPUS.resolve())}
    if sources and all(s in sample for s in sources):
        return SAMPLE_PROFILE
    return DEFAULT_PROFILE
