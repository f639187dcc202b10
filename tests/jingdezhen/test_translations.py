"""Every user-facing string ships in Simplified Chinese, in its app's catalogue, and the compiled
catalogues are current."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
# One catalogue per app, <app>/locale/zh_Hans/LC_MESSAGES/django.po: the folders of LOCALE_PATHS.
APPS = [Path(path).relative_to(ROOT).parts[0] for path in settings.LOCALE_PATHS]
CATALOGUES = [Path(app, "locale", "zh_Hans", "LC_MESSAGES", "django.po") for app in APPS]


def _fresh_catalogues(tmp_path: Path, settings) -> dict[Path, polib.POFile]:
    """Run makemessages over a copy of the sources, so strings added since the catalogues were last
    regenerated show up as untranslated."""
    for name in [*APPS, "templates"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    settings.LOCALE_PATHS = [tmp_path / app / "locale" for app in APPS]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    return {path: polib.pofile(str(tmp_path / path)) for path in CATALOGUES}


def test_every_string_is_translated_to_chinese(tmp_path, settings):
    catalogues = _fresh_catalogues(tmp_path, settings)
    missing, fuzzy = [], []
    for path, catalogue in catalogues.items():
        entries = [e for e in catalogue if not e.obsolete]
        missing += [f"{path}: {e.msgid!r}" for e in entries if not e.translated()]
        fuzzy += [f"{path}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert all(len(c) for c in catalogues.values()), "a catalogue came out empty"
    assert not missing, f"untranslated: {missing[:20]} (run make messages, then translate)"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def _translations(entries) -> dict:
    return {
        (e.msgctxt, e.msgid): e.msgstr or tuple(sorted(e.msgstr_plural.items()))
        for e in entries
        if e.msgid
    }


@pytest.mark.parametrize("path", CATALOGUES, ids=APPS)
def test_compiled_catalogue_matches_the_source(path):
    po = _translations(e for e in polib.pofile(str(ROOT / path)) if e.translated())
    mo = _translations(polib.mofile(str(ROOT / path.with_suffix(".mo"))))
    assert po == mo, f"{path.with_suffix('.mo')} is stale: run make messages"
