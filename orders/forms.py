"""Forms of the catalogue and order pages: they validate input; services do the work."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform

from .models import BreakageClaim, Order, OrderPolicy, Product
from .services import MAX_STOCK

EMPTY = [("", _("All"))]


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    ware_type = forms.ChoiceField(
        label=_("Ware type"), choices=EMPTY + Product.WareType.choices, required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=EMPTY + Product.Category.choices, required=False
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=EMPTY + Product.Tier.choices, required=False)
    in_stock = forms.ChoiceField(
        label=_("Stock"),
        choices=[("", _("All")), ("yes", _("In stock")), ("no", _("Sold out"))],
        required=False,
    )

    def selector_kwargs(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "q": data.get("q", ""),
            "ware_type": data.get("ware_type", ""),
            "category": data.get("category", ""),
            "tier": data.get("tier", ""),
            "in_stock": {"yes": True, "no": False}.get(data.get("in_stock", "")),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class ProductForm(forms.ModelForm):
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 8 MB each; you can add more later."),
    )

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "ware_type",
            "category",
            "technique",
            "kiln",
            "artisan",
            "tier",
            "length_mm",
            "width_mm",
            "height_mm",
            "weight_g",
            "price",
            "stock",
            "story",
            "is_active",
        ]
        widgets = {"story": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Stock changes by restocking (relative), never by overwriting it in an edit.
            del self.fields["stock"]
            del self.fields["photos"]
            self.fields["sku"].disabled = True
        else:
            self.fields["stock"].max_value = MAX_STOCK
            self.fields["stock"].validators.append(MaxValueValidator(MAX_STOCK))
            self.fields["stock"].widget.attrs["max"] = MAX_STOCK


class RestockForm(forms.Form):
    change = forms.IntegerField(
        label=_("Add to stock"), help_text=_("A negative number removes units.")
    )


class PlatformPriceForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    price = forms.DecimalField(
        label=_("Price (CNY)"),
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the product's price."),
    )


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG or WebP, at most 8 MB."))


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=EMPTY + Order.Status.choices, required=False
    )
    platform = forms.ChoiceField(
        label=_("Platform"), choices=EMPTY + Platform.choices, required=False
    )


LINES = 5


class OrderForm(forms.Form):
    """An order taken by hand: up to five lines of the merchant's products."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    external_id = forms.CharField(
        label=_("Platform order id"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for an order taken outside a platform."),
    )
    stream = forms.ModelChoiceField(label=_("Live stream"), queryset=None, required=False)
    buyer_name = forms.CharField(label=_("Buyer"), max_length=120, required=False)
    buyer_country = forms.CharField(label=_("Buyer country"), max_length=2, initial="CN")
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")

    def __init__(self, *args, products, streams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stream"].queryset = streams
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
        value = self.cleaned_data["buyer_country"].strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise forms.ValidationError(_("A country is a two-letter code such as ZA."))
        return value

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("A currency is a three-letter code such as EUR."))
        return value

    def lines(self) -> list[tuple[int, int]]:
        found = []
        for i in range(LINES):
            product = self.cleaned_data.get(f"product_{i}")
            if product:
                found.append((product, self.cleaned_data.get(f"quantity_{i}") or 1))
        return found


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


class ImportForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    file = forms.FileField(label=_("Order export (CSV)"))


class OrderPolicyForm(forms.ModelForm):
    class Meta:
        model = OrderPolicy
        fields = ["live_payment_minutes", "payment_minutes"]
