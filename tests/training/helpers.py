"""What a certificate needs since issue #12: a cohort that is over, and the days attended."""

import datetime as dt

from django.utils import timezone

from training.models import Attendance, Cohort, Enrollment


def finish_cohort(cohort: Cohort, *, days: int = 3) -> Cohort:
    """Move ``cohort`` to the ``days`` days that ended yesterday."""
    ends = timezone.localdate() - dt.timedelta(days=1)
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=ends - dt.timedelta(days=days - 1), ends_on=ends
    )
    cohort.refresh_from_db()
    return cohort


def attend(enrollment: Enrollment, *, present_days: int | None = None) -> None:
    """Mark ``enrollment`` present on the first ``present_days`` days of its cohort (all by
    default) and absent on the others."""
    cohort = Cohort.objects.get(pk=enrollment.cohort_id)
    days = cohort.session_days()
    present_days = len(days) if present_days is None else present_days
    Attendance.objects.bulk_create(
        [
            Attendance(enrollment=enrollment, day=d, present=i < present_days)
            for i, d in enumerate(days)
        ],
        update_conflicts=True,
        unique_fields=["enrollment", "day"],
        update_fields=["present"],
    )
