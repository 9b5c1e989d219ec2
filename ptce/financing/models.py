"""Citizen and local financing: campaigns attached to a hub's projects, and subscriptions.

Money is integer cents. A campaign belongs to a project and, through it, to a hub (`pole` is
kept on the campaign for permission checks and hub-wide lists). Subscriptions keep, after a
person's data is erased, what accounting law requires: amounts, units, dates, payment status
and a pseudonymised investor reference.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ptce.financing.allotment import Rule
from ptce.financing.states import State


class Instrument(models.TextChoices):
    COOPERATIVE_SHARES = "coop_shares", _("Parts sociales de coopérative")
    SHARES = "shares", _("Actions")
    BONDS = "bonds", _("Obligations")
    LOAN = "loan", _("Prêt")
    DONATION = "donation", _("Don")
    ROYALTIES = "royalties", _("Royalties sur chiffre d'affaires")


# Instruments sold by units at a unit price (the others take any amount in whole euros).
UNIT_INSTRUMENTS = frozenset({Instrument.COOPERATIVE_SHARES, Instrument.SHARES, Instrument.BONDS})


class Residency(models.TextChoices):
    ALL = "all", _("Ouverte à tous")
    RESIDENTS_ONLY = "residents_only", _("Réservée aux habitants du périmètre")
    RESIDENTS_FIRST = "residents_first", _("Priorité aux habitants du périmètre")


class Oversubscription(models.TextChoices):
    FIRST_COME = Rule.FIRST_COME.value, _("Premier arrivé, premier servi")
    PRO_RATA = Rule.PRO_RATA.value, _("Réduction au prorata (arrondi à l'unité)")


class CampaignState(models.TextChoices):
    DRAFT = State.DRAFT.value, _("Brouillon")
    OPEN = State.OPEN.value, _("Ouverte")
    SUCCEEDED = State.SUCCEEDED.value, _("Réussie")
    FAILED = State.FAILED.value, _("Échouée")
    CLOSED = State.CLOSED.value, _("Clôturée")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def public(self) -> CampaignQuerySet:
        """Campaigns anyone may see: published (not drafts), of a public project of a public
        hub."""
        return self.exclude(state=CampaignState.DRAFT).filter(
            pole__visibility="public", project__visibility="public"
        )

    def visible_to(self, user: Any) -> CampaignQuerySet:
        from ptce.poles.models import PoleRole

        if user.is_authenticated and user.is_staff:
            return self.all()
        if not user.is_authenticated:
            return self.public()
        coordinates = models.Exists(
            PoleRole.objects.filter(pole=models.OuterRef("pole"), user=user, role="coordinator")
        )
        has_role = models.Exists(PoleRole.objects.filter(pole=models.OuterRef("pole"), user=user))
        public = Q(pole__visibility="public", project__visibility="public")
        published = ~Q(state=CampaignState.DRAFT) & (public | has_role)
        return self.filter(published | coordinates)


class Campaign(models.Model):
    pole = models.ForeignKey(
        "poles.Pole", verbose_name=_("pôle"), on_delete=models.CASCADE, related_name="campaigns"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("projet"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    instrument = models.CharField(_("instrument"), max_length=12, choices=Instrument.choices)
    unit_price_cents = models.PositiveBigIntegerField(
        _("prix unitaire (centimes)"), null=True, blank=True
    )
    minimum_cents = models.PositiveBigIntegerField(_("montant minimum (centimes)"))
    target_cents = models.PositiveBigIntegerField(_("objectif (centimes)"))
    cap_cents = models.PositiveBigIntegerField(_("plafond (centimes)"), null=True, blank=True)
    min_ticket_cents = models.PositiveBigIntegerField(_("ticket minimum (centimes)"))
    max_ticket_cents = models.PositiveBigIntegerField(
        _("ticket maximum (centimes)"), null=True, blank=True
    )
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    residency = models.CharField(
        _("condition de résidence"), max_length=16, choices=Residency.choices, default=Residency.ALL
    )
    oversubscription = models.CharField(
        _("règle de sursouscription"),
        max_length=12,
        choices=Oversubscription.choices,
        default=Oversubscription.FIRST_COME,
    )
    state = models.CharField(
        _("état"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    consent_text = models.TextField(_("texte du consentement"))
    consent_version = models.CharField(_("version du consentement"), max_length=20, default="1")
    settled_at = models.DateTimeField(_("soldée le"), null=True, blank=True)
    outcome = models.CharField(
        _("résultat"), max_length=10, choices=CampaignState.choices, blank=True
    )
    is_demo = models.BooleanField(_("démonstration"), default=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne de financement")
        verbose_name_plural = _("campagnes de financement")
        ordering = ("-opens_at", "id")
        indexes = [models.Index(fields=["pole", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(minimum_cents__gt=0), name="campaign_minimum_pos"),
            models.CheckConstraint(
                condition=Q(minimum_cents__lte=F("target_cents")), name="campaign_min_le_target"
            ),
            models.CheckConstraint(
                condition=Q(cap_cents__isnull=True) | Q(target_cents__lte=F("cap_cents")),
                name="campaign_target_le_cap",
            ),
            models.CheckConstraint(
                condition=Q(min_ticket_cents__gt=0), name="campaign_min_ticket_pos"
            ),
            models.CheckConstraint(
                condition=Q(max_ticket_cents__isnull=True)
                | Q(max_ticket_cents__gte=F("min_ticket_cents")),
                name="campaign_ticket_range",
            ),
            models.CheckConstraint(
                condition=Q(unit_price_cents__isnull=True) | Q(unit_price_cents__gt=0),
                name="campaign_unit_price_pos",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="campaign_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(state__in=CampaignState.values), name="campaign_state_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_units(self) -> bool:
        return bool(self.unit_price_cents)

    @property
    def unit_cents(self) -> int:
        """The allotment unit: the unit price, or one euro for instruments without units."""
        return int(self.unit_price_cents or 100)

    @property
    def hard_cap(self) -> bool:
        """Subscriptions beyond the cap are refused at once (first come, no residents'
        priority); otherwise they are accepted and the allotment at settlement resolves them."""
        return (
            self.cap_cents is not None
            and self.oversubscription == Oversubscription.FIRST_COME
            and self.residency != Residency.RESIDENTS_FIRST
        )

    @property
    def is_settled(self) -> bool:
        return self.state in {CampaignState.SUCCEEDED, CampaignState.FAILED, CampaignState.CLOSED}


class InvestorKind(models.TextChoices):
    NATURAL = "natural", _("Personne physique")
    LEGAL = "legal", _("Personne morale")


class PaymentStatus(models.TextChoices):
    PLEDGED = "pledged", _("Promesse")
    PAID = "paid", _("Versement reçu")
    REFUNDED = "refunded", _("Remboursée")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def live(self) -> SubscriptionQuerySet:
        """Subscriptions that count: not refunded in full."""
        return self.exclude(Q(payment_status=PaymentStatus.REFUNDED) & ~Q(allotted_cents__gt=0))

    def of_pole(self, pole: Any) -> SubscriptionQuerySet:
        return self.filter(campaign__pole=pole)


class Subscription(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="subscriptions"
    )
    public_id = models.UUIDField(_("référence"), default=uuid.uuid4, unique=True, editable=False)
    investor_ref = models.CharField(
        _("investisseur (pseudonyme)"), max_length=24, db_index=True, editable=False
    )
    investor_kind = models.CharField(
        _("type d'investisseur"),
        max_length=8,
        choices=InvestorKind.choices,
        default=InvestorKind.NATURAL,
    )
    name = models.CharField(_("nom"), max_length=200, blank=True)
    representative = models.CharField(_("représenté par"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postcode = models.CharField(_("code postal"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "territories.Commune",
        verbose_name=_("commune"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_local = models.BooleanField(_("habite le périmètre"), default=False)
    units = models.PositiveIntegerField(_("nombre de titres"), null=True, blank=True)
    amount_cents = models.PositiveBigIntegerField(_("montant souscrit (centimes)"))
    allotted_cents = models.PositiveBigIntegerField(
        _("montant attribué (centimes)"), null=True, blank=True
    )
    payment_status = models.CharField(
        _("paiement"), max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PLEDGED
    )
    paid_at = models.DateTimeField(_("versement reçu le"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("remboursée le"), null=True, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    consent_at = models.DateTimeField(_("consentement donné le"))
    consent_version = models.CharField(_("version du consentement"), max_length=20)
    erased_at = models.DateTimeField(_("données personnelles effacées le"), null=True, blank=True)
    is_demo = models.BooleanField(_("démonstration"), default=False)
    created_at = models.DateTimeField(_("souscrite le"), auto_now_add=True, db_index=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("souscription")
        verbose_name_plural = _("souscriptions")
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["campaign", "payment_status"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="subscription_amount_pos"),
            models.CheckConstraint(
                condition=Q(allotted_cents__isnull=True) | Q(allotted_cents__lte=F("amount_cents")),
                name="subscription_allotted_le_amount",
            ),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values),
                name="subscription_payment_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.public_id)[:8]

    @property
    def ticket_cents(self) -> int:
        """What the subscription counts for: its allotment once settled, else its amount."""
        return int(self.amount_cents if self.allotted_cents is None else self.allotted_cents)
