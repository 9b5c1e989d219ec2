"""Shared employees of a hub through a groupement d'employeurs (GE, Code du travail L1253-1).

The GE (`EmployerGroup`) is carried by an organisation (an association or a cooperative,
often the hub's carrier); its register (`GroupMember`) keeps every membership with its
joined and left dates, never deleted (joint liability). Employees are split between members
by plan lines; monthly timesheets per member give the monthly invoices, re-invoiced at cost
plus an overhead rate. A closed month is locked: corrections are `Adjustment` entries.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmployerGroup(models.Model):
    pole = models.OneToOneField(
        "poles.Pole", on_delete=models.CASCADE, related_name="employer_group"
    )
    carrier = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("structure employeuse"),
        on_delete=models.PROTECT,
        related_name="employer_groups",
    )
    name = models.CharField(_("nom du groupement"), max_length=200)
    overhead_rate = models.DecimalField(
        _("taux de frais de gestion"), max_digits=5, decimal_places=4, default=0
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("groupement d'employeurs")
        verbose_name_plural = _("groupements d'employeurs")
        constraints = [
            models.CheckConstraint(
                condition=Q(overhead_rate__gte=0) & Q(overhead_rate__lte=1),
                name="ge_overhead_rate_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class GroupMemberQuerySet(models.QuerySet["GroupMember"]):
    def current(self) -> GroupMemberQuerySet:
        return self.filter(left_on__isnull=True)

    def at(self, day: Any) -> GroupMemberQuerySet:
        return self.filter(joined_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


class GroupMember(models.Model):
    """A line of the register: an organisation's membership of the GE."""

    group = models.ForeignKey(EmployerGroup, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="employer_group_memberships",
    )
    local_authority = models.BooleanField(_("collectivité territoriale"), default=False)
    joined_on = models.DateField(_("entrée le"))
    left_on = models.DateField(_("sortie le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre du groupement")
        verbose_name_plural = _("registre des membres du groupement")
        ordering = ("organisation__name", "joined_on")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation"],
                condition=Q(left_on__isnull=True),
                name="ge_member_one_current",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="ge_member_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.group}"


class Employee(models.Model):
    group = models.ForeignKey(EmployerGroup, on_delete=models.CASCADE, related_name="employees")
    person_name = models.CharField(_("nom et prénom"), max_length=200)
    job_title = models.CharField(_("poste"), max_length=200)
    contractual_hours_per_year = models.DecimalField(
        _("heures contractuelles par an"), max_digits=7, decimal_places=2
    )
    hourly_cost_cents = models.PositiveIntegerField(_("coût horaire chargé (centimes)"))
    start_on = models.DateField(_("date d'embauche"))
    end_on = models.DateField(_("fin du contrat"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("salarié partagé")
        verbose_name_plural = _("salariés partagés")
        ordering = ("person_name", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(contractual_hours_per_year__gt=0), name="ge_employee_hours_positive"
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="ge_employee_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.job_title})"


class PlanMode(models.TextChoices):
    DAYS_PER_WEEK = "days_per_week", _("jours par semaine")
    HOURS_PER_MONTH = "hours_per_month", _("heures par mois")
    SEASON = "season", _("heures sur une saison")


class TimeSharePlanLine(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="plan_lines")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("membre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    mode = models.CharField(_("mode"), max_length=16, choices=PlanMode.choices)
    quantity = models.DecimalField(_("quantité"), max_digits=7, decimal_places=2)
    starts_on = models.DateField(_("du"), null=True, blank=True)
    ends_on = models.DateField(_("au"), null=True, blank=True)

    class Meta:
        verbose_name = _("ligne du plan de partage")
        verbose_name_plural = _("plan de partage du temps")
        ordering = ("employee", "organisation__name", "starts_on")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ge_plan_quantity_positive"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="ge_plan_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} — {self.organisation}: {self.quantity} {self.get_mode_display()}"

    @property
    def mode_text(self) -> str:
        """The mode's words agreed with the quantity, as French does: "1 jour par semaine",
        "1,5 jour par semaine", "2 jours par semaine" (singular below 2)."""
        if self.quantity >= 2:
            return str(self.get_mode_display())
        singular = {
            PlanMode.DAYS_PER_WEEK: _("jour par semaine"),
            PlanMode.HOURS_PER_MONTH: _("heure par mois"),
            PlanMode.SEASON: _("heure sur une saison"),
        }
        return str(singular.get(PlanMode(self.mode), self.get_mode_display()))


class MonthPeriod(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("ouverte")
        CLOSED = "closed", _("close")

    group = models.ForeignKey(EmployerGroup, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField(_("mois"))  # first day of the month
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("période mensuelle")
        verbose_name_plural = _("périodes mensuelles")
        ordering = ("-month",)
        constraints = [
            models.UniqueConstraint(fields=["group", "month"], name="ge_period_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="ge_period_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.group} — {self.month:%m/%Y}"

    @property
    def closed(self) -> bool:
        return self.status == self.Status.CLOSED


class TimesheetQuerySet(models.QuerySet["Timesheet"]):
    def for_month(self, month: Any) -> TimesheetQuerySet:
        return self.filter(month=month)


class Timesheet(models.Model):
    """Hours an employee worked for a member in a month (one entry per month and member)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="timesheets")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("membre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("mois"))
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimesheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("relevé d'heures")
        verbose_name_plural = _("relevés d'heures")
        ordering = ("month", "employee", "organisation__name")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "organisation", "month"], name="ge_timesheet_unique"
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="ge_timesheet_hours_positive"),
            models.CheckConstraint(condition=Q(month__day=1), name="ge_timesheet_first_day"),
        ]
        indexes = [models.Index(fields=["month", "organisation"])]

    def __str__(self) -> str:
        return f"{self.employee} — {self.organisation} — {self.month:%m/%Y}: {self.hours} h"


class Invoice(models.Model):
    """A member's monthly re-invoicing. Drafts while the month is open, locked once closed."""

    group = models.ForeignKey(EmployerGroup, on_delete=models.CASCADE, related_name="invoices")
    organisation = models.ForeignKey(
        "actors.Organisation",
        verbose_name=_("membre"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("mois"))
    number = models.CharField(_("numéro"), max_length=40)
    hours = models.DecimalField(_("heures"), max_digits=8, decimal_places=2, default=0)
    pay_cents = models.BigIntegerField(_("coût salarial (centimes)"), default=0)
    overhead_cents = models.BigIntegerField(_("frais de gestion (centimes)"), default=0)
    total_cents = models.BigIntegerField(_("total (centimes)"), default=0)
    # The group's rate when the invoice was issued: its overhead, and the adjustments made
    # after the close, use it, whatever the group's rate is now.
    overhead_rate = models.DecimalField(
        _("taux de frais de gestion"), max_digits=5, decimal_places=4
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facture de mise à disposition")
        verbose_name_plural = _("factures de mise à disposition")
        ordering = ("-month", "organisation__name")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation", "month"], name="ge_invoice_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_cents=models.F("pay_cents") + models.F("overhead_cents")),
                name="ge_invoice_total",
            ),
            models.CheckConstraint(
                condition=Q(overhead_rate__gte=0) & Q(overhead_rate__lte=1),
                name="ge_invoice_overhead_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=2)
    hourly_cost_cents = models.PositiveIntegerField(_("coût horaire (centimes)"))
    pay_cents = models.BigIntegerField(_("coût salarial (centimes)"))
    overhead_cents = models.BigIntegerField(_("frais de gestion (centimes)"))

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ("invoice", "employee__person_name", "id")

    def __str__(self) -> str:
        return f"{self.invoice} — {self.employee_id}: {self.hours} h"

    @property
    def total_cents(self) -> int:
        return int(self.pay_cents + self.overhead_cents)


class Adjustment(models.Model):
    """A correction of a closed month: hours added (or removed) at cost plus overhead.

    Never edited; the closed invoice stays as issued and the adjustment is invoiced on top."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="adjustments")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="adjustments")
    hours = models.DecimalField(_("heures corrigées"), max_digits=6, decimal_places=2)
    hourly_cost_cents = models.PositiveIntegerField(_("coût horaire (centimes)"))
    pay_cents = models.BigIntegerField(_("coût salarial (centimes)"))
    overhead_cents = models.BigIntegerField(_("frais de gestion (centimes)"))
    reason = models.CharField(_("motif"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("régularisation")
        verbose_name_plural = _("régularisations")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.invoice} — {self.hours} h ({self.reason})"

    @property
    def total_cents(self) -> int:
        return int(self.pay_cents + self.overhead_cents)
