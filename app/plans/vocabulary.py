"""The words the target parser knows, as data: change a word here, not in a regular expression.

Read by :mod:`app.plans.tokens` (the tokenizer) and :mod:`app.plans.targets` (the rules). Every table is plain
words; longer words win over shorter ones when both match (the tokenizer sorts them), so the order inside a
table does not matter.

op: ``>=`` at least, ``>`` more than, ``<=`` at most, ``<`` less than, ``≈`` about; ``keep`` (保持在: the
qualifier after the number decides, else about), ``share`` (占: at least unless qualified), ``up``/``down`` (a
change by the number: 提高10%).
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------------
# Comparison verbs before a number → op
# --------------------------------------------------------------------------------------------------
COMPARISON_VERBS: dict[str, str] = {
    # reach / raise to: at least
    **dict.fromkeys(("达到并保持在", "达到并稳定在", "达到", "达"), ">="),
    **dict.fromkeys(("提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "增长到", "增长至", "上升到",
                     "上升至", "扩大到", "扩大至", "增至", "升至"), ">="),
    **dict.fromkeys(("不低于", "不少于", "至少为", "至少", "≥", ">="), ">="),
    # more than
    **dict.fromkeys(("超过", "高于", "大于", "多于", ">"), ">"),
    # hold down / lower to: at most
    **dict.fromkeys(("控制在", "控制到", "控制于", "下降到", "下降至", "降低到", "降低至", "减少到", "减少至",
                     "缩小到", "缩小至", "降到", "降至", "减至"), "<="),
    **dict.fromkeys(("不高于", "不超过", "不多于", "≤", "<="), "<="),
    # less than
    **dict.fromkeys(("低于", "小于", "少于", "不足", "<"), "<"),
    # keep at: the qualifier decides (以上 → >=, 左右 → ≈); none → ≈
    **dict.fromkeys(("保持在", "稳定在", "维持在", "保持", "维持"), "keep"),
    # a share of a whole: 占三分之一以上
    "占": "share",
    # a change by the number: 提高10%, 每年降低0.8个百分点
    **dict.fromkeys(("提高", "提升", "增加", "增长", "上升", "扩大"), "up"),
    **dict.fromkeys(("降低", "下降", "减少", "缩小", "减轻", "减"), "down"),
}

# Verbs that may stand apart from their number ("不低于全市居民人均消费支出的60%").
GAP_VERBS: frozenset[str] = frozenset(("不低于", "不高于", "不超过", "不少于", "高于", "低于", "超过", "大于", "小于"))

# "在3‰左右", "在90%以上": 在 compares only when a qualifier follows the number.
QUALIFIED_ONLY_VERBS: dict[str, str] = {"在": "keep"}

# --------------------------------------------------------------------------------------------------
# Qualifiers after a number → op
# --------------------------------------------------------------------------------------------------
QUALIFIERS: dict[str, str] = {
    **dict.fromkeys(("以上", "及以上", "或以上"), ">="),
    **dict.fromkeys(("以下", "及以下", "或以下", "以内"), "<="),
    **dict.fromkeys(("左右", "上下"), "≈"),
}

# One value for each item of a list ("孕产妇、婴儿死亡率分别降至…", "各镇均达到…"); the others hold 均 but mean
# an average or an evenness ("年均增长", "人均可支配收入", "均衡发展").
EACH_WORDS: tuple[str, ...] = ("分别", "均")
NOT_EACH_WORDS: tuple[str, ...] = ("年均", "人均", "户均", "平均", "均衡", "均等", "均匀")

# After a list of levels, the levels taken together ("省、市、县三级人大代表…"): one metric, not one per level.
LEVELS_TOGETHER: tuple[str, ...] = ("两级", "二级", "三级", "四级", "五级", "各级")

# Words before a count that bound it from below ("至少各配备1名", "不少于一家").
MINIMUM_WORDS: tuple[str, ...] = ("至少", "不少于", "最少")

# --------------------------------------------------------------------------------------------------
# Counts and shares before their noun
# --------------------------------------------------------------------------------------------------
# Verbs right before a count of things: "至少各配备1名女干部", "改扩建10所公办幼儿园", "有一名以上女干部".
COUNT_VERBS: tuple[str, ...] = (
    "配备", "配置", "组织", "掌握", "拥有", "有", "建有", "办好", "设立", "设置", "建立", "建成", "建设", "新建",
    "改扩建", "改建", "扩建", "新增", "增设", "培育", "开展", "安排", "举办", "培养", "提供", "创建", "帮助", "召开",
    "打造", "组建",
)
# Verbs before the noun of a count written after it: "改善公办幼儿园办学条件26所", "培训家政服务人员2万人次".
COUNT_AFTER_VERBS: tuple[str, ...] = (
    "培训", "救助", "帮扶", "资助", "慰问", "配备", "配置", "拥有", "设立", "设置", "建立", "建成", "建设", "新建",
    "改扩建", "扩建", "改建", "新增", "增设", "改善", "改造", "培育", "创建", "打造", "培养", "开设", "开办", "举办",
    "开展", "提供", "发放", "投入", "筹集", "带动", "帮助", "走访", "入户走访", "探访", "评选", "表彰", "评选表彰",
)
# Qualifiers right after a count before its noun ("建成120个以上社区儿童之家").
COUNT_QUALIFIERS: tuple[str, ...] = ("以上", "及以上")
# A share, then the verb it measures: "学校教室照明卫生条件100%达标".
NUMBER_THEN_VERBS: tuple[str, ...] = ("达标", "覆盖", "完成", "落实")
# Verbs before years of free schooling: "实施残障儿童12年免费特殊教育".
FREE_EDUCATION_VERBS: tuple[str, ...] = ("实施", "实行", "推行", "落实", "提供", "实现", "普及")
# Where the noun of a share ends and its predicate starts: "95%的城市社区建立家长学校" → 城市社区 | 建立….
SHARE_PREDICATES: tuple[str, ...] = (
    "建立", "配备", "设立", "建成", "开展", "实现", "达到", "参加", "接受", "拥有", "具备", "有", "在",
)

# --------------------------------------------------------------------------------------------------
# Units and magnitudes
# --------------------------------------------------------------------------------------------------
# Units written after a number, as stored (a rate "/10万" is stored "1/10万").
UNITS: tuple[str, ...] = (
    "个百分点", "/10万", "/十万", "/1000", "/100", "/万", "/千", "‰", "%", "平方米", "小时", "分钟", "公里",
    "千克", "克", "课时", "学时", "万元", "亿元", "万人", "元", "岁", "张", "个", "名", "所", "人", "家", "项", "次",
    "天", "年", "倍", "块", "件", "户", "座", "处", "间", "册", "场", "支", "套", "辆", "亩", "米", "周", "月", "人次",
    "万人次",
)
# Units of a count written after its noun ("改善公办幼儿园办学条件26所", "培训家政服务人员2万人次以上").
THING_UNITS: tuple[str, ...] = (
    "万人次", "万人", "人次", "个", "名", "所", "家", "项", "次", "张", "座", "处", "间", "册", "场", "支", "套",
    "辆", "户", "人", "件", "元", "万元", "亿元",  # an amount too: "发放妇女创业担保贷款50亿元以上"
)
# Units of things counted one by one ("建成120个以上社区儿童之家").
COUNT_UNITS: tuple[str, ...] = tuple(u for u in UNITS if not u.startswith(("/", "%", "‰", "个百")))
# Magnitudes between a number and its unit: kept in the unit as written ("260万人", "1.5亿元", "5000万元").
MAGNITUDES: tuple[str, ...] = ("万", "亿")
# A share written as a word, in % ("一半以上的领导班子").
SHARE_WORDS: dict[str, float] = {"一半": 50.0, "百分之百": 100.0}
# "十万分之九" → 9 per 100 000, "百分之四十" → 40 %.
FRACTION_DENOMINATORS: dict[str, str] = {"十万": "1/10万", "万": "1/万", "千": "‰", "百": "%"}

# --------------------------------------------------------------------------------------------------
# Years: the scope of a target
# --------------------------------------------------------------------------------------------------
# Before a year: "到2025年", "力争到2030年", "展望2035年" (a milestone: a preposition, maybe after an aspiration).
SCOPE_PREPOSITIONS: tuple[str, ...] = ("到", "至", "于", "在", "展望")
SCOPE_ASPIRATIONS: tuple[str, ...] = ("力争", "争取")
# A year leading a clause may have any of these before it ("力争2025年前").
SCOPE_PREFIXES: tuple[str, ...] = ("力争到", "力争在", "争取到", "到", "至", "于", "在", "展望", "力争")
# After "2025年": "2025年底", "2030年前".
YEAR_ENDINGS: tuple[str, ...] = ("底", "末", "前")
# Between the years of a list: "2025年和2030年".
YEAR_LIST_WORDS: tuple[str, ...] = ("和", "、", "及", "与", "至")
# A base of a change: "在2020年基础上", "以2021年为基数", "较2020年".
BASELINE_PREPOSITIONS: tuple[str, ...] = ("在", "以")
BASELINE_SUFFIXES: tuple[str, ...] = ("基础上", "为基数", "为基准", "为基期")
# Against a fixed base a % change is relative, never percentage points ("以2020年为基数下降20%").
FIXED_BASE_SUFFIXES: tuple[str, ...] = ("为基数", "为基准", "为基期")
BASELINE_COMPARATORS: tuple[str, ...] = ("比", "较", "相比")
# Compared with an unnamed earlier term: no base year ("较上届有所提高").
UNNAMED_BASELINES: tuple[str, ...] = ("较上届", "比上届", "较上一届", "比上一届", "较上年", "比上年", "较以往")
# A change per year.
PER_YEAR_WORDS: tuple[str, ...] = ("每年", "年均", "逐年")

# --------------------------------------------------------------------------------------------------
# Trends without a number
# --------------------------------------------------------------------------------------------------
TREND_UP: tuple[str, ...] = ("提高", "提升", "增加", "增长", "扩大", "上升", "延长", "稳中有升", "呈上升趋势",
                             "呈增长趋势")
TREND_DOWN: tuple[str, ...] = ("降低", "下降", "减少", "缩小", "减缓", "减小", "减轻", "放缓", "稳中有降",
                               "呈下降趋势", "呈减少趋势")
TREND_MAINTAIN: tuple[str, ...] = ("保持稳定", "保持基本稳定", "基本稳定", "保持均衡", "稳定")
TREND_ADVERBS: tuple[str, ...] = (
    "逐步", "稳步", "不断", "持续", "明显", "进一步", "显著", "大幅", "有效", "逐年", "继续", "保持稳定", "稳定",
    "有所", "得到", "大力", "切实", "巩固", "实现", "同比例", "同步",
)
# Before a trend verb at the start of a clause: "巩固提高…", "积极稳妥扩大…".
TREND_LEADS: tuple[str, ...] = ("巩固", "全面", "积极", "努力", "着力", "力争", "稳妥", "适度")
# Towards a norm that is not a number: "出生人口性别比趋于正常", "…保持在自然状态".
NORM_VERBS: tuple[str, ...] = ("趋于", "趋向", "回归", "保持在", "保持", "处于", "控制在")
NORM_STATES: tuple[str, ...] = ("正常", "合理", "平衡", "均衡", "稳定", "自然")
NORM_NOUNS: tuple[str, ...] = ("水平", "状态", "范围", "区间")
# A share kept reasonable: "中国共产党女党员保持合理比例", "保证职工代表大会中女性的合理比例".
FAIR_SHARE_VERBS: tuple[str, ...] = ("保持", "保证", "维持")
FAIR_SHARE_LEADS: tuple[str, ...] = ("注重", "确保", "继续", "始终")
FAIR_WORDS: tuple[str, ...] = ("合理", "适当")
FAIR_SHARE_HEADS: tuple[str, ...] = ("比例", "比重")
# A share compared with another quantity: "…女代表比例一般不低于本地党员总数中女性比例".
RELATIVE_HEDGES: tuple[str, ...] = ("一般", "原则上", "应当", "应", "要", "均", "始终")
RELATIVE_HEADS: tuple[str, ...] = ("比例", "比重", "比率", "率", "水平")
# A reference that is a group or an earlier term, the same metric for it: "女性参保率不低于男性", "…不低于上一届".
RELATIVE_REFERENCES: tuple[str, ...] = ("男性", "男职工", "男生", "男童", "上一届", "上届", "上年", "上一年")
# "…增长势头明显放缓", "…上升趋势得到遏制": the rise is slowed, a decrease.
RISE_WORDS: tuple[str, ...] = ("上升", "增长")
RISING_TREND_NOUNS: tuple[str, ...] = ("趋势",)
RISING_MOMENTUM_NOUNS: tuple[str, ...] = ("势头",)  # only after 上升/增长: "增长势头"
RISING_TREND_VERBS: tuple[str, ...] = ("控制", "遏制", "减缓", "放缓")
# Nouns whose size can be measured: a trend target is made only for these.
MEASURABLE_HEADS: tuple[str, ...] = (
    "率", "比例", "比率", "比重", "占比", "性别比", "人数", "数量", "数", "年限", "寿命", "差距", "覆盖面", "天数",
    "次数", "经费", "增速", "增幅", "价格",
)
# A share: "降低10%" on one of these may be percentage points; on anything else it is a relative change.
SHARE_HEADS: tuple[str, ...] = ("率", "比例", "比率", "比重", "占比")

# --------------------------------------------------------------------------------------------------
# Standards without a rate
# --------------------------------------------------------------------------------------------------
# Units of a service radius: "10分钟急救圈", "15分钟社区卫生服务圈".
RADIUS_UNITS: tuple[str, ...] = ("分钟", "小时", "公里", "米")
# "全部达到…标准", "全部配备儿童督导员": every unit meets it (100%).
ALL_MEET_WORDS: tuple[str, ...] = ("全部", "均", "都")
ALL_MEET_VERBS: tuple[str, ...] = ("达到", "符合")
ALL_STAFF_VERBS: tuple[str, ...] = ("配备", "配齐", "建立", "设立", "建成", "设置", "开设")
ALL_STAFF_WORDS: tuple[str, ...] = ("全部", "均")  # before a staffing verb ("乡镇(街道)全部配备儿童督导员")
ALL_STAFF_SLIP = "部"  # "社区(村)部配备儿童主任": 全 missing after a bracketed place
STANDARD_WORDS: tuple[str, ...] = ("标准", "要求")  # what "全部达到…" ends with
# 全覆盖 on what is named before it; 健全 + 覆盖 ("健全覆盖城乡的…体系") is a verb, not 全覆盖.
FULL_COVER_WORDS: tuple[str, ...] = ("全覆盖", "全部覆盖")
FULL_COVER_FALSE_FRIENDS: tuple[str, ...] = ("健全",)
# 应X尽X ("应保尽保", "应救尽救"): every X that should be, is.
EVERY_ONE_MARKS: tuple[str, str] = ("应", "尽")
# A service circle: "10分钟急救圈"; its noun ends with 圈 within ten characters of the unit.
CIRCLE_WORD = "圈"
CIRCLE_NOUN_LENGTH = 10
CIRCLE_NOUN_STOPS = "，。；、“”\"以"
CIRCLE_PLACE_STOPS = "，。；“”\""
OPENING_QUOTES = "“\""
CLOSING_QUOTES = "”\""
# A verb between who is covered and what ("行政村实现健身设施全覆盖"): no part of the metric.
COVER_VERBS: tuple[str, ...] = ("实现", "达到", "做到", "实行")
# Words before 全覆盖 that are no part of what is covered: "实现…全覆盖", "基本实现…".
COVER_LEADS: tuple[str, ...] = ("实现", "达到", "做到", "基本", "逐步", "实行", "确保", "力争", "推进", "推动", "全面",
                                "巩固", "保持")

# --------------------------------------------------------------------------------------------------
# Shaping a metric's name out of the words around it
# --------------------------------------------------------------------------------------------------
# Words that start a subject but are not part of the metric ("全区…", "确保…", "进一步…").
SUBJECT_LEADS: tuple[str, ...] = (
    "保障", "确保", "保证", "持续", "巩固", "推进", "推动", "基本实现", "实现", "力争", "争取", "努力", "逐步", "稳步",
    "全区",
    "全市", "全县", "全镇", "全省", "全国", "使", "让", "促进", "进一步", "并且", "并", "且", "其中", "同时", "以后",
    "此后", "另外", "此外", "要", "应", "需", "敦促", "督促", "要求",
)
# Words that end a subject before its verb but are not part of the metric ("…覆盖率分别", "…比例力争").
SUBJECT_TAILS: tuple[str, ...] = (
    "分别", "均", "各", "都", "逐步", "逐年", "持续", "稳定", "力争", "一般", "要", "应", "仍", "继续", "始终", "基本",
    "每年", "年均", "进一步", "有效", "将", "须", "必须", "需", "努力", "争取", "稳步", "不断", "也", "原则上",
    "全部",
)
# The same before a count, where a frequency word (每年, 逐年) belongs to the count's noun.
COUNT_SUBJECT_TAILS: tuple[str, ...] = (
    "分别", "均", "各", "都", "力争", "一般", "要", "应", "仍", "继续", "始终", "基本", "将", "须", "必须", "需",
    "原则上",
)
# Action verbs: a clause holding one is no noun subject for the next clause ("积极培育…组织，至少有1家…").
ACTION_VERBS: tuple[str, ...] = (
    "培育", "加强", "推进", "推动", "实施", "建立", "健全", "完善", "开展", "提高", "提升", "落实", "提供", "促进",
    "保障", "鼓励", "支持", "引导", "强化", "深化", "优化", "实现", "确保", "形成", "探索", "得到", "满足", "改善",
    "普及", "发挥", "进行", "督促", "组织开展", "定期", "新建", "改扩建", "设置", "设立", "纳入", "实行", "壮大",
    "巩固",
)
# A subject starting with one of these is a circumstance, not a metric ("在…中", "通过…").
PREPOSITIONS: tuple[str, ...] = (
    "在", "对", "为", "把", "将", "从", "按", "通过", "围绕", "根据", "依据", "依照", "针对",
)
# Heads that name no population or service ("覆盖率", "保障覆盖率"): their subject is in the clause before.
GENERIC_HEADS: tuple[str, ...] = (
    "覆盖率", "覆盖面", "死亡率", "发生率", "患病率", "达标率", "合格率", "普及率", "知晓率", "参保率",
)
GENERIC_HEAD_PREFIXES: tuple[str, ...] = ("保障", "服务")
# A bare head with a generic word before it ("建设比例"): no subject of its own.
GENERIC_SUBJECTS: tuple[str, ...] = ("保障", "服务", "建设", "工作")
# Objects built by a clause ("建立儿童之家"): the object names the next clause's bare rate.
BUILD_VERBS: tuple[str, ...] = ("建立", "建设", "设立", "建成", "设置")
# A clause that starts by improving something ("逐步提高…", "加强…") before the thing it names.
CLAUSE_LEAD_ADVERBS: tuple[str, ...] = (
    "逐步", "稳步", "不断", "持续", "明显", "进一步", "显著", "大幅", "有效", "继续", "大力", "切实", "巩固", "全面",
    "积极", "努力", "着力", "力争",
)
CLAUSE_LEAD_VERBS: tuple[str, ...] = (
    "提高", "提升", "增加", "扩大", "降低", "减少", "加强", "完善", "优化", "改善", "落实", "推进", "推动", "保障",
    "确保",
)
# A quality of a service rather than a population ("服务质量"), dropped before a generic head.
QUALITY_TAILS: tuple[str, ...] = ("质量", "水平", "能力", "效果", "效率", "可及性")
# Where the head of a listed item starts ("城市、农村社区 | 建立…", "孕产妇 | 死亡率").
HEAD_STARTS: tuple[str, ...] = (
    "建立", "配备", "参加", "接受", "拥有", "质量", "抽检", "抽查", "检测", "检查", "筛查", "死亡", "发生", "患病",
    "发病", "感染", "接种", "覆盖", "参保", "入学", "入园", "普及", "服务", "达标",
)
# Words that qualify a shared noun in parallel ("城市、农村社区…", "公办、民办幼儿园…").
PARALLEL_MODIFIERS: tuple[str, ...] = (
    "城市", "农村", "城镇", "乡村", "城乡", "城区", "镇区", "市区", "郊区", "山区", "牧区", "县城", "乡镇", "街道",
    "社区", "公办", "民办", "小学", "初中", "高中",
    "男性", "女性", "男", "女",
)
# A listed item starting with a person is complete on its own ("女干部", "儿童…").
PERSON_STARTS: tuple[str, ...] = ("女", "男", "妇女", "儿童", "学生", "干部", "职工", "青少年")
# A population that a list of rates shares ("孕产妇死亡率、婴儿死亡率"): [age] [qualifier] noun.
POPULATION_QUALIFIERS: tuple[str, ...] = (
    "学龄前", "适龄", "城乡", "农村", "城镇", "城市", "留守", "流动", "困境", "残疾", "老年",
)
POPULATIONS: tuple[str, ...] = (
    "孕产妇", "孕妇", "产妇", "妇女", "女性", "女职工", "儿童", "婴幼儿", "中小学生", "小学生", "初中生", "高中生",
    "学生", "适龄儿童", "适龄妇女", "老年妇女", "农村妇女", "城镇妇女", "城乡妇女", "残疾儿童", "残疾妇女", "流动儿童",
    "留守儿童", "新生儿", "婴儿", "早产儿", "老年人", "残疾人", "职工", "居民",
)
# What a per-capita rate is counted on ("每千常住人口", "每千名儿童"): shared by the next count of a list.
PER_CAPITA_BASES: tuple[str, ...] = ("常住人口", "人口", "儿童", "老年人", "妇女", "学生", "居民")
# Names that begin with a word the metric otherwise drops (督促 as a verb): kept whole.
KEPT_NAMES: tuple[str, ...] = ("督促监护令",)
# A subject that is only adverbs ("积极", "大力"): no metric.
SUBJECT_ADVERBS: tuple[str, ...] = (
    "积极", "大力", "加快", "着力", "全面", "逐步", "稳步", "持续", "不断", "努力", "切实", "新", "再",
)
# Groups of people: "符合条件的妇女应救尽救" names a group, not an indicator.
PEOPLE_GROUPS: tuple[str, ...] = (
    "妇女", "儿童", "女性", "女职工", "人员", "对象", "群体", "家庭", "人群", "老人", "学生", "青少年", "未成年人",
    "妇女儿童",
)
# Words before a service circle that are no part of the place ("打造中心城区“10分钟急救圈”").
CIRCLE_LEADS: tuple[str, ...] = (
    "加快", "全面", "积极", "大力", "着力", "持续", "进一步", "打造", "完善", "加强", "建设", "构建", "推进", "形成",
    "建成", "建立", "健全", "优化", "实现", "推动", "织密",
)

# --------------------------------------------------------------------------------------------------
# Chinese numerals (cn2an reads them; these are the characters a numeral may be made of)
# --------------------------------------------------------------------------------------------------
CN_DIGITS = "零〇一二两三四五六七八九十"  # a numeral starts with one of these
CN_NUMERAL_CHARS = CN_DIGITS + "百千万亿"
