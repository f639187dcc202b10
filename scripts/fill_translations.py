"""Fill the zh_Hans catalogue from the JSON files beside it ({msgid: msgstr}, one per app).

`make messages` runs makemessages, then this, then compilemessages: the .po file is derived, so
each app keeps its translations in locale/zh_Hans/<app>.json and nobody edits the .po by hand.
A msgid used with a context (pgettext, {% translate ... context ... %}) may have its own entry,
keyed "<context>\u0004<msgid>"; without one it takes the msgid's.
Prints the msgids that still have no translation.
"""

import json
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans"


def main() -> int:
    translations: dict[str, str] = {}
    for path in sorted(LOCALE.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            translations.update(json.load(fh))
    po = polib.pofile(str(LOCALE / "LC_MESSAGES" / "django.po"))
    missing = []
    for entry in po:
        # A msgid with a context (pgettext) is keyed "context\u0004msgid", as gettext keys it.
        text = translations.get(f"{entry.msgctxt}\x04{entry.msgid}") if entry.msgctxt else None
        text = text or translations.get(entry.msgid)
        if text:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.translated():
            missing.append(entry.msgid)
    po.metadata.update(
        {
            "Language": "zh_Hans",
            "Plural-Forms": "nplurals=1; plural=0;",
            "Content-Type": "text/plain; charset=UTF-8",
        }
    )
    po.save()
    if missing:
        print("untranslated (add them to locale/zh_Hans/<app>.json):", file=sys.stderr)
        for msgid in missing:
            print(f"  {msgid!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
