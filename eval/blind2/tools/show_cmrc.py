"""Print CMRC passages with the answers the public question set already uses (to avoid repeats)."""
import json, sys, collections
B = '/work/shared/ext/cmrc-trial/'
pub = collections.defaultdict(list)
for l in open(B + 'cmrc-trial.jsonl'):
    x = json.loads(l)
    pub[x['title']].append(x['question'] + ' -> ' + x['answer_facts'][0])
for stem in sys.argv[1:]:
    t = open(B + 'corpus/%s.txt' % stem).read()
    title = t.split('\n', 1)[0].strip()
    print('=====', stem)
    print(t.strip())
    print('  PUBLIC:', ' || '.join(pub.get(title, [])))
