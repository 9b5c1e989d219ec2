"""The hub's strategy and its common projects: strategy axes, and projects under them with a
lead member, partners, territory, dates, status and visibility.

Budget lines, funding plans, milestones, results and documents hang off `Project`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Visibility


class StrategyAxis(models.Model):
    """One axis of the hub's common strategy (projects are filed under it)."""

    pole = models.ForeignKey(
        "poles.Pole", on_delete=models.CASCADE, related_name="strategy_axes", verbose_name=_("pôle")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("axe stratégique")
        verbose_name_plural = _("axes stratégiques")
        ordering = ["pole", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "title"], name="strategy_axis_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idée")
    PREPARATION = "preparation", _("En préparation")
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminé")
    ABANDONED = "abandoned", _("Abandonné")


class Project(models.Model):
    """A common project of the hub, led by one member organisation with partners."""

    pole = models.ForeignKey(
        "poles.Pole", on_delete=models.CASCADE, related_name="projects", verbose_name=_("pôle")
    )
    axis = models.ForeignKey(
        StrategyAxis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("axe stratégique"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=80)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    lead = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("membre chef de file"),
    )
    partners = models.ManyToManyField(
        "actors.Organisation",
        blank=True,
        related_name="partner_projects",
        verbose_name=_("partenaires"),
    )
    perimeter = models.ForeignKey(
        "territories.Perimeter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territoire"),
    )
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["pole", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pole", "slug"], name="project_unique_slug"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title
