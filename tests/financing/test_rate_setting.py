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
