"""Every user-facing string ships in Simplified Chinese, and the compiled catalogue is current."""

import os
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
SOURCES = ["jingdezhen", "merchants", "livestreams", "orders", "training", "templates", "locale"]
PO = Path("locale/zh_Hans/LC_MESSAGES/django.po")


def _fresh_catalogue(tmp_path: Path, settings) -> polib.POFile:
    """Run makemessages over a copy of the sources, so strings added since the catalogue was last
    regenerated show up as untranslated."""
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
    finally:
        os.chdir(cwd)
    return polib.pofile(str(tmp_path / PO))


def test_every_string_is_translated_to_chinese(tmp_path, settings):
    catalogue = _fresh_catalogue(tmp_path, settings)
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated())]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags and not e.obsolete]
    assert not missing, f"untranslated: {missing[:20]} (run make messages, then translate)"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalogue_matches_the_source():
    po = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(ROOT / PO)) if e.translated()}
    mo = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.mofile(str(ROOT / PO.with_suffix(".mo")))
        if e.msgid
    }
    assert po == mo, "locale .mo is stale: run make messages"
