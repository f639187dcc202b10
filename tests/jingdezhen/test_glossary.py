# ruff: noqa: RUF001
"""The Chinese catalogues keep to the glossary (jingdezhen/core/glossary.py): one term per concept,
none of the variants it rules out, and no machine-like phrase it names."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

from jingdezhen.core.glossary import GLOSSARY, Term, forbidden_in, missing_in

ROOT = Path(settings.BASE_DIR)
APPS = [Path(path).relative_to(ROOT).parts[0] for path in settings.LOCALE_PATHS]
CATALOGUES = [Path(app, "locale", "zh_Hans", "LC_MESSAGES", "django.po") for app in APPS]


def _entries(path: Path):
    """(msgid, msgstr, msgctxt) of every translated entry; a plural entry gives each form."""
    for entry in polib.pofile(str(ROOT / path)):
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgstr_plural:
            for msgstr in entry.msgstr_plural.values():
                yield entry.msgid_plural or entry.msgid, msgstr, entry.msgctxt
        elif entry.msgstr:
            yield entry.msgid, entry.msgstr, entry.msgctxt


@pytest.mark.parametrize("path", CATALOGUES, ids=APPS)
def test_no_msgstr_uses_a_variant_the_glossary_rules_out(path):
    broken = [
        f"{msgid!r} -> {msgstr!r}: {variant!r} is not the word for {term.concept} "
        f"(use {term.chinese})"
        for msgid, msgstr, _ in _entries(path)
        for term, variant in forbidden_in(msgstr)
    ]
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("path", CATALOGUES, ids=APPS)
def test_each_glossary_term_is_translated_by_its_chinese_term(path):
    broken = [
        f"{msgid!r} -> {msgstr!r}: {term.concept} is {term.chinese} in Chinese"
        for msgid, msgstr, msgctxt in _entries(path)
        for term in missing_in(msgid, msgstr, app=path.parts[0], msgctxt=msgctxt)
    ]
    assert not broken, "\n".join(broken)


def test_the_catalogues_are_found():
    assert len(CATALOGUES) >= 5
    assert all((ROOT / path).exists() for path in CATALOGUES)


# The rules themselves, on strings made up for the purpose.


@pytest.mark.parametrize(
    ("msgstr", "concept"),
    [
        ("助播", "assistant host"),
        ("新建批次", "cohort (of a training course)"),
        ("每日营业额", "GMV / turnover"),
        ("直播脚本：%(url)s", "run sheet"),
        ("今日至今（元）", "today so far"),
        ("单日纪录", "record day"),
        ("基地前四分之一门槛", "top quarter"),
        ("%(host)s 在该时段已主播“%(title)s”", "hosting a stream (the verb)"),
        ("共 6.5 h", "hours in Chinese"),
        ("%(n)s h", "hours in Chinese"),
        ("4509.00 CNY", "currency in Chinese"),
    ],
)
def test_a_variant_is_caught(msgstr, concept):
    assert concept in {term.concept for term, _ in forbidden_in(msgstr)}


@pytest.mark.parametrize(
    "msgstr",
    [
        "副播",
        "培训班已满",
        "每日净成交额",
        "排品单",
        "今日累计（元）",
        "单日最高",
        "6.5 小时",
        "¥1,234.56",
    ],
)
def test_the_glossary_terms_pass(msgstr):
    assert forbidden_in(msgstr) == []


def test_an_english_term_needs_its_chinese_term():
    concepts = {t.concept for t in missing_in("Net turnover per day", "每日净营业额")}
    assert "GMV / turnover" in concepts
    assert missing_in("Net turnover per day", "每日净成交额") == []
    assert missing_in("Assistant host", "副播") == []  # not also "host"
    assert [t.concept for t in missing_in("Host", "副播")] == ["host"]
    assert missing_in("%(merchant)s has not streamed.", "%(merchant)s 没有开播。") == []
    assert missing_in("Room", "教室", msgctxt="classroom") == []
    assert [t.concept for t in missing_in("Room", "教室")] == ["room"]
    assert missing_in("Cohort", "入驻月份", app="jingdezhen") == []
    assert missing_in("Cohort", "入驻月份", app="training") != []


def test_every_concept_has_one_chinese_term():
    assert all(isinstance(term, Term) and term.chinese for term in GLOSSARY)
    concepts = [term.concept for term in GLOSSARY]
    assert len(concepts) == len(set(concepts))
