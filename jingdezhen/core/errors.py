"""Domain errors: what services raise when a request cannot be carried out.

Views turn them into form errors, the API into 4xx responses with field errors, so a user always
reads why, and nothing is half-written (each service runs in one transaction).
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the change. ``field`` names the input at fault, if one is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_dict(self) -> dict:
        key = self.field or "non_field_errors"
        return {key: [str(self.message)]}


class Conflict(DomainError):
    """The change clashes with existing state (a booking, a duplicate, a concurrent change)."""

    status_code = 409
    code = "conflict"


class NotAllowed(DomainError):
    """The actor may see the object but may not make this change."""

    status_code = 403
    code = "not_allowed"
