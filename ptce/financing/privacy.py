"""A person's data on request: export (right of access) and erasure (right to erasure),
keeping what accounting law requires."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.core import audit
from ptce.core.models import AuditEntry, User
from ptce.financing.common import PERSONAL_FIELDS, require_manager
from ptce.financing.models import Subscription
from ptce.financing.subscribing import investor_ref
from ptce.poles.models import Pole

# ----------------------------------------------------------------------------- personal data


def _subscriptions_of(pole: Pole, email: str) -> Any:
    return (
        Subscription.objects.of_pole(pole)
        .filter(investor_ref=investor_ref(email), erased_at__isnull=True)
        .select_related("campaign", "commune")
        .order_by("created_at", "id")
    )


def export_investor_data(acting_user: User | None, *, pole: Pole, email: str) -> dict[str, Any]:
    """Everything the hub holds on the person with this e-mail (right of access)."""
    require_manager(acting_user, pole)
    subs = list(_subscriptions_of(pole, email))
    data = {
        "email": email.strip().lower(),
        "pole": pole.name,
        "subscriptions": [
            {
                "reference": str(s.public_id),
                "campaign": s.campaign.title,
                "investor_kind": s.investor_kind,
                **{f: getattr(s, f) for f in PERSONAL_FIELDS},
                "commune": s.commune.nom if s.commune else "",
                "code_insee": s.commune_id or "",
                "is_local": s.is_local,
                "units": s.units,
                "amount_cents": s.amount_cents,
                "allotted_cents": s.allotted_cents,
                "payment_status": s.payment_status,
                "paid_at": s.paid_at.isoformat() if s.paid_at else None,
                "refunded_at": s.refunded_at.isoformat() if s.refunded_at else None,
                "consent_at": s.consent_at.isoformat(),
                "consent_version": s.consent_version,
                "created_at": s.created_at.isoformat(),
            }
            for s in subs
        ],
    }
    with transaction.atomic():
        for s in subs:
            audit.record(
                acting_user,
                verb="export_investor_data",
                obj=s,
                action=AuditEntry.Action.OTHER,
                after={},
                object_repr=str(s.public_id),
            )
    return data


@transaction.atomic
def erase_investor(acting_user: User | None, *, pole: Pole, email: str) -> int:
    """Erase a person's data (right to erasure) from every subscription to the hub's campaigns.

    Kept, as accounting law requires: the pseudonymised reference and investor key, amounts,
    units, allotment, payment status and dates, and whether the investor was local (for the
    published aggregate indicators). Erased: name, representative, e-mail, address, postcode,
    commune, IBAN, BIC; the audit entries' details.
    """
    require_manager(acting_user, pole)
    subs = list(_subscriptions_of(pole, email).select_for_update(of=("self",)))
    now = timezone.now()
    for s in subs:
        for f in PERSONAL_FIELDS:
            setattr(s, f, "")
        s.commune = None
        s.erased_at = now
        s.save(update_fields=[*PERSONAL_FIELDS, "commune", "erased_at"])
        label = _("Souscription %(ref)s (données effacées)") % {"ref": s.public_id}
        audit.forget(s, label=label)
        audit.record(
            acting_user,
            verb="erase_investor",
            obj=s,
            action=AuditEntry.Action.OTHER,
            after={"erased_at": now.isoformat()},
            object_repr=label,
        )
    return len(subs)
