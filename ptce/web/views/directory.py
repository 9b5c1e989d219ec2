"""Pages of the actor directory: the search (list, facets, map), an organisation's page, and
the import of a member list (CSV/XLSX: preview, then all or nothing)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.actors import clustering, directory, map_index, member_list, naf
from ptce.actors import permissions as actor_permissions
from ptce.actors.explain import classification_message
from ptce.actors.models import Establishment, Organisation
from ptce.core.choices import Visibility
from ptce.poles import permissions as pole_permissions
from ptce.territories.models import Departement
from ptce.web.forms_directory import FACETS, DirectorySearchForm, MemberListUploadForm

PER_PAGE = 50
WORLD = (-180.0, -clustering.MAX_LATITUDE, 180.0, clustering.MAX_LATITUDE)
SESSION_UPLOAD = "ptce_directory_import"
SESSION_RESULT = "ptce_directory_import_result"
POLE_PATH = "/observatoire/poles/{slug}/"  # the hubs' pages (namespace "observatory")


# ---- search ---------------------------------------------------------------------------------


def _with_head_office(qs: QuerySet[Organisation]) -> QuerySet[Organisation]:
    head_office = Establishment.objects.filter(organisation=OuterRef("pk")).order_by(
        "-siege", "-active", "siret"
    )
    return qs.annotate(
        head_office_commune=Subquery(head_office.values("commune__nom")[:1]),
        head_office_departement=Subquery(head_office.values("departement")[:1]),
    )


def _facets(
    form: DirectorySearchForm, filters: directory.DirectoryFilters, user: Any
) -> list[dict[str, Any]]:
    """The checkbox groups with their counts.

    The values of one facet are alternatives (OR): a facet with a selection is counted
    without its own selection, so that its other values stay offered with the number of
    organisations they would add. One `directory.facets` for the page, and one more for
    each facet that has a selection."""
    counts = directory.facets(filters, user)
    groups = []
    for name, attribute, key in FACETS:
        selected = getattr(filters, attribute)
        facet = counts[key]
        if selected:
            without = dataclasses.replace(filters, **{attribute: []})
            facet = directory.facets(without, user)[key]
        by_value = {item["value"]: item["count"] for item in facet}
        field = form.fields[name]
        options = [
            {"value": value, "label": label, "count": by_value.get(value, 0)}
            for value, label in field.choices  # type: ignore[attr-defined]
            if by_value.get(value) or value in selected
        ]
        groups.append(
            {"name": name, "label": field.label, "options": options, "selected": selected}
        )
    return groups


def _map_bounds(filters: directory.DirectoryFilters) -> list[float] | None:
    """West, south, east, north of the points the map will show, to frame it."""
    index = map_index.get()
    if not len(index.points):
        return None
    answer = clustering.query(index.points, WORLD, 0, mask=index.mask(filters), max_points=0)
    if not answer.clusters:
        return None
    boxes = [c.bbox for c in answer.clusters]
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


def _with_placeholder(url: str) -> str:
    """`/a/b/0/` -> `/a/b/{id}/`: an address the map's script completes with an id."""
    head, _sep, tail = url.rpartition("/0")
    return f"{head}/{{id}}{tail}"


