"""A small fixed-window rate limiter over Django's cache framework, keyed by client address.

`hit(scope, key, limit, window)` counts one request and says whether it is allowed; with a
shared cache (Redis, database, Memcached) the limit holds across processes, with the default
local-memory cache per process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _


def subscribe_limit() -> tuple[int, int]:
    """(requests, seconds) allowed per client address for public subscriptions: the setting
    PTCE_SUBSCRIBE_RATE (read from the environment as "10/min", the default)."""
    limit, window = settings.PTCE_SUBSCRIBE_RATE
    return max(int(limit), 1), max(int(window), 1)


def describe(limit: int, window: int) -> str:
    """ "10 par minute", "100 par heure", "3 en 90 secondes"."""
    units = {1: _("par seconde"), 60: _("par minute"), 3600: _("par heure"), 86400: _("par jour")}
    if window in units:
        return f"{limit} {units[window]}"
    return _("%(n)s en %(s)s secondes") % {"n": limit, "s": window}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets


def client_ip(request: HttpRequest) -> str:
    """The client's address as the server saw it (a proxy must set REMOTE_ADDR right)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def hit(scope: str, key: str, *, limit: int, window: int = 60, now: float | None = None) -> Verdict:
    moment = time.time() if now is None else now
    slot = int(moment // window)
    cache_key = f"ptce:ratelimit:{scope}:{key}:{slot}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    retry = max(int((slot + 1) * window - moment), 1)
    return Verdict(allowed=count <= limit, count=count, retry_after=retry)
