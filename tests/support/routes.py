"""Every route the URL resolver knows, walked recursively through includes.

Tests that must cover routes added later (the tenancy matrix, the CSP sweep) read them from here,
so nobody keeps a list of URLs by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

# Routes anyone may read, named by URL name: they carry no object of a tenant.
PUBLIC_ROUTE_NAMES = {
    "login",
    "logout",
    "healthz",
    "set_language",
    "schema",
    "api-docs",
    "api-token",
    # Django's password reset link: a user id and a token, answered "this link is invalid" for
    # anything that is not a live reset token; it names no tenant's object.
    "password_reset_confirm",
    # A private calendar link: the token is the key; anything not a live token answers 404.
    "livestreams:calendar_feed",
    # Certificate verification by code (training) is public by design: add its URL name here
    # when it lands, e.g. "training:certificate_verify".
}

_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str | None  # namespaced URL name ("merchants:merchant_detail"), None when unnamed
    pattern: str  # human readable, e.g. "api/v1/^merchants/(?P<pk>[^/.]+)/$"
    params: tuple[str, ...]
    callback: object = field(compare=False, repr=False)
    route_only: bool = field(compare=False, repr=False, default=True)

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC_ROUTE_NAMES

    @property
    def is_format_suffix(self) -> bool:
        """DRF's ``.json`` twin of another route: the same view, tested through the original."""
        return "format" in self.params

    @property
    def view_class(self):
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    def url(self, **kwargs) -> str | None:
        """The URL with these parameter values, or None when a value cannot fill the route."""
        values = {k: str(v) for k, v in kwargs.items()}
        if self.name:
            try:
                url = reverse(self.name, kwargs=values)
            except NoReverseMatch:
                return None
            if resolve(url).func is self.callback:
                return url
        if self.route_only:
            return "/" + _ROUTE_PARAM.sub(lambda m: values[m["name"]], self.pattern)
        return None


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", (), (), True))


def _walk(
    patterns: Iterable,
    prefix: str,
    namespaces: tuple[str, ...],
    params: tuple[str, ...],
    route_only: bool,
) -> Iterator[Route]:
    for entry in patterns:
        own = _params(entry.pattern)
        text = prefix + str(entry.pattern)
        plain = route_only and isinstance(entry.pattern, RoutePattern)
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, text, ns, params + own, plain)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Route(
                name=name,
                pattern=text,
                params=params + own,
                callback=entry.callback,
                route_only=plain,
            )


def _params(pattern) -> tuple[str, ...]:
    if isinstance(pattern, RoutePattern):
        return tuple(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return tuple(pattern.regex.groupindex)
    return ()
