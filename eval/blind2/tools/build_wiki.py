"""Build /work/main/eval/blind2/wiki.jsonl (hand-written questions; this file only serialises them)."""
import json, os

OUT = os.path.join(os.path.dirname(__file__), '..', 'wiki.jsonl')
rows = []

def A(corpus, report, lang, typ, q, facts, quote):
    rows.append(dict(corpus=corpus, report=report, lang=lang, type=typ, question=q,
                     answer_facts=facts, gold_quote=quote))

def U(corpus, report, lang, kind, q):
    rows.append(dict(corpus=corpus, report=report, lang=lang, type='unanswerable', question=q,
                     answer_facts=[], gold_quote='', nearmiss_kind=kind))

X = 'xquad'; C = 'cmrc'

# ---------------- XQuAD, answerable, Chinese (35) ----------------
A(X, '01_Super_Bowl_50', 'zh', 'number', '黑豹队的马里奥·爱迪生那个赛季拿到了几次擒杀？',
  ['6½'], '他的队友马里奥·爱迪生贡献了 6½ 次擒杀。')
A(X, '03_Normans', 'zh', 'person', '诺曼人在意大利南部的第一个据点阿韦尔萨郡，拉努夫·德伦戈特是从谁手里接过来的？',
  ['塞尔吉乌斯四世'], '1030 年，拉努夫·德伦戈特 (Rainulf Drengot) 从那不勒斯公爵塞尔吉乌斯四世 (Sergius IV) 手中接过南部第一个诺曼人据点阿韦尔萨 (Aversa) 郡。')
A(X, '03_Normans', 'zh', 'number', '亚美尼亚将军勃拉克哈米乌斯手下的两万名士兵里，有多少是诺曼人？',
  ['8,000'], '从 1073 年到 1074 年，亚美尼亚将军勃拉克哈米乌斯 (Philaretus Brachamius) 的 20,000 名士兵中有 8,000 人是由拉博德 (Raimbaud) 率领的诺曼人——此前是奥赛尔的士兵。')
A(X, '05_Computational_complexity_theory', 'zh', 'entity', '要精确定义“在给定时间和空间内解决一个问题”，复杂性理论通常借助哪种计算模型？',
  ['确定型图灵机'], '为了精确定义通过给定的时间和空间来解决问题意味着什么，可使用诸如确定型图灵机的计算模型。')
A(X, '07_Martin_Luther', 'zh', 'date', '受路德圣经影响的廷代尔英语圣经是哪一年出的？',
  ['1525'], '路德圣经影响了其他语言的译本，例如 威廉·廷代尔 的英语圣经（1525），是钦定版圣经的前身。')
A(X, '07_Martin_Luther', 'zh', 'person', '路德那首赞美诗的英文版“Flung to the Heedless Winds”，用的是谁在哪一年写的曲调？',
  ['玛利亚·C·蒂德曼', '1875年'], '在英语中由 约翰·C·梅信格 以“ Flung to the Heedless Winds ”作为标题和第一句的翻译以玛利亚·C·蒂德曼1875年创作的曲调演唱而广为人知。')
A(X, '09_Sky__United_Kingdom', 'zh', 'number', '2007年BSkyB打算用几个订阅频道换掉几个免费的数字地面频道？',
  ['4个', '3个'], '2007年2月8日 ，BskyB宣布，计划以4个订阅频道取代3个免费数字地面频道。')
A(X, '09_Sky__United_Kingdom', 'zh', 'date', '《每日邮报》报道英国福利机构会查申请人的Sky账单，是哪一年的事？',
  ['2012年'], '2012年《每日邮报》曾报道，英国政府的福利机构检查申请人的“ Sky TV 账单 以确定作为单身母亲领取福利金的妇女是否是错误地声称自己独居”——据他们说，订阅体育频道暴露了其实 家里有一个男人 。')
A(X, '11_Huguenot', 'zh', 'number', '1700年到弗吉尼亚的胡格诺派移民，殖民当局给的地在詹姆斯河瀑布上游多远？',
  ['20英里'], '当他们抵达时，殖民当局却为他们提供詹姆斯河瀑布上方20英里处的土地，位于被称为 马纳金镇 的废弃蒙那肯族村庄（现波瓦坦县）。')
A(X, '11_Huguenot', 'zh', 'date', '勒费弗把《新约圣经》译成法语出版是在哪一年？',
  ['1523年'], '在新教改革期间， 巴黎大学 教授勒费弗于1523年出版了他的《新约圣经》法语译本，随后在 1530年 出版了整部《圣经》的法语译本。')
A(X, '13_Oxygen', 'zh', 'place', '舍勒是在什么地方独立发现氧气的？',
  ['乌普萨拉'], '1773 年或更早的时候卡尔·威尔海姆·舍勒在乌普萨拉独立发现氧气，而约瑟夫·普利斯特里在 1774 年在威尔特郡也独立发现了氧气，但后者常常被优先认定，因为 他的发现首先发表 。')
