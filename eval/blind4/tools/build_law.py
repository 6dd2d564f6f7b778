"""Write eval/blind4/law.jsonl: citizen-style questions over the three laws in eval/corpora/law4/.

Each answerable row is (report, lang, question, facts, anchors, type); each anchor picks one
verbatim sentence (common.sent: cut at 。！？ or a line break), several anchors make a list.
"""
from common import doc, sent, number, write_jsonl

T, S, M = "tourism-law", "social-insurance-law", "minors-protection-law"

A = [
    # ---------------- Chinese ----------------
    (T, "zh", "跟团游的时候导游把我们拉到指定的购物店，我买了东西回来就后悔了，还能找旅行社帮忙退吗？有没有时间限制？",
     ["三十日内", "先行垫付退货货款"], ["不得指定具体购物场所", "旅游者有权在旅游行程结束后三十日内"], "condition"),
    (T, "zh", "导游一路上暗示大家给小费，这样合法吗？被查到了会怎么处理？",
     ["不得向旅游者索取小费", "一千元以上一万元以下罚款"],
     ["不得向旅游者索取小费", "向旅游者索取小费的，由旅游主管部门责令退还"], "condition"),
    (T, "zh", "景区打算涨门票价格，最少要提前多久对外公布？",
     ["提前六个月"], ["景区提高门票价格应当提前六个月公布"], "number"),
    (T, "zh", "跟团旅游碰上台风被困在当地回不来，多出来的吃住费用和回程的费用分别该谁出？",
     ["食宿费用，由旅游者承担", "返程费用，由旅行社与旅游者分担"],
     ["因不可抗力或者旅行社、履行辅助人已尽合理注意义务", "（四）造成旅游者滞留的", "增加的返程费用"], "entity"),
    (T, "zh", "旅游局来我们旅行社检查，只来了一个人，也没亮证件，我们可以不配合吗？",
     ["不得少于二人", "有权拒绝"], ["其监督检查人员不得少于二人", "被检查单位和个人有权拒绝"], "condition"),
    (S, "zh", "我到了退休年龄，可养老保险一共才交了12年，还能按月领养老金吗？",
     ["缴费至满十五年", "城镇居民社会养老保险"], ["累计缴费满十五年的", "累计缴费不足十五年的"], "condition"),
    (S, "zh", "被公司辞退以后，公司最晚要在多少天内把我的情况报给社保经办机构？",
     ["十五日内"], ["十五日内告知社会保险经办机构"], "number"),
    (S, "zh", "我爸交了很多年养老保险，还没退休就因病去世了。他个人账户里的钱家里人能拿到吗？还有别的补助吗？",
     ["个人账户余额可以继承", "丧葬补助金和抚恤金"], ["个人账户余额可以继承", "其遗属可以领取丧葬补助金和抚恤金"], "condition"),
    (S, "zh", "公司一直拖着不给员工交社保，除了补缴之外还要另外交钱吗？怎么算？",
     ["按日加收万分之五的滞纳金"], ["按日加收万分之五的滞纳金"], "number"),
    (S, "zh", "我出国旅游的时候生病住了院，回国以后这笔医药费医保能报吗？",
     ["不纳入基本医疗保险基金支付范围", "在境外就医的"], ["下列医疗费用不纳入基本医疗保险基金支付范围", "（四）在境外就医的"], "condition"),
    (M, "zh", "孩子才7岁，周末我们两口子都要加班，能不能把他一个人留在家里？",
     ["未满八周岁", "无人看护状态"], ["未满八周岁"], "condition"),
    (M, "zh", "我们夫妻俩去外地打工，孩子留给爷爷奶奶带，法律要求我们至少多久跟孩子联系一次？",
     ["至少每周联系和交流一次"], ["至少每周联系和交流一次"], "number"),
    (M, "zh", "每天晚上几点以后，游戏公司就不能再给未成年人提供网络游戏服务了？要一直停到什么时候？",
     ["二十二时", "次日八时"], ["每日二十二时至次日八时"], "number"),
    (M, "zh", "家长能不能随便翻孩子的日记和聊天记录？法律规定哪些情况下可以开拆、查阅？",
     ["无民事行为能力", "国家安全或者追查刑事犯罪", "紧急情况"],
     ["除下列情形外，任何组织或者个人不得开拆", "（一）无民事行为能力未成年人的父母", "（二）因国家安全或者追查刑事犯罪",
      "（三）紧急情况下"], "list"),
    (M, "zh", "父母被法院撤销了监护人资格，那还要不要给孩子出抚养费？",
     ["继续负担抚养费用"], ["继续负担抚养费用"], "entity"),
    # ---------------- English ----------------
    (T, "en", "Our outbound group tour was cancelled because not enough people signed up. How far in advance did the agency have to tell us, and how much must it refund?",
     ["三十日", "全部费用"], ["出境旅游应当至少提前三十日通知旅游者", "组团社应当向旅游者退还已收取的全部费用"], "number"),
    (T, "en", "I booked a package tour but now can't go. Can I hand my place over to a friend, and who pays any extra cost that causes?",
     ["转让给第三人", "旅游者和第三人承担"], ["转让给第三人"], "condition"),
    (T, "en", "Our travel agency could have run the tour but refused to, and we ended up stranded. On top of ordinary damages, how much compensation can we demand?",
     ["一倍以上三倍以下的赔偿金"], ["一倍以上三倍以下的赔偿金"], "number"),
    (T, "en", "The local ground operator at our destination broke the tour contract. Who is liable to us: the agency we signed with, or the local operator?",
     ["由组团社承担责任", "追偿"], ["由于地接社、履行辅助人的原因导致违约的"], "entity"),
    (T, "en", "The hotel could not give our tour group the rooms promised in the contract. What must the hotel do, and who pays the extra cost?",
     ["不低于原定标准", "由住宿经营者承担"], ["不低于原定标准的住宿服务"], "description"),
    (S, "en", "I have paid unemployment insurance for seven years in total. What is the longest period I can draw unemployment benefit?",
     ["十八个月"], ["最长为十八个月"], "number"),
    (S, "en", "I got hurt at work while I was drunk. Does that still count as a work-related injury?",
     ["不认定为工伤", "醉酒或者吸毒"], ["不认定为工伤", "（二）醉酒或者吸毒"], "condition"),
    (S, "en", "My employer never paid work-injury insurance for me, and then I was injured on the job. Who has to pay my work-injury benefits?",
     ["由用人单位支付工伤保险待遇", "从工伤保险基金中先行支付"],
     ["职工所在用人单位未依法缴纳工伤保险费", "用人单位不支付的，从工伤保险基金中先行支付"], "entity"),
    (S, "en", "My wife doesn't have a job. Can she get anything from the maternity insurance my employer pays for me?",
     ["生育医疗费用待遇"], ["职工未就业配偶"], "condition"),
    (S, "en", "While I am receiving unemployment benefit, do I still have to pay my own medical insurance contributions?",
     ["从失业保险基金中支付", "个人不缴纳基本医疗保险费"],
     ["失业人员在领取失业保险金期间，参加职工基本医疗保险", "个人不缴纳基本医疗保险费"], "condition"),
    (M, "en", "Can my 15-year-old open an account as a live streamer, and what changes once they turn 16?",
     ["未满十六周岁", "征得其父母或者其他监护人同意"], ["网络直播发布者账号注册服务；"], "condition"),
    (M, "en", "Can my son's middle school make the whole class come in for extra lessons during the summer holidays?",
     ["寒暑假期", "集体补课"], ["集体补课"], "condition"),
    (M, "en", "Is it legal for a shop to hire a 15-year-old? Are there any exceptions?",
     ["不得招用未满十六周岁未成年人", "国家另有规定的除外"], ["不得招用未满十六周岁未成年人"], "condition"),
    (M, "en", "Someone was smoking on my child's school playground. What fine can that person be given?",
     ["五百元以下罚款"], ["可以并处五百元以下罚款"], "number"),
    (M, "en", "Below what age does an online service need a parent's consent before processing a child's personal information?",
     ["不满十四周岁"], ["不满十四周岁"], "number"),
]

