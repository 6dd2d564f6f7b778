"""Write eval/blind5/cmrc.jsonl: hand-written questions over CMRC passages that no earlier blind set used.

Each answerable row is (report, question, facts, anchors, type); each anchor picks one verbatim
sentence of the passage (common.sent; '¶' = the whole line), several anchors make gold_quote a list.
"""
from common import doc, quotes_for, number, write_jsonl

A = [
    ("cmrc_0007", "蓝甲虫苏醒后本想控制海梅，为什么最后没控制成，反而和他成了好友？",
     ["被海梅的意念克制", "程序故障"], ["被海梅的意念克制了"], "description"),
    ("cmrc_0019", "跟其他骑车活动相比，世界裸体自行车游行组织有什么与众不同的规定？",
     ["严格禁止要求人们必须至少遮掩一部分身体"], ["严格禁止要求人们必须至少遮掩一部分身体"], "description"),
    ("cmrc_0051", "《伏尔泰的朋友们》是哪一年以作者真名在英国出版的？出版方是谁？",
     ["1907年", "Putnam's Sons"], ["出版于1906年"], "date"),
    ("cmrc_0056", "鸟兽脚类和新坚尾龙类范围差不多，为什么最后是鸟兽脚类成了正式名称？",
     ["早于新坚尾龙类约一个月"], ["早于新坚尾龙类约一个月"], "description"),
    ("cmrc_0058", "丹麦和德国政府是怎样保护弗里西亚群岛面海的海岸的？",
     ["填出海埔新生地以利耕作"], ["填出海埔新生地以利耕作"], "description"),
    ("cmrc_0071", "西贡商信银行是哪一天在胡志明市证券交易所上市的？",
     ["2006年7月12日"], ["2006年7月12日"], "date"),
    ("cmrc_0072", "2003年中国足协杯决赛，北京国安以什么比分战胜了大连实德？",
     ["3：0"], ["3：0的比分战胜大连实德队"], "number"),
    ("cmrc_0101", "黄蝉一年中哪几个月开花？",
     ["5-8月"], ["花期为5-8月"], "date"),
    ("cmrc_0103", "香港羽毛球公开赛为什么从2011年起不在伊利沙伯体育馆办了？改到了哪里？",
     ["同时进行四场比赛", "红磡香港体育馆"], ["同时进行四场比赛"], "description"),
    ("cmrc_0108", "高洋对弟弟高演和元氏恩爱很不满，他是怎么做的？结果如何？",
     ["数数赐予高演美女", "依旧不废弃元氏"], ["数数赐予高演美女"], "description"),
    ("cmrc_0111", "1965年第7届日本参议院选举一共改选出多少名参议员？",
     ["125名"], ["改选出125名参议员"], "number"),
    ("cmrc_0112", "女高音蔡敏的父亲是谁？",
     ["蔡名永"], ["蔡名永"], "person"),
    ("cmrc_0115", "帕特纳赫峡谷为什么会在硬岩层里形成这样的峡谷？",
     ["把软岩层风化掉了", "削入硬的壳灰岩层"], ["源于楚格峰上的冰川的帕特纳赫河", "因此在当地的阿尔卑斯山脉里"], "description"),
    ("cmrc_0116", "美特斯邦威是哪一年在深圳证交所上市的？",
     ["2008年"], ["2008年在深圳证交所上市"], "date"),
    ("cmrc_0119", "鬼室福信的儿子鬼室集斯逃到倭国后，被天智天皇授予了什么位阶？",
     ["小锦下"], ["小锦下"], "span"),
    ("cmrc_0124", "A-135反弹道导弹系统建成时一共部署了多少枚拦截飞弹？",
     ["100枚"], ["系统建成时一共部署100枚飞弹"], "number"),
    ("cmrc_0129", "纽约大约在什么时候建成了第一座剧院？",
     ["1750年"], ["1750年开始建成第一座剧院"], "date"),
    ("cmrc_0132", "为什么玉山箭竹林大面积同时开花，会对生态系统造成重大冲击？",
     ["开花结果后植株即死亡", "10年以上"], ["玉山箭竹开花结果后植株即死亡"], "description"),
    ("cmrc_0136", "克伦贝格尔担任红十字国际委员会主席后，作风和前任有什么不同？",
     ["很低调", "鲜在外交场合露面"], ["鲜在外交场合露面"], "description"),
    ("cmrc_0231", "达曼、寇巴和札哈兰共有200万人口，其中住在主城达曼的有多少人？",
     ["750,000"], ["750,000居住在主城达曼"], "number"),
    ("cmrc_0233", "巴黎胜利广场上现在这座路易十四骑马铜像是哪位雕塑家的作品？铜像有多高？",
     ["弗朗索瓦·约瑟夫·博西奥", "12米"], ["12米高的骑马铜像"], "person"),
    ("cmrc_0234", "硝酰氟和金属锌反应会生成什么？",
     ["氧化锌和氟化锌的混合物"], ["氧化锌和氟化锌的混合物"], "span"),
    ("cmrc_0236", "据估计，秘鲁古城昌昌整座城市可以容纳多少人？",
     ["30,000人"], ["30,000人"], "number"),
    ("cmrc_0239", "先知耶利米最后是在哪里去世的？",
     ["埃及"], ["在埃及去世"], "place"),
    ("cmrc_0240", "阿尔坎塔拉那座罗马时代的六孔石桥是什么时候修建的？",
     ["104年", "图拉真"], ["该桥修建于104年"], "date"),
    ("cmrc_0242", "卡斯特罗公爵卡洛是在哪里结婚的？",
     ["摩纳哥"], ["1998年10月31日在摩纳哥"], "place"),
    ("cmrc_0245", "2006年7月以前，J Storm的影音产品是由哪家公司负责发行的？",
     ["东芝EMI"], ["东芝EMI"], "entity"),
    ("cmrc_0249", "曼谷民主纪念碑中央的砲台为什么只有3公呎高？",
     ["6月为暹罗的3月"], ["因为6月为暹罗的3月"], "description"),
    ("cmrc_0250", "松坂大辅为什么选EXILE的《real world》做入场歌曲？",
     ["歌词不错", "符合自己的处境"], ["歌词不错"], "description"),
    ("cmrc_0253", "广州北回归线标志塔连同塔基一共有多高？",
     ["30.4米"], ["塔身连塔基共高30.4米"], "number"),
]

