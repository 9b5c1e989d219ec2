"""Access to a hub's private pages for everyone who holds a role on it (members, observers,
reviewers, coordination) and platform staff: cooperation, pooling, shared employees, projects.

`hub_page` signs the visitor in, finds the hub by its slug, answers 404 when the visitor may
not even see the hub and a French 403 page when they see it but hold no role on it; the view
receives a `HubAccess` that says what the visitor may do. Finer rules (a member reads only
their own statements, only coordination changes costs...) are checked by the views and the
services with `ptce.poles.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ptce.core.choices import Role
from ptce.poles import permissions
from ptce.poles.models import Pole

ViewFunc = Callable[..., HttpResponse]


@dataclass(frozen=True)
class HubAccess:
    """What the signed-in visitor is on this hub."""

    pole: Pole
    roles: frozenset[str]
    staff: bool
    organisation_ids: frozenset[int]  # member organisations the visitor speaks for

    @property
    def manages(self) -> bool:
        return self.staff or Role.COORDINATOR in self.roles

    @property
    def is_member(self) -> bool:
        return self.manages or Role.MEMBER in self.roles

    @property
    def observes(self) -> bool:
        return self.manages or bool(self.roles)


def hub_access(request: HttpRequest, pole: Pole) -> HubAccess:
    user = request.user
    return HubAccess(
        pole=pole,
        roles=permissions.roles_of(user, pole),
        staff=permissions.is_staff(user),
        organisation_ids=permissions.member_organisation_ids(user, pole),
    )


def hub_page(*, manage: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate `view(request, access, *args)` for URLs with a `slug` of a hub.

    `manage=True` keeps the page to the hub's coordination and platform staff.
    """

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            pole = (
                Pole.objects.select_related("commune", "perimeter", "carrier")
                .filter(slug=slug)
                .first()
            )
            if pole is None or not permissions.can_view_pole(request.user, pole):
                raise Http404(_("Aucun pôle n’a l’identifiant « %(slug)s ».") % {"slug": slug})
            access = hub_access(request, pole)
            if not access.observes or (manage and not access.manages):
                context = {"pole": pole, "members_area": not manage}
                return render(request, "poles/workspace/forbidden.html", context, status=403)
            return view(request, access, *args, **kwargs)

        return wrapper

    return decorate
