"""Reads on hubs: members at a date, eligibility and profile computed from the database.

The rules themselves live in the pure modules `eligibility` and `profile`; this module
gathers their facts in a bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from ptce.actors.models import ActorType, Establishment
from ptce.poles import eligibility, profile
from ptce.poles.models import Membership, Pole

SOLE_TRADER = "1000"  # catégorie juridique: entrepreneur individuel


def members(pole: Pole, *, day: dt.date | None = None) -> QuerySet[Membership]:
    """The hub's memberships in force on `day` (today by default), with their organisation."""
    qs = pole.memberships.at(day) if day else pole.memberships.current()
    return qs.with_actor_type().select_related("organisation", "college")


def _with_anchoring(qs: QuerySet[Membership], pole: Pole) -> QuerySet[Membership]:
    if not pole.perimeter_id:
        return qs
    inside = Establishment.objects.filter(
        organisation=OuterRef("organisation_id"),
        active=True,
        code_commune__in=pole.perimeter.communes.values("code_insee"),
    )
    return qs.annotate(in_perimeter=Exists(inside))


def eligibility_conditions(pole: Pole) -> list[eligibility.Condition]:
    facts = eligibility.HubFacts(
        carrier_legal_form=pole.legal_form or None,
        carrier_private_law=pole.carrier_private_law,
        members=[
            eligibility.MemberFacts(
                actor_type=m.effective_actor_type,
                legal_person=_legal_person(m),
                ess=m.effective_actor_type == ActorType.ESS,
            )
            for m in members(pole)
        ],
        common_strategy_formalised=pole.common_strategy_formalised,
        long_term_commitment=pole.long_term_commitment,
        pooled_resources=pole.pooled_resources,
    )
    return eligibility.evaluate(facts)


def _legal_person(membership: Membership) -> bool | None:
    organisation = membership.organisation
    if membership.effective_actor_type == ActorType.PERSON:
        return False
    if organisation.categorie_juridique == SOLE_TRADER:
        return False  # an entrepreneur individuel is a natural person
    if organisation.siren or organisation.categorie_juridique:
        return True
    return None


def hub_profile(pole: Pole, *, today: dt.date | None = None) -> profile.HubProfile:
    rows = _with_anchoring(members(pole), pole)
    facts = [
        profile.MemberProfileFacts(
            actor_type=m.effective_actor_type,
            ess_family=m.organisation.ess_family,
            tranche_effectifs=m.organisation.tranche_effectifs or None,
            in_perimeter=getattr(m, "in_perimeter", None),
        )
        for m in rows
    ]
    return profile.compute_profile(
        facts, created=pole.created_on, today=today or timezone.localdate()
    )


def summary(pole: Pole) -> dict[str, Any]:
    conditions = eligibility_conditions(pole)
    return {
        "conditions": conditions,
        "decret": eligibility.decret_eligible(conditions),
        "profile": hub_profile(pole),
    }
