"""Cooperation between a hub's members: links, needs and offers, synergy runs and proposals.

Vocabularies of kinds, categories, units and price intents come from the pure engine
(`ptce.cooperation.reference`, `ptce.cooperation.units`) so the database and the engine
never disagree. Who may read what is decided by the `visible_to` querysets below (which
follow `ptce.poles.permissions`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ptce.cooperation import units
from ptce.cooperation.reference import KINDS
from ptce.core.choices import Role, Visibility
from ptce.poles.models import Pole


class LinkType(models.TextChoices):
    PURCHASE = "purchase", _("Achat ou fourniture")
    SUBCONTRACTING = "subcontracting", _("Sous-traitance")
    SHARED_RESOURCE = "shared_resource", _("Ressource partagée")
    SHARED_EMPLOYEE = "shared_employee", _("Salarié partagé")
    JOINT_PROJECT = "joint_project", _("Projet commun")
    JOINT_OFFER = "joint_offer", _("Offre commerciale commune")
    KNOWLEDGE = "knowledge", _("Échange de savoir-faire")
    FINANCING = "financing", _("Financement")


class LinkSource(models.TextChoices):
    DECLARED = "declared", _("Déclaré")
    SYNERGY = "synergy", _("Synergie acceptée")
    POOLING = "pooling", _("Registre de mutualisation")


class LinkVisibility(models.TextChoices):
    PUBLIC = Visibility.PUBLIC.value, _("Public")
    MEMBERS = Visibility.MEMBERS.value, _("Membres du pôle")
    COORDINATORS = Visibility.COORDINATORS.value, _("Coordination du pôle")


class Side(models.TextChoices):
    NEED = "need", _("Besoin")
    OFFER = "offer", _("Offre")


class Kind(models.TextChoices):
    PREMISES = "premises", _("Locaux et espaces")
    EQUIPMENT = "equipment", _("Équipements et machines")
    VEHICLES = "vehicles", _("Véhicules")
    SKILLS = "skills", _("Compétences et expertise")
    STAFF_TIME = "staff_time", _("Temps de travail")
    GROUP_PURCHASING = "group_purchasing", _("Achats groupés")
    SERVICES = "services", _("Services")
    MATERIAL_FLOWS = "material_flows", _("Flux de matières et déchets")
    ENERGY = "energy", _("Énergie")
    LAND = "land", _("Foncier")
    DATA_SOFTWARE = "data_software", _("Données et logiciels")


assert set(Kind.values) == set(KINDS)

# labels of the pure engine's tables (marked with gettext_noop there), translated lazily
CATEGORY_CHOICES: list[tuple[str, Any]] = [
    (code, _(label))
    for code, label in sorted(
        {(code, label) for entry in KINDS.values() for code, label in entry.categories.items()}
    )
]
UNIT_CHOICES: list[tuple[str, Any]] = [(u.code, _(u.label)) for u in units.UNITS]
PERIODICITY_CHOICES: list[tuple[str, Any]] = [
    (code, _(label)) for code, (label, _count) in units.PERIODICITIES.items()
]


class PriceIntent(models.TextChoices):
    FREE = "free", _("Gratuit")
    AT_COST = "at_cost", _("À prix coûtant")
    MARKET = "market", _("Au prix du marché")


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Membres du pôle")
    COORDINATORS = "coordinators", _("Coordination seulement")


class DeclarationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    WITHDRAWN = "withdrawn", _("Retirée")


def _roles(user: Any, pole: Pole) -> tuple[bool, bool, frozenset[int]]:
    """(manages, reads members' records, organisations the user speaks for)."""
    from ptce.poles import permissions

    roles = permissions.roles_of(user, pole)
    manages = permissions.is_staff(user) or Role.COORDINATOR in roles
    return manages, bool(roles), permissions.member_organisation_ids(user, pole)


class DeclarationQuerySet(models.QuerySet["Declaration"]):
    def active(self) -> DeclarationQuerySet:
        return self.filter(status=DeclarationStatus.ACTIVE)

    def visible_to(self, user: Any, pole: Pole) -> DeclarationQuerySet:
        """Public ones for anyone who sees the hub; members' ones for the hub's people;
        coordinators-only ones for the coordination and the declaring organisation."""
        qs = self.filter(pole=pole)
        manages, reads, orgs = _roles(user, pole)
        if manages:
            return qs
        allowed = Q(confidentiality=Confidentiality.PUBLIC) | Q(organisation_id__in=orgs)
        if reads:
            allowed |= Q(confidentiality=Confidentiality.MEMBERS)
        return qs.filter(allowed)


class Declaration(models.Model):
    """A need or an offer of a member organisation (`side`)."""

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="declarations")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.CASCADE, related_name="cooperation_declarations"
    )
    establishment = models.ForeignKey(
        "actors.Establishment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("établissement"),
    )
    side = models.CharField(_("sens"), max_length=5, choices=Side.choices)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    category = models.CharField(_("catégorie"), max_length=30, choices=CATEGORY_CHOICES)
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(
        _("quantité"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    unit = models.CharField(_("unité"), max_length=16, choices=UNIT_CHOICES, blank=True)
    periodicity = models.CharField(
        _("périodicité"), max_length=8, choices=PERIODICITY_CHOICES, default="once"
    )
    start_on = models.DateField(_("début de la période"), null=True, blank=True)
    end_on = models.DateField(_("fin de la période"), null=True, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    max_km = models.PositiveIntegerField(_("distance maximale (km)"), null=True, blank=True)
    price_intent = models.CharField(
        _("intention de prix"), max_length=8, choices=PriceIntent.choices, default="market"
    )
    cost_cents_per_year = models.BigIntegerField(
        _("coût annuel actuel (centimes)"), null=True, blank=True
    )
    confidentiality = models.CharField(
        _("confidentialité"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.MEMBERS,
    )
    status = models.CharField(
        _("état"), max_length=10, choices=DeclarationStatus.choices, default="active"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("besoin ou offre")
        verbose_name_plural = _("besoins et offres")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["pole", "status", "side"])]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="coop_decl_side"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="coop_decl_kind"),
            models.CheckConstraint(
                condition=Q(confidentiality__in=Confidentiality.values),
                name="coop_decl_confidentiality",
            ),
            models.CheckConstraint(
                condition=Q(price_intent__in=PriceIntent.values), name="coop_decl_price"
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | (Q(quantity__gt=0) & ~Q(unit="")),
                name="coop_decl_quantity_unit",
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gte=F("start_on")),
                name="coop_decl_period",
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="coop_decl_coordinates",
            ),
            models.CheckConstraint(
                condition=Q(cost_cents_per_year__isnull=True) | Q(cost_cents_per_year__gte=0),
                name="coop_decl_cost",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} — {self.title}"

    @property
    def category_label(self) -> str:
        """The category in the active language (the code when it is unknown)."""
        entry = KINDS.get(self.kind)
        label = entry.categories.get(self.category) if entry is not None else None
        return gettext(label) if label else self.category


class LinkQuerySet(models.QuerySet["CooperationLink"]):
    def visible_to(self, user: Any, pole: Pole) -> LinkQuerySet:
        qs = self.filter(pole=pole)
        manages, reads, orgs = _roles(user, pole)
        if manages:
            return qs
        allowed = (
            Q(visibility=LinkVisibility.PUBLIC)
            | Q(from_organisation_id__in=orgs)
            | Q(to_organisation_id__in=orgs)
        )
        if reads:
            allowed |= Q(visibility=LinkVisibility.MEMBERS)
        return qs.filter(allowed)

    def between_members(self, pole: Pole) -> LinkQuerySet:
        """Links whose two ends are or were members of the hub: what the graph draws (an
        accepted prospect's links count once the candidate joins)."""
        members = pole.memberships.values("organisation_id")
        return self.filter(from_organisation_id__in=members, to_organisation_id__in=members)


class CooperationLink(models.Model):
    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="cooperation_links")
    from_organisation = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.CASCADE,
        related_name="cooperation_links_from",
        verbose_name=_("de"),
    )
    to_organisation = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.CASCADE,
        related_name="cooperation_links_to",
        verbose_name=_("vers"),
    )
    type = models.CharField(_("type de lien"), max_length=20, choices=LinkType.choices)
    directed = models.BooleanField(_("orienté"), default=True)
    start_on = models.DateField(_("début"))
    end_on = models.DateField(_("fin"), null=True, blank=True)
    volume_cents = models.BigIntegerField(_("volume annuel (centimes)"), null=True, blank=True)
    volume_hours = models.DecimalField(
        _("volume annuel (heures)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("origine"), max_length=10, choices=LinkSource.choices, default=LinkSource.DECLARED
    )
    proposal = models.ForeignKey(
        "cooperation.Proposal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
    )
    note = models.TextField(_("note"), blank=True)
    visibility = models.CharField(
        _("visibilité"),
        max_length=12,
        choices=LinkVisibility.choices,
        default=LinkVisibility.MEMBERS,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien de coopération")
        verbose_name_plural = _("liens de coopération")
        ordering = ("-start_on", "-id")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organisation=F("to_organisation")), name="coop_link_distinct"
            ),
            models.CheckConstraint(condition=Q(type__in=LinkType.values), name="coop_link_type"),
            models.CheckConstraint(
                condition=Q(source__in=LinkSource.values), name="coop_link_source"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="coop_link_period",
            ),
            models.CheckConstraint(
                condition=Q(volume_cents__isnull=True) | Q(volume_cents__gte=0),
                name="coop_link_volume_cents",
            ),
            models.CheckConstraint(
                condition=Q(volume_hours__isnull=True) | Q(volume_hours__gte=0),
                name="coop_link_volume_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation} ({self.get_type_display()})"


class SynergyRun(models.Model):
    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="synergy_runs")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    items = models.PositiveIntegerField(_("déclarations"), default=0)
    candidates = models.PositiveIntegerField(_("organisations candidates"), default=0)
    proposals = models.PositiveIntegerField(_("propositions"), default=0)
    created = models.PositiveIntegerField(_("nouvelles propositions"), default=0)

    class Meta:
        verbose_name = _("recherche de synergies")
        verbose_name_plural = _("recherches de synergies")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.pole} — {self.created_at:%Y-%m-%d %H:%M}"


