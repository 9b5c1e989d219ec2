"""The JSON API (`/api/v1/`): routers by area, token or session authentication.

Machines send `Authorization: Bearer ptce_...` (tokens made with `ptce create-api-token`);
pages calling the API from the browser use the session. Reads of public data need neither.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from ptce.api.errors import validation_payload
from ptce.core.services import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


token_auth = TokenAuth()
# For writes: a machine token, or the signed-in browser session (CSRF checked).
authenticated = [token_auth, django_auth]

api = NinjaAPI(
    title="ptce API",
    version="1",
    description=(
        "API de la plateforme ptce : référentiel territorial, acteurs, pôles. "
        "Authentification par jeton : `Authorization: Bearer <jeton>`."
    ),
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, validation_payload(list(exc.errors)), status=422)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": None, "message": str(m)} for m in exc.messages]
    payload = {"detail": " ".join(e["message"] for e in errors), "errors": errors}
    return api.create_response(request, payload, status=422)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if str(exc) else _("Ressource introuvable.")
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Vous n'avez pas le droit de faire cela.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Authentification requise : jeton d'API ou session.")}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


from ptce.api import (  # noqa: E402
    actors,
    cooperation,
    employees,
    financing,
    poles,
    pooling,
    projects,
    territories,
)

api.add_router("/territories/", territories.router, tags=["territoires"])
api.add_router("/", actors.router, tags=["annuaire"])
api.add_router("/poles", poles.router, tags=["pôles"])
api.add_router("/", cooperation.router, tags=["coopération"])
api.add_router("/", pooling.router, tags=["mutualisation"])
api.add_router("/", employees.router, tags=["salariés partagés"])
api.add_router("/", projects.router, tags=["projets"])
api.add_router("/", financing.router, tags=["financement"])
