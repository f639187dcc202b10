"""Form widgets every app's pages share."""

from __future__ import annotations

from django import forms

from .bounds import check_day
from .errors import DomainError


class DateInput(forms.DateInput):
    """An ``<input type=date>``: the browser reads only ISO dates, whatever the page's language
    (the Chinese locale's first input format, 2026/12/03, would leave the field empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """An ``<input type=time>``: hours and minutes, the same in every language."""

    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%H:%M")


class DayField(forms.DateField):
    """A date a person types, held inside the window of ``core.bounds`` (from its earliest
    day to a year ahead): a year-9999 date is a field error, never a date arithmetic overflow."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        try:
            check_day(value, field="")
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code="out_of_bounds") from exc
