"""The trainer's home: cohorts starting this week, attendance not recorded, trainees ready for
their certificate, waitlists."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from jingdezhen.core.days import local_zone
from jingdezhen.core.tenancy import Reach
from training import selectors as training

from .todo import todo


def trainer_home(reach: Reach, *, now: dt.datetime) -> dict:
    """Four queries, whatever the base teaches: one per list."""
    today = timezone.localtime(now, local_zone()).date()
    cohorts = reverse("training:cohort_list")
    return {
        "today": today,
        "cohorts_starting": todo(
            training.cohorts_starting(reach=reach, today=today), see_all=cohorts
        ),
        "attendance_missing": todo(
            training.attendance_unrecorded(reach=reach, today=today), see_all=cohorts
        ),
        "certificates_due": todo(
            training.certificates_due(reach=reach, today=today), see_all=cohorts
        ),
        "waitlists": todo(training.waitlists(reach=reach, today=today), see_all=cohorts),
        "lookback_days": training.ATTENDANCE_LOOKBACK_DAYS,
    }
