"""Forms of the live-streams pages: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.pickers import PickerWidget
from jingdezhen.core.platforms import Platform
from jingdezhen.core.widgets import DateInput, DayField, TimeInput

from .models import LiveRoom, LiveStream, StreamSettings

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]


class CrewMixin(forms.Form):
    """Room and crew choices, narrowed to the merchant's base and team."""

    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=LiveRoom.objects.none(),
        required=False,
        empty_label=_("Own studio"),
    )
    host = forms.ModelChoiceField(label=_("Host"), queryset=None, required=False)
    assistant_host = forms.ModelChoiceField(
        label=_("Assistant host"), queryset=None, required=False
    )
    operator = forms.ModelChoiceField(
        label=_("Control-desk operator"), queryset=None, required=False
    )

    def __init__(self, *args, rooms=None, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms if rooms is not None else LiveRoom.objects.none()
        for name in ("host", "assistant_host", "operator"):
            self.fields[name].queryset = team


class StreamForm(CrewMixin):
    TIME_FIELDS = ("day", "start_time", "end_time")  # typed apart, planned as two instants

    title = forms.CharField(label=_("Title"), max_length=160)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    day = DayField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    end_time = forms.TimeField(
        label=_("Ends at"), widget=TimeInput, help_text=_("00:00 means midnight.")
    )
    is_rehearsal = forms.BooleanField(label=_("Rehearsal"), required=False)

    field_order = [
        "title",
        "platform",
        "day",
        "start_time",
        "end_time",
        "room",
        "host",
        "assistant_host",
        "operator",
        "is_rehearsal",
    ]

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            data["planned_start"] = timezone.make_aware(dt.datetime.combine(day, start))
            end_day = day + dt.timedelta(days=1) if end == dt.time(0, 0) else day
            data["planned_end"] = timezone.make_aware(dt.datetime.combine(end_day, end))
            if data["planned_end"] <= data["planned_start"]:
                self.add_error("end_time", _("The stream must end after it starts."))
        return data

    def plan(self) -> dict:
        """The cleaned data as ``stream_schedule`` and ``stream_update`` take it: the typed
        fields, with the day and its two times as the planned start and end."""
        data = self.cleaned_data
        typed = {name: data[name] for name in self.fields if name not in self.TIME_FIELDS}
        return {**typed, "planned_start": data["planned_start"], "planned_end": data["planned_end"]}

    @classmethod
    def initial_for(cls, stream: LiveStream) -> dict:
        start = timezone.localtime(stream.planned_start)
        end = timezone.localtime(stream.planned_end)
        return {
            "title": stream.title,
            "platform": stream.platform,
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "room": stream.room_id,
            "host": stream.host_id,
            "assistant_host": stream.assistant_host_id,
            "operator": stream.operator_id,
            "is_rehearsal": stream.is_rehearsal,
        }


class SeriesForm(CrewMixin):
    title = forms.CharField(label=_("Title"), max_length=160)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput)
    duration_minutes = forms.IntegerField(
        label=_("Length (minutes)"), min_value=15, max_value=720, initial=120
    )
    first_date = DayField(label=_("First date"), widget=DateInput)
    weeks = forms.IntegerField(label=_("For how many weeks"), min_value=1, max_value=13, initial=4)
    weekdays = forms.MultipleChoiceField(
        label=_("On"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        initial=[c for c, _label in WEEKDAYS],
    )

    field_order = [
        "title",
        "platform",
        "start_time",
        "duration_minutes",
        "first_date",
        "weeks",
        "weekdays",
        "room",
        "host",
        "assistant_host",
        "operator",
    ]

    def plan(self) -> dict:
        """The cleaned data as ``series_create`` takes it: the typed fields, with the weeks as
        the last date and the weekdays as one string."""
        data = self.cleaned_data
        typed = {name: data[name] for name in self.fields if name not in ("weeks", "weekdays")}
        last_date = data["first_date"] + dt.timedelta(days=7 * data["weeks"] - 1)
        return {**typed, "last_date": last_date, "weekdays": "".join(data["weekdays"])}


class SeriesChangeForm(forms.Form):
    from_date = DayField(label=_("From"), widget=DateInput)
    start_time = forms.TimeField(label=_("New start time"), widget=TimeInput, required=False)
    duration_minutes = forms.IntegerField(
        label=_("New length (minutes)"), min_value=15, max_value=720, required=False
    )
    title = forms.CharField(label=_("New title"), max_length=160, required=False)


class ResultsForm(forms.Form):
    unique_viewers = forms.IntegerField(label=_("Unique viewers"), min_value=0, required=False)
    peak_viewers = forms.IntegerField(
        label=_("Peak concurrent viewers"), min_value=0, required=False
    )
    avg_watch_seconds = forms.IntegerField(
        label=_("Average watch time (seconds)"), min_value=0, required=False
    )
    new_followers = forms.IntegerField(label=_("New followers"), min_value=0, required=False)
    product_clicks = forms.IntegerField(label=_("Product clicks"), min_value=0, required=False)


class FeaturedForm(forms.Form):
    # Every SKU of the catalogue is too many for a select: a picker searches them by SKU or
    # name (its radios post the product's id; the queryset below only validates it).
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=None,
        widget=PickerWidget(
            option_template="livestreams/_product_pick.html",
            placeholder=_("Search by SKU or name"),
        ),
    )
    talking_points = forms.CharField(
        label=_("Talking points"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Empty: the product's story."),
    )
    live_price = forms.DecimalField(
        label=_("Live price (CNY)"), max_digits=14, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args, products=None, picks=(), picks_url="", query="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.queryset = products
        field.widget.attach(options=picks, url=picks_url, query=query, label=field.label)


class FlashDealForm(forms.Form):
    """A flash deal during the stream: units set aside from stock, sold only at the deal price."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=None)
    deal_price = forms.DecimalField(
        label=_("Deal price (CNY)"), max_digits=14, decimal_places=2, min_value=0
    )
    quantity = forms.IntegerField(label=_("Units set aside"), min_value=1, max_value=100000)
    per_buyer_limit = forms.IntegerField(
        label=_("Limit per buyer"), min_value=1, max_value=1000, initial=1
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=10)

    def __init__(self, *args, products=None, **kwargs):
        # Shown on the stream page beside the run sheet's FeaturedForm, which also has a
        # "product": ids of their own keep each label on its field (same field names).
        kwargs.setdefault("auto_id", "id_deal_%s")
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class RoomForm(forms.ModelForm):
    class Meta:
        model = LiveRoom
        fields = [
            "name",
            "capacity",
            "equipment",
            "opens_hour",
            "closes_hour",
            "prime_start_hour",
            "prime_end_hour",
            "is_active",
        ]

    def validate_unique(self):
        """The service checks uniqueness (and answers with a clear Conflict)."""


class SettingsForm(forms.ModelForm):
    class Meta:
        model = StreamSettings
        fields = [
            "changeover_minutes",
            "room_hours_per_day",
            "room_hours_per_week",
            "require_host_basics",
            "reminder_minutes",
            "missed_after_minutes",
        ]

    def validate_unique(self):
        pass


class BaseStreamFilter(forms.Form):
    merchant = forms.CharField(label=_("Merchant"), required=False)
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("All")), *list(Platform.choices)], required=False
    )
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *list(LiveStream.Status.choices)],
        required=False,
    )
    day = DayField(label=_("Date"), widget=DateInput, required=False)

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", _("All")), (0, _("Own studio"))] + [
            (r.pk, r.name) for r in rooms
        ]
