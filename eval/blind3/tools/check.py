#!/usr/bin/env python3
"""Check the blind3 question files (stdlib only). Run from anywhere:
    python3 eval/blind3/tools/check.py
"""
import json, os, re, sys, collections
HERE = os.path.dirname(os.path.abspath(__file__))
B3 = os.environ.get('BLIND3_DIR') or os.path.dirname(HERE)  # eval/blind3
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))  # project folder
SHARED = os.path.join(os.path.dirname(ROOT), 'shared')
CORPUS = {
    'cmrc.jsonl':    lambda r: os.path.join(SHARED, 'ext/cmrc-trial/corpus', r + '.txt'),
    'xquad.jsonl':   lambda r: os.path.join(SHARED, 'ext/xquad-public/corpus', r + '.txt'),
    'company.jsonl': lambda r: os.path.join(ROOT, 'eval/corpora/company-report', r + '.md'),
    'law.jsonl':     lambda r: os.path.join(ROOT, 'eval/corpora/law', r + '.md'),
}
EXPECT = {  # (answerable zh, answerable en, unanswerable zh, unanswerable en)
    'cmrc.jsonl': (30, 0, 15, 0), 'xquad.jsonl': (20, 15, 8, 7),
    'company.jsonl': (10, 10, 5, 5), 'law.jsonl': (10, 10, 5, 5),
}
KINDS = {'sibling_term', 'other_period', 'modifier_bound', 'attribute_not_stated',
         'different_entity', 'finer_granularity', 'comparison_or_cause_not_stated'}
FIELDS = {'id', 'lang', 'question', 'answer_facts', 'gold_quote', 'report', 'type'}
ws = lambda s: re.sub(r'\s+', '', s)
errors = []
def err(msg): errors.append(msg); print('ERROR', msg)
ids = set(); allq = []
for fn, corpus_of in CORPUS.items():
    p = os.path.join(B3, fn)
    cnt = collections.Counter(); kinds = collections.Counter(); types = collections.Counter(); reports = collections.Counter()
    for ln, line in enumerate(open(p, encoding='utf-8'), 1):
        try:
            d = json.loads(line)
        except Exception as e:
            err(f'{fn}:{ln} does not parse: {e}'); continue
        missing = FIELDS - d.keys()
        if missing: err(f'{fn}:{ln} missing fields {missing}')
        i = d.get('id')
        if i in ids: err(f'{fn}:{ln} duplicate id {i}')
        ids.add(i); allq.append(d.get('question'))
        if d.get('lang') not in ('zh', 'en'): err(f'{i} bad lang')
        rp = corpus_of(d.get('report', ''))
        if not os.path.isfile(rp): err(f'{i} report file missing: {rp}'); continue
        doc = ws(open(rp, encoding='utf-8').read())
        facts = d.get('answer_facts'); gq = d.get('gold_quote')
        reports[d['report']] += 1
        if d.get('type') == 'unanswerable':
            if facts != [] or gq != '': err(f'{i} unanswerable must have [] and ""')
            if d.get('nearmiss_kind') not in KINDS: err(f'{i} bad nearmiss_kind {d.get("nearmiss_kind")}')
            kinds[d.get('nearmiss_kind')] += 1
            cnt[('u', d['lang'])] += 1
        else:
            if 'nearmiss_kind' in d: err(f'{i} answerable with nearmiss_kind')
            if not facts or not isinstance(facts, list): err(f'{i} no facts')
            quotes = gq if isinstance(gq, list) else [gq]
            if not all(isinstance(q, str) and q.strip() for q in quotes): err(f'{i} empty gold_quote')
            for q in quotes:
                if ws(q) not in doc: err(f'{i} gold_quote not in {d["report"]}: {q[:40]}')
            for f in facts:
                if not isinstance(f, str) or not f.strip(): err(f'{i} empty fact'); continue
                if ws(f) not in doc: err(f'{i} fact not in {d["report"]}: {f}')
                if not any(ws(f) in ws(q) for q in quotes): err(f'{i} fact not inside its gold quote: {f}')
            cnt[('a', d['lang'])] += 1; types[d['type']] += 1
    got = (cnt[('a', 'zh')], cnt[('a', 'en')], cnt[('u', 'zh')], cnt[('u', 'en')])
    if got != EXPECT[fn]: err(f'{fn} counts {got} != expected {EXPECT[fn]}')
    print(f'{fn}: answerable zh/en {got[0]}/{got[1]}, unanswerable zh/en {got[2]}/{got[3]}; '
          f'{len(reports)} documents; types {dict(types)}; near-miss kinds {dict(kinds)}')
if len(set(allq)) != len(allq): err('duplicate question text')
print(f'{len(ids)} questions, {len(errors)} errors')
sys.exit(1 if errors else 0)
