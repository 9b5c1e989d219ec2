"""The hubs (PTCE): identity, characterisation, perimeter, members, colleges, roles.

Vocabularies follow the national network's characterisation (DOMAIN.md). Memberships keep
their history: leaving ends a membership, it is never deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Role, Visibility


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association loi 1901")
    SCIC_SA = "scic_sa", _("SCIC SA")
    SCIC_SARL = "scic_sarl", _("SCIC SARL")
    SCIC_SAS = "scic_sas", _("SCIC SAS")
    SCOP = "scop", _("SCOP")
    GIE = "gie", _("GIE")
    SAS = "sas", _("SAS")
    OTHER = "other", _("Autre forme")
    NONE = "none", _("Aucune (groupement informel)")


class Impulse(models.TextChoices):
    ENTREPRENEURIAL = "entrepreneurial", _("Entrepreneuriale")
    CITIZEN = "citizen", _("Citoyenne")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité")


class Dynamic(models.TextChoices):
    SECTOR = "sector", _("Filière ou secteur")
    MULTI_ACTIVITY = "multi_activity", _("Multi-activités")
    POOLING = "pooling", _("Mutualisation")


class Objective(models.TextChoices):
    SECTOR = "sector", _("Structurer une filière sur le territoire")
    VISIBILITY = "visibility", _("Visibilité institutionnelle de l'ESS")
    TAKEOVER = "takeover", _("Reprise ou relocalisation d'activités")
    DISTRIBUTION = "distribution", _("Distribution et commercialisation mutualisées et équitables")
    SOCIAL_INNOVATION = "social_innovation", _("Innovation sociale")
    POOLING = "pooling", _("Mutualisation de ressources, de compétences ou de financements")
    INTEGRATED_GROUP = "integrated_group", _("Groupe intégré d'entreprises de l'ESS")
    CRITICAL_SIZE = "critical_size", _("Atteindre une taille critique pour l'offre durable")


class Specificity(models.TextChoices):
    ECOSYSTEM = "ecosystem", _("Écosystème territorial de développement durable")
    LOCAL_RESOURCES = "local_resources", _("Valorisation des ressources locales")
    ANCHORING = "anchoring", _("Ancrage territorial des activités")
    SOCIAL_INNOVATION = "social_innovation", _("Investissement dans l'innovation sociale")
    DIVERSITY = "diversity", _("Diversité sectorielle au-delà de l'industrie")
    INVOLVEMENT = "involvement", _("Implication des citoyens et d'acteurs de toutes tailles")
    LOCAL_FINANCING = "local_financing", _("Mobilisation de financements locaux")


# The labels the data migration 0002_maturities stores, marked for makemessages so that
# `Maturity.display_label` can translate them (a label edited in the admin shows as typed).
MATURITY_LABELS = (
    gettext_noop("Émergent"),
    gettext_noop("En consolidation"),
    gettext_noop("Mature (capable de changer d'échelle)"),
)


class Maturity(models.Model):
    """Editable list: émergent, en consolidation, mature (the State's call wording)."""

    code = models.SlugField(_("code"), max_length=30, primary_key=True)
    label = models.CharField(_("libellé"), max_length=100)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("maturité")
        verbose_name_plural = _("maturités")
        ordering = ("order", "code")

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the active language (known labels are in the catalogues)."""
        return gettext(self.label) if self.label else ""


class PoleQuerySet(models.QuerySet["Pole"]):
    def public(self) -> PoleQuerySet:
        return self.filter(visibility=Visibility.PUBLIC)

    def visible_to(self, user: Any) -> PoleQuerySet:
        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        has_role = models.Exists(PoleRole.objects.filter(pole=models.OuterRef("pk"), user=user))
        return self.filter(Q(visibility=Visibility.PUBLIC) | has_role)

    def in_region(self, code: str) -> PoleQuerySet:
        return self.filter(region_id=code)

    def with_member_count(self) -> PoleQuerySet:
        """Annotate `member_count` (current members) and `ess_member_count` with correlated
        subqueries: a join + GROUP BY over every membership is ten times slower."""

        def count(**where: Any) -> Coalesce:
            rows = (
                Membership.objects.filter(pole=models.OuterRef("pk"), left_on__isnull=True, **where)
                .order_by()
                .values("pole")
                .annotate(n=models.Count("pk"))
                .values("n")
            )
            return Coalesce(models.Subquery(rows, output_field=models.IntegerField()), 0)

        return self.annotate(
            member_count=count(), ess_member_count=count(organisation__actor_type="ess")
        )


class Pole(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=80, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    carrier = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("structure porteuse"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_poles",
    )
    legal_form = models.CharField(
        _("forme juridique de la structure porteuse"),
        max_length=12,
        choices=LegalForm.choices,
        blank=True,
    )
    carrier_private_law = models.BooleanField(
        _("personne morale de droit privé"), null=True, blank=True
    )
    created_on = models.DateField(_("date de création"), null=True, blank=True)
    perimeter = models.ForeignKey(
        "territories.Perimeter",
        verbose_name=_("périmètre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="poles",
    )
    shared_place = models.BooleanField(_("lieu partagé"), default=False)
    shared_place_name = models.CharField(_("nom du lieu"), max_length=200, blank=True)
    shared_place_address = models.CharField(_("adresse du lieu"), max_length=255, blank=True)
    impulse = models.CharField(_("impulsion"), max_length=16, choices=Impulse.choices, blank=True)
    dynamic = models.CharField(
        _("dynamique économique"), max_length=16, choices=Dynamic.choices, blank=True
    )
    objectives = models.JSONField(_("objectifs"), default=list, blank=True)
    specificities = models.JSONField(_("spécificités revendiquées"), default=list, blank=True)
    maturity = models.ForeignKey(
        Maturity,
        verbose_name=_("maturité"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="poles",
    )
    naf_sections = models.JSONField(_("secteurs (sections NAF)"), default=list, blank=True)
    tags = models.JSONField(_("mots-clés"), default=list, blank=True)
    website = models.URLField(_("site web"), blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    charter = models.TextField(_("charte"), blank=True)
    common_strategy_formalised = models.BooleanField(
        _("stratégie commune formalisée"), null=True, blank=True
    )
    long_term_commitment = models.BooleanField(_("engagement dans la durée"), null=True, blank=True)
    pooled_resources = models.BooleanField(
        _("ressources mutualisées ou investissement commun"), null=True, blank=True
    )
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)
    region = models.ForeignKey(
        "territories.Region", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    departement = models.ForeignKey(
        "territories.Departement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commune = models.ForeignKey(
        "territories.Commune",
        verbose_name=_("commune principale"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = PoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("pôle")
        verbose_name_plural = _("pôles")
        ordering = ("name",)
        indexes = [models.Index(fields=["visibility", "region"])]

    def __str__(self) -> str:
        return self.name


class College(models.Model):
    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField(_("nom"), max_length=100)
    weight = models.DecimalField(_("poids (%)"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("collège")
        verbose_name_plural = _("collèges")
        ordering = ("order", "id")
        constraints = [
            models.UniqueConstraint(fields=["pole", "name"], name="college_name_unique"),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="college_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class MemberRole(models.TextChoices):
    FOUNDER = "founder", _("Fondateur")
    MEMBER = "member", _("Membre")
    PARTNER = "partner", _("Partenaire")


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(left_on__isnull=True)

    def at(self, day: dt.date) -> MembershipQuerySet:
        """Memberships in force on `day` (joined on or before, not yet left)."""
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def with_actor_type(self) -> MembershipQuerySet:
        """Annotate `effective_actor_type`: the declared type, else the organisation's."""
        return self.annotate(
            effective_actor_type=Coalesce(
                NullIf("actor_type_override", models.Value("")), "organisation__actor_type"
            )
        )

    def visible_to(self, user: Any, pole: Pole) -> MembershipQuerySet:
        from ptce.poles import permissions

        if permissions.can_read(user, pole, Visibility.MEMBERS):
            return self
        return self.filter(visibility=Visibility.PUBLIC)


class Membership(models.Model):
    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(
        _("rôle"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    actor_type_override = models.CharField(_("type d'acteur déclaré"), max_length=16, blank=True)
    actor_type_reason = models.CharField(_("raison du type déclaré"), max_length=255, blank=True)
    joined_on = models.DateField(_("entrée le"))
    left_on = models.DateField(_("sortie le"), null=True, blank=True)
    college = models.ForeignKey(
        College,
        verbose_name=_("collège"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
    )
    representative = models.ForeignKey(
        "actors.Contact",
        verbose_name=_("représentant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ("organisation__name",)
        constraints = [
            models.UniqueConstraint(
                fields=["pole", "organisation"],
                condition=Q(left_on__isnull=True),
                name="membership_one_current",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.pole}"


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


class Invitation(models.Model):
    """An e-mail link that lets a person of a member organisation join the hub."""

    pole = models.ForeignKey(Pole, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("rôle"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} → {self.pole}"
