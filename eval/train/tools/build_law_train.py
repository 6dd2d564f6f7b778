#!/usr/bin/env python3
"""Builds eval/train/law-train.jsonl from the hand-written items below.

Items are (report, lang, type, question, answer_facts, gold_quote[, nearmiss_kind]).
Every fact is a verbatim substring of its gold_quote and every gold_quote is a
verbatim substring of eval/corpora/law-train/<report>.md (see check_law_train.py).
"""
import json
from pathlib import Path

LAB = "labor-contract-law"
FOOD = "food-safety-law"
PIPL = "personal-information-protection-law"

A = []  # answerable
U = []  # unanswerable (near misses)

# ---------------------------------------------------------------- labor, zh
A += [
 (LAB, "zh", "number", "我在试用期里干得不开心想走人，需要提前几天跟公司打招呼？",
  ["三日"], "劳动者在试用期内提前三日通知用人单位，可以解除劳动合同。"),
 (LAB, "zh", "number", "我签的是两年的劳动合同，公司写了三个月试用期，试用期最长能约定多久？",
  ["二个月"], "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动合同期限一年以上不满三年的，试用期不得超过二个月；三年以上固定期限和无固定期限的劳动合同，试用期不得超过六个月。"),
 (LAB, "zh", "number", "试用期工资公司最低能压到多少？",
  ["百分之八十", "最低工资标准"], "劳动者在试用期的工资不得低于本单位相同岗位最低档工资或者劳动合同约定工资的百分之八十，并不得低于用人单位所在地的最低工资标准。"),
 (LAB, "zh", "other", "入职半年多了公司一直拖着不签书面劳动合同，我可以主张什么？",
  ["二倍的工资"], "用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。"),
 (LAB, "zh", "other", "公司违法把我辞退了，我也不想回去了，赔偿金怎么算？",
  ["经济补偿标准的二倍"], "用人单位违反本法规定解除或者终止劳动合同的，应当依照本法第四十七条规定的经济补偿标准的二倍向劳动者支付赔偿金。"),
 (LAB, "zh", "number", "我才入职四个月，公司主动提出跟我协商解除了合同，经济补偿能拿多少？",
  ["半个月工资"], "不满六个月的，向劳动者支付半个月工资的经济补偿。"),
 (LAB, "zh", "number", "离职后公司的竞业限制最长能限制我多久？",
  ["二年"], "在解除或者终止劳动合同后，前款规定的人员到与本单位生产或者经营同类产品、从事同类业务的有竞争关系的其他用人单位，或者自己开业生产或者经营同类产品、从事同类业务的竞业限制期限，不得超过二年。"),
 (LAB, "zh", "number", "想开一家劳务派遣公司，注册资本至少要多少？",
  ["人民币二百万元"], "（一）注册资本不得少于人民币二百万元；"),
 (LAB, "zh", "number", "非全日制用工一天一般最多干几个小时？",
  ["四小时"], "非全日制用工，是指以小时计酬为主，劳动者在同一用人单位一般平均每日工作时间不超过四小时，每周工作时间累计不超过二十四小时的用工形式。"),
 (LAB, "zh", "number", "辞职以后，公司要在多长时间内给我办档案和社保转移？",
  ["十五日"], "用人单位应当在解除或者终止劳动合同时出具解除或者终止劳动合同的证明，并在十五日内为劳动者办理档案和社会保险关系转移手续。"),
 (LAB, "zh", "date", "劳动合同法是从哪天开始施行的？",
  ["2008年1月1日"], "本法自2008年1月1日起施行。"),
 (LAB, "zh", "number", "公司入职时让我交500块押金，这样收钱会被怎么罚？",
  ["每人五百元以上二千元以下"], "用人单位违反本法规定，以担保或者其他名义向劳动者收取财物的，由劳动行政部门责令限期退还劳动者本人，并以每人五百元以上二千元以下的标准处以罚款；给劳动者造成损害的，应当承担赔偿责任。"),
 (LAB, "zh", "list", "竞业限制能约束哪些员工？",
  ["高级管理人员", "高级技术人员", "其他负有保密义务的人员"], "竞业限制的人员限于用人单位的高级管理人员、高级技术人员和其他负有保密义务的人员。"),
 (LAB, "zh", "other", "我在公司连续干了十六年，离退休还剩四年，公司能以不能胜任为由跟我解约吗？",
  ["连续工作满十五年", "不足五年"], ["劳动者有下列情形之一的，用人单位不得依照本法第四十条、第四十一条的规定解除劳动合同", "（五）在本单位连续工作满十五年，且距法定退休年龄不足五年的；"]),
]