U = [
    # ---------------- Chinese ----------------
    (S, "zh", "按社会保险法的规定，男职工和女职工的法定退休年龄分别是多少岁？", "attribute_not_stated"),
    (S, "zh", "职工医保要累计交满多少年，退休以后才可以不再交医保费？", "sibling_term"),
    (T, "zh", "开旅行社要交的旅游服务质量保证金具体是多少钱？", "attribute_not_stated"),
    (M, "zh", "未成年人每天最多可以玩几个小时的网络游戏？", "attribute_not_stated"),
    (M, "zh", "全国统一的未成年人保护热线号码是多少？", "attribute_not_stated"),
    # ---------------- English ----------------
    (T, "en", "Within how many days must the tourism complaint office deal with my complaint against a travel agency?", "attribute_not_stated"),
    (T, "en", "What is the minimum registered capital needed to set up a travel agency?", "attribute_not_stated"),
    (S, "en", "What percentage of my wage do I pay into my individual basic pension account?", "attribute_not_stated"),
    (S, "en", "What work-injury insurance premium rate does a high-risk industry such as coal mining pay?", "finer_granularity"),
    (M, "en", "How many hours a day may an employer have a 16-year-old work?", "attribute_not_stated"),
]


def build():
    rows = []
    for report, lang, q, facts, anchors, typ in A:
        text = doc("law4", report)
        quotes = [sent(text, a) for a in anchors]
        gold = quotes[0] if len(quotes) == 1 else quotes
        rows.append({"lang": lang, "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "type": typ})
    for report, lang, q, kind in U:
        doc("law4", report)
        rows.append({"lang": lang, "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("law.jsonl", number(rows, "b4-law"))


if __name__ == "__main__":
    build()
