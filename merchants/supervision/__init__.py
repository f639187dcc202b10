"""Supervision with teeth: weekly targets per stage (overridable per merchant), the merchants
falling behind and the alerts they raise, follow-ups of reviews reminded and closed with a note,
and platform violations that count toward a suspension.

``models`` (imported by ``merchants.models``), ``figures`` (the weekly figures other apps fill in
through an extension point), ``selectors`` (reads), ``services`` (writes and the daily run),
``evidence`` (checking a violation's evidence file), ``forms`` and ``views`` (the manager's pages).
"""