# ---------------------------------------------------------------- labor, en
A += [
 (LAB, "en", "number", "How many days of notice must an employee give before quitting?",
  ["三十日"], "劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。"),
 (LAB, "en", "number", "After how many years of continuous service with the same employer can a worker ask for an open-ended contract?",
  ["十年"], "（一）劳动者在该用人单位连续工作满十年的；"),
 (LAB, "en", "other", "What happens if a company goes a full year without signing a written contract with me?",
  ["视为用人单位与劳动者已订立无固定期限劳动合同"], "用人单位自用工之日起满一年不与劳动者订立书面劳动合同的，视为用人单位与劳动者已订立无固定期限劳动合同。"),
 (LAB, "en", "number", "A company is laying off 25 workers because business is bad. How far in advance must it explain the situation to the union or the staff?",
  ["三十日"], "需要裁减人员二十人以上或者裁减不足二十人但占企业职工总数百分之十以上的，用人单位提前三十日向工会或者全体职工说明情况，听取工会或者职工的意见后，裁减人员方案经向劳动行政部门报告，可以裁减人员"),
 (LAB, "en", "number", "I was laid off. If my old employer starts hiring again, within what period does it have to notify me and give me priority?",
  ["六个月"], "用人单位依照本条第一款规定裁减人员，在六个月内重新招用人员的，应当通知被裁减的人员，并在同等条件下优先招用被裁减的人员。"),
 (LAB, "en", "number", "How long must an employer keep the text of a labor contract after it has ended?",
  ["二年"], "用人单位对已经解除或者终止的劳动合同的文本，至少保存二年备查。"),
 (LAB, "en", "number", "I work part-time by the hour. What is the longest pay cycle the employer can use?",
  ["十五日"], "非全日制用工劳动报酬结算支付周期最长不得超过十五日。"),
 (LAB, "en", "other", "Can a part-time hourly job come with a probation period?",
  ["不得约定试用期"], "非全日制用工双方当事人不得约定试用期。"),
 (LAB, "en", "number", "I earn more than three times the local average monthly wage. Is there a cap on the number of years of severance I can get?",
  ["三倍", "十二年"], "劳动者月工资高于用人单位所在直辖市、设区的市级人民政府公布的本地区上年度职工月平均工资三倍的，向其支付经济补偿的标准按职工月平均工资三倍的数额支付，向其支付经济补偿的年限最高不超过十二年。"),
 (LAB, "en", "other", "Which 'monthly wage' is used when calculating severance pay?",
  ["前十二个月的平均工资"], "本条所称月工资是指劳动者在劳动合同解除或者终止前十二个月的平均工资。"),
 (LAB, "en", "number", "Dispatched workers may fill 'temporary' positions. How long can such a position last at most?",
  ["六个月"], "前款规定的临时性工作岗位是指存续时间不超过六个月的岗位"),
 (LAB, "en", "entity", "If the two sides disagree on whether a labor contract is invalid, who decides?",
  ["劳动争议仲裁机构", "人民法院"], "对劳动合同的无效或者部分无效有争议的，由劳动争议仲裁机构或者人民法院确认。"),
 (LAB, "en", "entity", "My boss has not paid my wages for months. Where can I apply for a payment order?",
  ["当地人民法院"], "用人单位拖欠或者未足额支付劳动报酬的，劳动者可以依法向当地人民法院申请支付令，人民法院应当依法发出支付令。"),
 (LAB, "en", "number", "The labor bureau ordered my employer to pay my overtime, and it still hasn't paid by the deadline. How much extra compensation can it be made to add?",
  ["百分之五十以上百分之一百以下"], "逾期不支付的，责令用人单位按应付金额百分之五十以上百分之一百以下的标准向劳动者加付赔偿金"),
]

