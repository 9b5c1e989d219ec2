"""Authentication headers for API tests."""

from __future__ import annotations

from typing import Any

from ptce.core.services import create_api_token


def bearer(user: Any) -> dict[str, str]:
    """The `Authorization: Bearer` header of a fresh token of `user` (none for anonymous)."""
    if user is None:
        return {}
    _, raw = create_api_token(None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
