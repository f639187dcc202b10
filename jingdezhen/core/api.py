"""Shared pieces of the REST API: pagination, error handling, the scoped viewset base."""

from __future__ import annotations

import copy
import re

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, permissions, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import get_error_detail
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from . import bounds
from .errors import Conflict, DomainError, NotAllowed
from .tenancy import Reach, get_reach


class StandardPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class FieldsOnceMixin:
    """A ``ModelSerializer`` that introspects its model once per class, not once per instance.

    DRF builds a model serializer's fields from the model on every instance (``get_fields``),
    which was most of the cost of answering a new order; here the built fields are kept on the
    class and each instance gets a deep copy of them, exactly as a plain ``Serializer`` copies
    its declared fields. Only for serializers whose fields do not depend on the instance or the
    context."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_once")
        if built is None:
            built = super().get_fields()
            cls._fields_once = built
        return copy.deepcopy(built)


# The largest id PostgreSQL's bigint holds: a larger one matches nothing.
MAX_ID = 2**63 - 1
# The largest count an integer column holds: a larger one is refused with a message, not a 500.
MAX_COUNT = 2**31 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.Filter):
    """Filter by a related object's id without looking the object up.

    django-filter's default for a foreign key is a choice among *all* rows of the related model:
    an unknown id answers 400 while a foreign one answers 200, which tells a caller which ids exist
    elsewhere. An id is just a number here; one outside the caller's reach matches nothing.
    """

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if not 0 < value <= MAX_ID:
            return qs.none()
        return qs.filter(**{f"{self.field_name}_id": value})


class IdFilterSet(filters.FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class FilterBackend(filters.DjangoFilterBackend):
    """``filterset_fields`` of every viewset, with related objects filtered by id (IdFilter)."""

    filterset_base = IdFilterSet


class UpdatedSinceFilter(BaseFilterBackend):
    """``?updated_since=<ISO 8601 with offset>``: rows changed at or after that instant, for a
    client that syncs incrementally (with ``?ordering=updated_at``). A viewset names its
    ``updated_since_field`` (an indexed column every write sets)."""

    param = "updated_since"

    def filter_queryset(self, request, queryset, view):
        text = request.query_params.get(self.param)
        if text is None:
            return queryset
        try:
            instant = parse_datetime(text.strip()) if len(text) <= 40 else None
        except ValueError:  # well formed, but no such time (month 13, an offset of a day)
            instant = None
        if instant is None or timezone.is_naive(instant):
            raise exceptions.ValidationError(
                {
                    self.param: [
                        _("Enter an ISO 8601 time with its offset, e.g. %(example)s.")
                        % {"example": "2026-12-01T08:00:00+08:00"}
                    ]
                },
                code="invalid",
            )
        try:
            bounds.check_instant(instant, field=self.param)
        except DomainError as exc:
            raise exceptions.ValidationError(
                {self.param: [exc.message]}, code="out_of_bounds"
            ) from None
        return queryset.filter(**{f"{view.updated_since_field}__gte": instant})

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "Only rows changed at or after this time (ISO 8601 with offset).",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


def exception_handler(exc, context):
    """DRF's handler, plus domain errors and Django validation errors as clear 4xx answers.

    Every error body carries stable machine codes beside the (translated) messages, so a client
    can branch on the kind of error without reading prose:

    - 400, 409 and 422 keep the messages by field (``{"quantity": ["..."]}``, and
      ``non_field_errors`` for the request as a whole) and add ``errors``: one entry per message,
      ``{"field": "lines.0.quantity", "code": "max_value", "message": "..."}``;
    - 401, 403, 404, 405, 415 and 429 answer ``{"detail": "...", "code": "not_found"}``.
    """
    response = _error_response(exc, context)
    if response is not None:
        response.data = with_codes(response.data)
    return response


def _error_response(exc, context) -> Response | None:
    if isinstance(exc, NotAllowed):
        # Like DRF's own 403: the reason in "detail".
        return Response({"detail": ErrorDetail(str(exc.message), exc.code)}, exc.status_code)
    if isinstance(exc, DomainError):
        key = exc.field or api_settings.NON_FIELD_ERRORS_KEY
        return Response({key: [ErrorDetail(str(exc.message), exc.code)]}, exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=get_error_detail(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # A constraint the service did not foresee: the request conflicts with stored data.
        message = ErrorDetail(_("This change conflicts with existing data."), Conflict.code)
        return Response({api_settings.NON_FIELD_ERRORS_KEY: [message]}, 409)
    if isinstance(exc, exceptions.ParseError):
        # A body that is no JSON is a bad request like any other: field-error shape, one code.
        exc = exceptions.ValidationError(detail=[exc.detail], code=exc.default_code)
    if isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # ValidationError("...") or a list of messages: about the request as a whole.
        exc.detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
    return drf_exception_handler(exc, context)


def with_codes(data):
    """Add the machine codes to an error body built of DRF's ``ErrorDetail`` strings."""
    if not isinstance(data, dict):
        return data
    if isinstance(data.get("detail"), str) and len(data) == 1:
        return {"detail": data["detail"], "code": _code(data["detail"])}
    return {**data, "errors": list(_flatten(data, ""))}


def _code(message) -> str:
    return getattr(message, "code", None) or "invalid"


def _flatten(node, path: str):
    """(field path, code, message) of every message of a nested error body, in order."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, dict | list):
                # A list serializer's errors: one dict per item, empty for a valid one.
                yield from _flatten(value, f"{path}.{index}")
            else:
                yield _field_error(path, value)
    else:
        yield _field_error(path, node)


def _field_error(path: str, message) -> dict:
    return {
        "field": path or api_settings.NON_FIELD_ERRORS_KEY,
        "code": _code(message),
        "message": str(message),
    }


# The filters of a list a client syncs incrementally: the default ones, then updated_since.
SYNC_FILTER_BACKENDS = [FilterBackend, OrderingFilter, UpdatedSinceFilter]


class HasRole(permissions.BasePermission):
    """Refuse, before a body is validated or a row read, whoever the view's app refuses.

    A viewset names ``reach_rule``: its app's rule from the selector layer (for instance
    ``training.selectors.require_reader``), the very function that app's selectors ask, so the
    pages and the API refuse the same callers and the rule is written once. It raises
    ``PermissionDenied`` (403).
    """

    def has_permission(self, request, view) -> bool:
        reach = get_reach(request)
        if not reach.is_authenticated:
            return False
        rule = getattr(view, "reach_rule", None)
        if rule is not None:
            rule(reach)
        return True


class ReachMixin:
    """Gives a view ``self.reach``; viewsets build their queryset from a selector with it."""

    permission_classes = [permissions.IsAuthenticated, HasRole]
    # Ids are numbers: anything else is no route at all (404), never a lookup that fails.
    lookup_value_regex = "[0-9]+"

    @property
    def reach(self) -> Reach:
        return get_reach(self.request)


def plain_choice_field(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field documented as a string listing its values rather than as a shared enum
    component: several models name a field ``kind``, ``status`` or ``stage`` with different
    choices, and enum components of one name would collide (a ``check --deploy`` warning)."""
    values = [value for value, _label in choices]
    # A pattern, not an enum: drf-spectacular would hoist an enum into a shared component.
    pattern = "^(?:" + "|".join(re.escape(value) for value in values) + ")$"
    described = ", ".join(value or '""' for value in values)

    @extend_schema_field(
        {"type": "string", "pattern": pattern, "description": f"One of: {described}"}
    )
    class PlainChoiceField(serializers.ChoiceField):
        pass

    return PlainChoiceField(choices=choices, **kwargs)
