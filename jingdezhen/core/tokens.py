"""API tokens that end: they expire, and logging out or changing the password revokes them.

The tokens stay DRF's (40 hex characters, ``Authorization: Token <key>``, one per user), so the
``POST /api/v1/auth/token/`` contract outside clients rely on is unchanged; what is added is an
age: a token older than ``API_TOKEN_TTL_HOURS`` is refused (and deleted) by
``ExpiringTokenAuthentication``, and the token endpoint hands out a fresh one in its place.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from psycopg2 import sql
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_ttl() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.API_TOKEN_TTL_HOURS))


def is_expired(token: Token, *, now: dt.datetime | None = None) -> bool:
    return token.created + token_ttl() <= (now or timezone.now())


_USER_BY_KEY = """SELECT u.*, t.created AS _token_created{columns} FROM {token} t
JOIN {user} u ON u.{user_pk} = t.user_id{joins} WHERE t.key = %s"""
_user_by_key: list[str] = []


def _token_user(key: str):
    """The user of the token ``key`` (with the token's ``_token_created``), or None: one plain
    SQL statement, composed once with ``psycopg2.sql`` from the models' table names. DRF's
    ``select_related("user").get(key=...)`` compiles the same join on every request, which was
    the largest part of a worker's CPU per API order under ``make load`` (py-spy).

    A user model may add to the statement what every request of its users reads next: its
    ``token_read_parts()`` gives extra columns and joins (``psycopg2.sql`` fragments naming the
    user ``u``), which come back as attributes of the user. ``merchants.User`` reads a member's
    team row this way, so a merchant member's request costs one round trip fewer."""
    user_model = get_user_model()
    if not _user_by_key:
        parts = getattr(user_model, "token_read_parts", None)
        columns, joins = parts() if parts is not None else (sql.SQL(""), sql.SQL(""))
        composed = sql.SQL(_USER_BY_KEY).format(
            token=sql.Identifier(Token._meta.db_table),
            user=sql.Identifier(user_model._meta.db_table),
            user_pk=sql.Identifier(user_model._meta.pk.column),
            columns=columns,
            joins=joins,
        )
        connection.ensure_connection()
        _user_by_key.append(composed.as_string(connection.connection))
    found = list(user_model.objects.raw(_user_by_key[0], [key]))
    return found[0] if found else None


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token past its time to live. The token and its user
    are read in one precomposed statement (``_token_user``); the answers are DRF's own."""

    def authenticate_credentials(self, key):
        user = _token_user(key)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        token = Token(key=key, user=user, created=user._token_created)
        token._state.adding = False
        token._state.db = connection.alias
        if is_expired(token):
            token.delete()
            raise AuthenticationFailed(_("The token has expired: ask for a new one."))
        return user, token


@transaction.atomic
def token_issue(*, user) -> Token:
    """The user's live token, or a new one when there is none or it has expired."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not is_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def tokens_revoke(*, user_id: int | None) -> int:
    """Delete every API token of a user; how many there were."""
    if user_id is None:
        return 0
    deleted, _rows = Token.objects.filter(user_id=user_id).delete()
    return deleted


def revoke_on_logout(sender, request, user, **kwargs) -> None:
    """``user_logged_out`` receiver: logging out of the pages ends the API token too."""
    tokens_revoke(user_id=getattr(user, "pk", None))
