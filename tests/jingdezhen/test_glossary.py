# ruff: noqa: RUF001
"""The Chinese catalogues keep to the glossary (jingdezhen/core/glossary.py): one term per concept,
none of the variants it rules out, and no machine-like phrase it names."""

import re
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


# Chinese written straight into the sources (demo data, templates, messages outside gettext).

CJK = re.compile(r"[\u4e00-\u9fff]")
SOURCES = [
    path
    for pattern in ("*/**/*.py", "templates/**/*.html")
    for path in ROOT.glob(pattern)
    if path.relative_to(ROOT).parts[0] not in {".venv", "tests", "bench", "node_modules", ".run"}
    and "migrations" not in path.parts
    and path.name != "glossary.py"
]


def _chinese_variants(line: str) -> list[tuple[Term, str]]:
    """The ruled-out variants in a line, of those written in Chinese (a line mixing English and
    Chinese, such as a bilingual docstring, may well say CNY)."""
    return [(term, v) for term, v in forbidden_in(line) if CJK.search(v)]


def test_no_source_writes_a_ruled_out_chinese_variant():
    assert len(SOURCES) > 50
    broken = [
        f"{path.relative_to(ROOT)}:{n}: {variant!r} is not the word for {term.concept}"
        for path in SOURCES
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CJK.search(line)
        for term, variant in _chinese_variants(line)
    ]
    assert not broken, "\n".join(broken)


def test_no_template_writes_a_currency_or_an_hour_by_hand():
    """Amounts go through the money filters (¥, thousands separated); units in a template's
    own text are translated, so Chinese never reads CNY or h."""
    by_hand = re.compile(r"¥\{\{|\}\}\s*(CNY|元|h)\b(?!\s*\{%\s*endblocktranslate)|>\s*CNY\s*<")
    broken = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for path in SOURCES
        if path.suffix == ".html"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_hand.search(line)
    ]
    assert not broken, "\n".join(broken)
