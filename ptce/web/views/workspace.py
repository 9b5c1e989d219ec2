"""The coordinators' workspace: "Mes pôles", the guided creation of a hub, then each of its
steps (identity, perimeter, members, characterisation, colleges, people), and the page
where an invited person accepts an invitation.

Access: every view of a hub checks `permissions.can_manage_pole` (coordination of that hub,
or platform staff). A hub the person may not even see is "not found" (404); a hub they see
but do not run (a member, an observer, another hub's coordinator) gets a French 403 page
that points to the hub's public page: the workspace has nothing read-only to offer them.

Forms post to their own address; a service's ValidationError is put next to the fields
(`forms_poles.apply_errors`) and the page is rendered again with the input and status 400.
htmx requests (member search, adding a member) get fragments, with status 200 so that htmx
swaps them in, errors included.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.actors import directory, member_list
from ptce.actors.models import Establishment, Organisation
from ptce.core.choices import Role
from ptce.poles import permissions, queries, services
from ptce.poles.models import Membership, Objective, Pole, PoleRole
from ptce.web.forms_poles import (
    AddMemberForm,
    CharacterisationForm,
    CollegesForm,
    EndMembershipForm,
    MemberImportForm,
    MembersDateForm,
    MemberSearchForm,
    PerimeterForm,
    PoleCreateForm,
    PoleEditForm,
    apply_errors,
    null_boolean_initial,
)
from ptce.web.views.hub import hub_access
from ptce.web.views.observatory import (
    choice_labels,
    eligibility_context,
    label_members,
    profile_context,
    sector_labels,
)

SEARCH_LIMIT = 10
IMPORT_SESSION_KEY = "ptce_member_import_%s"

MAX_COLLEGE_ROWS = 30

ViewFunc = Callable[..., HttpResponse]


def manages_pole(view: ViewFunc) -> ViewFunc:
    """Sign-in required; the hub by its slug; 404 when unseen, 403 when not run by the user."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pole = (
            Pole.objects.select_related(
                "commune", "region", "departement", "maturity", "carrier", "perimeter"
            )
            .filter(slug=slug)
            .first()
        )
        if pole is None or not permissions.can_view_pole(request.user, pole):
            raise Http404(_("Aucun pôle n’a l’identifiant « %(slug)s ».") % {"slug": slug})
        if not permissions.can_manage_pole(request.user, pole):
            return render(request, "poles/workspace/forbidden.html", {"pole": pole}, status=403)
        return view(request, pole, *args, **kwargs)

    return wrapper


def _status(form_ok: bool) -> int:
    return 200 if form_ok else 400


def _member_organisations(pole: Pole) -> list[tuple[int, str]]:
    return list(
        queries.members(pole)
        .order_by("organisation__name")
        .values_list("organisation_id", "organisation__name")
    )


# ---- "Mes pôles" and creation --------------------------------------------------------------


@require_safe
@login_required
def index(request: HttpRequest) -> HttpResponse:
    roles = (
        PoleRole.objects.filter(user=request.user)
        .select_related("pole", "pole__commune")
        .order_by("pole__name", "pole__pk", "role")
    )
    hubs: dict[int, dict[str, Any]] = {}
    for role in roles:
        entry = hubs.setdefault(role.pole_id, {"pole": role.pole, "roles": [], "manages": False})
        entry["roles"].append(role.get_role_display())
        if role.role == Role.COORDINATOR:
            entry["manages"] = True
    for entry in hubs.values():
        entry["manages"] = entry["manages"] or request.user.is_staff
    return render(request, "poles/workspace/index.html", {"hubs": list(hubs.values())})


