"""`{% cooperation_counts pole as counts %}`: proposals made, accepted, declined, realised."""

from __future__ import annotations

from django import template

from ptce.cooperation import queries
from ptce.poles.models import Pole

register = template.Library()


@register.simple_tag
def cooperation_counts(pole: Pole) -> dict[str, int]:
    return queries.proposal_counts(pole)
