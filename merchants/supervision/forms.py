"""Forms of the supervision pages: they validate input (bounded); the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from jingdezhen.core.widgets import DayField

from .evidence import MAX_BYTES
from .models import (
    MAX_DAYS_WITHOUT_STREAM,
    MAX_GMV_PER_WEEK,
    MAX_NOTE,
    MAX_POINTS,
    MAX_REASON,
    MAX_STREAMS_PER_WEEK,
    MAX_VIOLATION_WINDOW_DAYS,
    MAX_VIOLATIONS,
    MAX_WEEKS_MISSED,
    PlatformViolation,
)


class TargetForm(forms.Form):
    """A weekly target: either figure may be left empty (no target for it)."""

    streams_per_week = forms.IntegerField(
        label=_("Streams per week"), required=False, min_value=1, max_value=MAX_STREAMS_PER_WEEK
    )
    gmv_per_week = forms.DecimalField(
        label=_("GMV per week (CNY)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_GMV_PER_WEEK,
        max_digits=14,
        decimal_places=2,
    )


class RulesForm(forms.Form):
    weeks_missed_for_alert = forms.IntegerField(
        label=_("Weeks below target before an alert"), min_value=1, max_value=MAX_WEEKS_MISSED
    )
    days_without_stream_for_alert = forms.IntegerField(
        label=_("Days without a stream before an alert"),
        min_value=1,
        max_value=MAX_DAYS_WITHOUT_STREAM,
    )
    violations_for_suspension = forms.IntegerField(
        label=_("Violations that call for a suspension"), min_value=1, max_value=MAX_VIOLATIONS
    )
    violation_window_days = forms.IntegerField(
        label=_("Days over which violations are counted"),
        min_value=1,
        max_value=MAX_VIOLATION_WINDOW_DAYS,
    )


class FollowUpCloseForm(forms.Form):
    note = forms.CharField(
        label=_("What the follow-up found"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ViolationForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    occurred_on = DayField(label=_("Date"))
    kind = forms.ChoiceField(label=_("Sanction"), choices=PlatformViolation.Kind.choices)
    points = forms.IntegerField(
        label=_("Points deducted"), min_value=0, max_value=MAX_POINTS, initial=0
    )
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON)
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A screenshot (PNG, JPEG, WebP) or the platform's notice (PDF), up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,.pdf"}),
    )

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload and upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The evidence file is larger than 10 MB."))
        return upload
