"""Question sets in the ``eval/dev.jsonl`` schema; malformed lines are reported with their line number.

>>> qs, errs = parse_lines(['{"id": "q1", "lang": "zh", "question": "多少？", "answer_facts": ["1个"], "gold_quote": "有1个"}', "{oops"])
>>> qs[0].quotes, errs[0].line
(['有1个'], 2)

Deterministic train/val/test splits (about 60/20/20) by a hash of the question's document (its
``report``, ``article`` or ``title`` field, else its id), so all questions about one document land in one
split and nothing leaks between splits; ``by="id"`` splits question by question instead (for a set whose
questions share a handful of documents):

>>> a = Question("a1", "zh", "?", report="doc-7")
>>> b = Question("b9", "en", "?", report="doc-7")
>>> split_of(a) == split_of(b) and split_of(a) in SPLITS
True
>>> split_of(a, by="id") == split_of(Question("a1", "zh", "?", report="other"), by="id")
True
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


@dataclass
class Question:
    id: str
    lang: str
    question: str
    answer_facts: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    report: str = ""
    type: str = ""
    # the document the question is about (report, article or title field): the unit of a split
    document: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.quotes) or bool(self.answer_facts)


@dataclass
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


# fields naming a question's document, in order of preference
DOCUMENT_FIELDS = ("report", "article", "title")
SPLITS = ("train", "val", "test")
SPLIT_BY = ("document", "id")


def split_of(question: Question, by: str = "document") -> str:
    """"train", "val" or "test" (about 60/20/20) from a SHA-1 of the question's document (``by="document"``;
    a question naming no document falls back to its id) or of its id (``by="id"``)."""
    if by not in SPLIT_BY:
        raise ValueError(f"split_by must be one of {', '.join(SPLIT_BY)}, got {by!r}")
    key = (question.document or question.report or question.id) if by == "document" else question.id
    bucket = int.from_bytes(hashlib.sha1(key.encode("utf-8")).digest()[:4], "big") % 100
    return "train" if bucket < 60 else "val" if bucket < 80 else "test"


def in_split(questions: Iterable[Question], split: str | None, by: str = "document") -> list[Question]:
    """The questions of ``split`` (all of them when ``split`` is None)."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    return [q for q in questions if split is None or split_of(q, by) == split]


def _strings(value, name: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise ValueError(f"'{name}' must be a string or a list of strings")


def parse_record(obj) -> Question:
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "question"):
        if not isinstance(obj.get(key), (str, int)) or not str(obj.get(key)).strip():
            raise ValueError(f"missing or empty '{key}'")
    lang = obj.get("lang", "")
    if lang not in ("zh", "en", ""):
        raise ValueError(f"'lang' must be 'zh' or 'en', got {lang!r}")
    return Question(
        id=str(obj["id"]),
        lang=lang or "",
        question=str(obj["question"]).strip(),
        answer_facts=_strings(obj.get("answer_facts"), "answer_facts"),
        quotes=_strings(obj.get("gold_quote"), "gold_quote"),
        report=str(obj.get("report", "") or ""),
        type=str(obj.get("type", "") or "") or ("unanswerable" if not obj.get("gold_quote") else ""),
        document=next((str(obj[k]) for k in DOCUMENT_FIELDS if isinstance(obj.get(k), (str, int)) and str(obj[k])),
                      ""),
    )


def parse_lines(lines: Iterable[str]) -> tuple[list[Question], list[LineError]]:
    questions: list[Question] = []
    errors: list[LineError] = []
    seen: set[str] = set()
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            q = parse_record(json.loads(line))
            if q.id in seen:
                raise ValueError(f"duplicate id {q.id!r}")
            seen.add(q.id)
            questions.append(q)
        except json.JSONDecodeError as exc:
            errors.append(LineError(no, f"invalid JSON ({exc.msg})"))
        except ValueError as exc:
            errors.append(LineError(no, str(exc)))
    return questions, errors


class QuestionFileError(ValueError):
    """A question file that can't be read: missing, a folder, not UTF-8 (one line naming the file)."""


def load_questions(path: str | Path) -> tuple[list[Question], list[LineError]]:
    """Parse a JSONL question file; raises :class:`QuestionFileError` when it can't be read at all."""
    path = Path(path)
    if path.is_dir():
        raise QuestionFileError(f"{path} is a folder, not a question file (give a .jsonl file)")
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionFileError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise QuestionFileError(f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                                "save it as UTF-8") from None
    return parse_lines(text.splitlines())
