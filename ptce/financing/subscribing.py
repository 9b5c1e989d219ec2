"""Subscribing to a campaign: the public path (`subscribe`) and the bulk one.

The cap is never exceeded: `subscribe` locks the campaign row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite runs IMMEDIATE transactions, one writer at a time) and checks the room
left inside the same transaction. Refusals are ValidationErrors with French messages keyed by
field ("__all__" for the campaign's state and dates).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.financing import common, states
from ptce.financing.common import PERSONAL_FIELDS, SUBSCRIPTION_AUDITED, eur, require_manager
from ptce.financing.models import (
    Campaign,
    CampaignState,
    InvestorKind,
    PaymentStatus,
    Residency,
    Subscription,
)
from ptce.poles.models import Pole
from ptce.territories.models import Commune

# ----------------------------------------------------------------------------- subscribing

# Bounds on what one subscription may ask, far above any real ticket, that keep the numbers
# inside the database's columns (units: integer; cents: bigint).
MAX_UNITS = 10_000_000
MAX_AMOUNT_CENTS = 10**13  # 100 billion euros


def investor_ref(email: str) -> str:
    """A pseudonymised, stable investor key: HMAC of the normalised e-mail (kept on erasure)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def certificate_token(subscription: Subscription) -> str:
    """The key of the investor's own certificate link: an HMAC of the subscription's public
    reference (only the person who subscribed is given it)."""
    return salted_hmac(
        "ptce.financing.certificate", str(subscription.public_id), algorithm="sha256"
    ).hexdigest()[:32]


def _clean_bank(errors: dict[str, str], values: dict[str, Any]) -> None:
    iban = (values.get("iban") or "").strip()
    bic = (values.get("bic") or "").strip()
    values["iban"] = values["bic"] = ""
    if iban:
        try:
            values["iban"] = stdnum_iban.validate(iban)
        except StdnumError:
            errors["iban"] = _(
                "L'IBAN « %(v)s » n'est pas valide (pays, longueur ou clé de contrôle)."
            ) % {"v": iban[:40]}
    if bic:
        try:
            values["bic"] = stdnum_bic.validate(bic)
        except StdnumError:
            errors["bic"] = _("Le BIC « %(v)s » n'est pas valide (8 ou 11 caractères).") % {
                "v": bic[:20]
            }


