"""The signed-in user's own page: identity, organisations, roles on hubs, API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ptce.core import services
from ptce.core.models import ApiToken
from ptce.web.forms import ApiTokenForm


def _account_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "affiliations": user.affiliations.select_related("organisation").order_by(  # type: ignore[union-attr]
            "organisation__name"
        ),
        "pole_roles": user.pole_roles.select_related("pole").order_by("pole__name", "role"),  # type: ignore[union-attr]
        "tokens": user.api_tokens.order_by("-created_at"),  # type: ignore[union-attr]
        "token_form": ApiTokenForm(),
        **extra,
    }


@require_safe
@login_required
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account.html", _account_context(request))


@require_POST
@login_required
def create_token(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        context = _account_context(request, token_form=form)
        return render(request, "accounts/account.html", context, status=400)
    token, raw_key = services.create_api_token(
        request.user,  # type: ignore[arg-type]
        user=request.user,  # type: ignore[arg-type]
        name=form.cleaned_data["name"],
    )
    # The raw key is shown in this response only: it is stored nowhere, not even in the
    # session, and the page must not be cached.
    response = render(
        request,
        "accounts/account.html",
        _account_context(request, new_token=token, raw_key=raw_key),
    )
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("account")
