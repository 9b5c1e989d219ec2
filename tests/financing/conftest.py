"""Fixtures of every financing test: an empty cache around each test, a hub."""

from tests.financing.factories import fresh_cache, pole  # noqa: F401 - fixtures
