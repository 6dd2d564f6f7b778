"""Write eval/blind5/xquad.jsonl: hand-written questions over the 24 XQuAD articles (Chinese text).

English questions are asked over the Chinese text; their facts stay verbatim Chinese strings (or the
Latin-script string as written). Each answerable row is (report, lang, question, facts, anchors, type).
"""
from common import doc, quotes_for, number, write_jsonl

A = [
    # ---- Chinese ----
    ("01_Super_Bowl_50", "zh", "比赛最后阶段牛顿的球被拍掉后，他为什么会招来严厉批评？",
     ["牛顿并没有这样做", "缺乏攻击性"], ["他缺乏攻击性的行为后来招致了严厉的批评"], "description"),
    ("03_Normans", "zh", "突袭诺曼底并在大西洋沿岸定居下来的罗洛部队，都是由哪些人组成的？",
     ["丹麦人", "挪威人", "奥克尼维京人", "盎格鲁–丹麦人"], ["其中包括丹麦人"], "list"),
    ("09_Sky__United_Kingdom", "zh", "那年十二月英国议会听到的声明里，把订阅BSkyB跟哪些行为相提并论？",
     ["酗酒、吸烟和赌博"], ["酗酒、吸烟和赌博"], "list"),
    ("11_Huguenot", "zh", "马纳金镇一带胡格诺派移民的后裔在18、19世纪向西迁移，去的那些地方后来成了哪些州？",
     ["肯塔基州", "田纳西州", "密苏里州"], ["后来那里成为肯塔基州"], "list"),
    ("13_Oxygen", "zh", "氧气在生产和生活中有哪些常见用途？",
     ["钢铁、塑料和纺织品的生产过程", "火箭推进剂", "氧气疗法"], ["氧气的常见用途包括"], "description"),
    ("15_Apollo_program", "zh", "格里森、怀特和查菲为什么要把他们的飞行命名为阿波罗1号？",
     ["激励人们关注首次载人航天飞行"], ["激励人们关注首次载人航天飞行"], "description"),
    ("19_Fresno__California", "zh", "弗雷斯诺有多少户是65岁或以上的老人独自生活的？",
     ["12,344"], ["12,344"], "number"),
    ("21_Black_Death", "zh", "在16和17世纪，巴黎大约有多大比例的时间处在瘟疫之中？",
     ["30％"], ["的时间巴黎都被瘟疫笼罩"], "number"),
    ("23_Newcastle_upon_Tyne", "zh", "诺桑比亚大学2005年被泰晤士报名校指引评为了什么？",
     ["最佳新星大学"], ["最佳新星大学"], "entity"),
    ("25_American_Broadcasting_Company", "zh", "按照戈登森1954年提出的合并方案，合并后的ABC-杜蒙将有实力跟哪些电视网竞争？",
     ["CBS和NBC"], ["合并后的ABC-杜蒙将拥有与CBS和NBC竞争的资源"], "entity"),
    ("27_Pharmacy", "zh", "阿尔-穆瓦法克指出了哪些化合物有毒？",
     ["硫酸铜", "铅化合物"], ["并指出了铜化合物特别是硫酸铜和铅化合物的毒性"], "list"),
    ("29_Civil_disobedience", "zh", "遇到大规模逮捕时，一些活动人士采取“团结”策略，是想达到什么目的？",
     ["为每个人争取相同的辩诉交易"], ["为每个人争取相同的辩诉交易"], "description"),
    ("31_Private_school", "zh", "布朗诉托皮卡教育委员会案要求学校废除种族隔离以后，美国许多地方的家庭组织起了什么样的学校？",
     ["基督教学院"], ["当地家庭组织了一波私立"], "entity"),
    ("33_Jacksonville__Florida", "zh", "1999年飓风“弗洛伊德”期间，杰克逊维尔海滩的码头后来怎么样了？",
     ["遭到严重破坏", "后来被拆除"], ["杰克逊维尔海滩码头遭到严重破坏"], "description"),
    ("35_Doctor_Who", "zh", "维多利亚·沃特菲尔德怀疑博士还记不记得家人时，博士是怎么回答的？",
     ["在他真正想要的时候记起", "其余的时间他们都睡在我的脑海里"], ["其余的时间他们都睡在我的脑海里"], "description"),
    ("37_Yuan_dynasty", "zh", "据利亚姆·凯利教授，有哪些宋人逃到越南，帮助陈王朝抗击蒙古人？",
     ["赵忠、许宗道"], ["利亚姆·凯利教授指出"], "person"),
    ("39_Intergovernmental_Panel_on_Climate_Change", "zh", "IPCC主席由什么机构协助工作？这个机构包括哪些人？",
     ["经选举产生的办公局", "副主席、工作组联合主席和秘书处"], ["主席有一个经选举产生的办公局协助"], "description"),
    ("41_Prime_number", "zh", "米勒-拉宾素性测试速度很快，它的缺点是什么？",
     ["存在较小的错误概率"], ["存在较小的错误概率"], "description"),
    ("45_Imperialism", "zh", "罗马帝国让地方精英享受罗马文化和生活方式的好处，目的是什么？",
     ["使他们成为自愿的参与者"], ["使他们成为自愿的参与者"], "description"),
    ("47_French_and_Indian_War", "zh", "1713年被英国从法国手里夺走的新斯科舍，当时居民有什么特点？",
     ["大量讲法语的人口"], ["仍有大量讲法语的人口"], "description"),
    # ---- English ----
    ("01_Super_Bowl_50", "en", "How many fumbles did Carolina linebacker Thomas Davis force that season?",
     ["四次迫使掉球"], ["四次迫使掉球"], "number"),
    ("03_Normans", "en", "Which two Norman families were the most famous to reach the Mediterranean?",
     ["欧特维尔的坦克雷德", "德伦戈特"], ["抵达地中海的两个最著名的诺曼家族"], "entity"),
    ("07_Martin_Luther", "en", "William Tyndale's English Bible, influenced by Luther's, was the forerunner of which Bible?",
     ["钦定版圣经"], ["钦定版圣经的前身"], "entity"),
    ("09_Sky__United_Kingdom", "en", "What is Eutelsat's Eurobird 1 satellite, used by Sky Digital, called now?",
     ["Eutelsat 33C"], ["Eutelsat 33C"], "entity"),
    ("11_Huguenot", "en", "Which famous U-boat commander was of Huguenot descent?",
     ["洛塔尔·冯·阿诺德·德·拉·佩里耶尔"], ["洛塔尔·冯·阿诺德·德·拉·佩里耶尔"], "person"),
    ("17_Amazon_rainforest", "en", "How large an area of rainforest did the 2005 Amazon drought affect, in square miles?",
     ["734,000平方英里"], ["734,000平方英里"], "number"),
    ("19_Fresno__California", "en", "How many Fresno households had a male householder with no wife present, as reported?",
     ["11,698"], ["11,698"], "number"),
    ("21_Black_Death", "en", "Where in London were the 25 bodies examined by British public health scientists in 2014 dug up?",
     ["克拉肯威尔"], ["伦敦克拉肯威尔地区"], "place"),
    ("23_Newcastle_upon_Tyne", "en", "In what year was the medical school that later became Newcastle University founded?",
     ["1834年"], ["成立于1834年的医学和外科学院"], "date"),
    ("25_American_Broadcasting_Company", "en", "Which successful shows drove ABC's growth in the early 1980s?",
     ["欢乐时光", "三人行", "拉文与雪莉", "幻想成真"], ["欢乐时光、三人行、拉文与雪莉"], "list"),
    ("27_Pharmacy", "en", "How many times were the works of al-Maridini and Ibn al-Wafid printed in Latin?",
     ["五十多次"], ["五十多次"], "number"),
    ("45_Imperialism", "en", "According to Hobson's theory, what could state intervention through taxation achieve?",
     ["促进更广泛的消费", "创造财富"], ["通过税收进行国家干预"], "description"),
    ("33_Jacksonville__Florida", "en", "What did Tropical Storm Bonnie produce as it passed the Jacksonville area in 2004?",
     ["小型龙卷风"], ["小型龙卷风"], "span"),
    ("39_Intergovernmental_Panel_on_Climate_Change", "en", "The 'hockey stick' chart in the Third Assessment Report expanded a similar chart from which earlier IPCC report?",
     ["1995 年 IPCC 第二次评估报告"], ["1995 年 IPCC 第二次评估报告"], "entity"),
    ("41_Prime_number", "en", "For numbers of which special form can particularly fast primality tests be used?",
     ["梅森数"], ["梅森数"], "entity"),
]

