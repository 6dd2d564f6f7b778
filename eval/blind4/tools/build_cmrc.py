"""Write eval/blind4/cmrc.jsonl: hand-written questions over CMRC passages no earlier blind set used.

Each answerable row is (report, question, facts, anchors, type); each anchor picks one verbatim
sentence of the passage (common.sent), several anchors make gold_quote a list.
"""
from common import doc, sent, number, write_jsonl

A = [
    ("cmrc_0003", "松平康忠当上家康嫡男的家老以后，为什么又一度蛰居？",
     ["信康", "自杀"], ["因为信康在天正7年"], "description"),
    ("cmrc_0004", "曼谷的乍都节公园是哪一天正式对公众开放的？",
     ["1980年12月4日"], ["1980年12月4日"], "date"),
    ("cmrc_0008", "2008年首届南京国际象棋特级大师邀请赛，冠军能拿到多少奖金？",
     ["8万欧元"], ["其中冠军8万欧元"], "number"),
    ("cmrc_0008", "南京那届首次举办的国际象棋特级大师邀请赛，最后冠军和第三名分别是谁？",
     ["托帕洛夫", "卜祥志"], ["结果托帕洛夫夺得冠军"], "person"),
    ("cmrc_0011", "北京奥运会男子100米决赛上，博尔特跑出了多少秒的成绩？",
     ["9秒69"], ["9秒69"], "number"),
    ("cmrc_0011", "博尔特夺冠之前，牙买加在历届奥运男子100米比赛里拿过哪些奖牌？",
     ["三银两铜"], ["三银两铜"], "number"),
    ("cmrc_0012", "罗保铭是什么时候正式当选海南省省长的？",
     ["2007年2月"], ["2007年2月当选省长"], "date"),
    ("cmrc_0015", "摩尔甘比的新主场地球体育场启用后的第一场比赛，两个进球都是谁打进的？",
     ["安德鲁·弗莱明"], ["包办两个入球"], "person"),
    ("cmrc_0016", "实验台面沾上了放线菌酮，用什么清洗就可以了？为什么这样有效？",
     ["碱溶液", "碱可以破坏放线菌酮"], ["碱可以破坏放线菌酮"], "description"),
    ("cmrc_0020", "大果西番莲还没成熟的果实可以怎么吃？",
     ["当蔬菜煮食"], ["当蔬菜煮食"], "description"),
    ("cmrc_0023", "晋孝武帝的皇后王法慧去世时多大年纪？",
     ["虚岁二十一"], ["虚岁二十一"], "number"),
    ("cmrc_0023", "晋孝武帝为什么对皇后王法慧感到忧虑？他是怎么处理的？",
     ["喜好饮酒", "骄傲嫉妒", "训诫"], ["王法慧生性喜好饮酒"], "description"),
    ("cmrc_0024", "欧盟从什么时候开始实行与美国类似的葡萄酒亚硫酸盐标注规定？",
     ["2005年11月"], ["欧盟类似的规定"], "date"),
    ("cmrc_0027", "公理高中书院在学制上跟传统中学有什么不一样？学生能因此得到什么好处？",
     ["单元学分制", "提早毕业"], ["单元学分制", "有机会提早毕业"], "description"),
    ("cmrc_0028", "中共一大会址位于淮海中路街道的哪条石库门里弄？",
     ["树德里"], ["树德里"], "place"),
    ("cmrc_0031", "缅甸景栋城里一共有多少座佛塔和佛寺？",
     ["108座"], ["108座佛塔"], "number"),
    ("cmrc_0031", "景栋每逢新的索巴即位加冕，要举行什么仪式？这个仪式象征什么？",
     ["佤族老人", "外来者"], ["佤族老人", "叭莱", "象征他们是外来者"], "description"),
    ("cmrc_0032", "耶律厮不是在哪里称帝建立后辽的？年号叫什么？",
     ["澄州", "天威"], ["年号天威"], "place"),
    ("cmrc_0036", "2008年NBA总决赛第四场，凯尔特人一度最多落后多少分？",
     ["24分"], ["落后24分"], "number"),
    ("cmrc_0039", "重庆武隆的芙蓉洞全长有多少米？",
     ["2846米"], ["2846米"], "number"),
    ("cmrc_0040", "2005年F1美国大奖赛为什么只有6辆赛车起跑？",
     ["米其林轮胎", "罢赛"], ["米其林轮胎"], "description"),
    ("cmrc_0043", "公元997年在温泉关附近的斯佩依海侬河边，拜占庭军队是怎么打败保加利亚军队的？",
     ["浅滩", "黎明时袭击"], ["发现一处浅滩"], "description"),
    ("cmrc_0044", "乡里制瓦解以后，中国乡村的基层组织改用了什么制度？这个制度沿用到什么时候？",
     ["保甲制", "清代"], ["取而代之的是"], "span"),
    ("cmrc_0047", "华西临床医学院是哪一年获准开设临床医学八年制专业的？",
     ["2004年"], ["2004年获准"], "date"),
    ("cmrc_0052", "潘仕成花了多少银子捐官，当上了二品官？",
     ["20万两白银"], ["20万两白银"], "number"),
    ("cmrc_0055", "罗马的四泉圣嘉禄堂为什么要设计成十字平面和凹凸形的正立面？",
     ["狭小地基"], ["狭小地基"], "description"),
    ("cmrc_0059", "伊丽莎白港机场的主跑道计划延长到多长？延长后有什么用处？",
     ["3,000米", "国际航班"], ["延长至3,000米"], "number"),
    ("cmrc_0060", "Bee Gees为什么在2003年之后就停止了活动？",
     ["莫里斯·吉布病逝"], ["莫里斯·吉布病逝"], "description"),
    ("cmrc_0063", "《宇宙奇兵》卖到美国改编时，美方另外制作了几集原创剧情？",
     ["6集"], ["制作了6集原创剧情"], "number"),
    ("cmrc_0064", "娜塔莎·贝汀菲儿在大学读的是什么专业？为什么没读下去？",
     ["心理学", "专心于唱歌和作歌"], ["格林威治大学"], "description"),
]