def _clean_person(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    v: dict[str, Any] = {
        k: (values.get(k) or "") if not isinstance(values.get(k), str) else values[k].strip()
        for k in (*PERSONAL_FIELDS, "investor_kind")
    }
    errors: dict[str, str] = {}
    kind = v["investor_kind"] or InvestorKind.NATURAL
    if kind not in InvestorKind.values:
        errors["investor_kind"] = _("Type d'investisseur inconnu : %(v)s.") % {"v": kind}
    v["investor_kind"] = kind
    if len(v["name"]) < 2:
        errors["name"] = (
            _("Indiquez la raison sociale de la personne morale.")
            if kind == InvestorKind.LEGAL
            else _("Indiquez vos nom et prénom.")
        )
    if kind == InvestorKind.LEGAL and len(v["representative"]) < 2:
        errors["representative"] = _("Indiquez qui représente la personne morale.")
    try:
        validate_email(v["email"])
    except ValidationError:
        errors["email"] = _("L'adresse e-mail « %(v)s » n'est pas valide.") % {"v": v["email"]}
    if len(v["address"]) < 3:
        errors["address"] = _("Indiquez l'adresse (numéro et voie).")
    if not (len(v["postcode"]) == 5 and v["postcode"].isdigit()):
        errors["postcode"] = _("Le code postal compte 5 chiffres.")
    _clean_bank(errors, v)
    return v, errors


def _commune(value: Any, postcode: str, errors: dict[str, str]) -> Commune | None:
    if isinstance(value, Commune):
        commune: Commune | None = value
    elif value:
        commune = Commune.objects.light().filter(code_insee=str(value).strip()).first()
        if commune is None:
            errors["commune"] = _("Commune inconnue : %(v)s.") % {"v": str(value)[:20]}
            return None
    else:
        errors["commune"] = _("Choisissez votre commune de résidence.")
        return None
    if (
        commune is not None
        and postcode
        and commune.codes_postaux
        and postcode not in commune.postal_codes
        and "postcode" not in errors
    ):
        errors["postcode"] = _("Le code postal %(cp)s n'est pas celui de %(c)s (%(codes)s).") % {
            "cp": postcode,
            "c": commune.nom,
            "codes": ", ".join(commune.postal_codes),
        }
    return commune


def perimeter_codes(pole: Pole) -> frozenset[str]:
    if not pole.perimeter_id:
        return frozenset()
    return frozenset(pole.perimeter.communes.values_list("code_insee", flat=True))


def _is_local(pole: Pole, commune: Commune | None) -> bool:
    if commune is None or not pole.perimeter_id:
        return False
    return pole.perimeter.communes.filter(pk=commune.pk).exists()


def _amount(campaign: Campaign, values: Mapping[str, Any], errors: dict[str, str]) -> int:
    """The amount in cents: units x unit price, or the amount given (whole euros)."""
    field = "units" if campaign.has_units else "amount"
    raw = values.get("units") if campaign.has_units else values.get("amount_cents")
    if raw is None or raw == "":
        errors[field] = (
            _("Le nombre de titres est obligatoire.")
            if campaign.has_units
            else _("Le montant est obligatoire.")
        )
        return 0
    try:
        number = int(raw)
    except (TypeError, ValueError):
        errors[field] = (
            _("Le nombre de titres doit être un nombre entier.")
            if campaign.has_units
            else _("Le montant doit être un nombre d'euros.")
        )
        return 0
    if number <= 0:
        errors[field] = (
            _("Le nombre de titres doit être supérieur à zéro.")
            if campaign.has_units
            else _("Le montant doit être supérieur à zéro.")
        )
        return 0
    if campaign.has_units and number > MAX_UNITS:
        errors[field] = _("Le nombre de titres ne peut dépasser %(n)s.") % {
            "n": f"{MAX_UNITS:,}".replace(",", "\u00a0")
        }
        return 0
    amount = number * campaign.unit_cents if campaign.has_units else number
    if amount > MAX_AMOUNT_CENTS:
        errors[field] = _("Le montant ne peut dépasser %(m)s.") % {"m": eur(MAX_AMOUNT_CENTS)}
        return 0
    return amount


def _ticket_errors(campaign: Campaign, amount: int, already: int, room: int | None) -> str:
    field_msg = []
    rules = states.TicketRules(
        unit_cents=campaign.unit_cents,
        min_ticket_cents=campaign.min_ticket_cents,
        max_ticket_cents=campaign.max_ticket_cents,
        already_cents=already,
        room_cents=room,
    )
    for code, detail in states.ticket_problems(amount, rules):
        if code == "unit":
            field_msg.append(_("Le montant s'exprime en euros entiers."))
        elif code == "min":
            field_msg.append(
                _("Le montant (%(a)s) est inférieur au ticket minimum de %(m)s.")
                % {"a": eur(amount), "m": eur(campaign.min_ticket_cents)}
            )
        elif code == "max":
            field_msg.append(
                _(
                    "Le montant (%(a)s) dépasse le ticket maximum de %(m)s par investisseur "
                    "(reste possible pour vous : %(r)s)."
                )
                % {"a": eur(amount), "m": eur(campaign.max_ticket_cents), "r": eur(int(detail))}
            )
        elif code == "room":
            if int(detail) < campaign.min_ticket_cents:
                field_msg.append(
                    _("La campagne a atteint son plafond de %(c)s : plus de souscription possible.")
                    % {"c": eur(campaign.cap_cents)}
                )
            else:
                field_msg.append(
                    _(
                        "Le montant (%(a)s) dépasse ce qui reste avant le plafond de la "
                        "campagne : %(r)s."
                    )
                    % {"a": eur(amount), "r": eur(int(detail))}
                )
    return " ".join(field_msg)


def _state_error(campaign: Campaign, now: dt.datetime) -> str:
    if campaign.state != CampaignState.OPEN:
        return _("Cette campagne n'accepte pas de souscription : elle est %(s)s.") % {
            "s": campaign.get_state_display().lower()
        }
    if not states.accepts_subscriptions(campaign.state, now, campaign.opens_at, campaign.closes_at):
        return _(
            "Les souscriptions sont ouvertes du %(a)s au %(b)s : hors de ces dates, "
            "elles sont refusées."
        ) % {
            "a": date_format(timezone.localtime(campaign.opens_at), "DATETIME_FORMAT"),
            "b": date_format(timezone.localtime(campaign.closes_at), "DATETIME_FORMAT"),
        }
    return ""


@dataclass
class _Checked:
    person: dict[str, Any]
    commune: Commune | None
    is_local: bool
    amount: int
    ref: str


def _check_subscription(
    campaign: Campaign,
    values: Mapping[str, Any],
    *,
    now: dt.datetime,
    local_codes: frozenset[str] | None = None,
) -> tuple[_Checked, dict[str, str]]:
    """Everything but the room left, which needs the lock."""
    person, errors = _clean_person(values)
    commune = _commune(values.get("commune"), person["postcode"], errors)
    if local_codes is not None:
        is_local = commune is not None and commune.pk in local_codes
    else:
        is_local = _is_local(campaign.pole, commune)
    if campaign.residency == Residency.RESIDENTS_ONLY and commune is not None and not is_local:
        errors["commune"] = _(
            "Cette campagne est réservée aux habitants du périmètre du pôle ; %(c)s n'en fait "
            "pas partie."
        ) % {"c": commune.nom}
    amount = _amount(campaign, values, errors)
    if not values.get("consent"):
        errors["consent"] = _(
            "Cochez la case de consentement pour que votre souscription soit enregistrée."
        )
    state = _state_error(campaign, now)
    if state:
        errors[NON_FIELD_ERRORS] = state
    ref = investor_ref(person["email"]) if "email" not in errors else ""
    return _Checked(person, commune, is_local, amount, ref), errors


def subscription_problems(
    campaign: Campaign, values: Mapping[str, Any], *, now: dt.datetime | None = None
) -> dict[str, str]:
    """What `subscribe` would refuse in these values, the room left aside (it needs the lock):
    a form shows every problem at once, not one round after another."""
    _checked, errors = _check_subscription(campaign, values, now=now or timezone.now())
    return errors


def _build(campaign: Campaign, c: _Checked, now: dt.datetime, is_demo: bool) -> Subscription:
    return Subscription(
        campaign=campaign,
        investor_ref=c.ref,
        commune=c.commune,
        is_local=c.is_local,
        units=c.amount // campaign.unit_cents if campaign.has_units else None,
        amount_cents=c.amount,
        consent_at=now,
        consent_version=campaign.consent_version,
        is_demo=is_demo,
        **c.person,
    )


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscribe(
    acting_user: User | None,
    *,
    campaign: Campaign | int,
    now: dt.datetime | None = None,
    **values: Any,
) -> Subscription:
    """A public subscription: person, address, commune, units or amount, bank, consent."""
    now = now or timezone.now()
    locked = common.locked(campaign)  # the lock that keeps the cap: held until commit
    if locked is None:
        raise ValidationError({NON_FIELD_ERRORS: _("Campagne introuvable.")})
    checked, errors = _check_subscription(locked, values, now=now)
    _raise(errors)
    field = "units" if locked.has_units else "amount"
    live = locked.subscriptions.live()
    already = live.filter(investor_ref=checked.ref).aggregate(t=Sum("amount_cents"))["t"] or 0
    room = None
    if locked.hard_cap:
        total = live.aggregate(t=Sum("amount_cents"))["t"] or 0
        room = int(locked.cap_cents or 0) - int(total)
    message = _ticket_errors(locked, checked.amount, int(already), room)
    if message:
        raise ValidationError({field: message})
    sub = _build(locked, checked, now, bool(values.get("is_demo")))
    sub.save()
    audit.record(
        acting_user,
        verb="subscribe",
        obj=sub,
        action=AuditEntry.Action.CREATE,
        after=audit.snapshot(sub, SUBSCRIPTION_AUDITED),
        object_repr=str(sub.public_id),
    )
    return sub


@dataclass
class BulkResult:
    created: int
    rejected: list[tuple[int, dict[str, list[str]]]]


@transaction.atomic
def import_subscriptions(
    acting_user: User | None,
    *,
    campaign: Campaign,
    rows: Iterable[Mapping[str, Any]],
    now: dt.datetime | None = None,
    is_demo: bool = False,
    paid_at: dt.datetime | None = None,
) -> BulkResult:
    """Many subscriptions at once (a register kept elsewhere, the demo), under the same rules
    as `subscribe`: one lock, the room and each investor's total checked row after row,
    rejected rows reported by line number; created in bulk with one audit entry."""
    require_manager(acting_user, campaign.pole)
    now = now or timezone.now()
    locked = common.locked(campaign)
    assert locked is not None
    local_codes = perimeter_codes(locked.pole)
    field = "units" if locked.has_units else "amount"
    live = locked.subscriptions.live()
    total = int(live.aggregate(t=Sum("amount_cents"))["t"] or 0)
    per_investor: dict[str, int] = {}
    for ref, amount in live.values_list("investor_ref", "amount_cents"):
        per_investor[ref] = per_investor.get(ref, 0) + amount
    rows = list(rows)
    codes = {str(r.get("commune")) for r in rows if isinstance(r.get("commune"), str)}
    communes = {c.pk: c for c in Commune.objects.light().filter(pk__in=codes)}  # one query
    to_create: list[Subscription] = []
    rejected: list[tuple[int, dict[str, list[str]]]] = []
    for line, row in enumerate(rows, start=1):
        values = dict(row)
        code = values.get("commune")
        if isinstance(code, str) and code in communes:
            values["commune"] = communes[code]
        checked, errors = _check_subscription(locked, values, now=now, local_codes=local_codes)
        if not errors:
            room = int(locked.cap_cents or 0) - total if locked.hard_cap else None
            already = per_investor.get(checked.ref, 0)
            message = _ticket_errors(locked, checked.amount, already, room)
            if message:
                errors[field] = message
        if errors:
            rejected.append((line, {k: [v] for k, v in errors.items()}))
            continue
        total += checked.amount
        per_investor[checked.ref] = per_investor.get(checked.ref, 0) + checked.amount
        sub = _build(locked, checked, now, is_demo)
        if paid_at is not None:  # a register kept elsewhere, where payments were received
            sub.payment_status, sub.paid_at = PaymentStatus.PAID, paid_at
        to_create.append(sub)
    Subscription.objects.bulk_create(to_create, batch_size=500)
    audit.record(
        acting_user,
        verb="import_subscriptions",
        obj=locked,
        after={"created": len(to_create), "rejected": len(rejected)},
    )
    return BulkResult(created=len(to_create), rejected=rejected)
