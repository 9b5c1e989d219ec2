"""Pages of cooperation: needs and offers, synergy proposals, the cooperation graph and its
links, notification preferences."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.actors.models import Establishment, Organisation
from ptce.cooperation import queries, reasons, services
from ptce.cooperation.models import (
    CooperationLink,
    Declaration,
    DeclarationStatus,
    Frequency,
    LinkType,
    NotificationPreference,
    Proposal,
    ProposalKind,
    ProposalOrganisation,
    Side,
    SynergyRun,
)
from ptce.poles import permissions
from ptce.poles.models import Membership, Pole
from ptce.web.forms_cooperation import (
    DECLARATION_ERROR_FIELDS,
    LINK_ERROR_FIELDS,
    DeclarationForm,
    DeclineForm,
    LinkForm,
    PreferenceForm,
)
from ptce.web.forms_poles import apply_errors
from ptce.web.views.hub import HubAccess, hub_page

SIDE_SLUGS = {"besoins": Side.NEED, "offres": Side.OFFER}
PAGE_SIZE = 200


def ctx(access: HubAccess, **extra: Any) -> dict[str, Any]:
    return {"pole": access.pole, "access": access, "section": "cooperation", **extra}


def member_organisations(access: HubAccess) -> list[Organisation]:
    ids = Membership.objects.filter(pole=access.pole, left_on__isnull=True).values(
        "organisation_id"
    )
    return list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk"))


def acting_organisations(access: HubAccess) -> list[Organisation]:
    """Who the visitor declares for: every member for coordination, else their own."""
    if access.manages:
        return member_organisations(access)
    return list(Organisation.objects.filter(pk__in=access.organisation_ids).order_by("name", "pk"))


@require_http_methods(["GET", "POST"])
@hub_page()
def index(request: HttpRequest, access: HubAccess) -> HttpResponse:
    preference = NotificationPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(
        request.POST or None,
        initial={"frequency": preference.frequency if preference else Frequency.IMMEDIATE},
    )
    if request.method == "POST" and form.is_valid():
        services.set_notification_frequency(request.user, frequency=form.cleaned_data["frequency"])
        messages.success(request, _("Préférence enregistrée."))
        return redirect("cooperation:index", access.pole.slug)
    context = ctx(
        access,
        counts=queries.proposal_counts(access.pole),
        last_run=SynergyRun.objects.filter(pole=access.pole).first(),
        needs=Declaration.objects.visible_to(request.user, access.pole)
        .active()
        .filter(side=Side.NEED)
        .count(),
        offers=Declaration.objects.visible_to(request.user, access.pole)
        .active()
        .filter(side=Side.OFFER)
        .count(),
        links=CooperationLink.objects.visible_to(request.user, access.pole)
        .between_members(access.pole)
        .count(),
        preference_form=form,
    )
    return render(request, "cooperation/index.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@hub_page()
def declarations(request: HttpRequest, access: HubAccess, side_slug: str) -> HttpResponse:
    side = SIDE_SLUGS.get(side_slug)
    if side is None:
        raise Http404(_("Page inconnue."))
    own = acting_organisations(access) if access.is_member else []
    form = DeclarationForm(request.POST or None, organisations=own) if own else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Seuls les membres du pôle déclarent des besoins et offres."))
        if form.is_valid():
            by_id = {o.pk: o for o in own}
            place = form.cleaned_data.get("establishment")
            try:
                services.declare(
                    request.user,
                    pole=access.pole,
                    organisation=by_id[form.cleaned_data["organisation"]],
                    side=side,
                    establishment=Establishment.objects.filter(pk=place).first() if place else None,
                    **form.service_values(),
                )
            except ValidationError as error:
                apply_errors(form, error, DECLARATION_ERROR_FIELDS)
            else:
                messages.success(request, _("Déclaration enregistrée."))
                return redirect("cooperation:declarations", access.pole.slug, side_slug)
        status = 400
    rows = list(
        Declaration.objects.visible_to(request.user, access.pole)
        .active()
        .filter(side=side)
        .select_related("organisation")
        .order_by("kind", "category", "id")[:PAGE_SIZE]
    )
    context = ctx(
        access,
        side=side,
        side_slug=side_slug,
        rows=rows,
        form=form,
        own_ids=access.organisation_ids,
        page_title=_("Besoins") if side == Side.NEED else _("Offres"),
    )
    return render(request, "cooperation/declarations.html", context, status=status)


EXPORT_COLUMNS = (
    ("organisation", _noop("Organisation")),
    ("side", _noop("Sens")),
    ("kind", _noop("Type")),
    ("category", _noop("Catégorie")),
    ("title", _noop("Intitulé")),
    ("quantity", _noop("Quantité")),
    ("unit", _noop("Unité")),
    ("periodicity", _noop("Périodicité")),
    ("start_on", _noop("Début")),
    ("end_on", _noop("Fin")),
    ("max_km", _noop("Distance maximale (km)")),
    ("price_intent", _noop("Intention de prix")),
    ("confidentiality", _noop("Confidentialité")),
)


@require_safe
@hub_page()
def export(request: HttpRequest, access: HubAccess) -> HttpResponse:
    """The needs and offers the visitor may see, as CSV (same rule as the lists)."""
    rows = (
        Declaration.objects.visible_to(request.user, access.pole)
        .active()
        .select_related("organisation")
        .order_by("side", "kind", "category", "id")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="besoins-offres-{access.pole.slug}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([_(label) for _code, label in EXPORT_COLUMNS])
    for d in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                d.organisation.name,
                d.get_side_display(),
                d.get_kind_display(),
                d.category_label,
                d.title,
                "" if d.quantity is None else d.quantity.normalize(),
                d.unit,
                d.get_periodicity_display(),
                d.start_on or "",
                d.end_on or "",
                "" if d.max_km is None else d.max_km,
                d.get_price_intent_display(),
                d.get_confidentiality_display(),
            ]
        )
    return response


@require_POST
@hub_page()
def withdraw(request: HttpRequest, access: HubAccess, declaration_id: int) -> HttpResponse:
    declaration = (
        Declaration.objects.visible_to(request.user, access.pole)
        .filter(pk=declaration_id, status=DeclarationStatus.ACTIVE)
        .first()
    )
    if declaration is None:
        raise Http404(_("Déclaration inconnue."))
    try:
        services.withdraw_declaration(request.user, declaration=declaration)
    except PermissionDenied:
        messages.error(
            request, _("Vous ne pouvez retirer que les déclarations de votre organisation.")
        )
    else:
        messages.success(request, _("Déclaration retirée."))
    side_slug = "besoins" if declaration.side == Side.NEED else "offres"
    return redirect("cooperation:declarations", access.pole.slug, side_slug)


def visible_proposals(request: HttpRequest, access: HubAccess) -> list[Proposal]:
    orgs = ProposalOrganisation.objects.select_related("organisation").order_by("position")
    found = list(
        Proposal.objects.visible_to(request.user, access.pole)
        .select_related("candidate")
        .prefetch_related(
            Prefetch("involvement", queryset=orgs, to_attr="involved"),
            Prefetch(
                "declarations",
                queryset=Declaration.objects.select_related("organisation").order_by("id"),
                to_attr="items",
            ),
        )
        .order_by("-current", "rank", "id")[:PAGE_SIZE]
    )
    for proposal in found:  # the reasons in the reader's language, numbers written locally
        proposal.reason_rows = reasons.rows(proposal.reasons)  # type: ignore[attr-defined]
    return found


@require_safe
@hub_page()
def proposals(request: HttpRequest, access: HubAccess) -> HttpResponse:
    context = ctx(
        access,
        proposals=visible_proposals(request, access),
        counts=queries.proposal_counts(access.pole),
        decline_form=DeclineForm(),
        page_title=_("Propositions"),
    )
    return render(request, "cooperation/proposals.html", context)


@require_POST
@hub_page(manage=True)
def run(request: HttpRequest, access: HubAccess) -> HttpResponse:
    found = services.run_synergies(request.user, pole=access.pole)
    messages.success(
        request,
        _("Recherche terminée : %(n)s proposition(s), dont %(new)s nouvelle(s).")
        % {"n": found.proposals, "new": found.created},
    )
    return redirect("cooperation:proposals", access.pole.slug)


def _proposal(request: HttpRequest, access: HubAccess, proposal_id: int) -> Proposal:
    proposal = Proposal.objects.visible_to(request.user, access.pole).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404(_("Proposition inconnue."))
    return proposal


@require_POST
@hub_page()
def answer(request: HttpRequest, access: HubAccess, proposal_id: int, verb: str) -> HttpResponse:
    proposal = _proposal(request, access, proposal_id)
    try:
        if verb == "accepter":
            services.accept_proposal(request.user, proposal=proposal)
            if proposal.kind == ProposalKind.PROSPECT and proposal.candidate is not None:
                messages.success(
                    request,
                    _(
                        "Proposition acceptée : les liens prévus avec %(org)s sont enregistrés ; "
                        "ils entreront dans le graphe quand elle adhérera au pôle."
                    )
                    % {"org": proposal.candidate.name},
                )
            else:
                messages.success(request, _("Proposition acceptée : le lien est ajouté au graphe."))
        elif verb == "decliner":
            form = DeclineForm(request.POST)
            if not form.is_valid():
                context = ctx(
                    access,
                    proposals=visible_proposals(request, access),
                    counts=queries.proposal_counts(access.pole),
                    decline_form=form,
                    declining=proposal.pk,
                    page_title=_("Propositions"),
                )
                return render(request, "cooperation/proposals.html", context, status=400)
            services.decline_proposal(
                request.user, proposal=proposal, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Proposition déclinée."))
        elif verb == "realisee":
            services.mark_realised(request.user, proposal=proposal)
            messages.success(request, _("Proposition marquée comme réalisée."))
        else:
            raise Http404(_("Action inconnue."))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Action non autorisée."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("cooperation:proposals", access.pole.slug)


@require_POST
@hub_page(manage=True)
def import_links(request: HttpRequest, access: HubAccess) -> HttpResponse:
    created = services.import_pooling_links(request.user, pole=access.pole)
    messages.success(
        request,
        _("%(n)s lien(s) ajouté(s) depuis les ressources partagées du pôle.") % {"n": created},
    )
    return redirect("cooperation:graph", access.pole.slug)


@require_http_methods(["GET", "POST"])
@hub_page()
def graph(request: HttpRequest, access: HubAccess) -> HttpResponse:
    own = acting_organisations(access) if access.is_member else []
    members = member_organisations(access) if own else []
    form = LinkForm(request.POST or None, organisations=members, own=own) if own else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Seuls les membres du pôle déclarent des liens."))
        if form.is_valid():
            by_id = {o.pk: o for o in members}
            try:
                services.declare_link(
                    request.user,
                    pole=access.pole,
                    from_organisation=by_id[form.cleaned_data["from_organisation"]],
                    to_organisation=by_id[form.cleaned_data["to_organisation"]],
                    **form.service_values(),
                )
            except (ValidationError, KeyError) as error:
                if isinstance(error, KeyError):
                    error = ValidationError({"to_organisation": _("Organisation inconnue.")})
                apply_errors(form, error, LINK_ERROR_FIELDS)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Lien enregistré."))
                return redirect("cooperation:graph", access.pole.slug)
        status = 400
    types, year = _graph_filters(request)
    payload = queries.graph_payload(access.pole, request.user, types=types, year=year)
    labels = {n["id"]: n["label"] for n in payload["nodes"]}
    context = ctx(
        access,
        payload=payload,
        labels=labels,
        link_rows=[
            {**lk, "source_label": labels[lk["source"]], "target_label": labels[lk["target"]]}
            for lk in payload["links"]
        ],
        node_rows=sorted(
            payload["nodes"], key=lambda n: (-n["betweenness"], -n["degree"], n["label"])
        ),
        type_choices=LinkType.choices,
        selected_types=types,
        year=year,
        form=form,
        page_title=_("Graphe de coopération"),
    )
    return render(request, "cooperation/graph.html", context, status=status)


NETWORK_MAX_HUBS = 50


def _graph_filters(request: HttpRequest) -> tuple[list[str], int | None]:
    types = [t for t in request.GET.getlist("type") if t in LinkType.values]
    year_raw = request.GET.get("year", "")
    year = int(year_raw) if year_raw.isdigit() and 1900 <= int(year_raw) <= 2200 else None
    return types, year


@require_safe
@login_required
def network(request: HttpRequest) -> HttpResponse:
    """The cooperation graph of several hubs (a network): the hubs the visitor observes
    (all of them for staff), those chosen in `?hubs=` or all of them up to 50."""
    if permissions.is_staff(request.user):
        offered = Pole.objects.all()
    else:
        offered = Pole.objects.filter(roles__user=request.user).distinct()
    choices = list(offered.order_by("name", "pk").only("pk", "slug", "name")[:300])
    wanted = list(dict.fromkeys(request.GET.getlist("hubs")))
    by_slug = {p.slug: p for p in choices}
    if wanted:
        unknown = [s for s in wanted if s not in by_slug]
        if unknown:
            raise Http404(_("Aucun pôle n’a l’identifiant « %(slug)s ».") % {"slug": unknown[0]})
        poles = [by_slug[s] for s in wanted]
    else:
        poles = choices
    too_many = len(poles) > NETWORK_MAX_HUBS
    poles = poles[:NETWORK_MAX_HUBS]
    types, year = _graph_filters(request)
    payload = queries.network_payload(poles, request.user, types=types, year=year)
    labels = {n["id"]: n["label"] for n in payload["nodes"]}
    context = {
        "section": "cooperation",
        "payload": payload,
        "choices": choices,
        "selected": {p.slug for p in poles},
        "too_many": too_many,
        "max_hubs": NETWORK_MAX_HUBS,
        "link_rows": [
            {**lk, "source_label": labels[lk["source"]], "target_label": labels[lk["target"]]}
            for lk in payload["links"]
        ],
        "node_rows": sorted(
            payload["nodes"], key=lambda n: (-n["betweenness"], -n["degree"], n["label"])
        ),
        "type_choices": LinkType.choices,
        "selected_types": types,
        "year": year,
        "page_title": _("Graphe de coopération du réseau"),
    }
    return render(request, "cooperation/network.html", context)
