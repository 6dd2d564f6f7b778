"""Fit the offline answerer's selector (``rag/data/selector.json``) on question sets of several corpora.

    .venv/bin/python eval/fit_selector.py                       # features (cached) -> fit -> report -> save
    .venv/bin/python eval/fit_selector.py --no-save             # report only
    .venv/bin/python eval/fit_selector.py --rebuild-features    # recompute the cached feature rows

Data (see POOLS): the sample gazette's question sets and eval/train/law-train.jsonl (three laws, user-style
questions; both split by question id, so questions on one article can fall in two splits), XQuAD zh/en and CMRC 2018
(split by article/passage, so no article is in two splits) and the near-miss unanswerable questions of
``eval/blind/xquad-nearmiss.jsonl`` and ``cmrc-nearmiss.jsonl`` (split the same way; their first runs are
recorded in eval/blind/FIRST_RUN.md, they are training data since). Every question is retrieved and its
candidate sentences are built exactly as the offline answerer builds them (``OfflineAnswerer.candidates``);
each candidate's features come from :mod:`rag.answer.selector`; a candidate is positive when it contains
every answer fact.

1. ``rank`` model: a conditional logit over the candidates of answerable *train* questions.
2. ``answer`` model: for every train question whose best candidate (by the rank model) no refusal check
   vetoes, the features of that candidate;
   label 1 when the question is answerable and that candidate holds the facts, else 0 (unanswerable, or the
   wrong sentence picked: a refusal beats a wrong answer); each pool weighs the same.
3. ``topic`` model: is the question about these documents at all? Answerable questions (1) against the
   off-topic ones (0: ``eval/offtopic/``, another genre's questions asked of each corpus, made by
   ``eval/make_offtopic.py``) of the train split, on question-level features (:func:`rag.answer.selector.topic_row`:
   the share of the question the whole corpus never mentions, the English words with no Chinese term, the best
   embedding similarity and word overlap of any candidate sentence, how far the closest chunk stands out of the
   dense ranking), each also times "English"; a threshold
   per language (``min_topic``), the highest that refuses at most ``--max-topic-refusal`` (1%) of each corpus'
   answerable questions of that language on validation and on train+validation. It replaces the hand-set
   corpus-absence gate (refuse when 75% of the question is in no document), which refused 0 of the 44 gazette
   and 1 of the 160 Wikipedia and law near misses it was meant for, 56% of off-topic Chinese questions and 0% of
   English ones, and a quarter of the citizen questions over two laws (a question in everyday words shares few
   words with a statute).
4. ``min_confidence``: the threshold on the answer probability that maximises, on *validation*, the share of
   answerable questions answered right plus the share of unanswerable ones refused, refusing at most
   ``--max-false-refusal`` of each corpus' answerable validation questions and of its train and validation
   questions together (corpora with at least 25; ``--false-refusal-on val``: validation alone, as before session 8).
5. The *test* split is reported, not used for a decision (one exception, recorded below: the false-refusal cap
   on train+validation). The sealed sets (eval/blind/ company, gazette-blind
   and law; eval/blind2/) are never read here.

(Tried and left out, 2026-12-07: unanswerable rows made from answerable questions by cutting the answering
sentences out of their passages — the answer model refused 21-26% of them at 5% false refusal, and the real
near misses no better: AUC .72 with them, .745 without. And a vetoed best sentence giving way to the next
unvetoed one of the best three: dev English answers +1, but the gazette's unanswerable questions refused
fell from 4/6 to 1/6 on dev and from 23% to 8% on its test split.
Tried and left out, 2026-12-07, later: sign priors on the rank model's weights (``--sign-priors``, RANK_SIGNS):
best sentence right on validation gazette .80 -> .84, XQuAD zh .825 -> .81, CMRC .68 -> .67 (neutral), and on
the test split XQuAD zh .74 -> .70, CMRC .72 -> .69; every pool weighing the same in the rank model
(``--pool-weights``): gazette val .88, XQuAD zh .78, CMRC .65; leaving out sent_coverage or coverage: within
one question of the full model on every validation pool. In the rank model's misses on CMRC and XQuAD the
picked sentence holds more of the question than the answering one and sits closer in the embedding: the
answering sentence paraphrases or points back, which lexical features can't see. Nor does the question's
similarity to the sentence together with the one before it (the normalised sum of their vectors, no extra
embedding) help: best sentence right on validation the same on every pool but XQuAD zh, .825 -> .81; nor a
"focus word" feature (the question's content word next to its question word, 目标 in 目标是什么, found in the
sentence): validation unchanged on every pool; nor leaving an English question's bridged Chinese terms out of
the sentence's answer slot for the answer-type features (59 of 15,519 XQuAD en candidates changed; validation
unchanged).)

Kept, 2026-12-07: ``sent_cov_x_sectioned``, a sentence's own coverage of the question when its passage sits under
two or more levels of headings (a report, a law; the flat Wikipedia passages have none). The unconstrained fit
gives sentence coverage a negative weight beside the positive coverage-with-context ones — right for flat
articles, whose answering sentence points back to a topic it doesn't repeat, wrong under headings, where the
sentence with the asked quantity says so ("revenue ... forecast": 收入预计, not 支出安排). Best sentence right on
validation: gazette .80 -> .88, law-train .17 -> .42, XQuAD en .725 -> .713, XQuAD zh and CMRC unchanged.

Kept, 2026-12-07 (session 8): ``asked_cov`` / ``asked_window``, the sentence's (and with the one before it) coverage
of the question's concepts that its document's title and section path do not name: what is asked about the
topic, not the topic (发起MIT OpenCourseWare的目标 -> 目标; 《鳄鱼泪》是谁主演的 -> 主演), which a Wikipedia
article's answering sentence states while pointing back to the topic by a pronoun. For passages in flat articles
only (0 under two or more levels of headings, where the headings scope every sentence, as for
sent_cov_x_sectioned); in the rank model (in the answer model too: val objective .938 instead of .941). Best
sentence right on validation: CMRC .677 -> .794, XQuAD zh .825 -> .812 (one question), gazette, XQuAD en and
law-train unchanged; val objective .910 -> .941, threshold 0.05 -> 0.07.
The cap on false refusal now holds per corpus on train+validation questions as well as on validation alone (0.04,
val objective .892): with the 0.07 of the validation-only cap, XQuAD en's test split refused 5.7% of its
answerable questions (0% on validation, 2% on train), and the laws (12 validation questions) were never
constrained. Decided after seeing that test number; the reason is the sample size per corpus.
Refitted after a review (same session): a question naming nothing but its document's topic (青湖公园是什么？)
counts all its concepts as asked (it scored the article's own sentences 0), a title that reads as a sentence (a
plain text file's first line) is no topic, 哪几 asks which ones (not how many: no quantity trimming; 哪几位 a
person, 哪几个国家 a place, 哪几年 a date), 几乎 asks no number, and a full stop after an initial ("Andrew W.
Mellon") or a title ("Dr.") ends no sentence. Best sentence right on validation: CMRC .819, XQuAD zh .787, XQuAD
en .725, gazette .880, law-train .417; threshold 0.05. The rank model's L2 strength (0.5) checked on validation
then: 0.05 the same; 2, 8, 32 within one to four questions per pool, up on XQuAD and down on CMRC (8: XQuAD zh
.812, en .750, CMRC .806, gazette .840); kept.
Kept, 2026-12-07 (session 9): ``months_agree``, the share of the question's year-and-month dates (1984年6月至1985年1月,
June 1984) that the sentence names, beside the year-level ``years_agree``: a biography's career lines share the
years and differ by month. Best sentence right on validation unchanged but for CMRC train .824 -> .825; the
offline answers (rag eval, train / validation): CMRC .907 -> .910 / .858 -> .871, other pools unchanged;
threshold 0.05 -> 0.04. Refitted before it (same session) because 为什么/为何/何时/怎么样/多久 became question
words instead of concepts (为什么 was a question concept no sentence has): validation within one question per
pool (CMRC .865 -> .858 with the description runs of rag.answer.extractive.run_of). After a review (same
session) months_agree is 0/1, so the indicator scale floor bounds it (as a share set in 0.07% of the candidates it
had a scale of 0.03 and swung a score by 14 logits; now about 7), English months are capitalised names; refitted:
threshold 0.05, rag eval validation CMRC .871, XQuAD zh .863 (with 是什么 after X的Y no longer a description), en
.838.
Tried and left out (session 9): an English question's dense and coverage features as separate rank features
(dense, dense_gap, coverage, sent_coverage times "the question is English"): best sentence right on validation
CMRC .819 -> .845, XQuAD zh .787 -> .800, XQuAD en .725 the same, but the offline answers (rag eval) no better
on validation (XQuAD zh .887 -> .875, CMRC .871 and XQuAD en .838 the same) and the gazette's held-out English
answers one fewer right. And the keyword bridge keying each comma-separated part of a CC-CEDICT sense
("Baghdad, capital of Iraq" -> baghdad; 5,024 -> 5,227 phrases over XQuAD): answers on the train and validation
splits the same, XQuAD en train hit@5 .946 -> .944; not worth rebuilding every index.
Kept, 2026-12-07 (session 10): the topic model (3. above). On the off-topic questions' test split (rag eval
eval/suites/offtopic.toml --split test; law-train, gazette, XQuAD, CMRC) Chinese ones refused .96 / .97 / .97 /
.83, English ones .30 / .22 / .16 / .06 (the corpus-absence gate before it: zh .71 / .63 / .63 / .29, en .14 /
.03 / .13 / .06); answerable refused on the public test splits XQuAD zh 0.8% -> 2.5% (2 of 122; 0% on
validation), XQuAD en 1.6%, CMRC 1.9% -> 1.4%. English questions stay hard: an English
word reaches some Chinese term of almost any corpus through the dictionary, and an English question sits
farther from the Chinese text in the embedding whether it is on topic or not (the topic model's AUC on
validation: zh .999, en .86); its English floor (0.01) refuses 12-16% of them. The rank and answer models are
unchanged (the off-topic questions are left out of the answer model's rows and of the min_confidence objective).
Tried with it: the corpus-absence share as a feature of the answer model with the off-topic questions among its
unanswerable rows (one decision instead of two): the threshold fell to 0.02 and off-topic questions refused
28-49%, near misses fewer.
Tried and left out with it (session 10): the keyword ranking's fusion weight scaled by the share of a Chinese
question's keyword tokens the corpus uses (cubed; chosen on train + validation retrieval): hit@1/hit@5 up a
little on every Chinese pool (law3 hit@5 .70 -> .80, validation XQuAD zh hit@1 .875 -> .887, CMRC .858 ->
.871) and answers on validation CMRC .871 -> .884, but off-topic Chinese questions then retrieve the passages
closest in the embedding and look on topic: refused on validation .74 -> .48 (CMRC), .89 -> .82 (XQuAD), and the
topic floor fell from 0.20 to 0.09. English questions scaled the same way lost (gazette dev hit@1 .63 -> .52). Nor did a topic feature of coverage
times the share of an English question's words that reached a Chinese term help English off-topic questions
(validation refused .115 either way; the English floor stays 0.01, held by XQuAD en).
Tried before it: the same features for every passage (validation CMRC .787, law-train .333, threshold 0.10, and
one more gazette dev English question wrong) and, with them, the Chinese terms of an English title's words
through the index's bridge counted as topic (XQuAD's titles are English; validation XQuAD zh .812 -> .787,
XQuAD en .713 -> .675, CMRC .787 -> .768). A gradient-boosted rank model (scikit-learn's HistGradientBoosting on
the rank features and each feature's rank within its question) was no better than the conditional logit on
validation before these features (CMRC .677 -> .677-.703, XQuAD zh .825 -> .76-.79).

Kept, 2026-12-07 (session 11): three topic features of the dense ranking's spread (``spread_10``, ``spread_mean``,
``spread_last``: the closest chunk's score minus the 10th's, the mean's and the last's of the 50 closest,
:func:`rag.retrieve.dense_spread`; front matter and a minority script's own chunks, which a search ranks down, left
out), each also times "English". The embedding's baseline similarity differs by corpus and by the question's
language; how the top of the ranking stands out of its tail less so. Alone on train, AUC of answerable vs
off-topic for English questions over XQuAD: the top score .52, top minus the 50th .92 (over the small law corpus,
whose articles all resemble each other: .91 and .38; the model weighs them with the other features). Chosen
among four variants on validation (two spreads; with the top score; with the 10th; the last alone: English AUC
.929-.939). English floor 0.01, Chinese 0.20 -> 0.17. Off-topic refused (fit, all four corpora): English train
.16 -> .29, validation .115 -> .240, test .14 -> .24; Chinese validation .925 either way, test .957 -> .936. On the
off-topic test split (rag eval eval/suites/offtopic.toml --split test; law-train, gazette, XQuAD, CMRC) English
.30 / .22 / .16 / .06 -> .41 / .42 / .16 / .09, Chinese .96 / .97 / .97 / .83 -> .98 / .96 / .91 / .74 (35 per
Wikipedia corpus: two and three questions); answerable refused on the public test splits XQuAD zh 2.5% -> 1.6%
(answers .836 -> .844), XQuAD en 1.6% -> 0.8%, CMRC 1.4% either way.
A search without a spread (fewer than 50 chunks, keyword-only) reads the mean spread of the language's train
questions (``spread_fill`` in the weights file; the training mean of all rows would read an English question as
far off topic, its English copies being 0 for every Chinese row).
With it, demonstratives with a measure word (这种, 这项, 那部, …) are stopwords (哪一位法国皇帝颁布了这项公文 counted 这项 as
a concept the corpus never mentions), so the keyword version is 4 and every index is re-keyed when opened; the
rank and answer models moved by at most one question per pool on validation.

Kept, same session: a date's parts (1665年, 5月28日, 五月二十八日, 28号, 19世纪, 80年代, May 28) are no figure answering
"how many" (the number type cue; an ordinal, 第一届 or 第5号, and 30日内, 5日游 still are): validation best sentence
XQuAD zh .787 -> .800, objective .927 -> .929, other pools the same; threshold 0.05 -> 0.06 after a review's
mends (the Chinese-numeral and English dates, the counts kept; validation the same).
After that review, too: a corpus with fewer than 50 passages a search doesn't rank down has no spread (the
stand-in is read: measured over fewer, the tail means something the model was not fitted on; every training
corpus has hundreds), a search looks at 100 dense candidates at least (room for the ranked-down ones), and a
filtered search has no spread; no training question's spread changed.
Tried and left out with the date parts: an answer-model feature "the question asks in a measure word (多少人) and no
figure of the sentence carries it" (1665年伦敦那场瘟疫一共死了多少人 answered by a percentage): validation unchanged on
every pool, threshold the same. And after them: a topic feature for an English question's proper names the
dictionary gives in Chinese (France: 法国) and the documents never use ("What is the capital of France?" asked of
the gazette is answered with 资本 = capital): train off-topic questions over the gazette and the laws name such a
place 19-21% of the time, their answerable ones 2-9%, but XQuAD's answerable ones 7% (its Chinese articles
transliterate names otherwise) and its off-topic ones 4%; validation unchanged (English off-topic refused .240
either way, the floor 0.01 held by XQuAD en).

Kept, 2026-12-08 (session 12), refitted together: (1) a statute's short article (第六条 国家对社会保险基金实行严格监管。)
and an article's items （一）…；（二）…。 were pure headings, in no chunk's text (so never a candidate sentence); now
an article names its section and stays in the text, its items are its text (chunker version 3). (2) The law pools
get a bundled ``law`` profile to be read with (a profile's ``synonyms``: 老板 -> 用人单位 in the keyword search and in
a concept's forms; English glossary entries); the fit reads them without it, as a user who chooses no profile gets
them (fitted with it, the Chinese topic floor rose to 0.21 and law3's citizen questions, read without it, were
refused as off topic: 1 of 10). (3) A-not-A questions (能不能, 有没有, 可不可以) and
怎么办, 我该, 应该 name no concept (a statute never says 怎么办: it counted as a concept the documents never mention).
(4) The topic floor is chosen on a grid finer below 0.05 (the English floor sits at a few thousandths, where a step
of 0.01 jumped to 0 when one gazette validation question moved from 0.0108 to 0.0085). Best sentence right, train /
validation / test: law-train .481 / .417 / .643 -> .574 / .417 / .571, XQuAD zh val .800 -> .812, CMRC val .826 ->
.819, XQuAD en val .725 -> .713, gazette the same; threshold 0.06 -> 0.04; Chinese topic floor 0.17 -> 0.15 (off-topic
refused on validation .925 -> .901), English 0.01 -> 0.0074 (.240 -> .183: the English floor is held by one gazette
validation question); val objective .929 -> .904. A topic cap of 2% instead of 1% would lift the English floor to
0.03 (off-topic refused .308) but leave no room for the answer threshold (0.00, objective .875): left at 1%.
Then (same session): the law corpora's source notes (README.md, SOURCE.md) were moved out of the corpus folders,
where they were indexed as a document (their "in force 2008-01-01" quoted for the laws' dates), and the other-kind
check no longer reads a head after 的 or 之 as another kind (运行的图灵机 is no sibling of 确定型图灵机): refit, XQuAD
zh val .812 -> .825, English topic floor 0.0074 -> 0.01 (off-topic refused on validation .183 -> .231), Chinese
0.15 (.907), threshold 0.04, val objective .907. After a review: only item markers inside an article are its text
(a ### 节 heading after an article had been swallowed into its text), synonyms match whole words, A-not-A is no
piece of a word: refit, val objective .929, Chinese floor 0.16 (.913), English 0.01 (.231), threshold 0.04; best
sentence right on validation XQuAD zh .812, CMRC .819, XQuAD en .713, gazette .880, law-train .500.
Kept, last (same session): a best sentence that names another kind of the asked compound (other-kind: 民间金属 for
黑色金属) gives way to one of the next two by the rank model that names the compound itself (rag.answer.selector.
named_kind; the answerer and this fit take the same step): validation XQuAD zh .812 -> .838 and its answerable
refused 2.5% -> 0%, near misses refused the same on every pool, val objective .929 -> .935, threshold 0.04.

The rank model is fitted with scipy's L-BFGS (scipy comes with the ``st`` extra, or ``pip install scipy``),
the answer model with Newton's method in numpy; the weights are saved as plain JSON. The indexes of the
corpora are built into ``--index-dir`` on first use (the Wikipedia corpora take a few minutes to embed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from types import SimpleNamespace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
# (name, questions file, corpus, split by[, domain profile]); every pool is read as a new index is by default (the
# general profile; the gazette: gov-report, the sample's own), so the thresholds fit what a user gets without
# choosing a profile (fitted with the laws read with the `law` profile, the Chinese topic floor rose 0.17 -> 0.21
# and citizen questions over laws indexed without it were refused as off topic: law3 1 of 10)
POOLS = [
    ("gazette", [ROOT / "eval" / f for f in ("dev.jsonl", "heldout.jsonl", "probe.jsonl", "final.jsonl")],
     ROOT / "data" / "cq-gov-gazette-2024-03.txt", "id"),
    ("xquad-zh", [SHARED / "ext" / "xquad-public" / "xquad-zh.jsonl"], SHARED / "ext" / "xquad-public" / "corpus", "document"),
    ("xquad-en", [SHARED / "ext" / "xquad-public" / "xquad-en.jsonl"], SHARED / "ext" / "xquad-public" / "corpus", "document"),
    ("cmrc", [SHARED / "ext" / "cmrc-trial" / "cmrc-trial.jsonl"], SHARED / "ext" / "cmrc-trial" / "corpus", "document"),
    ("xquad-nearmiss", [ROOT / "eval" / "blind" / "xquad-nearmiss.jsonl"], SHARED / "ext" / "xquad-public" / "corpus", "document"),
    ("cmrc-nearmiss", [ROOT / "eval" / "blind" / "cmrc-nearmiss.jsonl"], SHARED / "ext" / "cmrc-trial" / "corpus", "document"),
    # three PRC laws (not the two of the sealed law set) with user-style paraphrased questions and near misses
    ("law-train", [ROOT / "eval" / "train" / "law-train.jsonl"], ROOT / "eval" / "corpora" / "law-train", "id"),
    # off-topic questions (eval/make_offtopic.py): another genre's questions asked of each corpus, unanswerable
    # there; each keeps its source question's split
    ("offtopic-law", [ROOT / "eval" / "offtopic" / "law-train.jsonl"], ROOT / "eval" / "corpora" / "law-train", "document"),
    ("offtopic-gazette", [ROOT / "eval" / "offtopic" / "gazette.jsonl"], ROOT / "data" / "cq-gov-gazette-2024-03.txt", "document"),
    ("offtopic-xquad", [ROOT / "eval" / "offtopic" / "xquad.jsonl"], SHARED / "ext" / "xquad-public" / "corpus", "document"),
    ("offtopic-cmrc", [ROOT / "eval" / "offtopic" / "cmrc.jsonl"], SHARED / "ext" / "cmrc-trial" / "corpus", "document"),
]


def split_of(rec: dict, by: str) -> str:
    """train / val / test, the same split ``rag eval --split`` uses (by document, or by id)."""
    from rag.evaluation.dataset import parse_record, split_of as split

    return split(parse_record(rec), by)


def _norm(text: str) -> str:
    from rag.evaluation.metrics import norm

    return norm(text)


def build_rows(index_dir: Path, limit: int | None = None) -> list[dict]:
    """One row per question: its candidates' rank features and labels, plus what the answer model needs."""
    from rag.answer.corpus import CorpusStats
    from rag.answer.extractive import OfflineAnswerer
    from rag.answer.refusal import absent_share, never_mentioned
    from rag.answer.selector import MAX_CANDIDATES, question_type, rank_features, reasons_of, views
    from rag.config import Config
    from rag.evaluation.metrics import facts_found
    from rag.embed import VectorCache
    from rag.indexer import build_index, cache_path
    from rag.retrieve import Retriever
    from rag.sentences import SentenceVectors
    from rag.types import spread_of

    rows = []
    for name, files, corpus, by, *profile in POOLS:
        if not corpus.exists() or not all(f.exists() for f in files):
            print(f"skipping {name}: data not found", file=sys.stderr)
            continue
        key = str(corpus.resolve()) + (f"\nprofile={profile[0]}" if profile else "")
        index = "fit-" + hashlib.sha1(key.encode()).hexdigest()[:8]
        cfg = Config(index_dir=index_dir, index_name=index, profile=profile[0] if profile else "")
        build_index([corpus], cfg, progress=True)
        retriever = Retriever.open(cfg)
        answerer = OfflineAnswerer(CorpusStats.of(retriever.store), cfg.refusal_threshold, None, {}, cfg.refusal_min_coverage)
        sentences = SentenceVectors(retriever.embedder, VectorCache(cache_path(cfg)))
        sentences.add_chunks([c.text for c in retriever.store.chunks], cfg.batch_size)  # built by older indexers
        corpus_text = "\n".join(c.embed_text() for c in retriever.store.chunks)
        in_corpus = corpus_text.__contains__
        t0 = time.perf_counter()
        recs = [r for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()
                for r in [json.loads(line)] if str(r.get("question", "")).strip()]
        if limit:
            recs = recs[:limit]
        for i, rec in enumerate(recs):
            q = rec["question"]
            hits = retriever.search(q, k=cfg.answer_passages)
            a = answerer.analyse(q)
            cands = answerer.candidates(a, hits)[:MAX_CANDIDATES]
            facts = [_norm(f) for f in rec.get("answer_facts") or []]
            qtype = question_type(q)
            vs = views(a, cands, hits, sentences.similarities(q, [c.sentence for c in cands]))
            feats = [rank_features(q, qtype, v) for v in vs]
            labels = [int(bool(facts) and all(facts_found(c.sentence, rec["answer_facts"]))) for c in cands]
            found = [reasons_of(a, c, in_corpus) for c in cands]
            reasons = [[x.kind for x in f] for f in found]
            kind_terms = [next((x.term for x in f if x.kind == "other-kind"), "") for f in found]
            rows.append({"pool": name, "id": rec["id"], "q": q, "sents": [c.sentence for c in cands],
                         "lang": a.lang, "split": split_of(rec, by),
                         "answerable": bool(facts), "qtype": qtype, "feats": feats, "labels": labels,
                         "reasons": reasons, "kind_terms": kind_terms, "unmapped_share": len(a.unmapped) / a.content_words if a.content_words else 0.0,
                         "corpus_absent": absent_share(a, never_mentioned(a, answerer.in_corpus)),
                         "spread": spread_of(hits),
                         "rule_refused": answerer.why_not(a, cands[0] if cands else None) is not None})
            if (i + 1) % 200 == 0:
                print(f"{name}: {i + 1}/{len(recs)} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return rows



def _fill_missing(X: np.ndarray) -> np.ndarray:
    """Missing features (None -> NaN: no sentence vectors) at their column's mean, as the selector reads them."""
    if not np.isnan(X).any():
        return X
    return np.where(np.isnan(X), np.nanmean(X, axis=0), X)


# Sign priors of the rank model (--sign-priors; tried, left out): more of the question in or around a sentence,
# an answer of the asked type, the asked year, a closer embedding, a better-ranked passage can only make a
# sentence likelier to answer; a type, year or asked attribute missing only less likely. Unconstrained,
# correlated coverage features take opposite signs (sent_coverage -2.2 beside coverage +1.1), which ranks a
# gazette sentence lower for holding more of the question ("revenue ... forecast": 收入预计 loses to 支出安排).
RANK_SIGNS = {"rule_score": 1, "coverage": 1, "sent_coverage": 1, "bigram_q": 1, "type_match": 1, "type_miss": -1,
              "years_agree": 1, "years_clash": -1, "inv_rank": 1, "retrieval": 1, "char_cov": 1, "unit_match": 1,
              "cov_x_type": 1, "dense": 1, "dense_gap": 1, "local_cov": 1, "window_cov": 1, "top_missing": -1,
              "finer_miss": -1, "lcs_q": 1}

MIN_INDICATOR_SCALE = 0.1  # a 0/1 feature set in under ~1% of rows is not scaled up beyond this
MIN_SUPPORT = 10  # a 0/1 feature set in fewer training rows keeps weight 0 (a few examples are no evidence)


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column means and scales (column 0, the bias: 0 and 1), and which columns are 0/1 features set in
    fewer than :data:`MIN_SUPPORT` rows: fitted on the row or two they fire on, they would swing a run-time
    probability by several logits (a month asked and none given, seen once: -7.7)."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    indicator = np.all((X == 0) | (X == 1), axis=0)
    scale = np.where(indicator, np.maximum(scale, MIN_INDICATOR_SCALE), scale)
    scale[0] = 1.0
    scale[scale < 1e-9] = 1.0
    rare = indicator & ((X != 0).sum(axis=0) < MIN_SUPPORT)
    rare[0] = False
    return mean, scale, rare


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, weights: np.ndarray | None = None,
                 iters: int = 50) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise (column 0 is the bias), then Newton's method on the L2-penalised log loss."""
    X = _fill_missing(X)
    mean, scale, rare = _standardise(X)
    Z = (X - mean) / scale
    Z[:, rare] = 0.0  # no evidence: weight 0
    sw = np.ones(len(y)) if weights is None else weights
    w = np.zeros(Z.shape[1])
    reg = np.full(Z.shape[1], l2)
    reg[0] = 1e-6
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(Z @ w, -30, 30)))
        g = Z.T @ (sw * (p - y)) + reg * w
        H = (Z * (sw * p * (1 - p))[:, None]).T @ Z + np.diag(reg)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w, mean, scale