# ---------------------------------------------------------------- food, zh
A += [
 (FOOD, "zh", "number", "在超市买到过期食品，除了退钱还能要求多少赔偿？",
  ["价款十倍", "损失三倍", "一千元"], "生产不符合食品安全标准的食品或者经营明知是不符合食品安全标准的食品，消费者除要求赔偿损失外，还可以向生产者或者经营者要求支付价款十倍或者损失三倍的赔偿金；增加赔偿的金额不足一千元的，为一千元。"),
 (FOOD, "zh", "other", "吃了超市卖的不合格食品受了损害，我只能去找生产厂家索赔吗？",
  ["向经营者要求赔偿损失", "向生产者要求赔偿损失"], "消费者因不符合食品安全标准的食品受到损害的，可以向经营者要求赔偿损失，也可以向生产者要求赔偿损失。"),
 (FOOD, "zh", "number", "监管部门抽检说我们的产品不合格，我们不服，多少天内可以申请复检？",
  ["七个工作日"], "对依照本法规定实施的检验结论有异议的，食品生产经营者可以自收到检验结论之日起七个工作日内向实施抽样检验的食品安全监督管理部门或者其上一级食品安全监督管理部门提出复检申请，由受理复检申请的食品安全监督管理部门在公布的复检机构名录中随机确定复检机构进行复检。"),
 (FOOD, "zh", "number", "菜市场用快检说我的蔬菜农残超标，我不服，多久之内能申请复检？",
  ["四小时"], "采用国家规定的快速检测方法对食用农产品进行抽查检测，被抽查人对检测结果有异议的，可以自收到检测结果时起四小时内申请复检。"),
 (FOOD, "zh", "number", "食品厂原料的进货查验记录要保存多久？",
  ["保质期满后六个月", "二年"], "记录和凭证保存期限不得少于产品保质期满后六个月；没有明确保质期的，保存期限不得少于二年。"),
 (FOOD, "zh", "other", "在饭店后厨工作，多久要做一次健康检查？",
  ["每年"], "从事接触直接入口食品工作的食品生产经营人员应当每年进行健康检查，取得健康证明后方可上岗工作。"),
 (FOOD, "zh", "number", "食品店被吊销了许可证，老板多少年内不能再申请食品经营许可？",
  ["五年"], "被吊销许可证的食品生产经营者及其法定代表人、直接负责的主管人员和其他直接责任人员自处罚决定作出之日起五年内不得申请食品生产经营许可，或者从事食品生产经营管理工作、担任食品生产经营企业食品安全管理人员。"),
 (FOOD, "zh", "date", "现行的食品安全法是从什么时候开始施行的？",
  ["2015年10月1日"], "本法自2015年10月1日起施行。"),
 (FOOD, "zh", "list", "预包装食品的标签上必须标明哪些内容？",
  ["名称、规格、净含量、生产日期", "成分或者配料表", "保质期", "贮存条件", "生产许可证编号"],
  ["预包装食品的包装上应当有标签。标签应当标明下列事项：", "（一）名称、规格、净含量、生产日期；", "（二）成分或者配料表；", "（三）生产者的名称、地址、联系方式；", "（四）保质期；", "（五）产品标准代号；", "（六）贮存条件；", "（七）所使用的食品添加剂在国家标准中的通用名称；", "（八）生产许可证编号；"]),
 (FOOD, "zh", "other", "我在菜市场卖自家种的蔬菜，需要办食品经营许可吗？",
  ["不需要取得许可"], "但是，销售食用农产品和仅销售预包装食品的，不需要取得许可。"),
 (FOOD, "zh", "number", "想用一种新的食品原料做产品，卫生部门要在多长时间内组织审查？",
  ["六十日"], "国务院卫生行政部门应当自收到申请之日起六十日内组织审查；对符合食品安全要求的，准予许可并公布；对不符合食品安全要求的，不予许可并书面说明理由。"),
 (FOOD, "zh", "other", "在网上平台买的食品吃出了问题，商家联系不上，平台要不要赔？",
  ["由网络食品交易第三方平台提供者赔偿"], "网络食品交易第三方平台提供者不能提供入网食品经营者的真实名称、地址和有效联系方式的，由网络食品交易第三方平台提供者赔偿。"),
 (FOOD, "zh", "other", "保健食品的标签上必须写上哪句声明？",
  ["本品不能代替药物"], "保健食品的标签、说明书不得涉及疾病预防、治疗功能，内容应当真实，与注册或者备案的内容相一致，载明适宜人群、不适宜人群、功效成分或者标志性成分及其含量等，并声明“本品不能代替药物”。"),
]

