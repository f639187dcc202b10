"""Forms of the order pages: filters, refunds, breakage claims, payment deadlines, bulk
shipping."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.bounds import MAX_ORDER_CNY
from jingdezhen.core.platforms import Platform
from orders.catalogue.forms import EMPTY
from orders.models import BreakageClaim, Order, OrderPolicy, Shipment
from orders.models.shipping import TRACKING_MAX_LENGTH
from orders.ordering.bulk import MAX_BULK_ORDERS


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=EMPTY + Order.Status.choices, required=False
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=EMPTY + Platform.choices, required=False
    )


class RefundForm(forms.Form):
    amount_cny = forms.DecimalField(
        label=_("Refund (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to refund the whole remainder."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ClaimForm(forms.Form):
    photo = forms.FileField(label=_("Photo of the breakage"))
    lines = forms.TypedMultipleChoiceField(
        label=_("Lines affected"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (line.pk, f"{line.quantity} x {line.product.name}") for line in order.lines.all()
        ]


class ClaimDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in BreakageClaim.Outcome.choices if c[0] != BreakageClaim.Outcome.OPEN],
    )


class OrderPolicyForm(forms.ModelForm):
    class Meta:
        model = OrderPolicy
        fields = ["live_payment_minutes", "payment_minutes"]


class ShipmentRowForm(forms.Form):
    """One order of a bulk shipment: its parcel's carrier, tracking number and insured value
    (the service checks the number's shape, its uniqueness and the value against the order)."""

    order = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    carrier = forms.ChoiceField(label=_("Carrier"), choices=EMPTY + Shipment.Carrier.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=TRACKING_MAX_LENGTH + 8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    insured_value = forms.DecimalField(
        label=_("Insured value (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=MAX_ORDER_CNY,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


# One row per selected order; the number of rows is bounded like the service's batch.
ShipmentFormSet = forms.formset_factory(
    ShipmentRowForm,
    extra=0,
    max_num=MAX_BULK_ORDERS,
    absolute_max=MAX_BULK_ORDERS,
    validate_max=True,
)
