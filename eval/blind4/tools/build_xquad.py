"""Write eval/blind4/xquad.jsonl: hand-written questions over the 24 XQuAD articles (Chinese text).

English questions are asked over the Chinese text; their facts stay verbatim Chinese strings.
Each answerable row is (report, lang, question, facts, anchors, type).
"""
from common import doc, sent, number, write_jsonl

A = [
    # ---- Chinese ----
    ("01_Super_Bowl_50", "zh", "黑豹队防守截锋卡万·肖特那个赛季迫使对手掉球几次？",
     ["三次"], ["卡万·肖特"], "number"),
    ("03_Normans", "zh", "1038年到1040年西西里岛的乔治马尼亚斯战役中，诺曼人是和哪些部队并肩作战的？",
     ["瓦兰吉人", "伦巴第人"], ["瓦兰吉人"], "list"),
    ("07_Martin_Luther", "zh", "路德为什么主张私人忏悔和赦免，而不是强制性忏悔？",
     ["每个基督徒都是一个忏悔者"], ["每个基督徒都是一个忏悔者"], "description"),
    ("09_Sky__United_Kingdom", "zh", "业内人士为什么认为BSkyB会搁置把频道从Freeview撤下、改成订阅频道的计划？",
     ["广告收入可能减少"], ["广告收入可能减少"], "description"),
    ("11_Huguenot", "zh", "路易十四加紧迫害之后，法国的胡格诺派信徒最终大约有多大比例被杀害或屈从？",
     ["近四分之三"], ["近四分之三"], "number"),
    ("13_Oxygen", "zh", "约瑟夫·普利斯特里是在英国哪个地方独立发现氧气的？",
     ["威尔特郡"], ["威尔特郡"], "place"),
    ("15_Apollo_program", "zh", "阿波罗1号原本计划在哪一天发射？",
     ["2月21日"], ["2月21日"], "date"),
    ("17_Amazon_rainforest", "zh", "2005年大旱那一年，亚马逊雨林排放了多少二氧化碳？",
     ["50亿吨"], ["50亿吨"], "number"),
    ("21_Black_Death", "zh", "哪两位学者认为黑死病其实是一种与埃博拉相似的出血性瘟疫？",
     ["斯科特和邓肯"], ["斯科特和邓肯"], "person"),
    ("21_Black_Death", "zh", "荷兰贝亨奥普佐姆的鼠疫坑调查对瘟疫传入低地国家的途径说明了什么？",
     ["没有直接感染来自英格兰或法国的瘟疫", "挪威、汉萨城市"], ["贝亨奥普佐姆的鼠疫坑"], "description"),
    ("23_Newcastle_upon_Tyne", "zh", "2004年为泰恩威尔地铁设计并搭建移动无线电系统的是哪家公司？",
     ["马可尼"], ["马可尼"], "entity"),
    ("25_American_Broadcasting_Company", "zh", "UPT与杜蒙合并的方案里，为了符合联邦通信委员会的所有权限制，要求在纽约市场卖掉什么？",
     ["WABC-TV", "WABD"], ["WABD"], "description"),
    ("27_Pharmacy", "zh", "阿布·卡西姆·扎赫拉维那本教读者用复杂药物做“简版”的书叫什么名字？",
     ["《医学宝鉴》"], ["《医学宝鉴》"], "entity"),
    ("29_Civil_disobedience", "zh", "甘地在法庭上认罪时，是怎么解释自己的违法行为的？",
     ["公民的最高责任"], ["公民的最高责任"], "description"),
    ("33_Jacksonville__Florida", "zh", "自1871年以来，杰克逊维尔一共遭受过几次飓风的直接袭击？",
     ["一次"], ["自1871年以来"], "number"),
    ("35_Doctor_Who", "zh", "史蒂文·莫法特为什么把博士的女伴看成这部剧的主要角色？",
     ["重新开始", "比博士经历了更多的变化"], ["史蒂文·莫法特"], "description"),
    ("37_Yuan_dynasty", "zh", "忽必烈对东南亚等地的远征为什么屡屡受阻？",
     ["疾病", "不宜居的气候", "热带地形"], ["不适合蒙古人发动山地战争"], "description"),
    ("39_Intergovernmental_Panel_on_Climate_Change", "zh", "李会晟是从哪一天开始担任IPCC主席的？",
     ["2015 年 10 月 8 日"], ["2015 年 10 月 8 日"], "date"),
    ("41_Prime_number", "zh", "勒让德猜想的内容是什么？",
     ["n2与(n + 1)2间总会存在一个素数"], ["勒让德猜想"], "description"),
    ("47_French_and_Indian_War", "zh", "朱蒙维尔死后，塔纳克林松的一个手下对科特克尔说朱蒙维尔是被什么杀死的？",
     ["英国火枪"], ["英国火枪"], "span"),
    # ---- English ----
    ("43_Scottish_Parliament", "en", "Apart from police officers and members of the armed forces, which people are barred from becoming members of the Scottish Parliament?",
     ["公务员", "外国立法机构成员", "精神失常"], ["公务员和外国立法机构成员", "被判定为精神失常的个人"], "list"),
    ("03_Normans", "en", "In what year did Rainulf Drengot receive the county of Aversa from the Duke of Naples?",
     ["1030"], ["1030 年"], "date"),
    ("05_Computational_complexity_theory", "en", "Besides its adjacency matrix, what other structure of a graph can be encoded in binary?",
     ["邻接表"], ["邻接表"], "span"),
    ("11_Huguenot", "en", "What principle did the Gallicans hold about who may control religion in France?",
     ["外国势力即罗马主教"], ["高卢主义者以"], "description"),
    ("13_Oxygen", "en", "Why is it technically hard to measure vegetation fluorescence from satellites?",
     ["低信噪比", "植被的物理结构"], ["低信噪比"], "description"),
    ("17_Amazon_rainforest", "en", "How much carbon per hectare per year was the Amazon forest estimated to accumulate between 1975 and 1996?",
     ["0.62 ± 0.37 吨"], ["0.62 ± 0.37"], "number"),
    ("19_Fresno__California", "en", "How many Fresno households were made up of individuals living alone, as reported?",
     ["35,064"], ["35,064"], "number"),
    ("21_Black_Death", "en", "How many times did the plague break out somewhere in Russia between 1350 and 1490?",
     ["25次"], ["25次"], "number"),
    ("23_Newcastle_upon_Tyne", "en", "Which former footballer sang Lindisfarne's \"Fog on the Tyne\" in 1990?",
     ["保罗加斯科因"], ["保罗加斯科因"], "person"),
    ("25_American_Broadcasting_Company", "en", "Which cartoon character urged visitors to download the dot in ABC's 2000 online campaign?",
     ["Little Dot"], ["Little Dot"], "entity"),
    ("27_Pharmacy", "en", "Who translated and supplemented al-Maridini's work De Veneris?",
     ["阿巴诺彼得"], ["阿巴诺彼得"], "person"),
    ("31_Private_school", "en", "Are Germany's Ergänzungsschulen part of the country's dual education system?",
     ["并不是德国双重教育体系的一部分"], ["这些学校大多是", "并不是德国双重教育体系的一部分"], "condition"),
    ("45_Imperialism", "en", "Besides trade, raw materials and prestige, what did France's new empire supply to France in the two world wars?",
     ["重要的人力资源"], ["重要的人力资源"], "description"),
    ("35_Doctor_Who", "en", "In the 2005 episode \"The Empty Child\", which character says he had been a father and grandfather before the war?",
     ["康斯坦丁博士"], ["康斯坦丁博士"], "person"),
    ("37_Yuan_dynasty", "en", "After Emperor Yingzong was assassinated, whom did the conspiring princes put on the throne?",
     ["泰定帝"], ["他们拥护泰定帝登基"], "person"),
]

