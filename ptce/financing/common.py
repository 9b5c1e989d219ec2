"""What the financing services share: the coordination check, locking a campaign, euros."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ptce.core import i18n
from ptce.core.models import User
from ptce.financing.models import Campaign
from ptce.poles import permissions
from ptce.poles.models import Pole

DEFAULT_CONSENT = (
    "J'accepte que mes données (identité, adresse, e-mail, montant et coordonnées bancaires) "
    "soient traitées par le pôle pour gérer ma souscription et tenir le registre des "
    "investisseurs. Je peux demander à tout moment l'export ou l'effacement de mes données ; "
    "les montants et dates sont conservés le temps exigé par la loi comptable."
)
# What the audit log keeps of a subscription: no personal data.
SUBSCRIPTION_AUDITED = (
    "campaign_id",
    "public_id",
    "investor_ref",
    "investor_kind",
    "is_local",
    "units",
    "amount_cents",
    "allotted_cents",
    "payment_status",
    "paid_at",
    "refunded_at",
    "consent_at",
    "consent_version",
)
PERSONAL_FIELDS = ("name", "representative", "email", "address", "postcode", "iban", "bic")


# The largest primary key the database can hold (bigint): anything above is "not found",
# never an overflow error.
MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID


def eur(cents: int | None) -> str:
    return i18n.euros(int(cents or 0), True)


def require_manager(acting_user: User | None, pole: Pole) -> None:
    if acting_user is not None and not permissions.can_manage_pole(acting_user, pole):
        raise PermissionDenied(_("Seule la coordination du pôle peut gérer ses campagnes."))


def locked(campaign: Campaign | int) -> Campaign | None:
    """The campaign's row, locked until the end of the transaction (its hub joined, unlocked)."""
    pk = campaign.pk if isinstance(campaign, Campaign) else int(campaign)
    if not is_id(pk):
        return None
    return (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("pole")
        .filter(pk=pk)
        .first()
    )
