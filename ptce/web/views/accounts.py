"""The signed-in user's own page: identity, organisations, roles on hubs, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ptce.core import services
from ptce.core.models import ApiToken
from ptce.web.forms import ApiTokenForm, EmailAuthenticationForm


def _cooloff_minutes() -> int | None:
    """django-axes' cool-off in minutes (the setting is in hours, or a timedelta)."""
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, dt.timedelta):
        return round(cooloff.total_seconds() / 60)
    if isinstance(cooloff, int | float):
        return round(cooloff * 60)
    return None


class LoginView(auth_views.LoginView):
    """Django's login with an e-mail address; says how many failures lock the account."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "failure_limit": getattr(settings, "AXES_FAILURE_LIMIT", None),
            "cooloff_minutes": _cooloff_minutes(),
        }


def _account_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return {
        "affiliations": user.affiliations.select_related("organisation").order_by(
            "organisation__name"
        ),
        "pole_roles": user.pole_roles.select_related("pole").order_by("pole__name", "role"),
        "tokens": user.api_tokens.order_by("-created_at"),
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
        request.user,
        user=request.user,
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
    # Only the user's own tokens: another user's token is "not found", not "forbidden".
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404(_("Aucun de vos jetons ne porte ce numéro."))
    services.revoke_api_token(request.user, token=token)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("account")
