"""Organisations (legal units or informal groups) and the people who speak for them.

The directory (establishments, SIRENE fields, classification) extends these models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    name = models.CharField(_("nom"), max_length=255)
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "Facultatif : les groupements informels et les personnes physiques n'en ont pas."
        ),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Affiliation",
        related_name="organisations",
        verbose_name=_("utilisateurs"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    """A user speaks for an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="affiliations"
    )
    position = models.CharField(_("fonction"), max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="affiliation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"