U = [
    # ---- Chinese ----
    ("01_Super_Bowl_50", "zh", "黑豹队那个赛季常规赛的战绩是多少胜多少负？", "attribute_not_stated"),
    ("11_Huguenot", "zh", "马纳金镇最初的390名胡格诺派移居者中，到1705年一共有多少人已经去世？", "finer_granularity"),
    ("45_Imperialism", "zh", "法国共和党人起初为什么反对法国建立殖民帝国？", "comparison_or_cause_not_stated"),
    ("19_Fresno__California", "zh", "弗雷斯诺那1,388对同性伴侣中，女性伴侣有多少对？", "finer_granularity"),
    ("23_Newcastle_upon_Tyne", "zh", "莱英画廊收藏的那幅格兰杰市场1835年开幕晚宴的画作，是哪位画家画的？", "attribute_not_stated"),
    ("35_Doctor_Who", "zh", "达德利·辛普森一共为《神秘博士》的多少个故事创作过配乐？", "attribute_not_stated"),
    ("39_Intergovernmental_Panel_on_Climate_Change", "zh", "担任IPCC代理主席的伊斯梅尔·埃尔·吉周里是哪国人？", "different_entity"),
    ("47_French_and_Indian_War", "zh", "1756年5月由蒙科姆少将率领抵达新法国的法国正规军增援部队一共有多少人？", "attribute_not_stated"),
    # ---- English ----
    ("03_Normans", "en", "In what year was William Iron Arm given the title of count at Melfi?", "attribute_not_stated"),
    ("13_Oxygen", "en", "At what temperature did Linde and Hampson's process liquefy oxygen?", "attribute_not_stated"),
    ("21_Black_Death", "en", "How many people died in the Great Plague of Vienna in 1679?", "attribute_not_stated"),
    ("25_American_Broadcasting_Company", "en", "Which design group did ABC hire to create its on-air identity for the 2005–06 season?", "other_period"),
    ("37_Yuan_dynasty", "en", "In what year was the Taiding Emperor killed?", "attribute_not_stated"),
    ("41_Prime_number", "en", "As of January 2016, how many digits did the largest known twin prime have?", "sibling_term"),
    ("45_Imperialism", "en", "In what year did Germany begin building its own colonial empire?", "attribute_not_stated"),
]


def build():
    rows = []
    for report, lang, q, facts, anchors, typ in A:
        text = doc("xquad", report)
        quotes = [sent(text, a) for a in anchors]
        gold = quotes[0] if len(quotes) == 1 else quotes
        rows.append({"lang": lang, "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "corpus": "xquad", "type": typ})
    for report, lang, q, kind in U:
        doc("xquad", report)
        rows.append({"lang": lang, "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "corpus": "xquad", "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("xquad.jsonl", number(rows, "b4-xq"))


if __name__ == "__main__":
    build()