A(X, '13_Oxygen', 'zh', 'list', '高压氧舱这类设备有时会用来治哪几种病？',
  ['一氧化碳中毒、气性坏疽和减压症'], '这些设备有时被用来治疗一氧化碳中毒、气性坏疽和减压症。')
A(X, '15_Apollo_program', 'zh', 'number', '修复阿波罗11号原始月球转播画面的预算是多少钱？',
  ['23万美元'], '阿波罗11号保存至今的原始月球广播数据由 纳夫兹格 整理并交给 Lowry Digital 进行修复，预算为23万美元。')
A(X, '15_Apollo_program', 'zh', 'date', '冯·布劳恩是在什么时候的简报里宣布马歇尔中心认可LOR方案的？',
  ['1962年6月'], '马歇尔太空飞行中心 （MSFC）的工程师后来才确信LOR的优点，这一点是沃纳·冯·布劳恩在1962年6月的一次简报中宣布的。')
A(X, '17_Amazon_rainforest', 'zh', 'number', '秘鲁境内的雨林占整个亚马逊雨林面积的多少？',
  ['13%'], '雨林的大部分位于 巴西，占雨林面积的60%，其次是秘鲁，占13%，哥伦比亚占10%，委内瑞拉、厄瓜多尔、玻利维亚、圭亚那、苏里南和法属圭亚那也有少量。')
A(X, '19_Fresno__California', 'zh', 'number', '科尔尼大道从弗雷斯诺街往西一直通到科尔曼，大约有多长？',
  ['20英里（32公里）'], '科尔尼大道位于弗雷斯诺西南部，从弗雷斯诺街向西延伸约20英里（32公里）到加利福尼亚科尔曼。')
A(X, '19_Fresno__California', 'zh', 'place', '弗雷斯诺的168号州道往东能通到哪里？',
  ['克洛维斯和亨廷顿湖'], '州168号公路，即 塞拉高速公路，向东通往克洛维斯和亨廷顿湖。')
A(X, '21_Black_Death', 'zh', 'date', '巴黎医学院的报告认为瘟疫是哪一年三颗行星会合引起的？',
  ['1345年'], '当时最权威的解释来自巴黎的医学院，在一份写给 法国国王 的报告中将其归咎于 天堂 ，即1345年三个行星的结合引起了“空气中的巨大瘟疫”。')
A(X, '21_Black_Death', 'zh', 'number', '1576到1577年那场瘟疫，威尼斯死了多少人？',
  ['50,000'], '1576-77年的瘟疫造成50,000威尼斯人死亡，几乎占到人口的三分之一。')
A(X, '23_Newcastle_upon_Tyne', 'zh', 'number', '哈德良长城全长多少？',
  ['73英里（117公里）'], '哈德良长城的长度是73英里（117公里），跨越英国的宽度')
A(X, '23_Newcastle_upon_Tyne', 'zh', 'date', '杜兰杜兰乐队的前吉他手安迪·泰勒是哪年在纽卡斯尔出生的？',
  ['1961年'], '安迪·泰勒， 杜兰杜兰乐队 的前首席吉他手，1961年出生于这里。')
A(X, '25_American_Broadcasting_Company', 'zh', 'date', '诺布尔任命金特纳当总裁后，自己当首席执行官一直当到哪一年？',
  ['1958年'], '1950年，诺布尔任命 罗伯特•金特纳 为美国广播公司总裁，而他本人则担任首席执行官，直到1958年去世。')
A(X, '27_Pharmacy', 'zh', 'number', '阿维森纳一共描述了多少种药物制剂？',
  ['700种'], '阿维森纳也描述了不少于700种制剂以及它们的性质、作用方式和适应症。')
A(X, '29_Civil_disobedience', 'zh', 'person', '是哪几位学者把《独立宣言》里“改变或废除”不公正政府的权利，认定为公民不服从的原则？',
  ['霍华德·津恩', '哈维·惠勒'], '霍华德·津恩、哈维·惠勒等人已经把《独立宣言》中拥护的“改变或废除”不公正政府的权利确定为公民不服从的原则。')
A(X, '31_Private_school', 'zh', 'date', '要求美国学校废除种族隔离的布朗诉托皮卡教育委员会案是哪一年的？',
  ['1954年'], '在1954年具有里程碑意义的 布朗诉托皮卡教育委员会案 要求美国学校“以十分审慎的速度”废除种族隔离后，在美国大部分地区，当地家庭组织了一波私立“基督教学院”。')
A(X, '33_Jacksonville__Florida', 'zh', 'number', '2014年杰克逊维尔市的人口估计有多少？',
  ['853,382人'], '据估计，2014年该市人口为853,382人，是佛罗里达州和东南部人口最多的城市，也是美国人口 第12 多的城市。')