def _map_config() -> dict[str, Any]:
    return {
        "mapUrl": reverse("api:map_establishments"),
        "detailUrl": _with_placeholder(reverse("api:get_organisation_by_id", args=[0])),
        "pageUrl": _with_placeholder(reverse("directory:organisation", args=[0])),
        "labels": {
            "cluster": _("Groupe de {n} établissements : cliquer pour zoomer"),
            "clusterOne": _("1 établissement : cliquer pour zoomer"),
            "loading": _("Chargement…"),
            "open": _("Voir la fiche"),
            "unavailable": _("Fiche non disponible."),
            "failed": _("La carte n’a pas pu être mise à jour. Réessayez."),
            "pointsOne": _("{shown} établissement affiché."),
            "points": _("{shown} établissements affichés."),
            "truncated": _(
                "{shown} établissements affichés sur {total} : zoomez pour les voir tous."
            ),
            "clustersOne": _("{total} établissement dans la zone affichée."),
            "clusters": _("{total} établissements dans la zone affichée."),
            "none": _("Aucun établissement dans la zone affichée."),
            "several": _("{n} organisations à cet endroit :"),
            "more": _("et {n} autres : zoomez ou affinez la recherche."),
        },
    }


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The directory: an htmx request gets the results and, out of band, the facets."""
    departements = list(Departement.objects.order_by("code").values_list("code", "nom"))
    form = DirectorySearchForm(request.GET, departements=departements)
    filters = form.filters()
    found = directory.Results(filters, request.user, _with_head_office)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    page_query = form.page_query()
    api_query = form.api_query()
    context = {
        "form": form,
        "page": page,
        "facets": _facets(form, filters, request.user),
        "page_query": page_query,
        "api_query": api_query,
        "active_only": filters.active is True,
        "map_state": {"query": api_query, "bounds": _map_bounds(filters)},
        "exports": [
            ("csv", _("CSV")),
            ("xlsx", _("Tableur XLSX")),
            ("data-inclusion", _("data·inclusion (JSON)")),
        ],
        "export_url": reverse("api:export_organisations"),
        "map_config": _map_config(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "directory/_results.html", {**context, "oob": True})
        # The address pushed in the history: the valid filters only, without empty fields;
        # nothing when it is the current one (Enter sends both "search" and "submit").
        page_suffix = f"&page={page.number}" if page.number > 1 else ""
        address = f"{reverse('directory:search')}?{page_query}{page_suffix}"
        response["HX-Push-Url"] = (
            "false" if request.htmx.current_url_abs_path == address else address
        )
    else:
        response = render(request, "directory/search.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# ---- an organisation ------------------------------------------------------------------------


def _establishment_features(organisation: Organisation) -> dict[str, Any]:
    features = []
    for est in organisation.establishments.all():
        if est.lat is None or est.lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(est.lon, 5), round(est.lat, 5)],
                },
                "properties": {
                    "name": est.name or organisation.name,
                    "siret": est.siret or "",
                    "commune": est.commune.nom if est.commune else "",
                    "precision": est.precision,
                    "precision_label": str(est.get_precision_display()),
                    "siege": est.siege,
                    "active": est.active,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _hubs(user: Any, organisation: Organisation) -> list[Any]:
    """The hubs the organisation belongs to now, as far as `user` may know it."""
    memberships = (
        organisation.memberships.filter(left_on__isnull=True)
        .select_related("pole")
        .order_by("pole__name")
    )
    hubs = []
    for membership in memberships:
        pole = membership.pole
        if not pole_permissions.can_view_pole(user, pole):
            continue
        if membership.visibility != Visibility.PUBLIC and not pole_permissions.can_read(
            user, pole, membership.visibility, owner_organisation_id=organisation.pk
        ):
            continue
        hubs.append(
            {
                "name": pole.name,
                "url": POLE_PATH.format(slug=pole.slug),
                "role": membership.get_role_display(),
                "joined_on": membership.joined_on,
                "public": pole.visibility == Visibility.PUBLIC,
            }
        )
    return hubs


@require_safe
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    establishments = Establishment.objects.select_related("commune").order_by(
        "-siege", "-active", "siret"
    )
    found = (
        Organisation.objects.visible_to(request.user)
        .prefetch_related(Prefetch("establishments", queryset=establishments))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("Aucune organisation de l'annuaire n'a l'identifiant %(id)s.") % {"id": pk})
    section = naf.section_of(found.naf)
    contacts = [
        c for c in found.contacts.all() if actor_permissions.can_view_contact(request.user, c)
    ]
    map_data = _establishment_features(found)
    return render(
        request,
        "directory/organisation.html",
        {
            "organisation": found,
            "naf_section": section,
            "naf_section_label": _(naf.SECTIONS[section][2]) if section else "",
            "headcount_label": str(directory.HEADCOUNT_BANDS.get(found.tranche_effectifs, "")),
            "classification": classification_message(found),
            "establishments": list(found.establishments.all()),
            "map_data": map_data,
            "mapped": len(map_data["features"]),
            "hubs": _hubs(request.user, found),
            "contacts": contacts,
        },
    )


# ---- import of a member list ----------------------------------------------------------------


def _importer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else the login page), and allowed to add organisations (else 403)."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not actor_permissions.can_create_organisation(request.user):
            return render(request, "directory/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _pending(request: HttpRequest) -> tuple[str, bytes] | None:
    """The file kept in the session since its upload: (name, bytes)."""
    stored = request.session.get(SESSION_UPLOAD)
    if not isinstance(stored, dict):
        return None
    try:
        return str(stored["name"]), base64.b64decode(stored["data"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None


STATUS_LABELS = {
    "siret": gettext_lazy("trouvée par SIRET"),
    "name": gettext_lazy("trouvée par nom et commune"),
    "new": gettext_lazy("nouvelle"),
    "error": gettext_lazy("erreur"),
}


def _rows(preview: member_list.Preview) -> list[dict[str, Any]]:
    rows = []
    for row in preview.rows:
        if row.status == "matched":
            kind = "siret" if row.values.get("siret") else "name"
        else:
            kind = row.status
        rows.append(
            {
                "line": row.line,
                "siret": row.values.get("siret", ""),
                "name": row.values.get("name", ""),
                "commune": row.values.get("commune", ""),
                "kind": kind,
                "status": str(STATUS_LABELS[kind]),
                "message": row.message,
                "organisation": row.organisation,
            }
        )
    return rows


def _render_preview(
    request: HttpRequest, name: str, preview: member_list.Preview, error: str = ""
) -> HttpResponse:
    rows = _rows(preview)
    counts = {kind: sum(1 for r in rows if r["kind"] == kind) for kind in STATUS_LABELS}
    return render(
        request,
        "directory/import_preview.html",
        {
            "file_name": name,
            "rows": rows,
            "counts": counts,
            "matched": counts["siret"] + counts["name"],
            "ok": preview.ok,
            "error": error,
            "form": MemberListUploadForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@_importer
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a member list; a readable file gets its preview at once."""
    form = MemberListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        data = upload.read()
        try:
            preview = member_list.preview(data, upload.name)
        except member_list.MemberListError as exc:
            form.add_error("fichier", str(exc))
        else:
            request.session[SESSION_UPLOAD] = {
                "name": upload.name,
                "data": base64.b64encode(data).decode("ascii"),
            }
            request.session.pop(SESSION_RESULT, None)
            return _render_preview(request, upload.name, preview)
    pending = _pending(request)
    return render(
        request,
        "directory/import.html",
        {"form": form, "pending_name": pending[0] if pending else ""},
    )