@require_safe
@login_required
def commune_search(request: HttpRequest) -> HttpResponse:
    """htmx: the communes matching `commune_q`, as radio buttons named `commune`."""
    form = PoleCreateForm(initial={"commune_q": request.GET.get("commune_q", "")[:100]})
    return render(request, "poles/workspace/_commune_choices.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def create(request: HttpRequest) -> HttpResponse:
    """Step 1 of the guided creation; the other steps are cards of the hub's workspace."""
    if request.method != "POST":
        return render(request, "poles/workspace/create.html", {"form": PoleCreateForm()})
    if request.POST.get("action") == "search_commune":
        # Without JavaScript: the same page, with the communes matching the search.
        form = PoleCreateForm(initial=request.POST.dict())
        return render(request, "poles/workspace/create.html", {"form": form})
    form = PoleCreateForm(request.POST)
    if form.is_valid():
        try:
            pole = services.create_pole(request.user, **form.values())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Le pôle « %(name)s » est créé. Complétez maintenant les étapes suivantes.")
                % {"name": pole.name},
            )
            return redirect("workspace:pole", pole.slug)
    return render(request, "poles/workspace/create.html", {"form": form}, status=400)


# ---- the hub's workspace ----------------------------------------------------------------------


def _search_organisations(request: HttpRequest, pole: Pole, query: str) -> list[Organisation]:
    """Organisations by SIRET, SIREN or name, each flagged `is_member` when already one."""
    if not query:
        return []
    digits = query.replace(" ", "")
    base = Organisation.objects.visible_to(request.user)
    if digits.isdigit() and len(digits) == 14:
        qs = base.filter(Q(establishments__siret=digits) | Q(siren=digits[:9]))
    elif digits.isdigit() and len(digits) == 9:
        qs = base.filter(siren=digits)
    else:
        qs = directory.name_search(base, query)
    siege = Establishment.objects.filter(organisation=OuterRef("pk")).order_by("-siege", "pk")
    current = Membership.objects.current().filter(pole=pole, organisation=OuterRef("pk"))
    return list(
        qs.annotate(
            siege_commune=Subquery(siege.values("commune__nom")[:1]),
            siege_code=Subquery(siege.values("code_commune")[:1]),
            is_member=Exists(current),
        )
        .distinct()
        .order_by("name", "pk")[:SEARCH_LIMIT]
    )


def _steps(pole: Pole, member_count: int, college_count: int, people_count: int) -> list[Any]:
    return [
        {"key": "identite", "label": _("Identité"), "done": True},
        {"key": "perimetre", "label": _("Périmètre"), "done": bool(pole.perimeter_id)},
        {"key": "membres", "label": _("Membres"), "done": member_count >= 3},
        {
            "key": "caracterisation",
            "label": _("Caractérisation"),
            "done": bool(pole.impulse and pole.dynamic and pole.objectives),
        },
        {"key": "colleges", "label": _("Collèges"), "done": college_count > 0},
        {"key": "personnes", "label": _("Personnes"), "done": people_count > 1},
    ]


def _members_card_context(
    request: HttpRequest,
    pole: Pole,
    *,
    add_form: AddMemberForm | None = None,
    added: Membership | None = None,
) -> dict[str, Any]:
    source = request.POST if request.method == "POST" else request.GET
    search = MemberSearchForm({"q": source.get("q", "")})
    query = search.query()
    members = label_members(list(queries.members(pole).order_by("organisation__name", "pk")))
    return {
        "pole": pole,
        "members": members,
        "search_form": search,
        "query": query,
        "results": _search_organisations(request, pole, query),
        "add_form": add_form or AddMemberForm(),
        "added": added,
    }


def _workspace_context(request: HttpRequest, pole: Pole, **extra: Any) -> dict[str, Any]:
    card = _members_card_context(request, pole, **extra)
    summary = queries.summary(pole)
    colleges = list(pole.colleges.all())
    people_count = pole.roles.values("user").distinct().count()
    pending = pole.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
    return {
        **card,
        "access": hub_access(request, pole),
        "section": "workspace",
        "steps": _steps(pole, len(card["members"]), len(colleges), people_count),
        "colleges": colleges,
        "people_count": people_count,
        "pending_count": pending.count(),
        "objectives": choice_labels(pole.objectives, Objective),
        "sectors": sector_labels(pole.naf_sections),
        **eligibility_context(summary["conditions"]),
        **profile_context(pole, summary["profile"]),
        "show_condition_detail": True,
    }


