"""Writes on hubs and the roles people hold on them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.choices import Role, Visibility
from ptce.core.models import AuditEntry, User
from ptce.poles import permissions
from ptce.poles.models import Pole, PoleRole


@transaction.atomic
def grant_role(acting_user: User | None, *, pole: Pole, user: User, role: str) -> PoleRole:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut attribuer des rôles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Rôle inconnu : %(role)s.") % {"role": role}})
    pole_role, created = PoleRole.objects.get_or_create(pole=pole, user=user, role=role)
    if created:
        audit.record(
            acting_user,
            verb="grant_role",
            obj=pole_role,
            action=AuditEntry.Action.CREATE,
            after={"pole": pole.pk, "user": user.pk, "role": role},
        )
    user.__dict__.pop("_ptce_pole_roles", None)
    return pole_role


@transaction.atomic
def revoke_role(acting_user: User | None, *, pole: Pole, user: User, role: str) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut retirer des rôles."))
    pole_role = PoleRole.objects.filter(pole=pole, user=user, role=role).first()
    if pole_role is not None:
        audit.record(
            acting_user,
            verb="revoke_role",
            obj=pole_role,
            action=AuditEntry.Action.DELETE,
            before={"pole": pole.pk, "user": user.pk, "role": role},
            after={},
        )
        pole_role.delete()
    user.__dict__.pop("_ptce_pole_roles", None)


@transaction.atomic
def create_pole(
    acting_user: User | None, *, name: str, slug: str, visibility: str = Visibility.PUBLIC
) -> Pole:
    """Create a hub; its creator (if any) becomes its coordinator."""
    pole = Pole(name=name.strip(), slug=slug, visibility=visibility)
    pole.full_clean()
    pole.save()
    audit.record(acting_user, verb="create_pole", obj=pole, action=AuditEntry.Action.CREATE)
    if acting_user is not None and acting_user.is_authenticated:
        PoleRole.objects.create(pole=pole, user=acting_user, role=Role.COORDINATOR)
    return pole
