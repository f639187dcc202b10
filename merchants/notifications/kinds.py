"""The table of notification kinds: what each one says, with which parameters, and where it links.

A notification stores its kind and parameters, never a sentence: the sentence is the kind's
translatable template filled at read time, in the reader's language. Each parameter has a type
that says how it is stored and how it is shown (a platform is stored as its code and shown by its
translated name; a time is stored as an ISO instant and shown in the base's time zone).
A new kind is one row here, its ``gettext`` strings and their Chinese in merchants' ``.po``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform

# The longest text parameter kept (a stream title is at most 160 characters).
MAX_TEXT = 200


@dataclass(frozen=True)
class Param:
    """How one parameter is stored (``store``: a value -> JSON) and shown (``show``)."""

    store: Callable[[object], object]
    show: Callable[[object], str]


def _store_text(value: object) -> str:
    return str(value or "")[:MAX_TEXT]


def _store_instant(value: object) -> str:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValueError("a time parameter is an aware datetime")
    return value.isoformat()


def _show_time(value: object) -> str:
    try:
        instant = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return f"{timezone.localtime(instant):%H:%M}"


def _show_platform(value: object) -> str:
    try:
        return str(Platform(value).label)
    except ValueError:
        return str(value)


def _show_place(value: object) -> str:
    # A stream without a room is streamed from the merchant's own studio.
    return str(value) if value else gettext("your own studio")


TEXT = Param(store=_store_text, show=str)
TIME = Param(store=_store_instant, show=_show_time)
PLATFORM = Param(store=_store_text, show=_show_platform)
PLACE = Param(store=_store_text, show=_show_place)


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    template: Promise  # a sentence with named parameters: _("%(title)s has not started")
    params: Mapping[str, Param]
    subject: str  # the model the subject id belongs to, as "app_label.ModelName"
    url_name: str = ""  # the subject's page, reversed with the subject id
    tone: str = ""  # "warn" or "danger": how the inbox marks it
    # Whether the page's URL takes the subject id (a list page, such as the follow-ups, does not).
    url_takes_subject: bool = True


_STREAM = {"title": TEXT, "start": TIME, "place": PLACE, "platform": PLATFORM}

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            code="stream_reminder",
            label=_("Stream reminder"),
            template=_("Reminder: “%(title)s” starts at %(start)s in %(place)s on %(platform)s."),
            params=_STREAM,
            subject="livestreams.LiveStream",
            url_name="livestreams:stream_detail",
        ),
        Kind(
            code="stream_late",
            label=_("Stream not started"),
            template=_("“%(title)s” was due to start at %(start)s and has not gone live."),
            params=_STREAM,
            subject="livestreams.LiveStream",
            url_name="livestreams:stream_detail",
            tone="warn",
        ),
        Kind(
            code="stream_missed",
            label=_("Stream missed"),
            template=_(
                "“%(title)s” (%(platform)s, planned for %(start)s) never went live and is "
                "marked as missed."
            ),
            params=_STREAM,
            subject="livestreams.LiveStream",
            url_name="livestreams:stream_detail",
            tone="danger",
        ),
        Kind(
            code="cohort_full",
            label=_("Cohort full"),
            template=_(
                "The cohort “%(cohort)s” of %(course)s is full (%(capacity)s places): "
                "newcomers now go on its waitlist."
            ),
            params={"cohort": TEXT, "course": TEXT, "capacity": TEXT},
            subject="training.Cohort",
            url_name="training:cohort_detail",
            tone="warn",
        ),
        Kind(
            code="supervision_missed_target",
            label=_("Below target"),
            template=_(
                "%(merchant)s has been below its weekly target for %(weeks)s weeks in a row "
                "(week of %(week)s)."
            ),
            params={"merchant": TEXT, "weeks": TEXT, "week": TEXT},
            subject="merchants.SupervisionAlert",
            url_name="merchants:supervision_alert",
            tone="warn",
        ),
        Kind(
            code="supervision_no_stream",
            label=_("No stream"),
            template=_("%(merchant)s has not streamed for %(days)s days."),
            params={"merchant": TEXT, "days": TEXT},
            subject="merchants.SupervisionAlert",
            url_name="merchants:supervision_alert",
            tone="warn",
        ),
        Kind(
            code="supervision_violations",
            label=_("Platform violations"),
            template=_(
                "%(merchant)s has %(count)s platform violations in the last %(days)s days: "
                "decide whether to suspend it."
            ),
            params={"merchant": TEXT, "count": TEXT, "days": TEXT},
            subject="merchants.SupervisionAlert",
            url_name="merchants:supervision_alert",
            tone="danger",
        ),
        Kind(
            code="follow_up_due",
            label=_("Follow-up due"),
            template=_("The follow-up of %(merchant)s was due on %(due)s: %(notes)s"),
            params={"merchant": TEXT, "due": TEXT, "notes": TEXT},
            subject="merchants.FollowUpReminder",
            url_name="merchants:follow_ups",
            url_takes_subject=False,
        ),
    )
}


def get(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"unknown notification kind {code!r}") from None


def store_params(kind: Kind, params: Mapping[str, object]) -> dict:
    """The JSON kept for ``params``: exactly the kind's parameters, each bounded."""
    if set(params) != set(kind.params):
        raise ValueError(f"{kind.code} takes the parameters {sorted(kind.params)}")
    return {name: kind.params[name].store(params[name]) for name in kind.params}


def render(code: str, params: Mapping[str, object]) -> str:
    """The sentence of a stored notification, in the active language."""
    kind = KINDS.get(code)
    if kind is None:
        return gettext("A notification of an unknown kind.")
    shown = {name: param.show(params.get(name, "")) for name, param in kind.params.items()}
    return str(kind.template) % shown


def label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


def tone(code: str) -> str:
    kind = KINDS.get(code)
    return kind.tone if kind else ""


def link(code: str, subject_id: int | None) -> str:
    """The subject's page, or "" when the kind links nowhere."""
    kind = KINDS.get(code)
    if kind is None or not kind.url_name or subject_id is None:
        return ""
    try:
        return reverse(kind.url_name, args=[subject_id] if kind.url_takes_subject else [])
    except NoReverseMatch:
        return ""