A(X, '33_Jacksonville__Florida', 'zh', 'entity', '让·里博给圣约翰河起的名字是什么？',
  ['五月河'], '1562年，法国胡格诺派探险家 让·里博 在地图上标出了圣约翰河，称它为五月河，因为他在五月发现了这条河。')
A(X, '35_Doctor_Who', 'zh', 'entity', '维多利亚·沃特菲尔德怀疑博士已经记不得家人，这是在哪一部系列剧里？',
  ['《赛博人之墓》'], '在1967年的系列剧《赛博人之墓》中，维多利亚·沃特菲尔德怀疑博士是否还记得他的家人，因为他“太古老了”，博士说他可以在他真正想要的时候记起——“其余的时间他们都睡在我的脑海里”。')
A(X, '37_Yuan_dynasty', 'zh', 'date', '忽必烈第二次出兵日本是在哪一年？',
  ['1281 年'], '1281 年，因一场 不祥的台风 忽必烈第二次入侵日本失败。')
A(X, '37_Yuan_dynasty', 'zh', 'entity', '元朝中央政府里管兵权的是哪个机构？',
  ['枢密院'], '政府采取了传统汉族的 三权分立 之法，即将 行政、军队和监察 三大权力分割，中书省总理政务，枢密院掌管兵权，御史台负责内部监察和监督。')
A(X, '39_Intergovernmental_Panel_on_Climate_Change', 'zh', 'date', '拉津德·帕乔里是什么时候当选IPCC主席的？',
  ['2002 年 5 月'], 'IPCC 历任主席为：拉津德·帕乔里，于 2002 年 5 月经选举任职；罗伯特·沃森，于 1997 年任职； 伯特·布林 ，于 1988 年任职。')
A(X, '41_Prime_number', 'zh', 'other', 'AKS素性测试总能在多项式时间内给出正确答案，为什么实际中却不实用？',
  ['太慢'], '还有 AKS素性测试，它总是在多项式时间内产生正确答案但是由于太慢而不实用。')
A(X, '43_Scottish_Parliament', 'zh', 'date', '1979年那次苏格兰权力下放公投是在哪天举行的？',
  ['1979年3月1日'], '根据《1978年苏格兰法令》的规定，1979年3月1日举行公投，如果 大多数苏格兰选民 ，即全体选民的40%以上投票支持，那 爱丁堡 将设立一个民选议会。')
A(X, '45_Imperialism', 'zh', 'date', '参与帝国主义论战的理论家诺曼·安吉尔是哪一年去世的？',
  ['1967'], '许多辩论都是由 J.A. 霍布森（1858-1940）、约瑟夫•熊彼特（1883-1950）、托尔斯坦•韦布伦（1857-1929）和诺曼•安吉尔（1872-1967）等理论家倡导的。')
A(X, '47_French_and_Indian_War', 'zh', 'number', '法国－印第安人战争前夕，北美英国殖民地的移民人口大约有多少？',
  ['150万'], '英国移民以 20比1 的比例超过法国，人口约为150万，分布在欧洲大陆的东海岸， 从北部的新斯科舍和纽芬兰到南部的格鲁吉亚。')

# ---------------- XQuAD, answerable, English (25) ----------------
A(X, '01_Super_Bowl_50', 'en', 'number', "How many times had Carolina's defensive end Jared Allen been selected to the Pro Bowl?",
  ['五次'], '黑豹队的防线上有经验丰富的防守端锋贾里德·艾伦，他是五次职业碗选手，曾以 136 次擒杀成为 NFL 职业生涯中的活跃领袖。')
A(X, '03_Normans', 'en', 'date', 'In which decade had the early Viking settlers already begun arriving in what became Normandy?',
  ['880 年代'], '早期的维京定居者在 880 年代已经开始抵达')
A(X, '03_Normans', 'en', 'list', 'Which of the Canary Islands did the Bethencourt and de la Salle expedition conquer?',
  ['兰萨罗特岛', '富埃特文图拉岛', '耶罗岛'], '在 1402 年至 1405 年间，由诺曼贵族让·德贝当古 (Jean de Bethencourt) 和普瓦特维纳人 (Poitevine) 戈迪菲·德拉萨莱 (Gadifer de la Salle) 率领的探险队在非洲大西洋沿岸征服了加那利群岛的兰萨罗特岛 (Lanzarote)、富埃特文图拉岛 (Fuerteventura) 和耶罗岛 (El Hierro)。')
A(X, '07_Martin_Luther', 'en', 'date', 'In which month of 1521 did Luther write his judgment on monastic vows?',
  ['11月'], '11月，路德写了《马丁·路德关于修道誓言的判决书》。')
A(X, '09_Sky__United_Kingdom', 'en', 'other', 'From what orbital position was the old analogue Sky service broadcast?',
  ['19.2°E'], '当Sky Digital于 1998 年推出的时候，这一新闻服务使用的是位于28.5°E轨道位置的 Astra 2A 卫星，而不是从19.2°E广播的模拟服务。')
