"""Fill msgstr entries of the zh_Hans catalogue from a JSON {msgid: msgstr} file: argv[1].

Use after `make messages`; then run `make messages` again to compile."""

import json
import sys

import polib

po = polib.pofile("locale/zh_Hans/LC_MESSAGES/django.po")
with open(sys.argv[1], encoding="utf-8") as fh:
    tr = json.load(fh)
missing = []
for e in po:
    if e.msgid in tr:
        if e.msgid_plural:
            v = tr[e.msgid]
            e.msgstr_plural = {0: v if isinstance(v, str) else v[0]}
        else:
            e.msgstr = tr[e.msgid]
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    elif not e.translated():
        missing.append(e.msgid)
po.metadata["Language"] = "zh_Hans"
po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.save()
print("still missing:", missing)
