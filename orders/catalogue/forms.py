"""Forms of the catalogue pages: they validate input; services do the work."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from jingdezhen.core.platforms import Platform
from orders.catalogue.services import MAX_STOCK
from orders.models import Product
from orders.models.catalogue import PRODUCT_FIELDS

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
        fields = ["sku", *PRODUCT_FIELDS, "stock"]
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
