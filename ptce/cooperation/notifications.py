"""E-mails about synergy proposals: one message when proposals concerning a member's
organisations are made, or a weekly digest for those who chose it.

A person is told only of the proposals they may see (`Proposal.objects.visible_to`): a
proposal built on a need or an offer for the coordination only is never mailed to another
member. Prospects concern the coordination and are not mailed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce.actors.models import Affiliation
from ptce.cooperation import reasons
from ptce.cooperation.models import (
    Confidentiality,
    Declaration,
    Frequency,
    NotificationPreference,
    Proposal,
    ProposalKind,
    ProposalOrganisation,
)
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles.models import Pole, PoleRole

DIGEST_DAYS = 7


def _proposal_lines(proposals: Sequence[Proposal]) -> list[str]:
    lines: list[str] = []
    for proposal in proposals:
        lines.append(
            _("• %(kind)s (score %(score)s %%)")
            % {
                "kind": proposal.get_kind_display(),
                "score": reasons.number(round(float(proposal.score) * 100, 1)),
            }
        )
        for reason in reasons.rows(proposal.reasons):
            lines.append(f"    – {reason['message']}")
    return lines


def _send(user: User, pole: Pole, proposals: Sequence[Proposal], *, digest: bool) -> None:
    url = settings.SITE_URL.rstrip("/") + reverse("cooperation:proposals", args=[pole.slug])
    subject = (
        _("Résumé de la semaine : %(n)s proposition(s) de coopération — %(pole)s")
        if digest
        else _("%(n)s nouvelle(s) proposition(s) de coopération — %(pole)s")
    ) % {"n": len(proposals), "pole": pole.name}
    body = "\n".join(
        [
            _("Bonjour,"),
            "",
            _("La recherche de synergies du pôle %(pole)s propose à votre organisation :")
            % {"pole": pole.name},
            "",
            *_proposal_lines(proposals),
            "",
            _("Pour accepter ou décliner : %(url)s") % {"url": url},
            "",
            _(
                "Vous pouvez choisir un résumé hebdomadaire ou ne plus recevoir ces messages "
                "depuis la même page."
            ),
        ]
    )
    send_mail(subject, body, None, [user.email])


def _recipients(pole: Pole, proposal_ids: Iterable[int]) -> dict[int, list[int]]:
    """user id -> proposal ids they may see among `proposal_ids`, for the people who
    speak for an organisation concerned and hold a role on the hub (bounded queries)."""
    ids = list(proposal_ids)
    concerned: dict[int, set[int]] = defaultdict(set)  # proposal -> organisations
    for proposal_id, organisation_id in ProposalOrganisation.objects.filter(
        proposal_id__in=ids, proposal__kind__in=[ProposalKind.EXCHANGE, ProposalKind.POOLING]
    ).values_list("proposal_id", "organisation_id"):
        concerned[proposal_id].add(organisation_id)
    secret: dict[int, set[int]] = defaultdict(set)  # proposal -> orgs of coordinators-only items
    for proposal_id, organisation_id in Declaration.objects.filter(
        proposals__in=ids, confidentiality=Confidentiality.COORDINATORS
    ).values_list("proposals", "organisation_id"):
        secret[proposal_id].add(organisation_id)
    organisations = {o for orgs in concerned.values() for o in orgs}
    with_role = PoleRole.objects.filter(pole=pole).values("user_id")
    coordinators = set(
        PoleRole.objects.filter(pole=pole, role=Role.COORDINATOR).values_list("user_id", flat=True)
    )
    speaks: dict[int, set[int]] = defaultdict(set)
    for user_id, organisation_id in Affiliation.objects.filter(
        organisation_id__in=organisations, user_id__in=with_role, user__is_active=True
    ).values_list("user_id", "organisation_id"):
        speaks[user_id].add(organisation_id)
    found: dict[int, list[int]] = {}
    for user_id, orgs in speaks.items():
        visible = [
            p for p in ids if concerned[p] & orgs and (user_id in coordinators or secret[p] <= orgs)
        ]
        if visible:
            found[user_id] = visible
    return found


def notify_new_proposals(pole: Pole, proposal_ids: Sequence[int]) -> int:
    """Mail the people concerned who want a message at once; returns the messages sent."""
    recipients = _recipients(pole, proposal_ids)
    if not recipients:
        return 0
    frequencies = dict(
        NotificationPreference.objects.filter(user_id__in=recipients).values_list(
            "user_id", "frequency"
        )
    )
    users = User.objects.in_bulk(
        [u for u in recipients if frequencies.get(u, Frequency.IMMEDIATE) == Frequency.IMMEDIATE]
    )
    proposals = Proposal.objects.in_bulk(list(proposal_ids))
    sent = 0
    for user_id, user in sorted(users.items()):
        chosen = sorted((proposals[p] for p in recipients[user_id]), key=lambda p: (p.rank, p.pk))
        _send(user, pole, chosen, digest=False)
        sent += 1
    return sent


def send_digests(*, now: dt.datetime | None = None) -> int:
    """The weekly digest of everyone who chose it: the proposals made since their last
    digest (at most `DIGEST_DAYS` days ago) that concern them and that they may see."""
    now = now or timezone.now()
    sent = 0
    preferences = NotificationPreference.objects.filter(frequency=Frequency.WEEKLY).select_related(
        "user"
    )
    for preference in preferences:
        since = max(
            preference.last_digest_at or now - dt.timedelta(days=DIGEST_DAYS),
            now - dt.timedelta(days=DIGEST_DAYS),
        )
        recent = Proposal.objects.filter(created_at__gt=since, created_at__lte=now)
        poles = Pole.objects.filter(
            Q(roles__user=preference.user) & Q(synergy_proposals__in=recent)
        ).distinct()
        for pole in poles:
            ids = list(recent.filter(pole=pole).values_list("pk", flat=True))
            visible = _recipients(pole, ids).get(preference.user_id, [])
            if visible:
                chosen = list(Proposal.objects.filter(pk__in=visible).order_by("rank", "pk"))
                _send(preference.user, pole, chosen, digest=True)
                sent += 1
        preference.last_digest_at = now
        preference.save(update_fields=["last_digest_at"])
    return sent
