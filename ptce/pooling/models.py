"""Pooling: shared resources, their bookings and usage, costs, allocation and statements.

Bookings of one unit never overlap: besides the services' check (in a transaction, the unit
row locked), the database refuses it, by an exclusion constraint on PostgreSQL and by a
trigger on SQLite (both made in the migration). Money is integer cents.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ptce.core.choices import Role


class ResourceKind(models.TextChoices):
    PREMISES = "premises", _("Locaux ou salle")
    VEHICLE = "vehicle", _("Véhicule")
    EQUIPMENT = "equipment", _("Équipement")
    SERVICE = "service", _("Service")


class Ownership(models.TextChoices):
    MEMBER = "member", _("Un membre")
    MEMBERS = "members", _("Plusieurs membres (parts de propriété)")
    CARRIER = "carrier", _("La structure porteuse du pôle")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archivée")


class ResourceQuerySet(models.QuerySet["Resource"]):
    def of(self, pole: Any) -> ResourceQuerySet:
        return self.filter(pole=pole)

    def visible_to(self, user: Any, pole: Any) -> ResourceQuerySet:
        """Every role on the hub sees its resources; drafts only coordination."""
        from ptce.poles import permissions

        rows = self.filter(pole=pole)
        if permissions.can_manage_pole(user, pole):
            return rows
        if permissions.can_observe(user, pole):
            return rows.exclude(status=ResourceStatus.DRAFT)
        return rows.none()


class Resource(models.Model):
    """Something members share: premises, a vehicle, equipment or a service."""

    pole = models.ForeignKey("poles.Pole", on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=ResourceKind.choices)
    description = models.TextField(_("description"), blank=True)
    ownership = models.CharField(
        _("propriété"), max_length=8, choices=Ownership.choices, default=Ownership.CARRIER
    )
    owner = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("membre propriétaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("statut"), max_length=8, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT
    )
    max_booking_minutes = models.PositiveIntegerField(
        _("réservation la plus longue (minutes)"), null=True, blank=True
    )
    min_notice_minutes = models.PositiveIntegerField(_("délai de prévenance (minutes)"), default=0)
    bookable_by = models.CharField(
        _("qui peut réserver"),
        max_length=12,
        choices=[(Role.MEMBER, _("Les membres")), (Role.COORDINATOR, _("La coordination"))],
        default=Role.MEMBER,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ressource partagée")
        verbose_name_plural = _("ressources partagées")
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["pole", "name"], name="pooling_resource_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ResourceShare(models.Model):
    """An organisation that shares the resource (its costs are split between them), with
    its ownership share when several members own it."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    ownership_share = models.DecimalField(
        _("part de propriété (%)"), max_digits=6, decimal_places=3, default=0
    )

    class Meta:
        ordering = ("organisation__name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "organisation"], name="pooling_share_unique"
            ),
            models.CheckConstraint(
                condition=Q(ownership_share__gte=0) & Q(ownership_share__lte=100),
                name="pooling_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} — {self.resource_id}"


class Unit(models.Model):
    """A bookable unit of a resource (the room itself, one of two vans...)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("nom"), max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("unité réservable")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("jour"))  # 0 = Monday
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        ordering = ("weekday", "opens")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="pooling_hours"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="pooling_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosedDay(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="closed_days")
    day = models.DateField(_("jour"))
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        ordering = ("day",)
        constraints = [
            models.UniqueConstraint(fields=["resource", "day"], name="pooling_closed_unique")
        ]

    def __str__(self) -> str:
        return str(self.day)


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    CANCELLED = "cancelled", _("Annulée")


class Booking(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="bookings")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    series = models.UUIDField(_("série"), null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("objet"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réservation")
        ordering = ("starts_at", "id")
        indexes = [models.Index(fields=["unit", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="pooling_booking_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> Any:
        from decimal import Decimal

        return Decimal((self.ends_at - self.starts_at).total_seconds()) / 3600


class Usage(models.Model):
    """What a member used of a resource: hours (or units) booked and used, km for vehicles.
    An adjustment is a later row with a reason (its values may be negative)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="usages")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="usages"
    )
    day = models.DateField(_("jour"))
    booked_hours = models.DecimalField(
        _("heures réservées"), max_digits=9, decimal_places=2, default=0
    )
    used_hours = models.DecimalField(
        _("heures utilisées"), max_digits=9, decimal_places=2, default=0
    )
    units = models.DecimalField(_("unités"), max_digits=11, decimal_places=2, default=0)
    km = models.DecimalField(_("kilomètres"), max_digits=9, decimal_places=1, default=0)
    is_adjustment = models.BooleanField(_("ajustement"), default=False)
    reason = models.CharField(_("motif"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("utilisation")
        ordering = ("day", "id")

    def __str__(self) -> str:
        return f"{self.resource_id} {self.organisation_id} {self.day}"


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Mois")
    QUARTER = "quarter", _("Trimestre")
    YEAR = "year", _("Année")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Clôturée")


class Period(models.Model):
    pole = models.ForeignKey("poles.Pole", on_delete=models.CASCADE, related_name="pooling_periods")
    kind = models.CharField(_("type"), max_length=8, choices=PeriodKind.choices)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))  # inclusive
    status = models.CharField(max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("période")
        ordering = ("-starts_on", "kind")
        constraints = [
            models.UniqueConstraint(
                fields=["pole", "kind", "starts_on"], name="pooling_period_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="pooling_period_order"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.starts_on:%m/%Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"T{(self.starts_on.month - 1) // 3 + 1} {self.starts_on.year}"
        return str(self.starts_on.year)

    @property
    def closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class CostCategory(models.TextChoices):
    RENT = "rent", _("Loyer")
    INSURANCE = "insurance", _("Assurance")
    MAINTENANCE = "maintenance", _("Entretien")
    LOAN = "loan", _("Remboursement d’emprunt")
    PURCHASES = "purchases", _("Achats")
    OTHER = "other", _("Autre")


class Cost(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="costs")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="costs")
    category = models.CharField(_("catégorie"), max_length=12, choices=CostCategory.choices)
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    label = models.CharField(_("libellé"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coût")
        ordering = ("period", "resource", "id")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="pooling_cost_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount_cents / 100:.2f} €"


class Method(models.TextChoices):
    EQUAL = "equal", _("Parts égales")
    USAGE = "by_usage", _("Selon l’utilisation")
    KEYS = "by_keys", _("Selon une clé")
    FIXED_USAGE = "fixed_plus_usage", _("Part fixe + part à l’utilisation")
    SHAPLEY = "shapley", _("Valeur de Shapley (investissement partagé)")


class Key(models.TextChoices):
    HEADCOUNT = "headcount", _("Effectif")
    TURNOVER = "turnover", _("Chiffre d’affaires")
    SURFACE = "surface", _("Surface occupée")
    OWNERSHIP = "ownership", _("Part de propriété")


class Measure(models.TextChoices):
    HOURS = "hours", _("Heures utilisées")
    KM = "km", _("Kilomètres")
    UNITS = "units", _("Unités")


class AllocationRule(models.Model):
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="allocation_rule"
    )
    method = models.CharField(_("méthode"), max_length=16, choices=Method.choices)
    key = models.CharField(_("clé"), max_length=10, choices=Key.choices, blank=True)
    # {organisation id (str): value} for headcount, turnover, surface
    key_values = models.JSONField(_("valeurs de la clé"), default=dict, blank=True)
    fixed_share = models.DecimalField(
        _("part fixe"), max_digits=4, decimal_places=3, null=True, blank=True
    )
    measure = models.CharField(
        _("mesure de l’utilisation"), max_length=6, choices=Measure.choices, default=Measure.HOURS
    )
    # Shapley: {organisation id (str): stand-alone cost in cents}; `shared_cost_cents` is
    # the cost of the shared option; a coalition costs the cheaper of the two.
    standalone_costs = models.JSONField(_("coûts isolés"), default=dict, blank=True)
    shared_cost_cents = models.BigIntegerField(
        _("coût de l’option partagée"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle de répartition")

    def __str__(self) -> str:
        return str(self.get_method_display())


class Statement(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="statements")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    total_cents = models.BigIntegerField(_("total (centimes)"), default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("relevé")
        ordering = ("organisation__name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "organisation"], name="pooling_statement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.period_id}: {self.total_cents}"


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=16, choices=Method.choices)
    # the key in French, for the exports (French accounting) and for lines without figures
    key_label = models.CharField(_("clé utilisée"), max_length=255)
    # the key's figures, by method (`ptce.pooling.keys`); pages build the text from them in
    # the reader's language. Null on lines computed before they were stored.
    key_params = models.JSONField(_("valeurs de la clé"), null=True, blank=True)
    cost_cents = models.BigIntegerField(_("coût partagé"))
    amount_cents = models.BigIntegerField(_("montant"))

    class Meta:
        ordering = ("resource__name", "id")

    def __str__(self) -> str:
        return f"{self.resource_id}: {self.amount_cents}"

    @property
    def key_text(self) -> str:
        """The key in the active language (the stored French text for older lines)."""
        from ptce.pooling.keys import shown

        return shown(self)


class Adjustment(models.Model):
    """A correction of a closed period: a new entry, never an edit."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="adjustments")
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amount_cents = models.BigIntegerField(_("montant (centimes)"))
    reason = models.CharField(_("motif"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("régularisation")
        ordering = ("created_at", "id")
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="pooling_adjustment_nonzero")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.amount_cents} ({self.reason})"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The secret of an iCal feed: of one resource, or of one member organisation."""

    pole = models.ForeignKey("poles.Pole", on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens"
    )
    organisation = models.ForeignKey(
        "actors.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(resource__isnull=True) ^ Q(organisation__isnull=True),
                name="pooling_feed_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"flux {self.pk}"
