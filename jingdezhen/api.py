"""Shared pieces of the REST API: pagination, error handling, the scoped viewset base."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .tenancy import Reach, get_reach


class StandardPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, plus domain errors and Django validation errors as clear 4xx answers."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        # A constraint the service did not foresee: the request conflicts with stored data.
        return Response({"non_field_errors": ["This change conflicts with existing data."]}, 409)
    return drf_exception_handler(exc, context)


class HasRole(permissions.BasePermission):
    """Allow the roles named on the view's ``allowed_roles`` (admins always)."""

    def has_permission(self, request, view) -> bool:
        reach = get_reach(request)
        roles = getattr(view, "allowed_roles", None)
        if not reach.is_authenticated:
            return False
        return roles is None or reach.is_admin or reach.role in roles


class ReachMixin:
    """Gives a view ``self.reach``; viewsets build their queryset from a selector with it."""

    permission_classes = [permissions.IsAuthenticated, HasRole]

    @property
    def reach(self) -> Reach:
        return get_reach(self.request)