# ---------------------------------------------------------------- food, en
A += [
 (FOOD, "en", "entity", "Who draws up and publishes China's national food safety standards?",
  ["国务院卫生行政部门", "国务院食品安全监督管理部门"], "食品安全国家标准由国务院卫生行政部门会同国务院食品安全监督管理部门制定、公布，国务院标准化行政部门提供国家标准编号。"),
 (FOOD, "en", "other", "Is a restaurant allowed to add medicines to its dishes?",
  ["不得添加药品", "既是食品又是中药材的物质"], "生产经营的食品中不得添加药品，但是可以添加按照传统既是食品又是中药材的物质。"),
 (FOOD, "en", "number", "Someone sells food without a license and the goods are worth less than 10,000 yuan. What fine applies?",
  ["五万元以上十万元以下"], "违法生产经营的食品、食品添加剂货值金额不足一万元的，并处五万元以上十万元以下罚款；货值金额一万元以上的，并处货值金额十倍以上二十倍以下罚款。"),
 (FOOD, "en", "number", "In a serious case of making food from non-food raw materials, how long can the police detain the people directly responsible?",
  ["五日以上十五日以下"], "情节严重的，吊销许可证，并可以由公安机关对其直接负责的主管人员和其他直接责任人员处五日以上十五日以下拘留"),
 (FOOD, "en", "other", "If someone is sentenced to prison for a food safety crime, can they ever manage a food business again?",
  ["终身不得从事食品生产经营管理工作"], "因食品安全犯罪被判处有期徒刑以上刑罚的，终身不得从事食品生产经营管理工作，也不得担任食品生产经营企业食品安全管理人员。"),
 (FOOD, "en", "number", "A food lab employee was dismissed as a disciplinary sanction. For how many years are they barred from food testing work?",
  ["十年"], "违反本法规定，受到开除处分的食品检验机构人员，自处分决定作出之日起十年内不得从事食品检验工作"),
 (FOOD, "en", "other", "Can a factory make infant formula milk powder just by repackaging bulk powder?",
  ["不得以分装方式生产婴幼儿配方乳粉"], "不得以分装方式生产婴幼儿配方乳粉，同一企业不得用同一配方生产不同品牌的婴幼儿配方乳粉。"),
 (FOOD, "en", "other", "How does the law define the shelf life of food?",
  ["在标明的贮存条件下保持品质的期限"], "食品保质期，指食品在标明的贮存条件下保持品质的期限。"),
 (FOOD, "en", "entity", "Which authority supervises the safety of imported and exported food?",
  ["国家出入境检验检疫部门"], "国家出入境检验检疫部门对进出口食品安全实施监督管理。"),
 (FOOD, "en", "other", "Does imported packaged food need a label in Chinese?",
  ["中文标签"], "进口的预包装食品、食品添加剂应当有中文标签；依法应当有说明书的，还应当有中文说明书。"),
 (FOOD, "en", "list", "Whose canteens does the law name as collective dining units?",
  ["学校", "托幼机构", "养老机构", "建筑工地"], "学校、托幼机构、养老机构、建筑工地等集中用餐单位的食堂应当严格遵守法律、法规和食品安全标准"),
 (FOOD, "en", "other", "I asked a shop to compensate me for bad food and they told me to go to the manufacturer. Can they do that?",
  ["首负责任制", "先行赔付", "不得推诿"], "接到消费者赔偿要求的生产经营者，应当实行首负责任制，先行赔付，不得推诿；属于生产者责任的，经营者赔偿后有权向生产者追偿；属于经营者责任的，生产者赔偿后有权向经营者追偿。"),
 (FOOD, "en", "number", "How many penalties within one year will get a food business ordered to stop production?",
  ["三次"], "食品生产经营者在一年内累计三次因违反本法规定受到责令停产停业、吊销许可证以外处罚的，由食品安全监督管理部门责令停产停业，直至吊销许可证。"),
]