A(X, '09_Sky__United_Kingdom', 'en', 'entity', 'Which Sky channel, together with others, offered a pseudo video-on-demand service by playing looped video streams?',
  ['Sky News'], 'Sky News与其他频道通过播放循环视频流，提供一种伪视屏点播交互服务。')
A(X, '11_Huguenot', 'en', 'number', 'How many Huguenots still living in Manakin Town were naturalized by the Virginia assembly in 1705?',
  ['148'], '1705年5月12日 ，弗吉尼亚州议会通过了一项法案，将仍然居住在马纳金镇的148名胡格诺派信徒归化。')
A(X, '13_Oxygen', 'en', 'date', 'In what year did Lavoisier give oxygen its name?',
  ['1777年'], '氧气的名称是由 安托万·拉瓦锡 于1777年命名的，他的氧气实验帮助推翻了当时流行的 燃烧和腐蚀燃素理论 。')
A(X, '13_Oxygen', 'en', 'person', 'Which two engineers independently developed the first commercial method for producing liquid oxygen?',
  ['Carl von Linde', 'William Hampson'], '第一个商业化制造液氧的方法是由德国工程师Carl von Linde和英国工程师William Hampson于 1895年 独立开发的。')
A(X, '17_Amazon_rainforest', 'en', 'number', 'What was the average yearly Amazon deforestation rate in the five years before 2000–2005 (in square kilometres, as reported)?',
  ['19,018'], '2000年至2005年，平均年森林砍伐率(22,392平方公里或 8,646平方英里 /年)比前五年(19,018平方公里或7,343平方英里/年)高 18% 。')
A(X, '17_Amazon_rainforest', 'en', 'number', 'How much carbon dioxide did the Amazon give off in 2010?',
  ['80亿吨'], '通常情况下，亚马逊一年吸收 15亿吨 的二氧化碳；在2005年则排放了50亿吨在2010年则排放了80亿吨。')
A(X, '19_Fresno__California', 'en', 'entity', 'If State Route 99 is upgraded into the Interstate system, which Interstate number is it most likely to get?',
  ['9号州际公路'], '由于 SR99沿线城市人口和交通的快速增长，以及联邦资金的有利条件，已经有很多讨论将其升级到州际标准，并最终将其纳入州际公路系统，最有可能的是9号州际公路。')
A(X, '21_Black_Death', 'en', 'place', 'Through which port did the first plague variant enter Europe around November 1347?',
  ['马赛'], '对于法国与英格兰残存瘟疫坑的调查表明，第一个变种是在1347年11月左右通过马赛港口进入了欧洲 并在接下来的两年内席卷法国，最终在 1349年春季到达英国 ，在那里以三种流行病的形式蔓延。')
A(X, '21_Black_Death', 'en', 'number', 'How many epidemics hit Constantinople between 1751 and 1800?',
  ['31'], '在1701年至1750年间，君士坦丁堡爆发了37起或大或小的流行病，1751年至1800年间又发生了31起。')
A(X, '23_Newcastle_upon_Tyne', 'en', 'date', 'On what date did Newcastle University become independent of Durham University?',
  ['1963年8月1日'], '纽卡斯尔大学 的前身是成立于1834年的医学和外科学院，并于1963年8月1日从达勒姆大学独立，成为泰恩河畔纽卡斯尔大学。')
A(X, '25_American_Broadcasting_Company', 'en', 'entity', "ABC's ARTS cable channel was a joint venture with which company?",
  ['赫斯特公司'], '1981年，美国广播公司（由其视频服务部门）推出了 阿尔法保留剧目电视网（ARTS） ，这是与赫斯特公司合资的有线电视频道，提供文化和艺术相关节目，定位成为超越尼克频道的晚间服务频道。')
A(X, '27_Pharmacy', 'en', 'person', 'Who was the first physician to start a pharmacopoeia?',
  ['萨布·伊本·萨尔'], '然而，萨布·伊本·萨尔 (d 869) 是第一个提出药典倡议的医生，药典描述了各种各样的药物和治疗小病小痛的方法。')
A(X, '29_Civil_disobedience', 'en', 'entity', 'In which case were the defendants offered a misdemeanor plea with no jail time?',
  ['卡姆登28号案件'], '有时控方会向不服从民事判决的人提出一项 辩诉交易，就像卡姆登28号案件那样，被告有机会对一项轻罪指控认罪，而且 不会被判入狱。')
A(X, '31_Private_school', 'en', 'entity', 'What was the "semi-private" model that white public schools in late-apartheid South Africa could switch to called?',
  ['C模式'], '在种族隔离时代的最后几年，白人公立学校的家长可以选择转向一种被称为C模式的“半私立”形式，其中许多学校改变了招生政策，接受其他种族的孩子。')
A(X, '33_Jacksonville__Florida', 'en', 'date', 'On what date did Spanish forces from St. Augustine attack Fort Caroline?',
  ['1565年9月20日'], '1565年9月20日，一支来自附近西班牙殖民地圣奥古斯丁的西班牙军队袭击了卡洛琳堡，杀死了几乎所有守卫卡洛琳堡的法国士兵。')