@require_safe
@manages_pole
def pole(request: HttpRequest, pole: Pole) -> HttpResponse:
    return render(request, "poles/workspace/pole.html", _workspace_context(request, pole))


@require_safe
@manages_pole
def member_search(request: HttpRequest, pole: Pole) -> HttpResponse:
    """htmx: the organisations matching the search, inside the add-member form."""
    context = _members_card_context(request, pole)
    return render(request, "poles/workspace/_member_results.html", context)


def _add_member(request: HttpRequest, pole: Pole) -> tuple[AddMemberForm, Membership | None]:
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return form, None
    organisation = (
        Organisation.objects.visible_to(request.user)
        .filter(pk=form.cleaned_data["organisation"])
        .first()
    )
    if organisation is None:
        form.add_error("organisation", _("Cette organisation est introuvable dans l’annuaire."))
        return form, None
    try:
        membership = services.add_member(
            request.user,
            pole=pole,
            organisation=organisation,
            role=form.cleaned_data["role"],
            joined_on=form.cleaned_data["joined_on"],
            visibility=form.cleaned_data["visibility"],
        )
    except ValidationError as error:
        apply_errors(form, error)
        return form, None
    return form, membership


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def members(request: HttpRequest, pole: Pole) -> HttpResponse:
    """GET: the members on a date and the history, the import form. POST: add a member."""
    if request.method == "POST":
        form, membership = _add_member(request, pole)
        if request.htmx:
            # The members card, and the eligibility block out of band: it changes with them.
            context = _workspace_context(
                request, pole, add_form=form if membership is None else None, added=membership
            )
            return render(request, "poles/workspace/_members_htmx.html", context)
        if membership is None:
            context = _workspace_context(request, pole, add_form=form)
            return render(request, "poles/workspace/pole.html", context, status=400)
        messages.success(
            request,
            _("%(org)s est membre du pôle.") % {"org": membership.organisation.name},
        )
        return redirect(reverse("workspace:pole", args=[pole.slug]) + "#membres")

    date_form = MembersDateForm(request.GET or None)
    day: dt.date | None = None
    if date_form.is_valid():
        day = date_form.cleaned_data["date"]
    at_date = list(queries.members(pole, day=day).order_by("organisation__name", "pk"))
    history = list(
        pole.memberships.with_actor_type()
        .select_related("organisation")
        .order_by("organisation__name", "joined_on", "pk")
    )
    context = {
        "pole": pole,
        "date_form": date_form,
        "day": day,
        "at_date": at_date,
        "history": history,
        "import_form": MemberImportForm(),
    }
    return render(
        request, "poles/workspace/members.html", context, status=_status(not date_form.errors)
    )


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def member_end(request: HttpRequest, pole: Pole, membership_id: int) -> HttpResponse:
    membership = pole.memberships.select_related("organisation").filter(pk=membership_id).first()
    if membership is None:
        raise Http404(_("Ce pôle n’a pas d’adhésion n° %(i)s.") % {"i": membership_id})
    if request.method != "POST":
        form = EndMembershipForm(initial={"left_on": timezone.localdate()})
        context = {"pole": pole, "membership": membership, "form": form}
        return render(request, "poles/workspace/member_end.html", context)
    form = EndMembershipForm(request.POST)
    if form.is_valid():
        try:
            services.end_membership(
                request.user, membership=membership, left_on=form.cleaned_data["left_on"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L’adhésion de %(org)s prend fin le %(day)s.")
                % {
                    "org": membership.organisation.name,
                    "day": form.cleaned_data["left_on"].strftime("%d/%m/%Y"),
                },
            )
            return redirect(reverse("workspace:pole", args=[pole.slug]) + "#membres")
    context = {"pole": pole, "membership": membership, "form": form}
    return render(request, "poles/workspace/member_end.html", context, status=400)


def _import_context(pole: Pole, **extra: Any) -> dict[str, Any]:
    return {"pole": pole, "import_form": MemberImportForm(), "preview": None, **extra}


@require_POST
@manages_pole
def member_import(request: HttpRequest, pole: Pole) -> HttpResponse:
    """A CSV or XLSX member list: first a preview (each row matched or refused), then, on
    confirmation, every organisation added as a member in one transaction, or none."""
    key = IMPORT_SESSION_KEY % pole.pk
    if request.POST.get("action") == "confirm":
        stored = request.session.get(key)
        if not stored:
            messages.error(request, _("Aucun fichier en attente : envoyez de nouveau la liste."))
            return redirect("workspace:members", pole.slug)
        data, name = base64.b64decode(stored["data"]), stored["name"]
        try:
            preview = member_list.preview(data, name)
            added, already = services.add_members_from_list(
                request.user, pole=pole, preview=preview
            )
        except (member_list.MemberListError, ValidationError) as error:
            messages_ = error.messages if isinstance(error, ValidationError) else [str(error)]
            context = _import_context(pole, errors=messages_, filename=name)
            return render(request, "poles/workspace/member_import.html", context, status=400)
        del request.session[key]
        messages.success(
            request,
            _("%(added)s organisation(s) ajoutée(s) au pôle ; %(already)s déjà membre(s).")
            % {"added": added, "already": already},
        )
        return redirect(reverse("workspace:pole", args=[pole.slug]) + "#membres")

    form = MemberImportForm(request.POST, request.FILES)
    preview = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            preview = member_list.preview(data, upload.name)
        except member_list.MemberListError as error:
            form.add_error("file", str(error))
        else:
            request.session[key] = {
                "name": upload.name,
                "data": base64.b64encode(data).decode("ascii"),
            }
    if preview is None:
        return render(
            request,
            "poles/workspace/member_import.html",
            _import_context(pole, import_form=form),
            status=400,
        )
    current = set(pole.memberships.current().values_list("organisation_id", flat=True))
    rows = [
        {"row": row, "already": bool(row.organisation and row.organisation.pk in current)}
        for row in preview.rows
    ]
    context = _import_context(
        pole, preview=preview, rows=rows, filename=form.cleaned_data["file"].name
    )
    return render(request, "poles/workspace/member_import.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def edit(request: HttpRequest, pole: Pole) -> HttpResponse:
    carriers = _member_organisations(pole)
    if request.method == "POST":
        if request.POST.get("action") == "search_commune":
            form = PoleEditForm(initial=request.POST.dict(), carriers=carriers)
            return render(request, "poles/workspace/edit.html", {"pole": pole, "form": form})
        form = PoleEditForm(request.POST, carriers=carriers)
        if form.is_valid():
            try:
                services.update_pole(request.user, pole=pole, **form.values())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("L’identité du pôle est enregistrée."))
                return redirect("workspace:pole", pole.slug)
        return render(
            request, "poles/workspace/edit.html", {"pole": pole, "form": form}, status=400
        )
    form = PoleEditForm(
        initial={
            "name": pole.name,
            "commune": pole.commune_id or "",
            "legal_form": pole.legal_form,
            "created_on": pole.created_on,
            "description": pole.description,
            "visibility": pole.visibility,
            "carrier": pole.carrier_id or "",
            "carrier_private_law": null_boolean_initial(pole.carrier_private_law),
            "website": pole.website,
            "contact_email": pole.contact_email,
            "shared_place": pole.shared_place,
            "shared_place_name": pole.shared_place_name,
            "shared_place_address": pole.shared_place_address,
        },
        carriers=carriers,
    )
    return render(request, "poles/workspace/edit.html", {"pole": pole, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def characterisation(request: HttpRequest, pole: Pole) -> HttpResponse:
    if request.method == "POST":
        form = CharacterisationForm(request.POST)
        if form.is_valid():
            try:
                services.update_pole(request.user, pole=pole, **form.values())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("La caractérisation du pôle est enregistrée."))
                return redirect("workspace:pole", pole.slug)
        context = {"pole": pole, "form": form}
        return render(request, "poles/workspace/characterisation.html", context, status=400)
    form = CharacterisationForm(
        initial={
            "impulse": pole.impulse,
            "dynamic": pole.dynamic,
            "objectives": pole.objectives,
            "specificities": pole.specificities,
            "maturity": pole.maturity_id or "",
            "naf_sections": pole.naf_sections,
            "common_strategy_formalised": null_boolean_initial(pole.common_strategy_formalised),
            "long_term_commitment": null_boolean_initial(pole.long_term_commitment),
            "pooled_resources": null_boolean_initial(pole.pooled_resources),
        }
    )
    return render(request, "poles/workspace/characterisation.html", {"pole": pole, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def perimeter(request: HttpRequest, pole: Pole) -> HttpResponse:
    if request.method == "POST":
        form = PerimeterForm(request.POST)
        if form.is_valid():
            definition = form.definition()
            km = form.cleaned_data["radius_km"]
            if km:
                if pole.lat is None or pole.lon is None:
                    form.add_error(
                        "radius_km", _("Indiquez d’abord la commune du pôle (étape Identité).")
                    )
                else:
                    definition["radii"] = [{"lat": pole.lat, "lon": pole.lon, "km": float(km)}]
            if form.is_valid():
                try:
                    services.set_perimeter(request.user, pole=pole, definition=definition)
                except ValidationError as error:
                    apply_errors(form, error, {"radii": "radius_km", "regions": None})
                else:
                    pole.refresh_from_db()
                    messages.success(
                        request,
                        _("Le périmètre est enregistré : %(n)s commune(s).")
                        % {"n": pole.perimeter.commune_count},
                    )
                    return redirect("workspace:pole", pole.slug)
        context = {"pole": pole, "form": form}
        return render(request, "poles/workspace/perimeter.html", context, status=400)
    initial = PerimeterForm.initial_for(pole.perimeter.definition if pole.perimeter else {})
    if not pole.perimeter and pole.commune_id:
        initial["communes"] = pole.commune_id
    form = PerimeterForm(initial=initial)
    return render(request, "poles/workspace/perimeter.html", {"pole": pole, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@manages_pole
def colleges(request: HttpRequest, pole: Pole) -> HttpResponse:
    """The voting colleges, as rows of name and weight (at most MAX_COLLEGE_ROWS)."""
    current = list(pole.colleges.all())
    if request.method == "POST":
        if request.POST.get("action") == "add_row":
            rows = (
                min(int(request.POST.get("rows") or 0) + 1, MAX_COLLEGE_ROWS)
                if request.POST.get("rows", "").isdigit()
                else 4
            )
            form = CollegesForm(initial=request.POST.dict(), row_count=rows)
            context = {"pole": pole, "form": form, "current": current}
            return render(request, "poles/workspace/colleges.html", context)
        form = CollegesForm(request.POST)
        if form.is_valid():
            try:
                services.set_colleges(request.user, pole=pole, colleges=form.colleges())
            except ValidationError as error:
                apply_errors(form, error, {"name": None, "weight": None, "colleges": None})
            else:
                messages.success(request, _("Les collèges du pôle sont enregistrés."))
                return redirect("workspace:pole", pole.slug)
        context = {"pole": pole, "form": form, "current": current}
        return render(request, "poles/workspace/colleges.html", context, status=400)
    initial, rows = CollegesForm.initial_for(current)
    form = CollegesForm(initial=initial, row_count=rows)
    return render(
        request, "poles/workspace/colleges.html", {"pole": pole, "form": form, "current": current}
    )


# ---- people and invitations -----------------------------------------------------------------------