# ---------------------------------------------------------------- PIPL, zh
A += [
 (PIPL, "zh", "number", "孩子多大以下，他的个人信息就算敏感个人信息？",
  ["不满十四周岁"], "敏感个人信息是一旦泄露或者非法使用，容易导致自然人的人格尊严受到侵害或者人身、财产安全受到危害的个人信息，包括生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹等信息，以及不满十四周岁未成年人的个人信息。"),
 (PIPL, "zh", "entity", "学习App要收集我8岁孩子的信息，需要经过谁同意？",
  ["父母或者其他监护人"], "个人信息处理者处理不满十四周岁未成年人个人信息的，应当取得未成年人的父母或者其他监护人的同意。"),
 (PIPL, "zh", "number", "公司违法处理个人信息，情节严重的最多能罚多少？",
  ["五千万元以下", "上一年度营业额百分之五以下"], "有前款规定的违法行为，情节严重的，由省级以上履行个人信息保护职责的部门责令改正，没收违法所得，并处五千万元以下或者上一年度营业额百分之五以下罚款"),
 (PIPL, "zh", "number", "个人信息保护影响评估报告要留存几年？",
  ["三年"], "个人信息保护影响评估报告和处理情况记录应当至少保存三年。"),
 (PIPL, "zh", "date", "个人信息保护法从哪天起施行？",
  ["2021年11月1日"], "本法自2021年11月1日起施行。"),
 (PIPL, "zh", "other", "商场门口人脸识别摄像头拍下的图像，商场能拿去做营销吗？",
  ["只能用于维护公共安全的目的"], "所收集的个人图像、身份识别信息只能用于维护公共安全的目的，不得用于其他目的；取得个人单独同意的除外。"),
 (PIPL, "zh", "other", "我不同意App读取通讯录，它就不让我用了，这合法吗？",
  ["拒绝提供产品或者服务", "提供产品或者服务所必需的除外"], "个人信息处理者不得以个人不同意处理其个人信息或者撤回同意为由，拒绝提供产品或者服务；处理个人信息属于提供产品或者服务所必需的除外。"),
 (PIPL, "zh", "other", "我父亲去世了，我能去查阅、复制他在平台上的个人信息吗？",
  ["近亲属", "查阅、复制、更正、删除"], "自然人死亡的，其近亲属为了自身的合法、正当利益，可以对死者的相关个人信息行使本章规定的查阅、复制、更正、删除等权利；死者生前另有安排的除外。"),
 (PIPL, "zh", "entity", "国家层面由哪个部门统筹协调个人信息保护工作？",
  ["国家网信部门"], "国家网信部门负责统筹协调个人信息保护工作和相关监督管理工作。"),
 (PIPL, "zh", "list", "哪些信息属于敏感个人信息？",
  ["生物识别", "宗教信仰", "特定身份", "医疗健康", "金融账户", "行踪轨迹"], "敏感个人信息是一旦泄露或者非法使用，容易导致自然人的人格尊严受到侵害或者人身、财产安全受到危害的个人信息，包括生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹等信息，以及不满十四周岁未成年人的个人信息。"),
 (PIPL, "zh", "other", "同一件商品，平台给老用户的价格比新用户还高，这种“大数据杀熟”法律怎么规定？",
  ["不得对个人在交易价格等交易条件上实行不合理的差别待遇"], "个人信息处理者利用个人信息进行自动化决策，应当保证决策的透明度和结果公平、公正，不得对个人在交易价格等交易条件上实行不合理的差别待遇。"),
 (PIPL, "zh", "other", "我自己手机里存着亲戚朋友的电话和住址，这也归个人信息保护法管吗？",
  ["不适用本法"], "自然人因个人或者家庭事务处理个人信息的，不适用本法。"),
 (PIPL, "zh", "list", "公司发生个人信息泄露，发给用户的通知里必须写哪些内容？",
  ["信息种类、原因和可能造成的危害", "补救措施", "个人信息处理者的联系方式"],
  ["通知应当包括下列事项：", "（一）发生或者可能发生个人信息泄露、篡改、丢失的信息种类、原因和可能造成的危害；", "（二）个人信息处理者采取的补救措施和个人可以采取的减轻危害的措施；", "（三）个人信息处理者的联系方式。"]),
]

