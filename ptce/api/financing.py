"""API of financing: a campaign with its totals and local share, public subscriptions
(rate-limited by client address) and the register for the hub's coordination."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from ptce.financing import queries, ratelimit, services
from ptce.financing.allotment import RULE_STATEMENTS
from ptce.financing.common import is_id
from ptce.financing.models import Campaign, Subscription
from ptce.poles import permissions

router = Router()


class Message(Schema):
    detail: str


class CommuneFigureOut(Schema):
    code_insee: str
    investors: int
    amount_cents: int
    local: bool


class OtherCommunesOut(Schema):
    departement: str | None = Field(description="code du département ; null : toute la France")
    label: str
    investors: int
    amount_cents: int
    local: bool = Field(description="au moins une des communes regroupées est dans le périmètre")


_WITHHELD_NOTE = (
    "null (secret statistique, voir `withheld`) quand la campagne compte moins de "
    "`disclosure_threshold` souscripteurs, ou quand les souscripteurs du territoire ou les "
    "autres (y compris ceux hors des communes publiées) sont de 1 à `disclosure_threshold` - 1"
)


class WithheldOut(Schema):
    field: str = Field(description="le nom du chiffre non publié")
    reason: str = Field(
        description=(
            "few_investors : moins de `disclosure_threshold` souscripteurs ; "
            "small_local_group : trop peu de souscripteurs du territoire ou d'ailleurs"
        )
    )
    detail: str = Field(description="la raison, en une phrase")


class CampaignOut(Schema):
    id: int
    pole: str
    project_id: int
    project: str
    title: str
    description: str
    instrument: str
    unit_price_cents: int | None
    minimum_cents: int
    target_cents: int
    cap_cents: int | None
    min_ticket_cents: int
    max_ticket_cents: int | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    residency: str
    oversubscription: str
    oversubscription_rule: str
    state: str
    raised_cents: int
    investors: int
    local_cents: int | None = Field(description=_WITHHELD_NOTE)
    local_investors: int | None = Field(description=_WITHHELD_NOTE)
    local_share_amount: float | None = Field(description=_WITHHELD_NOTE)
    local_share_investors: float | None = Field(description=_WITHHELD_NOTE)
    median_ticket_cents: int | None = Field(
        description="null sous `disclosure_threshold` souscripteurs (secret statistique)"
    )
    withheld: list[WithheldOut] = Field(
        description="les chiffres non publiés (null ci-dessus) et pourquoi ; vide sinon"
    )
    progress: float = Field(description="montant collecté / objectif")
    communes: list[CommuneFigureOut] = Field(
        description=(
            "les communes d'au moins `disclosure_threshold` souscripteurs (secret statistique)"
        )
    )
    other_communes: list[OtherCommunesOut] = Field(
        description=(
            "les autres communes regroupées (par département ou pour toute la France) ; avec "
            "`communes`, le total fait `investors` et `raised_cents`"
        )
    )
    disclosure_threshold: int


class SubscriptionIn(Schema):
    investor_kind: Literal["natural", "legal"] = "natural"
    name: str = Field(max_length=200)
    representative: str = Field("", max_length=200)
    email: str = Field(max_length=254)
    address: str = Field(max_length=255)
    postcode: str = Field(max_length=5)
    commune: str = Field(max_length=5, description="code INSEE de la commune de résidence")
    units: int | None = Field(None, ge=1, le=10_000_000)
    amount_cents: int | None = Field(None, ge=1, le=10**13)
    iban: str = Field("", max_length=42)
    bic: str = Field("", max_length=11)
    consent: bool = False


class SubscriptionCreated(Schema):
    reference: UUID
    certificate_url: str = Field(description="l'attestation de l'investisseur (lien personnel)")
    units: int | None
    amount_cents: int
    is_local: bool
    payment_status: str
    campaign: CampaignOut


class SubscriptionOut(Schema):
    reference: UUID = Field(alias="public_id")
    created_at: dt.datetime
    investor_kind: str
    name: str
    representative: str
    email: str
    address: str
    postcode: str
    commune: str | None = Field(None, alias="commune_id")
    is_local: bool
    units: int | None
    amount_cents: int
    allotted_cents: int | None
    payment_status: str
    paid_at: dt.datetime | None
    refunded_at: dt.datetime | None


class SubscriptionPage(Schema):
    count: int
    page: int
    pages: int
    results: list[SubscriptionOut]


class PageFilters(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(100, ge=1, le=500)
    payment_status: Literal["pledged", "paid", "refunded"] | None = None


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    campaign = (
        Campaign.objects.visible_to(request.user)
        .select_related("pole", "project")
        .filter(pk=campaign_id)
        .first()
        if is_id(campaign_id)
        else None
    )
    if campaign is None:
        raise Http404(_("Aucune campagne n'a le numéro %(id)s.") % {"id": campaign_id})
    return campaign


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


def campaign_payload(campaign: Campaign) -> dict[str, Any]:
    fig = queries.campaign_figures(campaign)
    public = queries.public_communes(fig)  # statistical disclosure, even for the coordination
    shown = public["figures"]
    reasons = queries.withheld_reasons(shown)
    return {
        **{f: getattr(campaign, f) for f in services.CAMPAIGN_FIELDS if f != "consent_text"},
        "id": campaign.pk,
        "pole": campaign.pole.slug,
        "project_id": campaign.project_id,
        "project": str(campaign.project),
        "oversubscription_rule": _(RULE_STATEMENTS[campaign.oversubscription]),
        "state": campaign.state,
        "raised_cents": shown.raised_cents,
        "investors": shown.investors,
        "local_cents": shown.local_cents,
        "local_investors": shown.local_investors,
        "local_share_amount": _rounded(shown.local_share_amount),
        "local_share_investors": _rounded(shown.local_share_investors),
        "median_ticket_cents": shown.median_ticket_cents,
        "withheld": [
            {"field": name, "reason": code, "detail": reasons[name]}
            for name, code in shown.withheld.items()
        ],
        "progress": round(fig.raised_cents / campaign.target_cents, 4),
        "communes": [
            {k: p[k] for k in ("code_insee", "investors", "amount_cents", "local")}
            for p in public["points"]
        ],
        "other_communes": public["others"],
        "disclosure_threshold": public["threshold"],
    }


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignOut, 404: Message},
    summary="Une campagne de financement, ses totaux et sa part locale",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return campaign_payload(_campaign(request, campaign_id))


@router.post(
    "/campaigns/{campaign_id}/subscriptions",
    response={201: SubscriptionCreated, 404: Message, 422: Message, 429: Message},
    summary="Souscrire (public, limité en nombre de requêtes par adresse)",
)
def create_subscription(
    request: HttpRequest, campaign_id: int, payload: SubscriptionIn
) -> Status[dict[str, Any]]:
    limit, window = ratelimit.subscribe_limit()
    verdict = ratelimit.hit("subscribe", ratelimit.client_ip(request), limit=limit, window=window)
    if not verdict.allowed:
        raise HttpError(
            429,
            _(
                "Trop de souscriptions depuis votre adresse : %(n)s au plus. "
                "Réessayez dans %(s)s secondes."
            )
            % {"n": ratelimit.describe(limit, window), "s": verdict.retry_after},
        )
    campaign = _campaign(request, campaign_id)
    acting = request.user if request.user.is_authenticated else None
    try:
        sub = services.subscribe(acting, campaign=campaign, **payload.model_dump())
    except ValidationError as error:
        if hasattr(error, "error_dict") and "amount" in error.error_dict:
            error.error_dict["amount_cents"] = error.error_dict.pop("amount")  # the API's name
        raise
    campaign.refresh_from_db()
    return Status(
        201,
        {
            "reference": sub.public_id,
            "certificate_url": request.build_absolute_uri(
                reverse(
                    "financing:my_certificate",
                    args=[campaign.pk, sub.public_id, services.certificate_token(sub)],
                )
            ),
            "units": sub.units,
            "amount_cents": sub.amount_cents,
            "is_local": sub.is_local,
            "payment_status": sub.payment_status,
            "campaign": campaign_payload(campaign),
        },
    )


@router.get(
    "/campaigns/{campaign_id}/subscriptions",
    response={200: SubscriptionPage, 403: Message, 404: Message},
    summary="Le registre des souscriptions (coordination du pôle)",
)
def list_subscriptions(
    request: HttpRequest, campaign_id: int, filters: Query[PageFilters]
) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id)
    if not permissions.can_manage_pole(request.user, campaign.pole):
        raise HttpError(403, _("Seule la coordination du pôle peut lire les souscriptions."))
    qs = Subscription.objects.filter(campaign=campaign).order_by("created_at", "id")
    if filters.payment_status:
        qs = qs.filter(payment_status=filters.payment_status)
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    return {
        "count": count,
        "page": filters.page,
        "pages": max(math.ceil(count / filters.page_size), 1),
        "results": list(qs[start : start + filters.page_size]),
    }