U = [
    ("cmrc_0007", "第三代蓝甲虫海梅·雷耶斯的母亲叫什么名字？", "attribute_not_stated"),
    ("cmrc_0051", "《伏尔泰的朋友们》1906年首次出版时，是由哪家出版社出版的？", "other_period"),
    ("cmrc_0071", "西贡商信银行2007年的净利润是多少越南盾？", "attribute_not_stated"),
    ("cmrc_0072", "杨昊在贵州人和效力时穿几号球衣？", "other_period"),
    ("cmrc_0103", "2011年香港羽毛球公开赛的女子单打冠军是谁？", "attribute_not_stated"),
    ("cmrc_0112", "台湾女高音蔡敏是哪一年出生的？", "attribute_not_stated"),
    ("cmrc_0115", "参观帕特纳赫峡谷的门票多少钱一张？", "attribute_not_stated"),
    ("cmrc_0116", "到2011年，美特斯邦威在全国一共有多少家专卖店？", "other_period"),
    ("cmrc_0124", "A-135系统里的53T6拦截弹射程是多少公里？", "finer_granularity"),
    ("cmrc_0129", "百老汇2010年到2011年剧季的票房收益大约是多少？", "other_period"),
    ("cmrc_0136", "克伦贝格尔是哪一年卸任红十字国际委员会主席的？", "attribute_not_stated"),
    ("cmrc_0231", "达曼、寇巴和札哈兰三座城市里，札哈兰有多少人口？", "finer_granularity"),
    ("cmrc_0233", "1792年被毁的那座路易十四骑马雕像，原作是哪位雕塑家？", "different_entity"),
    ("cmrc_0242", "卡斯特罗公爵卡洛的两个女儿分别叫什么名字？", "attribute_not_stated"),
    ("cmrc_0253", "广州北回归线标志塔塔顶那个空心圆球的直径是多少？", "attribute_not_stated"),
]


def build():
    rows = []
    for report, q, facts, anchors, typ in A:
        gold = quotes_for(doc("cmrc", report), anchors)
        rows.append({"lang": "zh", "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "corpus": "cmrc", "type": typ})
    for report, q, kind in U:
        doc("cmrc", report)  # the passage must exist
        rows.append({"lang": "zh", "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "corpus": "cmrc", "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("cmrc.jsonl", number(rows, "b5-cm"))


if __name__ == "__main__":
    build()
