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

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name; `non_field_errors` for the request as a whole.",
    "additionalProperties": {
        "anyOf": [{"type": "array"}, {"type": "object"}, {"type": "string"}],
    },
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _answer(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


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
        errors = {
            "401": _answer("Not logged in.", DETAIL),
            "403": _answer("Not logged in, or not allowed.", DETAIL),
        }
        lists = self.method == "GET" and self._is_list_view()
        if self.method in WRITES or lists:
            errors["400"] = _answer("The request is invalid; see the messages.", FIELD_ERRORS)
        if "{" in self.path or lists or self.method in WRITES:
            errors["404"] = _answer(
                "No such object within reach: the one in the path, one the body names, "
                "or no such page.",
                DETAIL,
            )
        if self.method in WRITES:
            errors["409"] = _answer("The change clashes with stored data.", FIELD_ERRORS)
            errors["415"] = _answer("The body's media type is not one the API reads.", DETAIL)
        if self.view.get_throttles():
            errors["429"] = _answer("Too many requests; try again later.", DETAIL)
        for code, answer in errors.items():
            responses.setdefault(code, answer)
        return responses
