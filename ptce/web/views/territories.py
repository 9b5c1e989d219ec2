"""Pages of the territory reference: search, départements, communes, EPCI."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ptce.territories import lookups
from ptce.territories.models import Commune, Departement, Epci, Region
from ptce.web import geojson
from ptce.web.forms import SearchForm

SEARCH_LIMIT = 20
COMMUNES_PER_PAGE = 100


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """The search box; an htmx request gets only the results fragment."""
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = lookups.search_communes(query, limit=SEARCH_LIMIT) if query else []
    context = {"form": form, "query": query, "results": results, "searched": bool(query)}
    if request.htmx:
        response = render(request, "territories/_search_results.html", {**context, "oob": True})
    else:
        regions = Region.objects.prefetch_related(
            Prefetch("departements", queryset=Departement.objects.order_by("code"))
        )
        response = render(request, "territories/search.html", {**context, "regions": regions})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def departement(request: HttpRequest, code: str) -> HttpResponse:
    found = Departement.objects.select_related("region").filter(code=code.upper()).first()
    if found is None:
        raise Http404(_("Aucun département n'a le code %(code)s.") % {"code": code})
    communes = found.communes.current().light().select_related("epci").order_by("nom", "code_insee")
    page = Paginator(communes, COMMUNES_PER_PAGE).get_page(request.GET.get("page"))
    epcis = (
        Epci.objects.filter(communes__departement=found)
        .annotate(commune_count=Count("communes"))
        .order_by("nom")
    )
    return render(
        request,
        "territories/departement.html",
        {"departement": found, "page": page, "epcis": epcis},
    )


@require_safe
def commune(request: HttpRequest, code_insee: str) -> HttpResponse:
    found = (
        Commune.objects.with_relations()
        .select_related("commune_parent")
        .filter(code_insee=code_insee.upper())
        .first()
    )
    if found is None:
        raise Http404(_("Aucune commune n'a le code INSEE %(code)s.") % {"code": code_insee})
    # An arrondissement lies inside its parent commune: that is no neighbour.
    neighbours = [n for n in lookups.neighbours(found) if n.code_insee != found.commune_parent_id]
    arrondissements = list(found.arrondissements.light().order_by("code_insee"))
    shapes = geojson.features([found], role="commune") + geojson.features(
        neighbours, role="neighbour"
    )
    return render(
        request,
        "territories/commune.html",
        {
            "commune": found,
            "neighbours": neighbours,
            "arrondissements": arrondissements,
            "map_data": {"type": "FeatureCollection", "features": shapes},
        },
    )


@require_safe
def epci(request: HttpRequest, code: str) -> HttpResponse:
    found = Epci.objects.filter(code=code).first()
    if found is None:
        raise Http404(_("Aucun EPCI n'a le SIREN %(code)s.") % {"code": code})
    members = list(
        Commune.objects.filter(epci_id=found.code)
        .only("code_insee", "nom", "population", "geometry")
        .order_by("nom", "code_insee")
    )
    return render(
        request,
        "territories/epci.html",
        {
            "epci": found,
            "members": members,
            "map_data": geojson.feature_collection(members, role="member"),
        },
    )
