"""The French territory reference (INSEE Code officiel géographique) and hub perimeters.

Codes are strings and keep their INSEE names. Geometries are WGS84 (lon/lat) WKB, simplified;
point lookups and name search go through the in-memory indexes of `ptce.territories.indexes`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("code"), max_length=2, primary_key=True)
    nom = models.CharField(_("nom"), max_length=100)
    chef_lieu = models.CharField(_("chef-lieu"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.nom


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    nom = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="departements"
    )
    chef_lieu = models.CharField(_("chef-lieu"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"


class Epci(models.Model):
    class Type(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")
        MET69 = "MET69", _("Métropole de Lyon")

    code = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    nom = models.CharField(_("nom"), max_length=200)
    type = models.CharField(_("nature"), max_length=5, choices=Type.choices)
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ("nom",)

    def __str__(self) -> str:
        return self.nom


class CommuneQuerySet(models.QuerySet["Commune"]):
    def current(self) -> CommuneQuerySet:
        """Communes proper, without the arrondissements municipaux."""
        return self.filter(type=Commune.Type.COMMUNE)

    def with_relations(self) -> CommuneQuerySet:
        return self.select_related("departement", "region", "epci")

    def light(self) -> CommuneQuerySet:
        """Everything but the geometry, for lists."""
        return self.defer("geometry")


class Commune(models.Model):
    class Type(models.TextChoices):
        COMMUNE = "COM", _("Commune")
        ARRONDISSEMENT = "ARM", _("Arrondissement municipal")

    code_insee = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    nom = models.CharField(_("nom"), max_length=150, db_index=True)
    type = models.CharField(_("type"), max_length=3, choices=Type.choices, default=Type.COMMUNE)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="communes"
    )
    epci = models.ForeignKey(
        Epci,
        verbose_name=_("EPCI"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
    )
    commune_parent = models.ForeignKey(
        "self",
        verbose_name=_("commune de rattachement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="arrondissements",
    )
    population = models.PositiveIntegerField(_("population"), default=0)
    codes_postaux = models.CharField(
        _("codes postaux"), max_length=200, blank=True, help_text=_("Séparés par des espaces.")
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    area_km2 = models.FloatField(_("superficie (km²)"), default=0)
    geometry = models.BinaryField(_("géométrie (WKB, WGS84)"))

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ("nom", "code_insee")
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"])]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code_insee})"

    @property
    def postal_codes(self) -> list[str]:
        return self.codes_postaux.split()

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


class CommunePostalCode(models.Model):
    """One postal code of a commune (a commune may have several, a code several communes)."""

    code_postal = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_code_rows")

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            models.UniqueConstraint(fields=["code_postal", "commune"], name="postal_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code_postal} {self.commune_id}"


class PerimeterQuerySet(models.QuerySet["Perimeter"]):
    def light(self) -> PerimeterQuerySet:
        return self.defer("outline")


class Perimeter(models.Model):
    """A named set of communes, built from communes, EPCI, départements, régions and radii.

    `definition` keeps how it was built, so it can be rebuilt when the reference changes:
    {"communes": [...], "epci": [...], "departements": [...], "regions": [...],
     "radii": [{"lat": .., "lon": .., "km": ..}]}.
    """

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant court"), max_length=80, unique=True)
    definition = models.JSONField(_("définition"), default=dict)
    communes = models.ManyToManyField(
        Commune, related_name="perimeters", verbose_name=_("communes")
    )
    commune_count = models.PositiveIntegerField(_("nombre de communes"), default=0)
    population = models.PositiveBigIntegerField(_("population"), default=0)
    area_km2 = models.FloatField(_("superficie (km²)"), default=0)
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    outline = models.BinaryField(_("contour (WKB, WGS84)"), blank=True, default=b"")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PerimeterQuerySet.as_manager()

    class Meta:
        verbose_name = _("périmètre")
        verbose_name_plural = _("périmètres")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    def parts(self) -> dict[str, Any]:
        return {
            key: self.definition.get(key, [])
            for key in ("communes", "epci", "departements", "regions", "radii")
        }


class ReferenceVersion(models.Model):
    """Which territory dataset is loaded; the in-memory indexes rebuild when it changes."""

    version = models.CharField(_("version"), max_length=64)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now=True)
    commune_count = models.PositiveIntegerField(default=0)
    sources = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")

    def __str__(self) -> str:
        return self.version
