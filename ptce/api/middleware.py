"""Bearer tokens for the API: a request to /api/ with `Authorization: Bearer <token>` is
made by the token's user, for reads as for writes."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ptce.core.services import authenticate_token


class ApiTokenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.lower().startswith("bearer "):
            user = authenticate_token(header[7:].strip())
            if user is not None:
                request.user = user
        return self.get_response(request)