# ---------------------------------------------------------------- PIPL, en
A += [
 (PIPL, "en", "other", "I agreed to an app collecting my data. Can I take my consent back later?",
  ["有权撤回其同意"], "基于个人同意处理个人信息的，个人有权撤回其同意。个人信息处理者应当提供便捷的撤回同意的方式。"),
 (PIPL, "en", "list", "What routes does a company have for legally sending personal information out of China?",
  ["安全评估", "个人信息保护认证", "标准合同"],
  ["（一）依照本法第四十条的规定通过国家网信部门组织的安全评估；", "（二）按照国家网信部门的规定经专业机构进行个人信息保护认证；", "（三）按照国家网信部门制定的标准合同与境外接收方订立合同，约定双方的权利和义务；"]),
 (PIPL, "en", "list", "If a company's data practices hurt a large number of people, who can take it to court on their behalf?",
  ["人民检察院", "法律规定的消费者组织", "由国家网信部门确定的组织"], "个人信息处理者违反本法规定处理个人信息，侵害众多个人的权益的，人民检察院、法律规定的消费者组织和由国家网信部门确定的组织可以依法向人民法院提起诉讼。"),
 (PIPL, "en", "number", "In a serious data protection case, how big a fine can the responsible managers personally face?",
  ["十万元以上一百万元以下"], "对直接负责的主管人员和其他直接责任人员处十万元以上一百万元以下罚款"),
 (PIPL, "en", "other", "How long is a company allowed to keep my personal data?",
  ["实现处理目的所必要的最短时间"], "除法律、行政法规另有规定外，个人信息的保存期限应当为实现处理目的所必要的最短时间。"),
 (PIPL, "en", "other", "What does 'anonymization' mean in this law?",
  ["无法识别特定自然人且不能复原"], "（四）匿名化，是指个人信息经过处理无法识别特定自然人且不能复原的过程。"),
 (PIPL, "en", "entity", "Where must personal information handled by government agencies be stored?",
  ["中华人民共和国境内"], "国家机关处理的个人信息应当在中华人民共和国境内存储；确需向境外提供的，应当进行安全评估。"),
 (PIPL, "en", "other", "An app keeps pushing ads tailored to my profile. What does it have to offer me?",
  ["不针对其个人特征的选项", "便捷的拒绝方式"], "通过自动化决策方式向个人进行信息推送、商业营销，应当同时提供不针对其个人特征的选项，或者向个人提供便捷的拒绝方式。"),
 (PIPL, "en", "entity", "A foreign company serves Chinese users from abroad. What must it set up or appoint inside China?",
  ["专门机构", "指定代表"], "本法第三条第二款规定的中华人民共和国境外的个人信息处理者，应当在中华人民共和国境内设立专门机构或者指定代表，负责处理个人信息保护相关事务"),
 (PIPL, "en", "entity", "Big internet platforms must set up an independent body to oversee data protection. Who should mainly sit on it?",
  ["外部成员"], "（一）按照国家规定建立健全个人信息保护合规制度体系，成立主要由外部成员组成的独立机构对个人信息保护情况进行监督；"),
 (PIPL, "en", "other", "My data was leaked and I'm suing the company. Do I have to prove it was at fault?",
  ["不能证明自己没有过错"], "处理个人信息侵害个人信息权益造成损害，个人信息处理者不能证明自己没有过错的，应当承担损害赔偿等侵权责任。"),
 (PIPL, "en", "other", "Does a company need my consent before handing my data to another company?",
  ["单独同意"], "个人信息处理者向其他个人信息处理者提供其处理的个人信息的，应当向个人告知接收方的名称或者姓名、联系方式、处理目的、处理方式和个人信息的种类，并取得个人的单独同意。"),
 (PIPL, "en", "other", "A foreign court asks a Chinese company for customer data stored in China. Can the company just hand it over?",
  ["非经中华人民共和国主管机关批准"], "非经中华人民共和国主管机关批准，个人信息处理者不得向外国司法或者执法机构提供存储于中华人民共和国境内的个人信息。"),
]

