"""A merchant member's active team row, read in one precomposed statement, or brought along by
the API token's read.

``team_membership`` is what ``core.tenancy.reach_for`` builds a merchant member's reach from: the
merchant, its base and the member's role. The merchant row comes in the same query, so a request
that acts for the member's own merchant reads it no second time (``Reach.merchant``). Plain SQL
composed once: every request of a member asks it, and the ORM's compilation cost four times its
round trip.

A request with an API token reads the same row in the token's statement (``token_read_parts``,
a ``LEFT JOIN LATERAL`` of the same query in the same order): the row comes back as ``_tm_*``
columns of the user, and ``team_membership`` builds the answer from them without a query. The row
is read at the start of the same request as before, in the statement that reads the token.
"""

from __future__ import annotations

from django.db import connection
from psycopg2 import sql

from merchants.models import Merchant, TeamMember, User

_MEMBERSHIP_SQL = """SELECT m.*, tm.role AS _member_role FROM {member} tm
JOIN {merchant} m ON m.id = tm.merchant_id
WHERE tm.user_id = %s AND tm.is_active ORDER BY m.name, m.id, tm.name, tm.id LIMIT 1"""

_MEMBERSHIP_LATERAL = """
LEFT JOIN LATERAL (SELECT m.*, tm.role AS _member_role FROM {member} tm
JOIN {merchant} m ON m.id = tm.merchant_id
WHERE tm.user_id = u.{user_pk} AND tm.is_active ORDER BY m.name, m.id, tm.name, tm.id LIMIT 1)
tmm ON TRUE"""

_membership: list[str] = []


def _membership_sql() -> str:
    """The active team row's query, in the team list's order (merchant, name, id)."""
    if not _membership:
        composed = sql.SQL(_MEMBERSHIP_SQL).format(
            member=sql.Identifier(TeamMember._meta.db_table),
            merchant=sql.Identifier(Merchant._meta.db_table),
        )
        connection.ensure_connection()
        _membership.append(composed.as_string(connection.connection))
    return _membership[0]


def team_membership(user: User) -> dict | None:
    """The user's active team row as ``{merchant_id, merchant__base_id, role, merchant}``, or
    None: from the token's read when it brought the row, else one query."""
    if getattr(user, "_tm_read", False):
        return _from_token_read(user)
    found = list(Merchant.objects.raw(_membership_sql(), [user.pk]))
    if not found:
        return None
    merchant = found[0]
    return _answer(merchant, merchant._member_role)


def _answer(merchant: Merchant, role: str) -> dict:
    return {
        "merchant_id": merchant.pk,
        "merchant__base_id": merchant.base_id,
        "role": role,
        "merchant": merchant,
    }


def _from_token_read(user: User) -> dict | None:
    """The answer from the ``_tm_*`` columns of the token's read (no query). The columns come
    raw from the driver, so each field's converters run as the ORM's would (the JSON field's)."""
    if user._tm_id is None:
        return None
    values = []
    for field in Merchant._meta.concrete_fields:
        value = getattr(user, f"_tm_{field.attname}")
        for converter in field.get_db_converters(connection):
            value = converter(value, field.get_col(Merchant._meta.db_table), connection)
        values.append(value)
    return _answer(Merchant.from_db(user._state.db, None, values), user._tm_role)


def token_read_parts(user_model) -> tuple[sql.Composable, sql.Composable]:
    """The columns and join that ``core.tokens._token_user`` adds to the token's statement: a
    constant ``_tm_read`` (the row was asked, found or not), the member's role and each of the
    merchant's columns as ``_tm_<attname>``."""
    columns = sql.SQL(", TRUE AS _tm_read, tmm._member_role AS _tm_role, ") + sql.SQL(", ").join(
        sql.SQL("tmm.{} AS {}").format(
            sql.Identifier(field.column), sql.Identifier(f"_tm_{field.attname}")
        )
        for field in Merchant._meta.concrete_fields
    )
    joins = sql.SQL(_MEMBERSHIP_LATERAL).format(
        member=sql.Identifier(TeamMember._meta.db_table),
        merchant=sql.Identifier(Merchant._meta.db_table),
        user_pk=sql.Identifier(user_model._meta.pk.column),
    )
    return columns, joins
