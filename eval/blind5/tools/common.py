"""Shared helpers for the blind5 build scripts and checker (standard library only)."""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BLIND5 = os.environ.get("BLIND5_DIR") or os.path.dirname(HERE)
PROJECT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # eval/blind5/tools -> project
SHARED = os.path.join(os.path.dirname(PROJECT), "shared")

CORPORA = {
    "cmrc": os.path.join(SHARED, "ext", "cmrc-trial", "corpus"),
    "xquad": os.path.join(SHARED, "ext", "xquad-public", "corpus"),
    "judicial5": os.environ.get("JUDICIAL5_DIR") or os.path.join(PROJECT, "eval", "corpora", "judicial5"),
}
EXT = {"cmrc": ".txt", "xquad": ".txt", "judicial5": ".md"}


def doc_path(corpus, report):
    return os.path.join(CORPORA[corpus], report + EXT[corpus])


_cache = {}


def doc(corpus, report):
    key = (corpus, report)
    if key not in _cache:
        with open(doc_path(corpus, report), encoding="utf-8") as f:
            _cache[key] = f.read()
    return _cache[key]


_END = "。！？!?\n"


def sent(text, anchor):
    """The sentence of `text` that contains `anchor` (which must occur exactly once)."""
    n = text.count(anchor)
    assert n == 1, f"anchor occurs {n} times: {anchor!r}"
    i = text.index(anchor)
    a = i
    while a > 0 and text[a - 1] not in _END:
        a -= 1
    while a < i and text[a] in "」”’）) ":  # a closing mark left over from the previous sentence
        a += 1
    b = i + len(anchor)
    if not anchor or anchor[-1] not in _END:
        while b < len(text) and text[b] not in _END:
            b += 1
        # include the closing punctuation
        if b < len(text) and text[b] in "。！？!?":
            b += 1
    # and a closing quote or bracket right after it
    while b < len(text) and text[b] in "」”’）)":
        b += 1
    return text[a:b].strip()


def para(text, anchor):
    """The whole line (paragraph) of `text` that contains `anchor` (exactly once)."""
    n = text.count(anchor)
    assert n == 1, f"anchor occurs {n} times: {anchor!r}"
    i = text.index(anchor)
    a = text.rfind("\n", 0, i) + 1
    b = text.find("\n", i)
    return text[a:b if b >= 0 else len(text)].strip()


def write_jsonl(name, rows):
    path = os.path.join(BLIND5, name)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {path}")


def number(rows, prefix):
    """Give ids prefix-{a,u}-{lang}-NN, numbered per (kind, lang) in order."""
    counters = {}
    out = []
    for r in rows:
        kind = "u" if r["type"] == "unanswerable" else "a"
        k = (kind, r["lang"])
        counters[k] = counters.get(k, 0) + 1
        out.append({"id": f"{prefix}-{kind}-{r['lang']}-{counters[k]:02d}", **r})
    return out


def quote(text, anchor):
    """An anchor starting with '¶' picks the whole line (para); otherwise one sentence (sent)."""
    return para(text, anchor[1:]) if anchor.startswith("¶") else sent(text, anchor)


def quotes_for(text, anchors):
    qs = [quote(text, a) for a in anchors]
    return qs[0] if len(qs) == 1 else qs