U = [
    ("cmrc_0003", "松平康忠是在天正16年的哪一天把家督让给嫡子康直的？", "finer_granularity"),
    ("cmrc_0004", "乍都节公园旁边后来增辟的诗丽吉皇后公园是哪一年对外开放的？", "different_entity"),
    ("cmrc_0008", "2009年第二届中国（南京）国际象棋超级大赛的冠军是谁？", "other_period"),
    ("cmrc_0011", "2008年北京奥运会男子100米决赛的银牌得主是谁？", "attribute_not_stated"),
    ("cmrc_0012", "前海南省委书记罗保铭是哪一年出生的？", "attribute_not_stated"),
    ("cmrc_0024", "欧盟规定葡萄酒中亚硫酸盐超过多少ppm就必须标明？", "different_entity"),
    ("cmrc_0028", "淮海中路街道的常住人口有多少？", "modifier_bound"),
    ("cmrc_0036", "2007-08赛季常规赛，洛杉矶湖人队的战绩是多少胜多少负？", "different_entity"),
    ("cmrc_0039", "芙蓉洞是哪一年被评为国家5A级旅游景区的？", "sibling_term"),
    ("cmrc_0040", "蒙泰罗2006赛季表现不如2005年，原因是什么？", "comparison_or_cause_not_stated"),
    ("cmrc_0047", "截至2015年，华西临床医学院836名高级职称教师中有多少位是教授？", "finer_granularity"),
    ("cmrc_0052", "潘仕成请美国军官壬雷斯在广州研发水雷，一共出了多少银两？", "attribute_not_stated"),
    ("cmrc_0059", "2010年伊丽莎白港机场的旅客吞吐量是多少人次？", "other_period"),
    ("cmrc_0063", "《宇宙奇兵》的美国改编版《战刀骑士》在中国大陆是哪一年开始播出的？", "different_entity"),
    ("cmrc_0064", "娜塔莎·贝汀菲儿2007年发行的第二张专辑叫什么名字？", "attribute_not_stated"),
]


def build():
    rows = []
    for report, q, facts, anchors, typ in A:
        text = doc("cmrc", report)
        quotes = [sent(text, a) for a in anchors]
        gold = quotes[0] if len(quotes) == 1 else quotes
        rows.append({"lang": "zh", "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "corpus": "cmrc", "type": typ})
    for report, q, kind in U:
        doc("cmrc", report)  # the passage must exist
        rows.append({"lang": "zh", "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "corpus": "cmrc", "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("cmrc.jsonl", number(rows, "b4-cm"))


if __name__ == "__main__":
    build()