A(X, '35_Doctor_Who', 'en', 'person', 'Which actress played Rose Tyler?',
  ['比莉·派珀'], '第九任和第十任博士的主要女伴分别是露丝·泰勒（比莉·派珀饰）、玛莎·琼斯（弗莉玛·阿吉曼饰）和唐娜·诺布尔（ 凯瑟琳·塔特 饰），次要同伴角色则有 米基·史密斯（洛尔·克拉克饰）和杰克·哈克尼斯（约翰·巴洛曼饰）。')
A(X, '37_Yuan_dynasty', 'en', 'entity', 'Which central government body of the Yuan mainly handled financial affairs?',
  ['尚书省'], '另一个被称作尚书省、主要处理财政事务的中央政府机构则在元朝的不同时期被建立（如元武宗时），但通常不久后又被废立。')
A(X, '39_Intergovernmental_Panel_on_Climate_Change', 'en', 'number', 'Under business as usual, by about how much did Working Group I expect global mean temperature to rise per decade in the 21st century?',
  ['0.3°C'], '他们预计，在 一切如旧 (business as usual, BAU) 的情境下，21 世纪的全球平均气温每十年将上升约 0.3°C 。')
A(X, '41_Prime_number', 'en', 'entity', "Legendre's conjecture follows from which stronger conjecture?",
  ['克拉梅尔猜想'], '这是从更强的克拉梅尔猜想所导出。')
A(X, '47_French_and_Indian_War', 'en', 'date', "On what date did Contrecœur's force of 500 men set out south from Fort Venango?",
  ['1754年4月5日'], '在同一时期，杜肯总督派遣法国增援军队在克劳德·皮埃尔·佩考迪·德·科特克尔的领导下解除了圣皮埃尔的武装，并于1754年4月5日从韦南戈堡率领500人向南行进。')

# ---------------- XQuAD, near-miss unanswerable, Chinese (15) ----------------
U(X, '01_Super_Bowl_50', 'zh', 'modifier_bound', '黑豹队全队这个赛季一共完成了多少次擒杀？')
U(X, '03_Normans', 'zh', 'attribute_not_stated', '诺曼人是在哪一年征服西西里岛的？')
U(X, '05_Computational_complexity_theory', 'zh', 'attribute_not_stated', '图灵机这个计算模型是哪一年由谁提出的？')
U(X, '07_Martin_Luther', 'zh', 'finer_granularity', '《论巴比伦人对教会的囚禁》是1520年几月发表的？')
U(X, '11_Huguenot', 'zh', 'finer_granularity', '《枫丹白露法令》是1685年几月几日颁布的？')
U(X, '13_Oxygen', 'zh', 'attribute_not_stated', '高压氧治疗时，氧气室里的氧分压一般要加到几个大气压？')
U(X, '17_Amazon_rainforest', 'zh', 'other_period', '到2005年，亚马逊森林消失的总面积累计达到了多少平方公里？')
U(X, '19_Fresno__California', 'zh', 'attribute_not_stated', '科尔尼大道是哪一年修建的？')
U(X, '23_Newcastle_upon_Tyne', 'zh', 'attribute_not_stated', '泰恩威尔地铁一期工程一共花了多少钱？')
U(X, '25_American_Broadcasting_Company', 'zh', 'comparison_or_cause_not_stated', '美国广播公司为什么在2015年秋季不再用1998-2002年的那段四音符主题？')
U(X, '31_Private_school', 'zh', 'finer_granularity', '南非学校法案是1996年哪一天通过的？')
U(X, '33_Jacksonville__Florida', 'zh', 'attribute_not_stated', '2008年热带风暴“费伊”让杰克逊维尔多少户停了电？')
U(X, '35_Doctor_Who', 'zh', 'attribute_not_stated', '第九任博士是由哪位演员饰演的？')
U(X, '45_Imperialism', 'zh', 'different_entity', '支持帝国扩张的政治地理学家哈尔福德·麦金德是哪一年出生的？')
U(X, '43_Scottish_Parliament', 'zh', 'attribute_not_stated', '苏格兰议会一共有多少个议席？')

