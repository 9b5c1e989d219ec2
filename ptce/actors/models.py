"""Organisations (legal units, informal groups, natural persons), their establishments, and
the people who speak for them.

Register data (SIRENE) is open data and public to read; what members add follows the
visibility they choose. Codes keep their INSEE names (`siren`, `siret`, `naf`,
`categorie_juridique`, `tranche_effectifs`, `code_commune`).

On PostgreSQL the indexed codes (SIREN, SIRET, commune, département, NAF, legal category,
actor type and ESS family) are in the "C" collation, set by migration 0007 outside the
model state: an `AlterField` of one of them resets it, and must be followed by that
migration's `collate`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Visibility


class ActorType(models.TextChoices):
    ESS = "ess", _("Entreprise de l'ESS")
    ENTERPRISE = "enterprise", _("Autre entreprise")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité ou groupement")
    RESEARCH = "research", _("Recherche ou enseignement supérieur")
    TRAINING = "training", _("Organisme de formation")
    PUBLIC_BODY = "public_body", _("Autre organisme public")
    PERSON = "person", _("Personne physique")
    OTHER = "other", _("Autre")


class EssFamily(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Coopérative")
    SCOP = "scop", _("SCOP")
    MUTUAL = "mutual", _("Mutuelle")
    FOUNDATION = "foundation", _("Fondation")
    ESS_COMPANY = "ess_company", _("Société commerciale de l'ESS")


class SizeClass(models.TextChoices):
    SOLE_TRADER = "sole_trader", _("Entrepreneur individuel")
    MICRO = "micro", _("Microentreprise (moins de 10 salariés)")
    SME = "sme", _("PME (10 à 249 salariés)")
    MID = "mid", _("ETI (250 à 4 999 salariés)")
    LARGE = "large", _("Grande entreprise (5 000 salariés ou plus)")
    UNKNOWN = "unknown", _("Taille inconnue")


class Source(models.TextChoices):
    SIRENE = "sirene", _("Répertoire SIRENE")
    MANUAL = "manual", _("Saisie")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> OrganisationQuerySet:
        return self.filter(active=True)

    def ess(self) -> OrganisationQuerySet:
        return self.filter(actor_type=ActorType.ESS)

    def visible_to(self, user: Any) -> OrganisationQuerySet:
        """Register data is public; organisations entered by members follow their visibility."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        public = models.Q(visibility=Visibility.PUBLIC)
        if not user.is_authenticated:
            return self.filter(public)
        # EXISTS rather than a join: no duplicate rows, so counts and GROUP BY stay right.
        speaks_for = models.Exists(
            Affiliation.objects.filter(organisation=models.OuterRef("pk"), user=user)
        )
        return self.filter(public | speaks_for)


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
    acronym = models.CharField(_("sigle"), max_length=100, blank=True)
    categorie_juridique = models.CharField(_("catégorie juridique"), max_length=4, blank=True)
    ess = models.BooleanField(_("ESS (répertoire)"), null=True, blank=True)
    societe_mission = models.BooleanField(_("société à mission"), null=True, blank=True)
    date_creation = models.DateField(_("date de création"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    tranche_effectifs = models.CharField(_("tranche d'effectifs"), max_length=2, blank=True)
    naf = models.CharField(_("activité principale (NAF)"), max_length=6, blank=True)
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True)
    website = models.URLField(_("site web"), blank=True)
    partially_diffusible = models.BooleanField(_("diffusion partielle"), default=False)
    actor_type = models.CharField(
        _("type d'acteur"), max_length=16, choices=ActorType.choices, default=ActorType.OTHER
    )
    actor_type_override = models.BooleanField(_("type déclaré"), default=False)
    ess_family = models.CharField(
        _("famille de l'ESS"), max_length=12, choices=EssFamily.choices, blank=True
    )
    size_class = models.CharField(
        _("taille"), max_length=12, choices=SizeClass.choices, default=SizeClass.UNKNOWN
    )
    classification_reason = models.CharField(_("raison du classement"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Affiliation",
        related_name="organisations",
        verbose_name=_("utilisateurs"),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ("name",)
        indexes = [
            models.Index(fields=["actor_type", "ess_family"]),
            models.Index(fields=["naf"]),
            models.Index(fields=["categorie_juridique"]),
        ]

    def __str__(self) -> str:
        return self.name


class EstablishmentQuerySet(models.QuerySet["Establishment"]):
    def active(self) -> EstablishmentQuerySet:
        return self.filter(active=True)


class Establishment(models.Model):
    class Precision(models.TextChoices):
        EXACT = "exact", _("position exacte")
        ADDRESS = "address", _("adresse")
        COMMUNE = "commune", _("centre de la commune")
        NONE = "none", _("inconnue")

    siret = models.CharField(_("SIRET"), max_length=14, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="establishments"
    )
    name = models.CharField(_("nom ou enseigne"), max_length=255, blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    code_postal = models.CharField(_("code postal"), max_length=5, blank=True)
    code_commune = models.CharField(
        _("commune (code INSEE)"), max_length=5, blank=True, db_index=True
    )
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # code_commune holds the same value and is indexed
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    departement = models.CharField(
        _("département"), max_length=3, blank=True
    )  # indexed by (departement, active, organisation)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    precision = models.CharField(
        _("précision"), max_length=8, choices=Precision.choices, default=Precision.NONE
    )
    naf = models.CharField(_("activité (NAF)"), max_length=6, blank=True)
    tranche_effectifs = models.CharField(_("tranche d'effectifs"), max_length=2, blank=True)
    siege = models.BooleanField(_("siège"), default=False)
    active = models.BooleanField(_("actif"), default=True)
    date_creation = models.DateField(_("date de création"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ("-siege", "siret")
        indexes = [
            models.Index(fields=["lat", "lon"]),
            models.Index(fields=["departement", "active", "organisation"]),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.organisation.name} ({self.siret or _('sans SIRET')})"


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


class Contact(models.Model):
    """A person attached to an organisation, with the consent they gave (GDPR)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    role = models.CharField(_("fonction"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    consent_given_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    consent_text = models.TextField(_("texte du consentement"), blank=True)
    visibility = models.CharField(
        _("visibilité"), max_length=12, choices=Visibility.choices, default=Visibility.OWNER
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ("last_name", "first_name")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class DirectoryVersion(models.Model):
    """One row, whose number each transaction that writes organisations or establishments
    raises once, after its commit (`actors.signals`, the SIRENE import): each process
    compares it, on each use, to the number its in-memory indexes (`facet_index`,
    `map_index`) were built from, so that a change made through another process shows at
    once."""

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("version de l'annuaire")

    def __str__(self) -> str:
        return str(self.version)

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(version=models.F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})
