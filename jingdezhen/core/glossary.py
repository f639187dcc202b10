# ruff: noqa: RUF002
"""The glossary: one Chinese term per concept, for every string of the product.

Each :class:`Term` names a concept, the English words that stand for it in a msgid, the ONE
Chinese term its translation uses, and the Chinese variants that must not be used for it.
``tests/jingdezhen/test_glossary.py`` reads every app's ``zh_Hans`` catalogue and fails on

* a msgstr holding a forbidden variant (of any concept), and
* a msgid holding the English term whose msgstr lacks the Chinese term (``also`` lists other
  Chinese words that carry the same concept, e.g. 场次 for a stream; ``exceptions`` lists the
  msgids where the English word means something else).

Choices, for translators:

* 副播 for the assistant host: the word of Douyin's live-commerce teams (助播 is not used).
* 培训班 for a training cohort (not 批次 or 班级); merchants grouped by the month they joined
  are "入驻月份", not a cohort.
* 成交额 for GMV and turnover, everywhere: the stream report and the dashboards speak of the
  same figure (not 营业额, 流水 or 销售额); net of refunds it is 净成交额, gross 总成交额.
* 排品单 for the run sheet (not 直播脚本 or 排品表).
* 培训师 for a trainer (not 培训老师 or 讲师).
* Amounts: ``¥1,234.56`` in a sentence or a figure (the ``money`` filter), a plain
  ``1,234.56`` in a column whose heading says （元）; never "CNY" or "人民币元" in Chinese.
* Hours as 小时, never "h"; a record as 最高, today's running figure as 今日累计 / 截至目前.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    concept: str
    english: str  # a regular expression matched against the msgid (case-insensitive)
    chinese: str  # the one Chinese term
    forbidden: tuple[str, ...] = ()  # regular expressions that must not occur in any msgstr
    also: tuple[str, ...] = ()  # other Chinese words that carry the concept in a msgstr
    # msgids ("msgid" or "app:msgid") where the English word means something else, not checked
    exceptions: frozenset[str] = field(default_factory=frozenset)
    other_senses: frozenset[str] = field(default_factory=frozenset)  # msgctxts not checked

    @property
    def english_re(self) -> re.Pattern[str]:
        return re.compile(self.english, re.IGNORECASE)

    def translated(self, msgstr: str) -> bool:
        return any(word in msgstr for word in (self.chinese, *self.also))


GLOSSARY: tuple[Term, ...] = (
    Term(
        concept="host",
        english=r"(?<!assistant )\bhosts?\b",
        chinese="主播",
        also=("开播", "直播"),  # "hosts a stream" reads 有直播
    ),
    Term(
        concept="assistant host",
        english=r"\bassistant hosts?\b",
        chinese="副播",
        forbidden=("助播",),
    ),
    Term(
        concept="hosting a stream (the verb)",
        english=r"\bhosts “",
        chinese="直播",
        # 主播 is a person: "已主播“…”" reads as machine translation.
        forbidden=(r"(已|在|正在)主播[“\"「]",),
    ),
    Term(
        concept="owner (of a merchant)",
        english=r"\bowners?\b",
        chinese="店主",
        forbidden=("负责人",),
        exceptions=frozenset({"livestreams:owner"}),  # the owner of a calendar link: 持有人
    ),
    Term(
        concept="scheduled (a stream's status)",
        english=r"\bscheduled\b",
        chinese="待开播",
        forbidden=("已排期",),
        exceptions=frozenset({"Stream scheduled."}),  # the deed, not the status: 直播已安排
    ),
    Term(
        concept="supervision",
        english=r"\bsupervis",
        chinese="督导",
        forbidden=("监管", "督导记录"),
    ),
    Term(
        concept="cohort (of a training course)",
        english=r"\bcohorts?\b",
        chinese="培训班",
        forbidden=("批次", "班级"),
        # The incubation page groups merchants by the month they joined: 入驻月份.
        exceptions=frozenset({"jingdezhen:Cohort", "jingdezhen:Cohorts of newcomers"}),
    ),
    Term(
        concept="GMV / turnover",
        english=r"\b(gmv|turnover|revenue)\b",
        chinese="成交额",
        forbidden=("营业额", "流水", "销售额"),
    ),
    Term(
        concept="run sheet",
        english=r"\brun sheets?\b",
        chinese="排品单",
        forbidden=("脚本", "排品表"),
    ),
    Term(
        concept="trainer",
        english=r"\btrainers?\b",
        chinese="培训师",
        forbidden=("培训老师", "讲师"),
    ),
    Term(
        concept="trainee",
        english=r"\btrainees?\b",
        chinese="学员",
        forbidden=("学生", "学徒"),
    ),
    Term(
        concept="room",
        english=r"\brooms?\b",
        chinese="直播间",
        forbidden=("直播室", "房间"),
        other_senses=frozenset({"classroom"}),  # a training room is a 教室
    ),
    Term(
        concept="merchant",
        english=r"\bmerchants?\b",
        chinese="商家",
        also=("入驻",),  # "apply as a merchant": 申请入驻
        forbidden=("商户",),
    ),
    Term(
        concept="flash deal",
        english=r"\bflash deals?\b",
        chinese="秒杀",
        forbidden=("闪购", "限时抢购"),
    ),
    Term(
        concept="rehearsal",
        english=r"\brehearsals?\b",
        chinese="彩排",
        forbidden=("试播",),
    ),
    Term(
        concept="breakage claim",
        english=r"\bbreakage claims?\b",
        chinese="破损理赔",
    ),
    Term(
        concept="today so far",
        english=r"\btoday so far\b",
        chinese="今日累计",
        also=("截至目前",),
        forbidden=("今日至今",),
    ),
    Term(
        concept="record day",
        english=r"\brecord day\b",
        chinese="单日最高",
        forbidden=("单日纪录",),
    ),
    Term(
        concept="top quarter",
        english=r"\btop quarter\b",
        chinese="前 25%",
        forbidden=("四分之一门槛", "前四分之一起点"),
    ),
    Term(
        concept="currency in Chinese",
        english=r"(?!)",  # checked on the msgstr only
        chinese="元",
        forbidden=(r"CNY", "人民币元", r"RMB"),
    ),
    Term(
        concept="hours in Chinese",
        english=r"(?!)",
        chinese="小时",
        forbidden=(r"(\d|\)s|\})\s*h\b",),
    ),
)


def forbidden_in(msgstr: str) -> list[tuple[Term, str]]:
    """The (term, variant) pairs a Chinese string breaks."""
    found = []
    for term in GLOSSARY:
        for variant in term.forbidden:
            if re.search(variant, msgstr):
                found.append((term, variant))
    return found


PLACEHOLDER = re.compile(r"%\(\w+\)\d*[sdif]|\{\{[^}]*\}\}|\{\w*\}")


def missing_in(msgid: str, msgstr: str, *, app: str = "", msgctxt: str | None = None) -> list[Term]:
    """The terms whose English word is in ``msgid`` but whose Chinese term is not in ``msgstr``.

    Placeholders (``%(merchant)s``) are not words: they are left out of the match."""
    words = PLACEHOLDER.sub(" ", msgid)
    return [
        term
        for term in GLOSSARY
        if msgid not in term.exceptions
        and f"{app}:{msgid}" not in term.exceptions
        and (msgctxt is None or msgctxt not in term.other_senses)
        and term.english_re.search(words)
        and not term.translated(msgstr)
    ]
