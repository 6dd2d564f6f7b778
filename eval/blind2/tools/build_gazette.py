"""Build /work/main/eval/blind2/gazette.jsonl (hand-written questions; this file only serialises them)."""
import json, os

OUT = os.path.join(os.path.dirname(__file__), '..', 'gazette.jsonl')
rows = []

def A(report, lang, typ, q, facts, quote):
    rows.append(dict(report=report, lang=lang, type=typ, question=q, answer_facts=facts, gold_quote=quote))

def U(report, lang, kind, q):
    rows.append(dict(report=report, lang=lang, type='unanswerable', question=q, answer_facts=[],
                     gold_quote='', nearmiss_kind=kind))

# ---- answerable, Chinese (10) ----
A('gov_work', 'zh', 'number', '2023年重庆全市地区生产总值是多少？比上年增长了多少？',
  ['30145.79亿元', '6.1%'], '地区生产总值迈上3万亿元新台阶、达到30145.79亿元、增长6.1%')
A('gov_work', 'zh', 'number', '去年重庆的新能源汽车产量达到了多少？',
  ['50万辆'], '新能源汽车产量达到50万辆')
A('gov_work', 'zh', 'number', '政府工作报告提出，2024年要新实施多少个技术改造项目？',
  ['1500个'], '新实施1500个技术改造项目')
A('gov_work', 'zh', 'number', '2024年的重点民生实事里，要新增多少个“错时共享”停车泊位？',
  ['4.5万个'], '新增“错时共享”停车泊位4.5万个')
A('plan', 'zh', 'number', '到2023年，重庆轨道交通的运营里程突破了多少公里？',
  ['500公里'], '轨道运营里程突破500公里')
A('plan', 'zh', 'number', '计划报告里说2023年重庆的森林覆盖率是多少？',
  ['55%以上'], '森林覆盖率稳定在55%以上')
A('plan', 'zh', 'number', '2023年重庆推动了多少农业转移人口在城镇落户？',
  ['20.4万'], '推动20.4万农业转移人口落户城镇')
A('budget', 'zh', 'number', '2023年重庆全市的税收收入是多少？增长了多少？',
  ['1476亿元', '16.1%'], '其中，税收收入1476亿元，增长16.1%')
A('budget', 'zh', 'number', '2023年市级预算安排了多少预备费？实际用掉了多少？',
  ['30亿元', '1.2亿元'], '市级预算安排预备费30亿元，使用1.2亿元。')
A('budget', 'zh', 'number', '2023年全市国有土地使用权出让收入一共有多少？',
  ['1695亿元'], '其中，全市国有土地使用权出让收入1695亿元，增长8.5%。')

# ---- answerable, English (10) ----
A('gov_work', 'en', 'number', "What share of China's smartphone output did Chongqing account for in 2023?",
  ['6.7%'], '智能手机产量占全国6.7%')
A('gov_work', 'en', 'number', 'How many overnight visitors did Chongqing receive in 2023, and by how much did that number grow?',
  ['1亿人次', '88.1%'], '过夜游客接待人数突破1亿人次、增长88.1%')
A('gov_work', 'en', 'number', 'What R&D intensity (R&D spending as a share of GDP) does the 2024 government work report aim for?',
  ['2.55%'], '力争全社会研发投入强度达到2.55%')
A('gov_work', 'en', 'number', "Among the 2024 key livelihood projects, how much floor area of old urban residential compounds is to start renovation (in 万平方米, as reported)?",
  ['4186'], '新开工改造城镇老旧小区4186万平方米')
A('plan', 'en', 'number', 'How many Chongqing–Manzhouli–Russia (渝满俄) freight trains ran in 2023?',
  ['2187'], '渝满俄班列开行量2187列、增长2%')
A('plan', 'en', 'number', "According to the development plan report (计划报告), what was Chongqing's green loan balance at the end of 2023 (in 亿元, as reported)?",
  ['6600'], '绿色贷款余额超6600亿元')
A('plan', 'en', 'number', "When Chongqing was named a global 'City of Design' in 2023, which number was it among Chinese cities, and among western Chinese cities?",
  ['中国第5', '西部第1个'], '成功创建中国第5、西部第1个全球“设计之都”')
A('plan', 'en', 'number', "What was the output value of Chongqing's food and agricultural product processing industry in 2023 (in 亿元, as reported)?",
  ['2581.4'], '食品及农产品加工业产值2581.4亿元、增长4.2%')
A('budget', 'en', 'number', 'What government debt ceiling did the Ministry of Finance approve for Chongqing for 2023 (in 亿元, as reported)?',
  ['12287'], '财政部核定我市政府债务限额12287亿元')
A('budget', 'en', 'number', "How much did Chongqing's municipal level (市级, not city-wide) spend on government debt principal and interest in 2023, and how much of that was interest (in 亿元, as reported)?",
  ['376', '108'], '市级政府债务还本付息支出376亿元。其中，偿还本金268亿元，兑付利息108亿元。')

# ---- near-miss unanswerable, Chinese (6) ----
U('gov_work', 'zh', 'attribute_not_stated', '2023年重庆一共出口了多少辆新能源汽车？')
U('plan', 'zh', 'modifier_bound', '2023年渝满俄班列的开行量占全国中欧班列开行总量的比例是多少？')
U('budget', 'zh', 'sibling_term', '2023年市级国有土地使用权出让收入完成了预算的百分之多少？')
U('plan', 'zh', 'finer_granularity', '2024年计划新建的50家绿色工厂里，国家级绿色工厂有多少家？')
U('gov_work', 'zh', 'finer_granularity', '重庆全市超过1000P的算力规模里，智能算力占了多少P？')
U('budget', 'zh', 'other_period', '2022年重庆全市一般公共预算收入是多少亿元？')

# ---- near-miss unanswerable, English (6) ----
U('gov_work', 'en', 'sibling_term', 'How many smartphones (in units) did Chongqing produce in 2023?')
U('plan', 'en', 'different_entity', 'How many new A-level tourist scenic spots did southeastern Chongqing (渝东南) add in 2023?')
U('plan', 'en', 'other_period', "What was Jiangbei airport's passenger throughput in 2019, before the pandemic?")
U('budget', 'en', 'modifier_bound', 'How much reserve fund (预备费) did the city-wide (全市, not municipal-level) budget set aside in 2023?')
U('gov_work', 'en', 'attribute_not_stated', 'What is the total investment of the 262 km of rail transit lines under construction that the 2024 work report mentions?')
U('budget', 'en', 'sibling_term', 'How much of the new government bonds Chongqing issued in 2023 went to ecological and environmental protection projects?')

cnt = {}
with open(OUT, 'w', encoding='utf-8') as f:
    for r in rows:
        key = ('u' if r['type'] == 'unanswerable' else 'a', r['lang'])
        cnt[key] = cnt.get(key, 0) + 1
        d = {'id': 'g2-%s-%s-%02d' % (key[0], r['lang'], cnt[key]), 'lang': r['lang'], 'question': r['question'],
             'answer_facts': r['answer_facts'], 'gold_quote': r['gold_quote'], 'report': r['report'], 'type': r['type']}
        if 'nearmiss_kind' in r:
            d['nearmiss_kind'] = r['nearmiss_kind']
        f.write(json.dumps(d, ensure_ascii=False) + '\n')
print('wrote', len(rows), 'rows to', os.path.normpath(OUT))
