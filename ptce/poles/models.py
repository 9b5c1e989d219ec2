"""The hubs (PTCE) and the roles users hold on them.

The hub's profile, perimeter, members and colleges extend these models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Role, Visibility


class PoleQuerySet(models.QuerySet["Pole"]):
    def public(self) -> PoleQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def visible_to(self, user) -> PoleQuerySet:  # type: ignore[no-untyped-def]
        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        return self.filter(
            models.Q(visibility=Visibility.PUBLIC) | models.Q(roles__user=user)
        ).distinct()


class Pole(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=80, unique=True)
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = PoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("pôle")
        verbose_name_plural = _("pôles")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class PoleRole(models.Model):
    """A user's role on a hub: coordinator, member, observer or reviewer."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pole_roles"
    )
    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rôle sur un pôle")
        verbose_name_plural = _("rôles sur les pôles")
        constraints = [
            models.UniqueConstraint(fields=["user", "pole", "role"], name="pole_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.pole}"