# ---------------- XQuAD, near-miss unanswerable, English (10) ----------------
U(X, '01_Super_Bowl_50', 'en', 'attribute_not_stated', 'How many sacks did Von Miller record in the game?')
U(X, '07_Martin_Luther', 'en', 'attribute_not_stated', "How many copies of Luther's German Bible translation were printed in his lifetime?")
U(X, '09_Sky__United_Kingdom', 'en', 'modifier_bound', 'What annual carriage fee does the BSkyB–Virgin Media deal set for the high-definition channels?')
U(X, '15_Apollo_program', 'en', 'attribute_not_stated', 'How long did it take the pad crew to get the Apollo 1 hatch open after the fire started?')
U(X, '21_Black_Death', 'en', 'other_period', "What share of Amsterdam's population died in the 1655 plague outbreak?")
U(X, '23_Newcastle_upon_Tyne', 'en', 'different_entity', 'How many passengers a year does Newcastle Airport handle?')
U(X, '25_American_Broadcasting_Company', 'en', 'attribute_not_stated', 'In what year was the merger of UPT and DuMont completed?')
U(X, '29_Civil_disobedience', 'en', 'attribute_not_stated', 'In what year did the Camden 28 case take place?')
U(X, '37_Yuan_dynasty', 'en', 'finer_granularity', 'In which month of 1323 was Emperor Yingzong assassinated?')
U(X, '41_Prime_number', 'en', 'attribute_not_stated', 'In what year was the largest prime known as of January 2016 discovered?')

# ---------------- CMRC, answerable, Chinese (40) ----------------
A(C, 'cmrc_0002', 'zh', 'number', '尤金袋鼠一共分成几个亚种？', ['三个亚种'], '尤金袋鼠共有三个亚种')
A(C, 'cmrc_0006', 'zh', 'date', '佩内塔是哪一年转成职业选手的？', ['2000年'], '她生于布林迪西，2000年转为职业选手。')
A(C, 'cmrc_0006', 'zh', 'person', '2015年美网女单决赛，佩内塔打败的是谁？', ['罗贝塔·文奇'],
  '在决赛中以7-6、6-2战胜意大利同胞、本届美网的大黑马罗贝塔·文奇，夺得2015年美国网球公开赛女子单打冠军。')
A(C, 'cmrc_0014', 'zh', 'date', '高英是哪一年伙同叔叔高肇毒死顺皇后于氏的？', ['508年'], '508年她和叔叔高肇联手毒杀顺皇后于氏。')
A(C, 'cmrc_0014', 'zh', 'place', '高英被逼出家以后住进了哪座寺？', ['瑶光寺'], '三月，高英被迫出俗为尼，徙居金墉瑶光寺，非大节庆不得入宫。')
A(C, 'cmrc_0018', 'zh', 'person', '第一家Dairy Queen是谁开的？哪天开业的？', ['谢普·诺布', '1940年6月22日'],
  '第一间Dairy Queen餐厅位于美国伊利诺州乔利埃特 (伊利诺州)，是由谢普·诺布（Sherb Noble）在1940年6月22日开设，供应霜淇淋等各种冷冻点心。')
A(C, 'cmrc_0022', 'zh', 'date', '山东女子学院是什么时候把学校主体搬到长清校区的？', ['2005年9月'], '2005年9月，学校主体搬迁至长清校区。')
A(C, 'cmrc_0026', 'zh', 'number', 'T-92快砲一分钟能打多少发？', ['330发／分钟'],
  '仰俯角度为-4度至60度，仰俯速率为45度／秒，射速330发／分钟，有效射程4000公尺。')
A(C, 'cmrc_0030', 'zh', 'other', '假苹婆为什么又被叫作七姐果？', ['结果的期间与中国七姐诞相近'], '由于假苹婆结果的期间与中国七姐诞相近，故称为七姐果。')
A(C, 'cmrc_0034', 'zh', 'number', '《卡美拉 大怪兽空中决战》是卡美拉系列的第几部电影？', ['第9部'],
  '《卡美拉 大怪兽空中决战》（原名：ガメラ 大怪獣空中决戦）是1995年上映的日本怪兽电影，卡美拉系列电影的第9部作品、大映制作的平成「卡美拉三部曲」的首部曲，同时是卡美拉诞生30周年的纪念作品。')
A(C, 'cmrc_0038', 'zh', 'number', '黄鳍紫鱼一般生活在多深的海里？', ['90至360公尺'], '水深90至360公尺。')
A(C, 'cmrc_0046', 'zh', 'other', '温克霍克在2007年欧洲大奖赛上是第几圈、因为什么退赛的？', ['第15圈', '液压故障'],
  '在第15圈由于液压故障而退出比赛，他共在赛道上领跑6圈。')
A(C, 'cmrc_0050', 'zh', 'other', '软枝黄蝉为什么大多用扦插来繁殖？', ['不容易结成种子'], '由于不容易结成种子，因而多以扦插法作为繁殖。')
A(C, 'cmrc_0054', 'zh', 'other', '市面上卖的次磷酸一般是什么形式的？', ['50%水溶液'], '一般次磷酸以50%水溶液的形式出售。')
A(C, 'cmrc_0062', 'zh', 'other', '夜来香这个名字是怎么来的？', ['有清香气，夜间更甚'],
  '花冠裂片5，矩圆形，黄绿色，有清香气，夜间更甚，所以有“夜来香”之名')
A(C, 'cmrc_0066', 'zh', 'other', '1958到1960年间印度野驴数量大幅减少，是什么原因？', ['苏拉病'],
  '自1958年至1960年，牠们就成为了伊氏锥虫引起的苏拉病的病者，其数量就大幅下降。')
