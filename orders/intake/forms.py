"""Forms of the intake's pages: an order taken by hand, a platform export to import."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.errors import DomainError
from jingdezhen.core.pickers import PickerWidget
from jingdezhen.core.platforms import Platform
from orders.intake.specs import country_code
from orders.ordering.money import currency_code

LINES = 5


def _checked(check, value: str) -> str:
    """The intake's own code check (``country_code``, ``currency_code``), as a form error."""
    try:
        return check(value)
    except DomainError as exc:
        raise forms.ValidationError(exc.message) from exc


class OrderForm(forms.Form):
    """An order taken by hand: up to five lines of the merchant's products."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    external_id = forms.CharField(
        label=_("Platform order id"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for an order taken outside a platform."),
    )
    # A busy merchant has hundreds of streams: a picker searches them by title (the radios post
    # the stream's id under this name; the queryset below only validates it).
    stream = forms.ModelChoiceField(
        label=_("Live stream"),
        queryset=None,
        required=False,
        widget=PickerWidget(
            option_template="orders/_stream_pick.html",
            placeholder=_("Search by title"),
            empty_label=_("Not from a live stream"),
        ),
    )
    buyer_name = forms.CharField(label=_("Buyer"), max_length=120, required=False)
    buyer_country = forms.CharField(label=_("Buyer country"), max_length=2, initial="CN")
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")

    def __init__(self, *args, products, streams, stream_picks=(), stream_query="", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["stream"]
        field.queryset = streams
        field.widget.attach(
            options=stream_picks,
            url=reverse("orders:order_stream_picks"),
            query=stream_query,
            label=field.label,
        )
        choices = [("", "—")] + [(p.pk, f"{p.name} ({p.sku}) · {p.stock}") for p in products]
        for i in range(LINES):
            self.fields[f"product_{i}"] = forms.TypedChoiceField(
                label=_("Product"), choices=choices, coerce=int, required=i == 0, empty_value=None
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=10000, required=False, initial=1
            )

    def line_rows(self):
        return [(self[f"product_{i}"], self[f"quantity_{i}"]) for i in range(LINES)]

    def clean_buyer_country(self):
        return _checked(country_code, self.cleaned_data["buyer_country"])

    def clean_currency(self):
        return _checked(currency_code, self.cleaned_data["currency"])

    def lines(self) -> list[tuple[int, int]]:
        found = []
        for i in range(LINES):
            product = self.cleaned_data.get(f"product_{i}")
            if product:
                found.append((product, self.cleaned_data.get(f"quantity_{i}") or 1))
        return found


class ImportForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    file = forms.FileField(label=_("Order export (CSV or .xlsx)"), max_length=200)


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_("Product catalogue (CSV or .xlsx)"), max_length=200)
