"""Write eval/blind5/judicial.jsonl: citizen-style questions over eight judicial interpretations of the
Supreme People's Court (eval/corpora/judicial5/).

Each answerable row is (report, lang, question, facts, anchors, type); each anchor picks one verbatim
sentence (common.sent: cut at 。！？ or a line break), or with a leading '¶' the whole paragraph (line);
several anchors make gold_quote a list.
"""
from common import doc, quotes_for, number, write_jsonl

PL, PI, RT, LD = "private-lending", "personal-injury", "road-traffic-accident", "labor-dispute-1"
MD, PP, FD, MF = "medical-damage", "prepaid-consumption", "food-drug-punitive", "marriage-family-1"

A = [
    # ---------------- Chinese ----------------
    (PL, "zh", "朋友借钱时跟我约定了很高的利息，打官司的话法院最多能支持到多高的利率？",
     ["一年期贷款市场报价利率四倍"], ["但是双方约定的利率超过合同成立时一年期贷款市场报价利率四倍的除外"], "number"),
    (PL, "zh", "借条上写的是借款10万元，可对方当时先扣了1万元利息，实际只给了我9万元，本金应该按多少算？",
     ["实际出借的金额认定为本金"], ["预先在本金中扣除利息的"], "condition"),
    (PI, "zh", "老人被车撞成了残疾，残疾赔偿金按多少年计算？年纪大的人有没有不一样？",
     ["自定残之日起按二十年计算", "年龄每增加一岁减少一年", "七十五周岁以上的，按五年计算"],
     ["¶自定残之日起按二十年计算"], "number"),
    (PI, "zh", "家里人在事故中去世了，对方要赔的丧葬费是怎么算出来的？",
     ["上一年度职工月平均工资标准", "六个月总额"], ["第十四条 丧葬费按照"], "number"),
    (PI, "zh", "我免费去邻居家帮忙干活，结果自己摔伤了，邻居要不要赔我？",
     ["根据帮工人和被帮工人各自的过错承担相应的责任"], ["无偿提供劳务的帮工人因帮工活动遭受人身损害的"], "condition"),
    (RT, "zh", "一辆二手车转卖了好几手都没办过户，出了交通事故该找谁赔？",
     ["最后一次转让并交付的受让人"], ["被多次转让但是未办理登记的机动车"], "entity"),
    (RT, "zh", "学车的学员在驾校练车时撞了人，赔偿责任由谁来承担？",
     ["驾驶培训单位"], ["接受机动车驾驶培训的人员"], "entity"),
    (MD, "zh", "我觉得医院手术出了差错，可我拿不出医院有过错、跟我受损有因果关系的证据，该怎么办？",
     ["医疗损害鉴定申请"], ["依法提出医疗损害鉴定申请的"], "condition"),
    (MD, "zh", "打医疗官司时，医院迟迟不肯把它保管的病历交给法院，会有什么后果？",
     ["推定医疗机构有过错"], ["医疗机构未在人民法院指定期限内提交的"], "condition"),
    (PP, "zh", "我办了张健身卡，刚交钱第三天就后悔了，能把钱要回来吗？",
     ["七日内", "返还预付款本金"], ["第十四条 消费者自付款之日起七日内"], "condition"),
    (PP, "zh", "常去的理发店搬到了很远的地方，卡里还有钱，我能要求解除合同吗？",
     ["变更经营场所给消费者接受商品或者服务造成明显不便"],
     ["第十三条 消费者请求解除预付式消费合同", "变更经营场所给消费者接受商品或者服务造成明显不便"], "condition"),
    (FD, "zh", "买到不符合食品安全标准的食品，要求十倍赔偿的话，这个十倍是拿什么做基数？",
     ["实际支付价款为基数", "价款十倍"], ["以其实际支付价款为基数"], "number"),
    (LD, "zh", "公司跟我签了竞业限制，却没写离职后给补偿。我离职后一直遵守着，能要多少补偿？",
     ["十二个月平均工资的30%", "按月支付"], ["第三十六条 当事人在劳动合同或者保密协议中约定了竞业限制"], "number"),
    (MF, "zh", "离婚后孩子跟着妈妈，孩子爸爸有固定工资，抚养费一般按什么比例给？",
     ["月总收入的百分之二十至三十"], ["有固定收入的，抚养费一般可以按其月总收入"], "number"),
    (MF, "zh", "订婚时按老家习俗给了女方彩礼，后来没领证就分手了，彩礼能要回来吗？",
     ["双方未办理结婚登记手续"], ["第五条 当事人请求返还按照习俗给付的彩礼的", "（一）双方未办理结婚登记手续"], "condition"),
    # ---------------- English ----------------
    (PL, "en", "I lent money to a friend by bank transfer. At what moment is the loan contract between us treated as formed?",
     ["自资金到达借款人账户时"], ["以银行转账、网上电子汇款等形式支付的"], "condition"),
    (PI, "en", "If an injured person will never be able to look after themselves again, for how long at most can nursing care costs be awarded?",
     ["最长不超过二十年"], ["但最长不超过二十年"], "number"),
    (RT, "en", "A car with cloned licence plates hit me. Who has to pay, and when is the owner of the genuine plates liable too?",
     ["套牌机动车的所有人或者管理人", "连带责任"], ["第三条 套牌机动车发生交通事故造成损害"], "entity"),
    (RT, "en", "I was injured when the car crashed during a test drive at a dealership. Who must compensate me, and does it matter if I was partly at fault?",
     ["提供试乘服务者", "减轻提供试乘服务者的赔偿责任"], ["¶机动车试乘过程中发生交通事故造成试乘人损害"], "entity"),
    (MD, "en", "In a medical malpractice case, how many people with medical expertise may a party ask the court to call to comment on the appraisal opinion?",
     ["一至二名"], ["一至二名具有医学专门知识的人出庭"], "number"),
    (MD, "en", "A manufacturer knowingly kept selling a defective medical device and a patient died. How much punitive damages can the family claim?",
     ["二倍以下惩罚性赔偿"], ["二倍以下惩罚性赔偿"], "number"),
    (PP, "en", "My gym sold me a card at a discount and then closed down. When I ask for a refund, how is the value of the sessions I already used worked out?",
     ["按折扣价计算"], ["非因消费者原因返还预付款的", "按折扣价计算已兑付商品或者提供服务的价款"], "condition"),
    (PP, "en", "I lost a registered prepaid card that still has money on it. Can I make the shop report it lost and issue a new one?",
     ["挂失和补办服务"], ["挂失和补办服务"], "condition"),
    (FD, "en", "A friend who doesn't shop for others as a business knowingly bought counterfeit medicine for me at my request. Can I claim punitive damages from that friend?",
     ["但受托人不以代购为业的除外"], ["但受托人不以代购为业的除外"], "condition"),
    (LD, "en", "Which court hears a labour dispute lawsuit?",
     ["用人单位所在地或者劳动合同履行地的基层人民法院"], ["第三条 劳动争议案件由用人单位所在地"], "place"),
    (LD, "en", "I'm claiming overtime pay, but all the attendance records are kept by my company. Who has to prove that I worked overtime?",
     ["就加班事实的存在承担举证责任", "由用人单位承担不利后果"], ["¶第四十二条 劳动者主张加班费的"], "condition"),
    (LD, "en", "My employer cancelled my non-compete agreement halfway through the restricted period. Can I ask for any extra compensation?",
     ["额外支付劳动者三个月的竞业限制经济补偿"], ["额外支付劳动者三个月的竞业限制经济补偿"], "number"),
    (MF, "en", "Up to what age does a parent normally have to pay child support after a divorce?",
     ["十八周岁"], ["一般至子女十八周岁为止"], "number"),
    (MF, "en", "My parents paid for a flat for me and my fiancée before our wedding. Is that money a gift to both of us?",
     ["对自己子女个人的赠与", "父母明确表示赠与双方的除外"], ["第二十九条 当事人结婚前"], "condition"),
    (MF, "en", "After a divorce, how long does one have to sue for a second division of joint marital property, and from when does that period run?",
     ["三年", "从当事人发现之日起计算"], ["请求再次分割夫妻共同财产的诉讼时效期间为三年"], "number"),
]

