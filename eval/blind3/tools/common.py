import re, json, os
CM='/work/shared/ext/cmrc-trial/corpus/'
XQ='/work/shared/ext/xquad-public/corpus/'
CO='/work/main/eval/corpora/company-report/'
LAW='/work/main/eval/corpora/law/'
def path(corpus, report):
    return {'cmrc':CM+report+'.txt','xquad':XQ+report+'.txt','company':CO+report+'.md','law':LAW+report+'.md'}[corpus]
_cache={}
def text(corpus, report):
    p=path(corpus,report)
    if p not in _cache: _cache[p]=open(p,encoding='utf-8').read()
    return _cache[p]
END='。！？\n'
def sent(corpus, report, anchor):
    t=text(corpus,report)
    i=t.find(anchor)
    if i<0: raise SystemExit(f'ANCHOR NOT FOUND {report}: {anchor}')
    if t.find(anchor,i+1)>=0: print(f'  note: anchor occurs twice in {report}: {anchor}')
    s=i
    while s>0 and t[s-1] not in END: s-=1
    e=i+len(anchor)
    while e<len(t) and t[e] not in END: e+=1
    # include the closing punctuation (not newline)
    if e<len(t) and t[e] in '。！？': e+=1
    return t[s:e].strip().lstrip('\ufeff')
def A(id_,lang,q,facts,anchors,report,type_,corpus,extra=None):
    qs=[sent(corpus,report,a) for a in anchors]
    d={'id':id_,'lang':lang,'question':q,'answer_facts':facts,'gold_quote':qs[0] if len(qs)==1 else qs,'report':report}
    if corpus in('cmrc','xquad'): d['corpus']=corpus
    d['type']=type_
    return d
def U(id_,lang,q,report,kind,corpus):
    d={'id':id_,'lang':lang,'question':q,'answer_facts':[],'gold_quote':'','report':report}
    if corpus in('cmrc','xquad'): d['corpus']=corpus
    d['type']='unanswerable'; d['nearmiss_kind']=kind
    return d
def dump(rows, out):
    with open(out,'w',encoding='utf-8') as f:
        for r in rows: f.write(json.dumps(r,ensure_ascii=False)+'\n')