U = [
    # ---- Chinese ----
    ("01_Super_Bowl_50", "zh", "第50届超级碗的最有价值球员（MVP）是谁？", "attribute_not_stated"),
    ("13_Oxygen", "zh", "1901年首次实现氧乙炔焊接的是哪位发明者？", "attribute_not_stated"),
    ("15_Apollo_program", "zh", "尼古拉斯·戈洛文领导的那个特设委员会一共有几名成员？", "attribute_not_stated"),
    ("27_Pharmacy", "zh", "阿维森纳的《医典》全书一共有几卷？", "finer_granularity"),
    ("29_Civil_disobedience", "zh", "农民组织让Waihopai检测站暂时关闭了多长时间？", "finer_granularity"),
    ("37_Yuan_dynasty", "zh", "元英宗在位两年，他的父亲元仁宗在位多少年？", "different_entity"),
    ("39_Intergovernmental_Panel_on_Climate_Change", "zh", "拉津德·帕乔里为什么在2015年2月辞去IPCC主席？", "comparison_or_cause_not_stated"),
    ("45_Imperialism", "zh", "霍布森关于通过税收干预来解决帝国主义问题的理论，最早发表在他的哪本书里？", "attribute_not_stated"),
    # ---- English ----
    ("17_Amazon_rainforest", "en", "How much of the rainforest area hit by the 2010 Amazon drought lay in Peru?", "finer_granularity"),
    ("19_Fresno__California", "en", "How many Fresno households had at least one member aged 65 or older?", "modifier_bound"),
    ("23_Newcastle_upon_Tyne", "en", "How much did it cost to build the Grainger Market when it opened in 1835?", "attribute_not_stated"),
    ("31_Private_school", "en", "How many private schools are there in India?", "attribute_not_stated"),
    ("33_Jacksonville__Florida", "en", "What were Hurricane Floyd's wind speeds when it damaged Jacksonville Beach in 1999?", "different_entity"),
    ("43_Scottish_Parliament", "en", "For how many years is a member of the Scottish Parliament elected?", "attribute_not_stated"),
    ("47_French_and_Indian_War", "en", "How many men did Washington lead in the skirmish at Jumonville Glen?", "attribute_not_stated"),
]


def build():
    rows = []
    for report, lang, q, facts, anchors, typ in A:
        gold = quotes_for(doc("xquad", report), anchors)
        rows.append({"lang": lang, "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "corpus": "xquad", "type": typ})
    for report, lang, q, kind in U:
        doc("xquad", report)
        rows.append({"lang": lang, "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "corpus": "xquad", "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("xquad.jsonl", number(rows, "b5-xq"))


if __name__ == "__main__":
    build()