@require_safe
@_importer
def import_preview(request: HttpRequest) -> HttpResponse:
    """The preview of the file kept in the session (matched again against the directory)."""
    pending = _pending(request)
    if pending is None:
        return redirect("directory:import")
    name, data = pending
    try:
        preview = member_list.preview(data, name)
    except member_list.MemberListError as exc:
        request.session.pop(SESSION_UPLOAD, None)
        form = MemberListUploadForm()
        form.add_error(None, str(exc))
        return render(request, "directory/import.html", {"form": form, "pending_name": ""})
    return _render_preview(request, name, preview)


@require_POST
@_importer
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Apply the kept file, all or nothing; the rows are matched again first."""
    pending = _pending(request)
    if pending is None:
        return redirect("directory:import")
    name, data = pending
    try:
        preview = member_list.preview(data, name)
    except member_list.MemberListError:
        return redirect("directory:import_preview")
    if not preview.ok:
        return _render_preview(request, name, preview)
    try:
        organisations = member_list.apply(request.user, preview)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _render_preview(request, name, preview, error=message)
    request.session[SESSION_RESULT] = {
        "name": name,
        "rows": [
            {"id": org.pk, "created": row.status == "new"}
            for org, row in zip(organisations, preview.rows, strict=True)
        ],
    }
    request.session.pop(SESSION_UPLOAD, None)
    return redirect("directory:import_result")


@require_safe
@_importer
def import_result(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(SESSION_RESULT)
    if not isinstance(stored, dict) or not stored.get("rows"):
        return redirect("directory:import")
    created_ids = {r["id"] for r in stored["rows"] if r["created"]}
    ids = [r["id"] for r in stored["rows"]]
    by_id = _with_head_office(directory.visible(request.user).filter(pk__in=ids)).in_bulk()
    organisations = [
        {"organisation": by_id[pk], "created": pk in created_ids} for pk in ids if pk in by_id
    ]
    return render(
        request,
        "directory/import_result.html",
        {
            "file_name": stored.get("name", ""),
            "organisations": organisations,
            "created": sum(1 for o in organisations if o["created"]),
            "matched": sum(1 for o in organisations if not o["created"]),
        },
    )