A(C, 'cmrc_0066', 'zh', 'number', '到1961年，印度野驴只剩下多少匹？', ['870匹'], '到了1961年，牠们的数量就只余下870匹。')
A(C, 'cmrc_0070', 'zh', 'entity', '琴娜·杜普洛的英语文学学士是在哪所学校拿的？', ['斯克里普斯学院'],
  '杜普洛获得加利福尼亚州克莱尔蒙特的斯克里普斯学院的英语文学学士学位。')
A(C, 'cmrc_0074', 'zh', 'number', '埃里克·戈登在2008年选秀中是第几顺位被快艇选中的？', ['第一轮第7顺位'],
  '2008年，戈登宣布弃学进入NBA，在当年的NBA选秀中以第一轮第7顺位被快艇选中。')
A(C, 'cmrc_0082', 'zh', 'date', '《中朝友好合作互助条约》是哪天、在哪里签的？', ['1961年7月11日', '北京'],
  '签订于1961年7月11日北京，双方代表分别为周恩来与金日成。')
A(C, 'cmrc_0090', 'zh', 'number', '有田中井手之战里，毛利元就和武田元繁各带了多少兵？', ['1000人', '5000人'], '毛利元就1000人，武田元繁5000人。')
A(C, 'cmrc_0094', 'zh', 'number', '北京奥运会是中国第几次参加花样游泳项目？', ['第三次'], '本届奥运为中国第三次参与该项目，过去未曾取得任何奖牌。')
A(C, 'cmrc_0098', 'zh', 'number', '联合利华买下莎莉公司的身体保养和欧洲清洁剂业务花了多少钱？', ['12.75亿欧元'],
  '2009年9月25日，联合利华以12.75亿欧元（18.8亿美元）收购莎莉公司的全球身体保养与欧洲清洁剂事业，该公司旗下拥有Sanex和Radox等品牌。')
A(C, 'cmrc_0102', 'zh', 'number', '阿夸弗雷斯卡在卡利亚里的第一个赛季出场多少次、进了几个球？', ['32场', '11个入球'], '仅一季他已上阵32场，取得11个入球。')
A(C, 'cmrc_0106', 'zh', 'date', '马飚是什么时候正式当选广西壮族自治区人民政府主席的？', ['2008年1月'], '2008年1月，正式当选广西壮族自治区人民政府主席。')
A(C, 'cmrc_0110', 'zh', 'date', '宋建成是什么时候退休的？', ['2009年7月'],
  '宋建成，台湾图书馆行政工作者、教师，曾任国家图书馆副馆长（简任第11职等），兼辅仁大学副教授，并曾在淡江大学兼任副教授，2009年7月退休。')
A(C, 'cmrc_0114', 'zh', 'entity', '《捉鬼男》是在哪家电视台首播的？', ['The CW电视台'],
  '这部电视剧在2007年9月25日在The CW电视台首播，每个星期二播放新的一集，不过到了2008年2月尾就被调到星期四，在超人前传(Smallville)之后。')
A(C, 'cmrc_0118', 'zh', 'date', '于海第一次代表国家队打国际A级赛是哪天？对手是谁？', ['2009年6月4日', '沙特阿拉伯'],
  '2009年6月4日友谊赛对阵沙特阿拉伯是他的第一场国际A级赛。')
A(C, 'cmrc_0122', 'zh', 'number', '何法倪去世时多大年纪？', ['66岁'], '终年66岁。')
A(C, 'cmrc_0126', 'zh', 'date', '潘佩珠是哪一年创立维新会的？', ['1904年'], '潘佩珠响应抗法运动，于1904年创立维新会，准备武装起义。')
A(C, 'cmrc_0130', 'zh', 'number', '越南投资发展银行大概有多少员工？', ['8,000人'], '该银行员工数目约超过8,000人。')
A(C, 'cmrc_0134', 'zh', 'date', '王家瑞是什么时候当上青岛市市长的？', ['1998年2月'], '1998年2月，任中共青岛市委副书记、青岛市市长')
A(C, 'cmrc_0150', 'zh', 'number', '香港的市电电压是多少？', ['220伏特'],
  '香港市电为220伏特（早期为200，1990年开始提升；英国则现为230，早期为240）、50赫兹。')
A(C, 'cmrc_0158', 'zh', 'date', '拉乔利纳是哪天正式宣誓就任总统的？', ['3月22日'], '3月22日，正式宣誓就职，但是国际社会没有人参加就职仪式。')
A(C, 'cmrc_0166', 'zh', 'person', '王爱爱的祖母是谁？', ['筱桂花'], '王爱爱祖母为晋剧名旦筱桂花。')
A(C, 'cmrc_0174', 'zh', 'person', '最早的汉语《阿閦佛国经》是谁译出来的？', ['支娄迦谶'],
  '最早有关阿閦佛的汉语佛经是公元147年由东汉月氏三藏支娄迦谶法师译成汉语的《阿閦佛国经》，这部经也是已知最古老的净土经典。')
