"""The OpenAPI schema tells the error answers too, so clients (and Schemathesis) can rely on them.

drf-spectacular documents the success answer of each operation; the API also answers 400 with
field errors, 403 without a valid login, 404 for a missing or foreign object (in the path or named
in the body), 409 on a clash, 415
for a body it cannot parse and 429 when throttled (see ``jingdezhen.core.api.exception_handler``).
This schema class adds them.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

# The error bodies of jingdezhen.core.api.exception_handler, one component each, every array with
# its items (generated clients drop a response whose schema they cannot type).
ERROR = {
    "type": "object",
    "description": "An error about the request as a whole: a message and its stable code.",
    "properties": {
        "detail": {"type": "string", "description": "The message, in the caller's language."},
        "code": {
            "type": "string",
            "description": "Stable machine code, e.g. `not_authenticated`, `permission_denied`, "
            "`not_allowed`, `not_found`, `method_not_allowed`, `unsupported_media_type`, "
            "`throttled`.",
        },
    },
    "required": ["detail", "code"],
}
FIELD_ERROR = {
    "type": "object",
    "properties": {
        "field": {
            "type": "string",
            "description": "The input at fault as a dotted path (`lines.0.quantity`); "
            "`non_field_errors` for the request as a whole.",
        },
        "code": {
            "type": "string",
            "description": "Stable machine code: DRF's (`required`, `invalid`, `null`, `blank`, "
            "`max_length`, `min_value`, `max_value`, `invalid_choice`, `parse_error`, ...) or the "
            "domain's (`conflict`, `out_of_stock`, `room_double_booked`, `invalid_transition`, "
            "...); the README lists them.",
        },
        "message": {"type": "string", "description": "The message, in the caller's language."},
    },
    "required": ["field", "code", "message"],
}
_MESSAGES = {
    "description": "The messages of one field (or, for a list or nested input, its errors by "
    "item or key).",
    "anyOf": [
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        {"type": "object"},
    ],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name (`non_field_errors` for the request as a whole), and "
    "the same messages in `errors`, each with its field and stable code.",
    "properties": {
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
    },
    "required": ["errors"],
    "additionalProperties": _MESSAGES,
}
COMPONENTS = {"Error": ERROR, "FieldError": FIELD_ERROR, "ValidationErrors": FIELD_ERRORS}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _answer(description: str, component: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


# drf-spectacular's pattern for a decimal, ^-?\d{0,N}(?:\.\d{0,M})?$, also matches "" and "-".
_DECIMAL_PATTERN = re.compile(r"^\^-\?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _decimal_pattern(whole: str, places: str) -> str:
    """At least one digit, before or after the point."""
    return rf"^-?(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


class AutoSchema(SpectacularAutoSchema):
    def _insert_field_validators(self, field, schema):
        # Runs after the field's own mapping, and may add a format or pattern of its own.
        super()._insert_field_validators(field, schema)
        fmt = schema.get("format")
        if fmt == "decimal" and "pattern" in schema:
            match = _DECIMAL_PATTERN.match(schema["pattern"])
            if match:
                schema["pattern"] = _decimal_pattern(*match.groups())
        elif fmt in ("uri", "email") and (field.read_only or getattr(field, "allow_blank", False)):
            # A link or address that may be left empty: "" is a valid value too. (DRF drops
            # allow_blank from read-only fields, so an answer's link may always be "".)
            schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for name, schema in COMPONENTS.items():
            self.registry.register_on_missing(
                ResolvedComponent(name, ResolvedComponent.SCHEMA, schema=schema, object=name)
            )
        errors = {
            "401": _answer("Not logged in.", "Error"),
            "403": _answer("Not logged in, or not allowed.", "Error"),
        }
        lists = self.method == "GET" and self._is_list_view()
        if self.method in WRITES or lists:
            errors["400"] = _answer("The request is invalid; see the messages.", "ValidationErrors")
        if "{" in self.path or lists or self.method in WRITES:
            errors["404"] = _answer(
                "No such object within reach: the one in the path, one the body names, "
                "or no such page.",
                "Error",
            )
        if self.method in WRITES:
            errors["409"] = _answer("The change clashes with stored data.", "ValidationErrors")
            errors["415"] = _answer("The body's media type is not one the API reads.", "Error")
        if self.view.get_throttles():
            errors["429"] = _answer("Too many requests; try again later.", "Error")
        for code, answer in errors.items():
            responses.setdefault(code, answer)
        return responses
