"""Forms of the trainer pages: they validate input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingdezhen.core.widgets import DateInput, DayField
from merchants.models import Merchant

from .models import Course


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Course.Kind.choices)
    hours = forms.DecimalField(label=_("Hours"), min_value=0.5, max_digits=5, decimal_places=1)
    is_free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    attendance_threshold = forms.IntegerField(
        label=_("Attendance needed for the certificate (%)"),
        min_value=0,
        max_value=100,
        initial=80,
        required=False,
    )

    def clean_attendance_threshold(self):
        value = self.cleaned_data.get("attendance_threshold")
        return 80 if value is None else value


class CohortForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=None)
    starts_on = DayField(label=_("Starts on"), widget=DateInput)
    ends_on = DayField(label=_("Ends on"), widget=DateInput)
    room = forms.CharField(label=pgettext_lazy("classroom", "Room"), max_length=80, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500, initial=20)

    def __init__(self, *args, courses, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["trainer"].queryset = trainers


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)


class NewcomerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    background = forms.CharField(
        label=_("Background"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ApplicantForm(forms.Form):
    merchant_name = forms.CharField(label=_("Name of the studio or store"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Merchant.Kind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=16)
