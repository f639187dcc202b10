"""The client's address, read through exactly the configured number of trusted proxy hops.

Behind the TLS proxy the README prescribes, ``REMOTE_ADDR`` is the proxy's own address, shared by
every client; the client's is the entry our proxy appended to ``X-Forwarded-For``. Only the last
``TRUSTED_PROXY_HOPS`` entries were written by proxies we run: anything before them came from the
client and may be made up, so it is never read. The login throttle (django-axes, through
``AXES_CLIENT_IP_CALLABLE``) and the API's throttles key on this one answer.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def forwarded_chain(meta: dict) -> list[str]:
    """The addresses of ``X-Forwarded-For``, oldest first (empty entries dropped)."""
    header = meta.get("HTTP_X_FORWARDED_FOR", "") or ""
    return [entry.strip() for entry in header.split(",") if entry.strip()]


def client_address(request) -> str | None:
    """The address of the client that sent ``request``.

    With ``TRUSTED_PROXY_HOPS`` = 0 (no proxy in front), ``REMOTE_ADDR``. With n hops, the n-th
    entry from the end of ``X-Forwarded-For``: the one the outermost of our proxies appended (the
    address it saw the connection come from). A request with fewer entries than hops did not come
    through all our proxies, and an entry that is not an address was not written by one of ours:
    either is keyed on its ``REMOTE_ADDR`` rather than on what it says.
    """
    meta = request.META
    hops = int(getattr(settings, "TRUSTED_PROXY_HOPS", 0) or 0)
    remote = meta.get("REMOTE_ADDR") or None
    if hops <= 0:
        return remote
    chain = forwarded_chain(meta)
    if len(chain) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(chain[-hops]))
    except ValueError:
        return remote
