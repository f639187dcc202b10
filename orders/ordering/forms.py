"""Forms of the order pages: filters, refunds, breakage claims, payment deadlines."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from orders.catalogue.forms import EMPTY
from orders.models import BreakageClaim, Order, OrderPolicy


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