class ProposalKind(models.TextChoices):
    EXCHANGE = "exchange", _("Échange")
    POOLING = "pooling", _("Mutualisation")
    PROSPECT = "prospect", _("Futur membre")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    DECLINED = "declined", _("Déclinée")
    REALISED = "realised", _("Réalisée")


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def visible_to(self, user: Any, pole: Pole) -> ProposalQuerySet:
        """Coordination sees all; a member sees those concerning their organisations,
        unless one of the declarations behind it is for the coordination only and not
        their own."""
        qs = self.filter(pole=pole)
        manages, _reads, orgs = _roles(user, pole)
        if manages:
            return qs
        if not orgs:
            return qs.none()
        hidden = Declaration.objects.filter(
            proposals=models.OuterRef("pk"), confidentiality=Confidentiality.COORDINATORS
        ).exclude(organisation_id__in=orgs)
        return (
            qs.exclude(kind=ProposalKind.PROSPECT)
            .filter(
                models.Exists(
                    ProposalOrganisation.objects.filter(
                        proposal=models.OuterRef("pk"), organisation_id__in=orgs
                    )
                )
            )
            .exclude(models.Exists(hidden))
        )


class Proposal(models.Model):
    """A proposal of the synergy engine, kept across runs by its `key` (kind and items)."""

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="synergy_proposals")
    key = models.CharField(max_length=255)
    kind = models.CharField(_("nature"), max_length=10, choices=ProposalKind.choices)
    run = models.ForeignKey(SynergyRun, on_delete=models.SET_NULL, null=True, related_name="+")
    current = models.BooleanField(_("proposée par la dernière recherche"), default=True)
    rank = models.PositiveIntegerField(_("rang"), default=0)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=6)
    reasons = models.JSONField(_("raisons"), default=list)
    saving_cents = models.BigIntegerField(_("économie estimée (centimes)"), null=True, blank=True)
    declarations = models.ManyToManyField(Declaration, related_name="proposals")
    organisations = models.ManyToManyField(
        "actors.Organisation", through="ProposalOrganisation", related_name="+"
    )
    candidate = models.ForeignKey(
        "actors.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation candidate"),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=ProposalStatus.choices, default="proposed"
    )
    decline_reason = models.TextField(_("raison du refus"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposition de synergie")
        verbose_name_plural = _("propositions de synergie")
        ordering = ("rank", "id")
        constraints = [
            models.UniqueConstraint(fields=["pole", "key"], name="coop_proposal_key"),
            models.CheckConstraint(
                condition=Q(kind__in=ProposalKind.values), name="coop_proposal_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="coop_proposal_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECLINED) | ~Q(decline_reason=""),
                name="coop_proposal_decline_reason",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="coop_proposal_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class ProposalOrganisation(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="involvement")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position",)
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="coop_proposal_org_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} — {self.organisation_id}"


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("À chaque nouvelle proposition")
    WEEKLY = "weekly", _("Résumé hebdomadaire")
    NEVER = "never", _("Jamais")


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cooperation_preference"
    )
    frequency = models.CharField(
        _("notifications de coopération"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATE,
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("préférence de notification (coopération)")
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="coop_pref_frequency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.frequency}"