U = [
    # ---------------- Chinese ----------------
    (PL, "zh", "民间借贷到期不还，出借人起诉的诉讼时效是几年？", "attribute_not_stated"),
    (PI, "zh", "交通事故致人伤残，精神损害抚慰金最多能判多少钱？", "attribute_not_stated"),
    (LD, "zh", "劳动者离职后的竞业限制期限最长不能超过几年？", "attribute_not_stated"),
    (LD, "zh", "港澳台居民在内地工作，没有办理就业证就签了劳动合同，法院认不认可是劳动关系？", "different_entity"),
    (MF, "zh", "协议离婚时，申请离婚登记后的离婚冷静期是多少天？", "attribute_not_stated"),
    # ---------------- English ----------------
    (FD, "en", "If a pharmacy sells me a counterfeit drug, punitive damages are how many times the price I paid?", "sibling_term"),
    (FD, "en", "If ten times the price of substandard food comes to very little, what minimum amount of punitive damages is guaranteed?", "attribute_not_stated"),
    (RT, "en", "What is the liability limit, in yuan, of compulsory motor-vehicle traffic insurance for death or injury?", "attribute_not_stated"),
    (PL, "en", "Under the rules in force before August 2020, up to what annual interest rate did courts protect private loans?", "other_period"),
    (MD, "en", "In a medical malpractice lawsuit, who has to pay the fee for the medical damage appraisal?", "attribute_not_stated"),
]


def build():
    rows = []
    for report, lang, q, facts, anchors, typ in A:
        gold = quotes_for(doc("judicial5", report), anchors)
        rows.append({"lang": lang, "question": q, "answer_facts": facts, "gold_quote": gold,
                     "report": report, "type": typ})
    for report, lang, q, kind in U:
        doc("judicial5", report)
        rows.append({"lang": lang, "question": q, "answer_facts": [], "gold_quote": "",
                     "report": report, "type": "unanswerable", "nearmiss_kind": kind})
    write_jsonl("judicial.jsonl", number(rows, "b5-ji"))


if __name__ == "__main__":
    build()