# ============================================================ near misses
def u(report, lang, kind, question):
    return (report, lang, "unanswerable", question, [], "", kind)

U += [
 # labor, zh
 u(LAB, "zh", "attribute_not_stated", "周末加班，加班费按工资的几倍算？"),
 u(LAB, "zh", "different_entity", "开劳务派遣公司要二百万注册资本，那开一家劳务外包公司注册资本要多少？"),
 u(LAB, "zh", "attribute_not_stated", "生病请长病假，法定医疗期具体有几个月？"),
 u(LAB, "zh", "attribute_not_stated", "公司用的劳务派遣工最多不能超过总用工人数的百分之多少？"),
 u(LAB, "zh", "other_period", "劳动合同法2012年那次修正，修改后的条文是从哪天开始施行的？"),
 u(LAB, "zh", "finer_granularity", "非全日制用工每周不超过二十四小时，那一个月最多能排多少小时？"),
 u(LAB, "zh", "comparison_or_cause_not_stated", "为什么法律把竞业限制期限定在两年，而不是三年或五年？"),
 # labor, en
 u(LAB, "en", "attribute_not_stated", "How much monthly non-compete compensation must the employer pay me after I leave?"),
 u(LAB, "en", "attribute_not_stated", "How many days of maternity leave does a female employee get?"),
 u(LAB, "en", "other_period", "Under the original 2007 version of the law, what was the minimum registered capital for a labor dispatch company?"),
 u(LAB, "en", "modifier_bound", "If a company lays off fewer than 20 people and that is under 10% of its staff, how many days in advance must it brief the union?"),
 u(LAB, "en", "different_entity", "What is the minimum registered capital for opening a job agency (employment intermediary)?"),
 u(LAB, "en", "attribute_not_stated", "Is the severance pay I receive subject to individual income tax?"),
 u(LAB, "en", "sibling_term", "How many years must a labor dispatch agreement between the agency and the host company be kept on file?"),
 # food, zh
 u(FOOD, "zh", "sibling_term", "保健食品申请注册，监管部门要在多少天内作出是否准予注册的决定？"),
 u(FOOD, "zh", "attribute_not_stated", "对抽检结果申请复检，复检费用由谁来出？"),
 u(FOOD, "zh", "attribute_not_stated", "举报食品安全违法行为查证属实，能拿到多少奖金？"),
 u(FOOD, "zh", "other_period", "食品安全法2021年修正后的版本是从哪天开始施行的？"),
 u(FOOD, "zh", "attribute_not_stated", "食品生产许可证的有效期是几年？"),
 u(FOOD, "zh", "finer_granularity", "食品安全事故具体分为哪几个等级？"),
 u(FOOD, "zh", "finer_granularity", "在北京摆摊卖煎饼，需要办什么登记手续？"),
 # food, en
 u(FOOD, "en", "other_period", "Under the 2009 version of the Food Safety Law, how many times the price could a consumer claim for unsafe food?"),
 u(FOOD, "en", "sibling_term", "Can the police detain a shop owner for selling food past its expiry date, and for how many days?"),
 u(FOOD, "en", "attribute_not_stated", "How many members sit on the food safety risk assessment expert committee?"),
 u(FOOD, "en", "sibling_term", "How long must a food testing agency keep its inspection reports?"),
 u(FOOD, "en", "comparison_or_cause_not_stated", "Why does the law ban making infant formula milk powder by repackaging?"),
 u(FOOD, "en", "attribute_not_stated", "Which office issues the health certificate that kitchen staff need before starting work?"),
 # PIPL, zh
 u(PIPL, "zh", "attribute_not_stated", "我向App申请查阅自己的个人信息，对方必须在多少天内给我？"),
 u(PIPL, "zh", "attribute_not_stated", "处理多少人的个人信息以上，就必须指定个人信息保护负责人？"),
 u(PIPL, "zh", "modifier_bound", "违法处理个人信息但情节不严重的，对公司的罚款最低是多少？"),
 u(PIPL, "zh", "sibling_term", "个人信息保护影响评估报告要保存三年，那合规审计报告要保存几年？"),
 u(PIPL, "zh", "other_period", "个人信息保护法草案是哪一年第一次提请审议的？"),
 u(PIPL, "zh", "comparison_or_cause_not_stated", "同一个违法行为，个人信息保护法和数据安全法都有处罚时，以哪部法律为准？"),
 # PIPL, en
 u(PIPL, "en", "finer_granularity", "Within how many hours of a data breach must the company notify the regulator?"),
 u(PIPL, "en", "modifier_bound", "In a serious case, what is the minimum fine the company faces?"),
 u(PIPL, "en", "attribute_not_stated", "For how many years can a manager be banned from serving as a director after a serious violation?"),
 u(PIPL, "en", "comparison_or_cause_not_stated", "Why did the law choose 14 as the age below which children's data counts as sensitive?"),
 u(PIPL, "en", "different_entity", "How much can a government agency be fined if it fails its personal information protection duties?"),
 u(PIPL, "en", "modifier_bound", "How many users must a platform have before it counts as an 'important internet platform' with extra duties?"),
 u(PIPL, "en", "finer_granularity", "What clauses does the standard contract for cross-border data transfers contain?"),
]


def main():
    out = Path(__file__).resolve().parents[1] / "law-train.jsonl"
    short = {LAB: "lab", FOOD: "food", PIPL: "pipl"}
    rows = []
    counters = {}
    for item in A + U:
        report, lang, typ, q, facts, quote = item[:6]
        key = (short[report], lang)
        counters[key] = counters.get(key, 0) + 1
        row = {
            "id": f"lt-{short[report]}-{lang}-{counters[key]:02d}",
            "lang": lang,
            "question": q,
            "answer_facts": facts,
            "gold_quote": quote,
            "report": report,
            "type": typ,
        }
        if typ == "unanswerable":
            row["nearmiss_kind"] = item[6]
        rows.append(row)
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
