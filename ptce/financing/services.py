"""Writes on campaigns and payments: the only path for every change, all audited.

Subscribing lives in `ptce.financing.subscribing` and personal-data requests in
`ptce.financing.privacy`; both are re-exported here, so callers use `services.*` only.
Every refusal is a ValidationError with a French message keyed by the field it concerns
("__all__" for the campaign's state).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.financing import allotment, states
from ptce.financing.common import (
    DEFAULT_CONSENT,
    PERSONAL_FIELDS,
    SUBSCRIPTION_AUDITED,
    eur,
    require_manager,
)
from ptce.financing.models import (
    UNIT_INSTRUMENTS,
    Campaign,
    CampaignState,
    Instrument,
    Oversubscription,
    PaymentStatus,
    Residency,
    Subscription,
)
from ptce.financing.privacy import erase_investor, export_investor_data
from ptce.financing.subscribing import (
    MAX_AMOUNT_CENTS,
    BulkResult,
    certificate_token,
    import_subscriptions,
    investor_ref,
    perimeter_codes,
    subscribe,
    subscription_problems,
)
from ptce.poles.models import Pole

__all__ = [
    "DEFAULT_CONSENT",
    "PERSONAL_FIELDS",
    "SUBSCRIPTION_AUDITED",
    "BulkResult",
    "RefundLine",
    "certificate_token",
    "close_campaign",
    "create_campaign",
    "erase_investor",
    "eur",
    "export_investor_data",
    "import_subscriptions",
    "investor_ref",
    "mark_paid",
    "mark_refunded",
    "open_campaign",
    "perimeter_codes",
    "refund_list",
    "settle_campaign",
    "subscribe",
    "subscription_problems",
    "update_campaign",
]

CAMPAIGN_FIELDS = (
    "title",
    "description",
    "instrument",
    "unit_price_cents",
    "minimum_cents",
    "target_cents",
    "cap_cents",
    "min_ticket_cents",
    "max_ticket_cents",
    "opens_at",
    "closes_at",
    "residency",
    "oversubscription",
    "consent_text",
    "consent_version",
)
# Once open, a campaign's rules are a promise to investors: only these may change.
OPEN_EDITABLE = frozenset({"title", "description", "closes_at"})
# What the audit log keeps of a subscription: no personal data.


def _int(errors: dict[str, str], values: dict[str, Any], field: str, label: str) -> None:
    value = values.get(field)
    if value in (None, ""):
        values[field] = None
        return
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("%(label)s doit être un nombre entier de centimes.") % {"label": label}
        return
    if number < 0:
        errors[field] = _("%(label)s ne peut être négatif.") % {"label": label}
    elif number > MAX_AMOUNT_CENTS:
        errors[field] = _("%(label)s ne peut dépasser %(m)s.") % {
            "label": label,
            "m": eur(MAX_AMOUNT_CENTS),
        }
    values[field] = number


# ----------------------------------------------------------------------------- campaigns


def _clean_campaign(pole: Pole, values: dict[str, Any]) -> dict[str, Any]:
    """Check a whole campaign (the union of stored and new values)."""
    v = dict(values)
    errors: dict[str, str] = {}
    v["title"] = (v.get("title") or "").strip()
    if len(v["title"]) < 3:
        errors["title"] = _("Le titre compte au moins 3 caractères.")
    if v.get("instrument") not in Instrument.values:
        errors["instrument"] = _("Instrument inconnu : %(v)s.") % {"v": v.get("instrument")}
    if v.get("residency") not in Residency.values:
        errors["residency"] = _("Condition de résidence inconnue : %(v)s.") % {
            "v": v.get("residency")
        }
    if v.get("oversubscription") not in Oversubscription.values:
        errors["oversubscription"] = _("Règle de sursouscription inconnue : %(v)s.") % {
            "v": v.get("oversubscription")
        }
    labels = {
        "unit_price_cents": _("Le prix unitaire"),
        "minimum_cents": _("Le montant minimum"),
        "target_cents": _("L'objectif"),
        "cap_cents": _("Le plafond"),
        "min_ticket_cents": _("Le ticket minimum"),
        "max_ticket_cents": _("Le ticket maximum"),
    }
    for field, label in labels.items():
        _int(errors, v, field, label)
    for field in ("minimum_cents", "target_cents", "min_ticket_cents"):
        if field not in errors and not v.get(field):
            errors[field] = _("%(label)s est obligatoire et supérieur à zéro.") % {
                "label": labels[field]
            }
    if v.get("instrument") in UNIT_INSTRUMENTS:
        if "unit_price_cents" not in errors and not v.get("unit_price_cents"):
            errors["unit_price_cents"] = _(
                "Le prix unitaire est obligatoire pour des parts, actions ou obligations."
            )
    else:
        v["unit_price_cents"] = None
    if not errors:
        unit = v["unit_price_cents"] or 100
        if v["minimum_cents"] > v["target_cents"]:
            errors["target_cents"] = _("L'objectif doit être au moins égal au montant minimum.")
        if v["cap_cents"] is not None and v["cap_cents"] < v["target_cents"]:
            errors["cap_cents"] = _("Le plafond doit être au moins égal à l'objectif.")
        if v["max_ticket_cents"] is not None and v["max_ticket_cents"] < v["min_ticket_cents"]:
            errors["max_ticket_cents"] = _(
                "Le ticket maximum doit être au moins égal au ticket minimum."
            )
        for field in ("min_ticket_cents", "max_ticket_cents", "cap_cents"):
            if v[field] is not None and v[field] % unit and field not in errors:
                errors[field] = _("%(label)s doit être un multiple de %(unit)s.") % {
                    "label": labels[field],
                    "unit": eur(unit),
                }
    opens_at, closes_at = v.get("opens_at"), v.get("closes_at")
    if not isinstance(opens_at, dt.datetime):
        errors["opens_at"] = _("La date d'ouverture est obligatoire.")
    if not isinstance(closes_at, dt.datetime):
        errors["closes_at"] = _("La date de clôture est obligatoire.")
    elif isinstance(opens_at, dt.datetime) and closes_at <= opens_at:
        errors["closes_at"] = _("La clôture doit venir après l'ouverture.")
    residents = v.get("residency") in {Residency.RESIDENTS_ONLY, Residency.RESIDENTS_FIRST}
    if residents and not pole.perimeter_id:
        errors["residency"] = _(
            "Le pôle n'a pas de périmètre : définissez-le avant de réserver la campagne "
            "à ses habitants ou de leur donner la priorité."
        )
    v["consent_text"] = (v.get("consent_text") or "").strip() or DEFAULT_CONSENT
    v["consent_version"] = (str(v.get("consent_version") or "1")).strip()[:20] or "1"
    v["description"] = (v.get("description") or "").strip()
    if errors:
        raise ValidationError(errors)
    return v


@transaction.atomic
def create_campaign(acting_user: User | None, *, project: Any, **values: Any) -> Campaign:
    pole = project.pole
    require_manager(acting_user, pole)
    unknown = set(values) - set(CAMPAIGN_FIELDS) - {"is_demo"}
    if unknown:
        raise TypeError(f"create_campaign() got unknown fields {sorted(unknown)}")
    is_demo = bool(values.pop("is_demo", False))
    defaults = {
        "residency": Residency.ALL,
        "oversubscription": Oversubscription.FIRST_COME,
    }
    cleaned = _clean_campaign(pole, {**defaults, **values})
    campaign = Campaign.objects.create(pole=pole, project=project, is_demo=is_demo, **cleaned)
    audit.record(acting_user, verb="create_campaign", obj=campaign, action=AuditEntry.Action.CREATE)
    return campaign


@transaction.atomic
def update_campaign(acting_user: User | None, *, campaign: Campaign, **values: Any) -> Campaign:
    require_manager(acting_user, campaign.pole)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"update_campaign() got unknown fields {sorted(unknown)}")
    if campaign.state != CampaignState.DRAFT:
        frozen = sorted(
            f for f in values if f not in OPEN_EDITABLE and values[f] != getattr(campaign, f)
        )
        if campaign.is_settled:
            frozen = sorted(f for f in values if values[f] != getattr(campaign, f))
        if frozen:
            raise ValidationError(
                {
                    f: _(
                        "Ce champ ne peut plus changer : la campagne est %(state)s et ses "
                        "règles engagent envers les investisseurs."
                    )
                    % {"state": campaign.get_state_display().lower()}
                    for f in frozen
                }
            )
    before = audit.snapshot(campaign)
    current = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS}
    cleaned = _clean_campaign(campaign.pole, {**current, **values})
    for field in CAMPAIGN_FIELDS:
        setattr(campaign, field, cleaned[field])
    campaign.save()
    audit.record(acting_user, verb="update_campaign", obj=campaign, before=before)
    return campaign


def _move(acting_user: User | None, campaign: Campaign, target: str, verb: str) -> None:
    if not states.can_move(campaign.state, target):
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("Une campagne %(state)s ne peut pas passer à l'état « %(t)s ».")
                % {
                    "state": campaign.get_state_display().lower(),
                    "t": CampaignState(target).label,
                }
            }
        )
    before = {"state": campaign.state}
    campaign.state = target
    campaign.save(update_fields=["state", "settled_at", "outcome", "updated_at"])
    audit.record(acting_user, verb=verb, obj=campaign, before=before, after={"state": target})


def _locked(campaign: Campaign) -> Campaign:
    return (
        Campaign.objects.select_for_update(of=("self",)).select_related("pole").get(pk=campaign.pk)
    )


@transaction.atomic
def open_campaign(acting_user: User | None, *, campaign: Campaign) -> Campaign:
    require_manager(acting_user, campaign.pole)
    locked = _locked(campaign)
    if locked.project.visibility != "public" and locked.state == CampaignState.DRAFT:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Le projet « %(p)s » n'est pas public : rendez-le public avant d'ouvrir "
                    "sa campagne aux souscriptions."
                )
                % {"p": locked.project}
            }
        )
    _move(acting_user, locked, CampaignState.OPEN, "open_campaign")
    return locked


def _requests(campaign: Campaign, subs: list[Subscription]) -> list[allotment.Request]:
    unit = campaign.unit_cents
    min_units = math.ceil(campaign.min_ticket_cents / unit)
    residents_first = campaign.residency == Residency.RESIDENTS_FIRST
    return [
        allotment.Request(
            units=s.amount_cents // unit,
            min_units=min(min_units, s.amount_cents // unit),
            priority=residents_first and s.is_local,
        )
        for s in subs
    ]


@transaction.atomic
def settle_campaign(
    acting_user: User | None, *, campaign: Campaign, now: dt.datetime | None = None
) -> Campaign:
    """Close the subscription period: succeeded (allotment to the cap) or failed (refunds)."""
    require_manager(acting_user, campaign.pole)
    locked = _locked(campaign)
    subs = list(locked.subscriptions.live().order_by("created_at", "id"))
    raised = sum(s.amount_cents for s in subs)
    result = states.outcome(raised, locked.minimum_cents)
    if result == states.State.SUCCEEDED and locked.state == CampaignState.OPEN:
        cap_units = None if locked.cap_cents is None else locked.cap_cents // locked.unit_cents
        given = allotment.allot(
            _requests(locked, subs),
            cap_units,
            locked.oversubscription,
            residents_first=locked.residency == Residency.RESIDENTS_FIRST,
        )
        changed = []
        for sub, units in zip(subs, given, strict=True):
            sub.allotted_cents = units * locked.unit_cents
            changed.append(sub)
        Subscription.objects.bulk_update(changed, ["allotted_cents"], batch_size=500)
    locked.settled_at = now or timezone.now()
    locked.outcome = result
    _move(acting_user, locked, result, "settle_campaign")
    return locked


@transaction.atomic
def close_campaign(acting_user: User | None, *, campaign: Campaign) -> Campaign:
    """Archive a settled campaign, once every refund due has been made."""
    require_manager(acting_user, campaign.pole)
    locked = _locked(campaign)
    pending = [line for line in refund_list(locked) if not line.done]
    if pending and locked.state in {CampaignState.SUCCEEDED, CampaignState.FAILED}:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "Il reste %(n)s remboursement(s) à effectuer avant de clôturer la campagne."
                )
                % {"n": len(pending)}
            }
        )
    _move(acting_user, locked, CampaignState.CLOSED, "close_campaign")
    return locked


# ----------------------------------------------------------------------------- payments


def _locked_subscription(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("campaign__pole")
        .get(pk=subscription.pk)
    )


@transaction.atomic
def mark_paid(
    acting_user: User | None, *, subscription: Subscription, at: dt.datetime | None = None
) -> Subscription:
    require_manager(acting_user, subscription.campaign.pole)
    sub = _locked_subscription(subscription)
    if sub.payment_status != PaymentStatus.PLEDGED:
        raise ValidationError(
            {
                "payment_status": _(
                    "Seule une promesse peut être marquée comme versée (état actuel : %(s)s)."
                )
                % {"s": sub.get_payment_status_display().lower()}
            }
        )
    if sub.campaign.state not in {CampaignState.OPEN, CampaignState.SUCCEEDED}:
        raise ValidationError(
            {
                "payment_status": _(
                    "La campagne est %(s)s : aucun versement ne peut plus être enregistré."
                )
                % {"s": sub.campaign.get_state_display().lower()}
            }
        )
    before = audit.snapshot(sub, SUBSCRIPTION_AUDITED)
    sub.payment_status = PaymentStatus.PAID
    sub.paid_at = at or timezone.now()
    sub.save(update_fields=["payment_status", "paid_at"])
    audit.record(
        acting_user,
        verb="mark_paid",
        obj=sub,
        before=before,
        after=audit.snapshot(sub, SUBSCRIPTION_AUDITED),
        object_repr=str(sub.public_id),
    )
    return sub


@transaction.atomic
def mark_refunded(
    acting_user: User | None, *, subscription: Subscription, at: dt.datetime | None = None
) -> Subscription:
    require_manager(acting_user, subscription.campaign.pole)
    sub = _locked_subscription(subscription)
    if sub.payment_status != PaymentStatus.PAID:
        raise ValidationError(
            {
                "payment_status": _(
                    "Seul un versement reçu peut être remboursé (état actuel : %(s)s)."
                )
                % {"s": sub.get_payment_status_display().lower()}
            }
        )
    settled_ok = sub.campaign.outcome == CampaignState.SUCCEEDED
    if settled_ok and sub.allotted_cents is not None and sub.allotted_cents >= sub.amount_cents:
        raise ValidationError(
            {
                "payment_status": _(
                    "Rien à rembourser : la campagne a réussi et cette souscription est "
                    "attribuée en totalité."
                )
            }
        )
    before = audit.snapshot(sub, SUBSCRIPTION_AUDITED)
    sub.payment_status = PaymentStatus.REFUNDED
    sub.refunded_at = at or timezone.now()
    if sub.campaign.state == CampaignState.OPEN:
        sub.allotted_cents = None  # a withdrawal while open: it no longer counts
    sub.save(update_fields=["payment_status", "refunded_at", "allotted_cents"])
    audit.record(
        acting_user,
        verb="mark_refunded",
        obj=sub,
        before=before,
        after=audit.snapshot(sub, SUBSCRIPTION_AUDITED),
        object_repr=str(sub.public_id),
    )
    return sub


@dataclass(frozen=True)
class RefundLine:
    subscription: Subscription
    refund_cents: int
    done: bool


def refund_list(campaign: Campaign) -> list[RefundLine]:
    """Who must get money back: every payment of a failed campaign; of a succeeded one, what
    was paid beyond the allotment. `done` once the coordinator marked it refunded."""
    if campaign.state not in {CampaignState.SUCCEEDED, CampaignState.FAILED, CampaignState.CLOSED}:
        return []
    failed = campaign.outcome == CampaignState.FAILED
    subs = list(
        campaign.subscriptions.filter(
            payment_status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED]
        )
        .select_related("commune")
        .order_by("created_at", "id")
    )
    by_pk = {s.pk: s for s in subs}
    rows = [
        (s.pk, s.amount_cents, s.amount_cents if s.allotted_cents is None else s.allotted_cents)
        for s in subs
    ]
    state = states.State.FAILED if failed else states.State.SUCCEEDED
    return [
        RefundLine(
            subscription=by_pk[r.key],
            refund_cents=r.refund_cents,
            done=by_pk[r.key].payment_status == PaymentStatus.REFUNDED,
        )
        for r in states.refunds(rows, state)
    ]
