"""PTCE_SUBSCRIBE_RATE: read from the environment ("10/min" by default), used by the limiter."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from ptce import settings as project_settings
from ptce.financing import ratelimit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, (10, 60)),
        ("", (10, 60)),
        ("10/min", (10, 60)),
        ("3/sec", (3, 1)),
        ("100/hour", (100, 3600)),
        ("1000/day", (1000, 86400)),
        ("25", (25, 60)),
        (" 5 / MIN ", (5, 60)),
    ],
)
def test_rate_from_the_environment(monkeypatch, text, expected):
    if text is None:
        monkeypatch.delenv("PTCE_SUBSCRIBE_RATE", raising=False)
    else:
        monkeypatch.setenv("PTCE_SUBSCRIBE_RATE", text)
    assert project_settings.env_rate("PTCE_SUBSCRIBE_RATE", "10/min") == expected


@pytest.mark.parametrize("text", ["dix/min", "10/fortnight", "0/min", "-1/min"])
def test_bad_rate_stops_the_start(monkeypatch, text):
    monkeypatch.setenv("PTCE_SUBSCRIBE_RATE", text)
    with pytest.raises(ImproperlyConfigured, match="PTCE_SUBSCRIBE_RATE"):
        project_settings.env_rate("PTCE_SUBSCRIBE_RATE", "10/min")


def test_the_default_and_the_limiter_read_the_setting(settings, monkeypatch):
    monkeypatch.delenv("PTCE_SUBSCRIBE_RATE", raising=False)
    assert project_settings.env_rate("PTCE_SUBSCRIBE_RATE", "10/min") == (10, 60)
    settings.PTCE_SUBSCRIBE_RATE = (7, 3600)
    assert ratelimit.subscribe_limit() == (7, 3600)
    assert ratelimit.describe(7, 3600) == "7 par heure"
    assert ratelimit.describe(3, 90) == "3 en 90 secondes"


def test_cache_from_the_environment(monkeypatch):
    monkeypatch.delenv("PTCE_CACHE_URL", raising=False)
    local = project_settings.env_caches("PTCE_CACHE_URL")["default"]
    assert local["BACKEND"].endswith("LocMemCache")
    monkeypatch.setenv("PTCE_CACHE_URL", "redis://127.0.0.1:6379/3")
    shared = project_settings.env_caches("PTCE_CACHE_URL")["default"]
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://127.0.0.1:6379/3"
    monkeypatch.setenv("PTCE_CACHE_URL", "memcached://127.0.0.1:11211")
    with pytest.raises(ImproperlyConfigured, match="PTCE_CACHE_URL"):
        project_settings.env_caches("PTCE_CACHE_URL")


def _redis_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_a_shared_cache_limits_across_processes():
    """Two processes = two cache clients: with Redis the third request is refused whichever
    process serves it; with the local-memory default each process counts on its own."""
    import uuid

    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    prefix = f"ptce-test-{uuid.uuid4().hex}"
    first = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": prefix})
    second = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": prefix})
    try:
        verdicts = []
        for client in (first, second, first, second):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(ratelimit, "cache", client)
                verdicts.append(
                    ratelimit.hit("subscribe", "203.0.113.9", limit=3, window=60, now=120)
                )
        assert [v.count for v in verdicts] == [1, 2, 3, 4]
        assert [v.allowed for v in verdicts] == [True, True, True, False]
    finally:
        first.delete_many([f"ptce:ratelimit:subscribe:203.0.113.9:{120 // 60}"])
    assert caches["default"].__class__.__name__ == "LocMemCache"  # the tests' default