A(C, 'cmrc_0198', 'zh', 'other', '汉塞克那场投了5局的无安打比赛，为什么没被官方算作无安打比赛？', ['至少必须投满9局并且是完投'],
  '大联盟在1991年修改了对无安打比赛的定义，至少必须投满9局并且是完投，因此汉塞克的这场比赛没有被官方认可为无安打比赛，但在记录上算是一场完投完封比赛。')
A(C, 'cmrc_0206', 'zh', 'number', '兰比尔一共入选过几次全明星？', ['4次'], '他还曾4次入选全明星。')
A(C, 'cmrc_0246', 'zh', 'date', '李晨是哪天公开和范冰冰的恋情的？', ['2015年5月29日'],
  '2015年5月29日，李晨在新浪微博晒出与范冰冰的合照，配文为“我们”，公开恋情。')
A(C, 'cmrc_0254', 'zh', 'place', '小榄精神病治疗中心具体在什么位置？', ['新界屯门区小榄康辉路'],
  '位于新界屯门区小榄康辉路，1972年开始运作')

# ---------------- CMRC, near-miss unanswerable, Chinese (20) ----------------
U(C, 'cmrc_0002', 'zh', 'attribute_not_stated', '尤金袋鼠一般能活多少年？')
U(C, 'cmrc_0018', 'zh', 'different_entity', '冰雪皇后在中国大陆的第一家门店是哪一年开的？')
U(C, 'cmrc_0022', 'zh', 'modifier_bound', '山东女子学院的长清校区占地多少亩？')
U(C, 'cmrc_0026', 'zh', 'sibling_term', 'T-92快砲的最大射程是多少公尺？')
U(C, 'cmrc_0034', 'zh', 'attribute_not_stated', '《卡美拉 大怪兽空中决战》的导演是谁？')
U(C, 'cmrc_0038', 'zh', 'different_entity', '丝鳍紫鱼的体长最长能到多少公分？')
U(C, 'cmrc_0054', 'zh', 'comparison_or_cause_not_stated', '中国大陆为什么没有把次磷酸列进易制毒化学品目录？')
U(C, 'cmrc_0062', 'zh', 'finer_granularity', '夜来香一般在几月份开花？')
U(C, 'cmrc_0066', 'zh', 'other_period', '到1990年代，印度野驴的数量恢复到了多少匹？')
U(C, 'cmrc_0082', 'zh', 'other_period', '《中朝友好合作互助条约》2021年到期以后，又续到了哪一年？')
U(C, 'cmrc_0090', 'zh', 'attribute_not_stated', '有田中井手之战是哪一年打的？')
U(C, 'cmrc_0094', 'zh', 'attribute_not_stated', '中国花样游泳队在北京奥运会团体项目上最后拿了第几名？')
U(C, 'cmrc_0098', 'zh', 'modifier_bound', '莎莉公司在美国本土有多少名员工？')
U(C, 'cmrc_0106', 'zh', 'attribute_not_stated', '马飚是哪一年出生的？')
U(C, 'cmrc_0118', 'zh', 'sibling_term', '于海2007年加盟荷甲维特斯时，转会费是多少？')
U(C, 'cmrc_0150', 'zh', 'different_entity', '澳门在DVD分区里属于第几区？')
U(C, 'cmrc_0158', 'zh', 'attribute_not_stated', '拉乔利纳是哪一年当选塔那那利佛市长的？')
U(C, 'cmrc_0182', 'zh', 'different_entity', '李晶晶在北京奥运会皮划艇激流回旋比赛里的成绩是多少？')
U(C, 'cmrc_0206', 'zh', 'attribute_not_stated', '兰比尔职业生涯在活塞队一共抢了多少个篮板球？')
U(C, 'cmrc_0222', 'zh', 'finer_granularity', '龙胆一般在几月份开花？')

# ids
cnt = {}
out = []
for r in rows:
    key = (r['corpus'], 'u' if r['type'] == 'unanswerable' else 'a', r['lang'])
    cnt[key] = cnt.get(key, 0) + 1
    pre = 'xq' if r['corpus'] == 'xquad' else 'cm'
    rid = 'w2-%s-%s-%s-%02d' % (pre, key[1], r['lang'], cnt[key])
    d = {'id': rid, 'lang': r['lang'], 'question': r['question'], 'answer_facts': r['answer_facts'],
         'gold_quote': r['gold_quote'], 'report': r['report'], 'corpus': r['corpus'], 'type': r['type']}
    if 'nearmiss_kind' in r:
        d['nearmiss_kind'] = r['nearmiss_kind']
    out.append(d)
with open(OUT, 'w', encoding='utf-8') as f:
    for d in out:
        f.write(json.dumps(d, ensure_ascii=False) + '\n')
print('wrote', len(out), 'rows to', os.path.normpath(OUT))
