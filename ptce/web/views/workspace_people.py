"""Coordinator workspace: the people of a hub (roles, invitations) and accepting an invitation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ptce.actors.models import Organisation
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles import permissions, services
from ptce.poles.models import Pole, PoleRole
from ptce.web.forms_poles import (
    InvitationAcceptForm,
    InviteForm,
    RoleForm,
    apply_errors,
)
from ptce.web.views.workspace import _member_organisations, manages_pole


def _people_context(request: HttpRequest, pole: Pole, **extra: Any) -> dict[str, Any]:
    roles = (
        PoleRole.objects.filter(pole=pole)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )
    people: dict[int, dict[str, Any]] = {}
    for role in roles:
        entry = people.setdefault(role.user_id, {"user": role.user, "roles": []})
        entry["roles"].append({"value": role.role, "label": role.get_role_display()})
    for entry in people.values():
        held = {r["value"] for r in entry["roles"]}
        entry["missing"] = [(v, label) for v, label in Role.choices if v not in held]
    pending = (
        pole.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )
    return {
        "pole": pole,
        "people": list(people.values()),
        "pending": list(pending),
        "invite_form": InviteForm(organisations=_member_organisations(pole)),
        "role_error": None,
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def people(request: HttpRequest, pole: Pole) -> HttpResponse:
    """GET: the people with a role, the pending invitations. POST: grant or revoke a role
    to a person who already holds one (new people come through an invitation)."""
    if request.method != "POST":
        return render(request, "poles/workspace/people.html", _people_context(request, pole))
    form = RoleForm(request.POST)
    target = None
    if form.is_valid():
        role, action = form.cleaned_data["role"], form.cleaned_data["action"]
        target = User.objects.filter(pk=form.cleaned_data["user"], pole_roles__pole=pole).first()
    error = None
    if target is None:
        error = _("Cette personne n’a pas de rôle dans ce pôle : invitez-la par e-mail.")
    else:
        try:
            if action == "grant":
                services.grant_role(request.user, pole=pole, user=target, role=role)
            else:
                services.revoke_role(request.user, pole=pole, user=target, role=role)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        context = _people_context(request, pole, role_error=error)
        return render(request, "poles/workspace/people.html", context, status=400)
    name = target.get_full_name() or target.email
    label = dict(Role.choices).get(role, role)
    if action == "grant":
        messages.success(
            request, _("%(name)s : rôle « %(role)s » ajouté.") % {"name": name, "role": label}
        )
    else:
        messages.success(
            request, _("%(name)s : rôle « %(role)s » retiré.") % {"name": name, "role": label}
        )
    request.user.__dict__.pop("_ptce_pole_roles", None)
    if not permissions.can_manage_pole(request.user, pole):
        return redirect("workspace:index")
    return redirect("workspace:people", pole.slug)


def _accept_url(request: HttpRequest) -> str:
    """The invitation link, with `{token}` for the service to fill in."""
    try:
        path = reverse("invitation_accept", args=["TOKEN"]).replace("TOKEN", "{token}")
    except NoReverseMatch:
        path = "/invitations/{token}/"
    return request.build_absolute_uri("/").rstrip("/") + path


@require_POST
@manages_pole
def invite(request: HttpRequest, pole: Pole) -> HttpResponse:
    organisations = _member_organisations(pole)
    form = InviteForm(request.POST, organisations=organisations)
    if form.is_valid():
        organisation = None
        if form.cleaned_data["organisation"]:
            organisation = Organisation.objects.filter(pk=form.cleaned_data["organisation"]).first()
        try:
            invitation, _raw = services.invite(
                request.user,
                pole=pole,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=organisation,
                accept_url=_accept_url(request),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s (valable %(days)s jours).")
                % {"email": invitation.email, "days": services.INVITATION_DAYS},
            )
            return redirect("workspace:people", pole.slug)
    context = _people_context(request, pole, invite_form=form)
    return render(request, "poles/workspace/people.html", context, status=400)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """An invited person chooses a password (or, signed in with the invited address,
    accepts); the role on the hub is granted by the service."""
    invitation = services.find_invitation(token)
    if invitation is None:
        return render(request, "poles/invitation/invalid.html", status=404)
    context: dict[str, Any] = {"invitation": invitation, "pole": invitation.pole}
    user = request.user
    if user.is_authenticated:
        matches = user.email.lower() == invitation.email
        context["matches"] = matches
        if request.method == "POST" and matches:
            try:
                services.accept_invitation(token, user=user)
            except ValidationError as error:
                context["errors"] = error.messages
                return render(request, "poles/invitation/accept.html", context, status=400)
            messages.success(
                request,
                _("Bienvenue dans le pôle « %(pole)s ».") % {"pole": invitation.pole.name},
            )
            return redirect("workspace:index")
        return render(request, "poles/invitation/accept.html", context)
    if User.objects.filter(email=invitation.email).exists():
        context["account_exists"] = True
        return render(request, "poles/invitation/accept.html", context)
    if request.method != "POST":
        context["form"] = InvitationAcceptForm()
        return render(request, "poles/invitation/accept.html", context)
    form = InvitationAcceptForm(request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            new_user = services.accept_invitation(
                token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"].strip(),
                last_name=form.cleaned_data["last_name"].strip(),
            )
        except ValidationError as error:
            apply_errors(form, error, {"password": "password1", "email": None, "token": None})
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Votre compte est créé. Bienvenue dans le pôle « %(pole)s ».")
                % {"pole": invitation.pole.name},
            )
            return redirect("workspace:index")
    return render(request, "poles/invitation/accept.html", context, status=400)
