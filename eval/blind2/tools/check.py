"""Verify blind2 sets: every answer fact and gold quote verbatim in the named document,
every fact inside one of its quotes, schema sane; print counts by corpus/lang/type."""
import json, os, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.dirname(HERE)
XQ = '/work/shared/ext/xquad-public/corpus/%s.txt'
CM = '/work/shared/ext/cmrc-trial/corpus/%s.txt'
GZ = '/work/shared/corpus/cq-gov-gazette-2024-03.txt'
TYPES = {'number', 'date', 'person', 'place', 'entity', 'list', 'other', 'unanswerable'}
KINDS = {'sibling_term', 'other_period', 'modifier_bound', 'attribute_not_stated',
         'different_entity', 'finer_granularity', 'comparison_or_cause_not_stated'}


def gazette_sections():
    lines = open(GZ, encoding='utf-8').read().split('\n')
    # body headings (the table of contents carries a page number after a tab, so match whole lines)
    i_gov = max(i for i, l in enumerate(lines) if l.strip() == '重庆市人民政府工作报告')
    i_plan = [i for i, l in enumerate(lines) if l.startswith('关于重庆市2023年国民经济和社会发展规划')][0]
    i_bud = [i for i, l in enumerate(lines) if l.startswith('关于重庆市2023年预算')][0]
    assert i_gov < i_plan < i_bud
    j = lambda a, b: '\n'.join(lines[a:b])
    return {'gov_work': j(i_gov, i_plan), 'plan': j(i_plan, i_bud), 'budget': j(i_bud, len(lines))}


def load(path):
    return [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]


def check(path, doc_of):
    rows = load(path)
    errs = []
    ids = collections.Counter(r['id'] for r in rows)
    for k, v in ids.items():
        if v > 1:
            errs.append('duplicate id %s' % k)
    for r in rows:
        rid = r['id']
        for f in ('id', 'lang', 'question', 'answer_facts', 'gold_quote', 'report', 'type'):
            if f not in r:
                errs.append('%s: missing %s' % (rid, f))
        if r['lang'] not in ('zh', 'en'):
            errs.append('%s: bad lang' % rid)
        if r['type'] not in TYPES:
            errs.append('%s: bad type %s' % (rid, r['type']))
        if r['type'] == 'unanswerable':
            if r['answer_facts'] != [] or r['gold_quote'] != '':
                errs.append('%s: unanswerable must have [] and ""' % rid)
            if r.get('nearmiss_kind') not in KINDS:
                errs.append('%s: bad nearmiss_kind %r' % (rid, r.get('nearmiss_kind')))
            try:
                doc_of(r)
            except Exception as e:
                errs.append('%s: document not found (%s)' % (rid, e))
            continue
        if 'nearmiss_kind' in r:
            errs.append('%s: nearmiss_kind on answerable' % rid)
        doc = doc_of(r)
        quotes = r['gold_quote'] if isinstance(r['gold_quote'], list) else [r['gold_quote']]
        if not r['answer_facts'] or not all(quotes):
            errs.append('%s: empty facts or quote' % rid)
        for q in quotes:
            if q not in doc:
                errs.append('%s: quote not verbatim in %s: %s' % (rid, r['report'], q[:40]))
        for f in r['answer_facts']:
            if f not in doc:
                errs.append('%s: fact not in document: %s' % (rid, f))
            if not any(f in q for q in quotes):
                errs.append('%s: fact not inside its gold quote: %s' % (rid, f))
    return rows, errs


def main():
    secs = gazette_sections()

    def wiki_doc(r):
        p = (XQ if r['corpus'] == 'xquad' else CM) % r['report']
        return open(p, encoding='utf-8').read()

    def gz_doc(r):
        return secs[r['report']]

    total_err = 0
    for name, fn in (('wiki.jsonl', wiki_doc), ('gazette.jsonl', gz_doc)):
        path = os.path.join(BASE, name)
        rows, errs = check(path, fn)
        total_err += len(errs)
        print('== %s: %d questions, %d errors' % (name, len(rows), len(errs)))
        for e in errs:
            print('  ERROR', e)
        grp = collections.Counter()
        types = collections.defaultdict(collections.Counter)
        kinds = collections.defaultdict(collections.Counter)
        reps = collections.defaultdict(set)
        for r in rows:
            c = r.get('corpus', 'gazette')
            ans = 'unanswerable' if r['type'] == 'unanswerable' else 'answerable'
            grp[(c, r['lang'], ans)] += 1
            if ans == 'answerable':
                types[c][r['type']] += 1
                reps[(c, 'answerable')].add(r['report'])
            else:
                kinds[c][r['nearmiss_kind']] += 1
                reps[(c, 'unanswerable')].add(r['report'])
        for k in sorted(grp):
            print('  %-8s %-3s %-13s %3d' % (k[0], k[1], k[2], grp[k]))
        for c in sorted(types):
            print('  %s answerable types: %s' % (c, dict(sorted(types[c].items()))))
        for c in sorted(kinds):
            print('  %s near-miss kinds: %s' % (c, dict(sorted(kinds[c].items()))))
        for k in sorted(reps):
            print('  %s %s: %d distinct documents' % (k[0], k[1], len(reps[k])))
    print('TOTAL ERRORS:', total_err)
    sys.exit(1 if total_err else 0)


if __name__ == '__main__':
    main()
