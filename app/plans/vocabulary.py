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

# Words before a count that bound it from below ("至少各配备1名", "不少于一家").
MINIMUM_WORDS: tuple[str, ...] = ("至少", "不少于", "最少")

# --------------------------------------------------------------------------------------------------
# Counts and shares before their noun
# --------------------------------------------------------------------------------------------------
# Verbs right before a count of things: "至少各配备1名女干部", "改扩建10所公办幼儿园", "有一名以上女干部".
COUNT_VERBS: tuple[str, ...] = (
    "配备", "配置", "组织", "掌握", "拥有", "有", "设立", "设置", "建立", "建成", "建设", "新建", "改扩建", "培育",
    "开展", "安排", "举办", "培养", "提供", "创建",
)
# Verbs before the noun of a count written after it: "改善公办幼儿园办学条件26所", "培训家政服务人员2万人次".
COUNT_AFTER_VERBS: tuple[str, ...] = (
    "培训", "救助", "帮扶", "资助", "慰问", "配备", "配置", "拥有", "设立", "设置", "建立", "建成", "建设", "新建",
    "改扩建", "扩建", "改建", "新增", "增设", "改善", "改造", "培育", "创建", "打造", "培养", "开设", "开办", "举办",
    "开展", "提供",
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
    "千克", "万元", "亿元", "万人", "元", "岁", "张", "个", "名", "所", "人", "家", "项", "次", "天", "年",
    "倍", "户", "座", "处", "间", "册", "场", "支", "套", "辆", "亩", "米", "周", "月", "人次", "万人次",
)
# Units of a count written after its noun ("改善公办幼儿园办学条件26所", "培训家政服务人员2万人次以上").
THING_UNITS: tuple[str, ...] = (
    "万人次", "万人", "人次", "个", "名", "所", "家", "项", "次", "张", "座", "处", "间", "册", "场", "支", "套",
    "辆", "户", "人",
)
# Units of things counted one by one ("建成120个以上社区儿童之家").
COUNT_UNITS: tuple[str, ...] = tuple(u for u in UNITS if not u.startswith(("/", "%", "‰", "个百")))
# Magnitudes between a number and its unit: kept in the unit as written ("260万人", "1.5亿元", "5000万元").
MAGNITUDES: tuple[str, ...] = ("万", "亿")
# A share written as a word, in % ("一半以上的领导班子").
SHARE_WORDS: dict[str, float] = {"一半": 50.0}
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
TREND_UP: tuple[str, ...] = ("提高", "提升", "增加", "增长", "扩大", "上升", "延长")
TREND_DOWN: tuple[str, ...] = ("降低", "下降", "减少", "缩小", "减缓", "减小", "减轻", "放缓")
TREND_MAINTAIN: tuple[str, ...] = ("保持稳定", "基本稳定", "保持均衡", "稳定")
TREND_ADVERBS: tuple[str, ...] = (
    "逐步", "稳步", "不断", "持续", "明显", "进一步", "显著", "大幅", "有效", "逐年", "继续", "保持稳定", "稳定",
    "有所", "得到", "大力", "切实",
)
# Before a trend verb at the start of a clause: "巩固提高…", "积极稳妥扩大…".
TREND_LEADS: tuple[str, ...] = ("巩固", "全面", "积极", "努力", "着力", "力争", "稳妥", "适度")
# Towards a norm that is not a number: "出生人口性别比趋于正常", "…保持在自然状态".
NORM_VERBS: tuple[str, ...] = ("趋于", "趋向", "回归", "保持在", "保持", "处于")
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
# "…增长势头明显放缓", "…上升趋势得到遏制": the rise is slowed, a decrease.
RISE_WORDS: tuple[str, ...] = ("上升", "增长")
RISING_TREND_NOUNS: tuple[str, ...] = ("趋势",)
RISING_MOMENTUM_NOUNS: tuple[str, ...] = ("势头",)  # only after 上升/增长: "增长势头"
RISING_TREND_VERBS: tuple[str, ...] = ("控制", "遏制", "减缓", "放缓")
# Nouns whose size can be measured: a trend target is made only for these.
MEASURABLE_HEADS: tuple[str, ...] = (
    "率", "比例", "比率", "比重", "占比", "性别比", "人数", "数量", "数", "年限", "寿命", "差距", "覆盖面", "天数",
    "次数", "经费",
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
# Words before 全覆盖 that are no part of what is covered: "实现…全覆盖", "基本实现…".
COVER_LEADS: tuple[str, ...] = ("实现", "达到", "做到", "基本", "逐步", "实行", "确保", "力争", "推进", "推动", "全面",
                                "巩固", "保持")

# --------------------------------------------------------------------------------------------------
# Chinese numerals (cn2an reads them; these are the characters a numeral may be made of)
# --------------------------------------------------------------------------------------------------
CN_DIGITS = "零〇一二两三四五六七八九十"  # a numeral starts with one of these
CN_NUMERAL_CHARS = CN_DIGITS + "百千万亿"
