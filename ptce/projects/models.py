"""The hub's common projects: strategy axes, projects with their lead member and partners,
budget, funding plan by source, milestones, results and documents.

Money is integer cents. A project belongs to one hub (`pole`); its `visibility` says whether it
has a public page (`public`) or who else may read it. The follow-up (what was received against
what was planned, documents) is read by the hub's coordination, its observers (funders) and the
users of the lead organisation; see `ptce.projects.access`.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Visibility


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Idée")
    PREPARATION = "preparation", _("En préparation")
    IN_PROGRESS = "in_progress", _("En cours")
    COMPLETED = "completed", _("Terminé")
    ABANDONED = "abandoned", _("Abandonné")


class BudgetCategory(models.TextChoices):
    INVESTMENT = "investment", _("Investissement")
    EQUIPMENT = "equipment", _("Équipement")
    STAFF = "staff", _("Personnel")
    SERVICES = "services", _("Prestations externes")
    OPERATING = "operating", _("Fonctionnement")
    COMMUNICATION = "communication", _("Communication")
    OTHER = "other", _("Autre")


class FundingSource(models.TextChoices):
    PUBLIC_SUBSIDY = "public_subsidy", _("Subvention publique")
    FOUNDATION = "foundation", _("Fondation")
    SELF_FINANCING = "self_financing", _("Autofinancement")
    CITIZEN_CAMPAIGN = "citizen_campaign", _("Campagne citoyenne")
    BANK_LOAN = "bank_loan", _("Prêt bancaire")
    SOLIDARITY_FINANCE = "solidarity_finance", _("Finance solidaire")


class PublicLevel(models.TextChoices):
    STATE = "state", _("État")
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("EPCI")
    COMMUNE = "commune", _("Commune")
    EU = "eu", _("Union européenne")


class FundingStatus(models.TextChoices):
    REQUESTED = "requested", _("Demandé")
    GRANTED = "granted", _("Accordé")
    REFUSED = "refused", _("Refusé")
    RECEIVED = "received", _("Versé")


class StrategyAxis(models.Model):
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


class ProjectQuerySet(models.QuerySet["Project"]):
    def public(self) -> ProjectQuerySet:
        """Projects with a public page, on hubs anyone may see."""
        return self.filter(visibility=Visibility.PUBLIC, pole__visibility=Visibility.PUBLIC)

    def visible_to(self, user: Any) -> ProjectQuerySet:
        """Projects `user` may read (the rules of `ptce.projects.access.can_view`)."""
        from ptce.core.choices import Role
        from ptce.poles.models import Membership, PoleRole

        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        roles = PoleRole.objects.filter(user=user, pole=models.OuterRef("pole"))
        coordinates = models.Exists(roles.filter(role=Role.COORDINATOR))
        any_role = models.Exists(roles)
        reads_members = models.Exists(
            roles.filter(role__in=[Role.MEMBER, Role.OBSERVER, Role.REVIEWER])
        )
        leads = models.Exists(
            Membership.objects.filter(
                pole=models.OuterRef("pole"),
                organisation=models.OuterRef("lead_organisation"),
                left_on__isnull=True,
                organisation__affiliations__user=user,
            )
        )
        hub_visible = Q(pole__visibility=Visibility.PUBLIC) | any_role
        return self.filter(hub_visible).filter(
            Q(visibility=Visibility.PUBLIC)
            | coordinates
            | (Q(visibility=Visibility.MEMBERS) & reads_members)
            | leads
        )


class Project(models.Model):
    pole = models.ForeignKey(
        "poles.Pole", on_delete=models.CASCADE, related_name="projects", verbose_name=_("pôle")
    )
    axis = models.ForeignKey(
        StrategyAxis,
        verbose_name=_("axe stratégique"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=80)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    lead_organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("porteur (membre chef de file)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
    )
    partners = models.ManyToManyField(
        "actors.Organisation",
        through="ProjectPartner",
        verbose_name=_("partenaires"),
        related_name="partner_projects",
        blank=True,
    )
    perimeter = models.ForeignKey(
        "territories.Perimeter",
        verbose_name=_("territoire (périmètre)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
    )
    territory = models.CharField(_("territoire (libellé)"), max_length=200, blank=True)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.IDEA
    )
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

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


class ProjectPartner(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partnerships")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_partnerships",
    )
    role = models.CharField(_("rôle dans le projet"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partenaire du projet")
        verbose_name_plural = _("partenaires du projet")
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="project_partner_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.role})" if self.role else str(self.organisation_id)


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    label = models.CharField(_("libellé"), max_length=200)
    category = models.CharField(
        _("catégorie"), max_length=16, choices=BudgetCategory.choices, default=BudgetCategory.OTHER
    )
    amount_cents = models.PositiveBigIntegerField(_("montant (centimes)"))
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ligne de budget")
        verbose_name_plural = _("lignes de budget")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.label


class FundingLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.CharField(_("source"), max_length=20, choices=FundingSource.choices)
    funder = models.CharField(_("financeur"), max_length=200, blank=True)
    public_level = models.CharField(
        _("niveau de la collectivité"), max_length=12, choices=PublicLevel.choices, blank=True
    )
    planned_cents = models.PositiveBigIntegerField(_("montant prévu (centimes)"))
    status = models.CharField(
        _("état"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.REQUESTED
    )
    received_cents = models.PositiveBigIntegerField(_("montant reçu (centimes)"), default=0)
    decided_on = models.DateField(_("décision le"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("ligne du plan de financement")
        verbose_name_plural = _("lignes du plan de financement")
        ordering = ("order", "id")
        constraints = [
            models.CheckConstraint(
                condition=(Q(source=FundingSource.PUBLIC_SUBSIDY) & ~Q(public_level=""))
                | (~Q(source=FundingSource.PUBLIC_SUBSIDY) & Q(public_level="")),
                name="funding_line_public_level",
            ),
            models.CheckConstraint(
                condition=~Q(status=FundingStatus.REFUSED) | Q(received_cents=0),
                name="funding_line_refused_nothing_received",
            ),
        ]

    def __str__(self) -> str:
        return self.funder or self.get_source_display()


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    done_on = models.DateField(_("atteint le"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    done = models.BooleanField(_("atteint"), default=False)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("jalon")
        verbose_name_plural = _("jalons")
        ordering = ("order", "due_on", "id")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="milestone_progress_range"),
            models.CheckConstraint(
                condition=Q(done=False) | Q(progress=100), name="milestone_done_complete"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Result(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="results")
    text = models.TextField(_("résultat"))
    figure = models.DecimalField(
        _("valeur chiffrée"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unité"), max_length=50, blank=True)
    recorded_on = models.DateField(_("constaté le"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("résultat")
        verbose_name_plural = _("résultats")
        ordering = ("order", "id")

    def __str__(self) -> str:
        return self.text[:80]


def document_path(instance: Document, filename: str) -> str:
    """Documents are stored per hub and project under MEDIA_ROOT, in a directory named by a
    random token. MEDIA_ROOT is never served as is (see ptce/urls.py and the operator
    guide): the pages serve a document after checking who asks (`projects:document`)."""
    token = secrets.token_urlsafe(18)
    return f"projects/{instance.project.pole_id}/{instance.project_id}/{token}/{filename}"


class Document(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=document_path, max_length=300)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    content_type = models.CharField(_("type"), max_length=100)
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ("-uploaded_at", "id")

    def __str__(self) -> str:
        return self.title