def fit_listwise(Xs: list[np.ndarray], ys: list[np.ndarray], l2: float = 0.5, signs: list[int] | None = None,
                 weights: list[float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conditional logit: maximise each question's softmax probability of its positive candidates
    (standardised features, column 0 the bias, which a softmax ignores; L-BFGS-B). ``signs``: per feature,
    +1 / -1 keeps its weight at or above / at or below 0 (0: free); ``weights``: per question."""
    from scipy.optimize import minimize

    allx = _fill_missing(np.vstack(Xs))
    mean, scale, rare = _standardise(allx)
    zs = [np.nan_to_num((x - mean) / scale) for x in Xs]  # a missing feature: z = 0, as at run time
    for z in zs:
        z[:, rare] = 0.0  # no evidence: weight 0

    qw = np.ones(len(zs)) if weights is None else np.asarray(weights, float) * len(zs) / np.sum(weights)

    def loss(w):
        total, grad = 0.0, np.zeros_like(w)
        for z, y, k in zip(zs, ys, qw):
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pos = y > 0
            total -= k * np.log(p[pos].sum() + 1e-12)
            q = np.where(pos, p, 0.0) / p[pos].sum()
            grad += k * (z.T @ (p - q))
        reg = np.r_[0.0, w[1:]]
        return total + 0.5 * l2 * reg @ reg, grad + l2 * reg

    bounds = [(0.0, None) if g > 0 else (None, 0.0) if g < 0 else (None, None)
              for g in (signs or [0] * allx.shape[1])]
    w = minimize(loss, np.zeros(allx.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds).x
    return w, mean, scale


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index-dir", type=Path, default=ROOT / "index", help="where the corpora's indexes are built")
    ap.add_argument("--features", type=Path, default=Path("/tmp/rag-selector-rows.jsonl"), help="cached feature rows")
    ap.add_argument("--rebuild-features", action="store_true")
    ap.add_argument("--limit", type=int, help="questions per pool (quick runs)")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--out", type=Path, help="write the weights here instead of rag/data/selector.json")
    ap.add_argument("--max-false-refusal", type=float, default=0.05,
                    help="the threshold may refuse at most this share of the answerable questions of each corpus "
                         "(default 0.05)")
    ap.add_argument("--max-topic-refusal", type=float, default=0.01,
                    help="the topic model may refuse as off-topic at most this share of the answerable questions of "
                         "each corpus (default 0.01)")
    ap.add_argument("--false-refusal-on", choices=("train+val", "val"), default="train+val",
                    help="the questions that false-refusal share is measured on (default train+val: val and "
                         "train+val both, which gives every corpus enough questions, the laws too)")
    ap.add_argument("--sign-priors", action="store_true",
                    help="fit the rank model with the sign priors of RANK_SIGNS (tried, left out: see the docstring)")
    ap.add_argument("--pool-weights", action="store_true",
                    help="every pool weighs the same in the rank model (tried, left out: see the docstring)")
    args = ap.parse_args()
    from rag.answer.selector import (ANSWER_FEATURES, RANK_FEATURES, TOPIC_FEATURES, Logistic, Selector, WEIGHTS,
                                     answer_row, softmax, VETOES, KIND_LOOKAHEAD, named_kind)

    if args.rebuild_features or not args.features.exists():
        rows = build_rows(args.index_dir, args.limit)
        args.features.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    rows = [json.loads(line) for line in args.features.read_text(encoding="utf-8").splitlines()]
    print(f"{len(rows)} questions, {sum(len(r['labels']) for r in rows)} candidates", file=sys.stderr)

    # 1. rank model: a conditional logit (softmax over each question's candidates) on answerable train
    # questions that have a positive candidate
    train = [r for r in rows if r["split"] == "train" and r["answerable"] and any(r["labels"])]
    signs = [RANK_SIGNS.get(n, 0) for n in RANK_FEATURES] if args.sign_priors else None
    n_pool = {p: sum(1 for r in train if r["pool"] == p) for p in {r["pool"] for r in train}}
    qw = [1.0 / n_pool[r["pool"]] for r in train] if args.pool_weights else None
    w, mean, scale = fit_listwise([np.array(r["feats"], float) for r in train],
                                  [np.array(r["labels"], float) for r in train], l2=0.5, signs=signs, weights=qw)
    rank = Logistic(RANK_FEATURES, w, mean, scale)

    # 2. answer model on the best candidate of every question
    def best_of(r):
        if not r["feats"]:
            return None
        ps = softmax([rank.score(f) for f in r["feats"]])
        order = sorted(range(len(ps)), key=lambda i: -ps[i])
        # as the answerer does: a best sentence naming another kind of the asked compound gives way to one of the
        # next two that names the compound itself
        term = r.get("kind_terms", [""] * len(order))[order[0]] if "other-kind" in r["reasons"][order[0]] else ""
        swap = named_kind([r["sents"][i] for i in order[:1 + KIND_LOOKAHEAD]],
                          [SimpleNamespace(kind="other-kind", term=term)] if term else [])
        if swap:
            order.insert(0, order.pop(swap))
        b = order[0]
        p2 = ps[order[1]] if len(order) > 1 else 0.0
        x = answer_row(r["feats"][b], ps[b], p2, r["lang"], r["unmapped_share"], r["reasons"][b] if b < len(r["reasons"]) else [])
        return b, x, bool(r["labels"][b])

    for r in rows:
        r["best"] = best_of(r)
        b = r["best"][0] if r["best"] else 0
        r["veto"] = bool(VETOES & set(r["reasons"][b] if b < len(r["reasons"]) else []))
    # a question whose best sentence a refusal check vetoes is refused whatever the answer model says: it
    # teaches that model nothing (and its reason_* features would be fitted on those few rows alone)
    # (the off-topic questions are the topic model's: below)
    tr = [r for r in rows if r["split"] == "train" and r["best"] and not r["veto"] and not offtopic(r)]
    Xa = np.array([r["best"][1] for r in tr], float)
    ya = np.array([float(r["answerable"] and r["best"][2]) for r in tr])
    # every pool weighs the same
    w2, mean2, scale2 = fit_logistic(Xa, ya, l2=1.0, weights=pool_weights(tr))
    answer = Logistic(ANSWER_FEATURES, w2, mean2, scale2)
    for r in rows:
        r["p_answer"] = answer.prob(r["best"][1]) if r["best"] else 0.0

    # 3. topic model: answerable questions (1) against the off-topic ones (0) of the train split, every pool
    # weighing the same; its threshold the highest that refuses at most --max-topic-refusal of each corpus'
    # answerable questions (validation, and train+validation)
    if not any(offtopic(r) for r in rows) or any("corpus_absent" not in r or "spread" not in r for r in rows):
        sys.exit(f"{args.features} predates the topic model (no off-topic questions, corpus_absent or spread): "
                 "run with --rebuild-features")
    tt = [r for r in rows if r["split"] == "train" and r["feats"] and (r["answerable"] or offtopic(r))]
    Xt = np.array([_topic(r) for r in tt], float)
    yt = np.array([float(r["answerable"]) for r in tt])
    w3, mean3, scale3 = fit_logistic(Xt, yt, l2=1.0, weights=pool_weights(tt))
    topic = Logistic(TOPIC_FEATURES, w3, mean3, scale3)
    for r in rows:
        r["p_topic"] = topic.prob(_topic(r)) if r["feats"] else 0.0

    def topic_pools(splits: tuple[str, ...], t: float, lang: str) -> dict[str, float]:
        return refused_shares(rows, splits, lambda r: r["p_topic"] < t, lang)

    def topic_refusal(splits: tuple[str, ...], t: float, lang: str) -> float:
        return max(topic_pools(splits, t, lang).values(), default=0.0)

    # one threshold per language: an English question sits farther from the Chinese text (a threshold shared
    # with Chinese questions is held down by the English ones); none (0) for a language no corpus has enough
    # answerable questions of to measure the cap on
    t_topic = {}
    for lang in ("zh", "en"):
        held = sorted(topic_pools(("val",), 0.0, lang))
        if not held:
            t_topic[lang] = 0.0
            print(f"topic model, {lang}: no corpus with {MIN_FR_QUESTIONS} answerable validation questions: no floor")
            continue
        # (finer below 0.05: an English floor sits at a few thousandths, where a step of 0.01 jumps to 0)
        grid = np.unique(np.concatenate([np.linspace(0.0, 0.9, 91), np.round(np.geomspace(0.001, 0.05, 40), 4)]))
        t_topic[lang] = round(float(max([t for t in grid
                                         if max(topic_refusal(("val",), t, lang), topic_refusal(("train", "val"), t, lang))
                                         <= args.max_topic_refusal] or [0.0])), 4)
        off = [r for r in rows if offtopic(r) and r["lang"] == lang]
        print(f"topic model, {lang}: min_topic {t_topic[lang]:.4g} (held by the answerable questions of "
              f"{', '.join(held)} on validation, of {', '.join(sorted(topic_pools(('train', 'val'), 0.0, lang)))} "
              f"on train+validation); answerable refused as off-topic (val, train+val, per corpus at most) "
              f"{topic_refusal(('val',), t_topic[lang], lang):.3f} / "
              f"{topic_refusal(('train', 'val'), t_topic[lang], lang):.3f}; off-topic refused "
              + ", ".join(f"{s} {np.mean([r['p_topic'] < t_topic[lang] for r in off if r['split'] == s]):.3f}"
                          for s in ("train", "val", "test")))
    for r in rows:
        r["topic_refused"] = r["p_topic"] < t_topic.get(r["lang"], 0.0)

    # 4. threshold on validation (the refusal checks in VETOES and the topic model refuse whatever the threshold)
    def score(split: str, t: float) -> float:
        ans = [r for r in rows if r["split"] == split and r["answerable"]]
        un = [r for r in rows if r["split"] == split and not r["answerable"] and not offtopic(r)]
        right = np.mean([answered_right(r, t) for r in ans]) if ans else 0.0
        refused_un = np.mean([refused(r, t) for r in un]) if un else 0.0
        return right + refused_un

    def false_refusal(splits: tuple[str, ...], t: float) -> float:
        return max(refused_shares(rows, splits, lambda r: refused(r, t)).values(), default=0.0)

    def cap(t: float) -> float:
        # train is in-sample for the answer model (it can hide a high validation share): both must hold
        return max(false_refusal(("val",), t), 0.0 if args.false_refusal_on == "val" else false_refusal(("train", "val"), t))

    grid = [t for t in np.linspace(0.0, 0.9, 91) if cap(t) <= args.max_false_refusal] or [0.0]
    t_best = max(grid, key=lambda t: score("val", t))
    print(f"false refusal at the threshold (the larger of val and train+val, per corpus): {cap(t_best):.3f}")
    print(f"min_confidence {t_best:.2f} (val objective {score('val', t_best):.3f})")
    report(rows, t_best)
    tradeoff(rows)
    if not args.no_save:
        meta = {"fitted": time.strftime("%Y-%m-%d"), "pools": [p[0] for p in POOLS],
                "questions": {s: sum(1 for r in rows if r["split"] == s) for s in ("train", "val", "test")},
                "script": "eval/fit_selector.py"}
        out = args.out or WEIGHTS
        # the spread a search without one stands for: per language, the mean of the topic model's train rows
        fill = {lang: [round(float(v), 6) for v in np.mean([r["spread"] for r in tt if r["lang"] == lang
                                                            and r["spread"] is not None], axis=0)]
                for lang in ("zh", "en") if any(r["lang"] == lang and r["spread"] is not None for r in tt)}
        Selector(rank, answer, round(float(t_best), 3), meta, topic, t_topic, fill).save(out)
        print(f"wrote {out}")
    return 0


MIN_FR_QUESTIONS = 25  # a corpus' false-refusal share constrains the threshold from this many questions on


def pool_weights(rows: list[dict]) -> np.ndarray:
    """Row weights by which every pool weighs the same (CMRC has 1,000 questions, a near-miss set 60), scaled
    to sum to the number of rows."""
    per_pool = {}
    for r in rows:
        per_pool[r["pool"]] = per_pool.get(r["pool"], 0) + 1
    w = np.array([1.0 / per_pool[r["pool"]] for r in rows])
    return w * len(rows) / w.sum()


def refused_shares(rows: list[dict], splits: tuple[str, ...], refuses, lang: str | None = None) -> dict[str, float]:
    """The share of answerable questions of ``splits`` (of language ``lang``, or all) that ``refuses`` refuses, per
    corpus (pool) with at least :data:`MIN_FR_QUESTIONS` of them (one refusal among 12 would be 8%)."""
    pools: dict[str, list[bool]] = {}
    for r in rows:
        if r["split"] in splits and r["answerable"] and (lang is None or r["lang"] == lang):
            pools.setdefault(r["pool"], []).append(bool(refuses(r)))
    return {p: float(np.mean(v)) for p, v in pools.items() if len(v) >= MIN_FR_QUESTIONS}


def refused(r: dict, t: float) -> bool:
    return r["p_answer"] < t or r.get("veto", False) or r.get("topic_refused", False)


def offtopic(r: dict) -> bool:
    """A question of another genre asked of this corpus (eval/make_offtopic.py)."""
    return r["pool"].startswith("offtopic")


def _topic(r: dict) -> list[float]:
    from rag.answer.selector import topic_row

    return [np.nan if v is None else v
            for v in topic_row(r["feats"], r["lang"], r["unmapped_share"], r["corpus_absent"], r["spread"])]


def answered_right(r: dict, t: float) -> bool:
    """The best candidate holds the facts and is not refused at threshold ``t``."""
    return bool(r["best"]) and r["best"][2] and not refused(r, t)


def tradeoff(rows: list[dict], splits: tuple[str, ...] = ("val", "test")) -> None:
    """What moving ``--min-confidence`` buys: answerable questions refused and answered right against
    unanswerable (near-miss) ones refused, over the validation and test questions of every pool."""
    ans = [r for r in rows if r["split"] in splits and r["answerable"]]
    un = [r for r in rows if r["split"] in splits and not r["answerable"] and not offtopic(r)]
    print(f"min_confidence trade-off ({'+'.join(splits)}: {len(ans)} answerable, {len(un)} unanswerable)")
    for t in (0.06, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6):
        right = np.mean([answered_right(r, t) for r in ans]) if ans else 0.0
        print(f"  {t:.2f}: answerable refused {np.mean([refused(r, t) for r in ans]) if ans else 0.0:.3f}, answered "
              f"right {right:.3f}, unanswerable refused {np.mean([refused(r, t) for r in un]) if un else 0.0:.3f}")


def report(rows: list[dict], t: float) -> None:
    """Per pool and split: best candidate right (selector vs the rule score's first candidate), answerable
    refused, unanswerable refused (selector at ``t`` vs the hand-set rules)."""
    print(f"{'pool':16} {'split':5} {'n_ans':>5} {'sel_right':>9} {'rule_right':>10} {'sel_ans_ok':>10} "
          f"{'false_ref':>9} {'rule_fr':>7} {'n_un':>4} {'sel_ref':>7} {'rule_ref':>8}")
    for pool in dict.fromkeys(r["pool"] for r in rows):
        for split in ("train", "val", "test"):
            rs = [r for r in rows if r["pool"] == pool and r["split"] == split]
            ans = [r for r in rs if r["answerable"]]
            un = [r for r in rs if not r["answerable"]]
            if not rs:
                continue
            f = lambda xs: f"{np.mean(xs):.3f}" if xs else "-"  # noqa: E731
            print(f"{pool:16} {split:5} {len(ans):5d} "
                  f"{f([bool(r['best']) and r['best'][2] for r in ans]):>9} "
                  f"{f([bool(r['labels']) and bool(r['labels'][0]) for r in ans]):>10} "
                  f"{f([answered_right(r, t) for r in ans]):>10} "
                  f"{f([refused(r, t) for r in ans]):>9} {f([r['rule_refused'] for r in ans]):>7} "
                  f"{len(un):4d} {f([refused(r, t) for r in un]):>7} {f([r['rule_refused'] for r in un]):>8}")


if __name__ == "__main__":
    sys.exit(main())
