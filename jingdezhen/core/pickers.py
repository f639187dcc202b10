"""Searchable pickers: a choice among thousands (a merchant's streams, its catalogue) made by
typing a few letters instead of scrolling a select.

A picker is a search box and a short list of radios under it. The radios carry the form's own
field name, so the form posts what it always posted and its validation (and the service behind
it) stays the one door. The search box asks a small endpoint of the app for the radios (htmx,
``hx-get``), or, without JavaScript, submits a GET form of its own that reloads the page with
the same search (``<field>_q``) answered; the first ``LIMIT`` choices are rendered with the page,
so a choice among the nearest ones needs no search at all.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string

from .bounds import check_text
from .errors import DomainError

# A search is a few words of a title, a SKU or a name; longer text is a 400 naming the field.
MAX_QUERY = 64
# Choices shown at once: enough to find by a few letters, few enough for a phone screen.
LIMIT = 20


def search_param(field_id: str) -> str:
    """The query parameter of a picker's search: ``stream_q`` for the field ``id_stream``."""
    return f"{field_id.removeprefix('id_')}_q"


def search_text(params: Mapping[str, str], name: str) -> str:
    """The picker search in ``params[name]``, stripped and bounded (``DomainError`` naming
    ``name`` when longer than ``MAX_QUERY`` or holding a NUL)."""
    return check_text(str(params.get(name, "")).strip(), field=name, max_length=MAX_QUERY)


def chosen_id(value: Any) -> int | None:
    """The id a picker posts (a radio's value), or None when none or not a number."""
    text = str(value or "").strip()
    # isdigit() alone also takes "²" or "①", which int() refuses: ASCII digits only.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


class PickerWidget(forms.Widget):
    """A search box with radios under it, for a ``ModelChoiceField`` of many rows.

    The form sets ``options`` (the rows to show, from a selector: at most ``LIMIT``), ``url``
    (the app's search endpoint) and ``query`` (the search answered); the field's queryset is
    only used to validate the posted id, never rendered.
    """

    template_name = "includes/picker.html"

    def __init__(
        self, *, option_template: str, placeholder: str = "", empty_label=None, attrs=None
    ):
        super().__init__(attrs)
        self.option_template = option_template
        self.placeholder = placeholder
        self.empty_label = empty_label
        self.options: Sequence[Any] = ()
        self.url = ""
        self.query = ""
        self.label = ""

    def attach(self, *, options: Sequence[Any], url: str, query: str, label) -> None:
        """What this form's picker shows: the rows of a selector, the endpoint that searches
        them, the search they answer and the field's label (the radios' group name)."""
        self.options, self.url, self.query, self.label = options, url, query, label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["picker"] = picker_context(
            name=name,
            field_id=field_id,
            options=self.options,
            chosen=chosen_id(value.pk if hasattr(value, "pk") else value),
            option_template=self.option_template,
            empty_label=self.empty_label,
        )
        context["picker"].update(
            url=self.url,
            query=self.query,
            placeholder=self.placeholder,
            max_length=MAX_QUERY,
            label=self.label,
        )
        return context

    def fragment(self, *, name: str, field_id: str, options: Sequence[Any], chosen: int | None):
        """The context of the radios alone, for the search endpoint's answer."""
        return picker_context(
            name=name,
            field_id=field_id,
            options=options,
            chosen=chosen,
            option_template=self.option_template,
            empty_label=self.empty_label,
        )

    def render(self, name, value, attrs=None, renderer=None):
        # The project's templates (not the form renderer's), where the endpoint's fragment lives.
        return render_to_string(self.template_name, self.get_context(name, value, attrs))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


def picker_context(
    *,
    name: str,
    field_id: str,
    options: Sequence[Any],
    chosen: int | None,
    option_template: str,
    empty_label=None,
) -> dict:
    """What the radios of a picker are rendered from, by the page and by the search endpoint."""
    return {
        "name": name,
        "id": field_id,
        "param": search_param(field_id),
        "options": list(options),
        "chosen": chosen,
        "option_template": option_template,
        "empty_label": empty_label,
        "limit": LIMIT,
    }


def picker_answer(
    request: HttpRequest,
    *,
    widget: PickerWidget,
    name: str,
    field_id: str,
    param: str,
    picks: Callable[[str, int | None], Sequence],
) -> HttpResponse:
    """A picker's answer to a search (``param``): its radios as an htmx fragment, the choice
    ``name`` already made kept among them; a search over its bound is a 400 naming ``param``.
    ``picks(query, chosen)`` is the app's selector, scoped by the caller's reach."""
    try:
        query = search_text(request.GET, param)
    except DomainError as exc:
        return HttpResponseBadRequest(f"{exc.field}: {exc.message}")
    chosen = chosen_id(request.GET.get(name))
    fragment = widget.fragment(
        name=name, field_id=field_id, options=picks(query, chosen), chosen=chosen
    )
    return render(request, "includes/picker_options.html", {"picker": fragment})
