"""Pages of projects: the public project page, the hub's projects and strategy axes, one
project with its budget, funding plan, milestones, results and documents (forms for each),
and the follow-up for coordination, observers (funders) and the lead organisation.

Rules are in `ptce.projects.access`; writes go through `ptce.projects.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.core.choices import Visibility
from ptce.projects import access as rules
from ptce.projects import queries, services
from ptce.projects.models import (
    BudgetLine,
    Document,
    FundingLine,
    FundingSource,
    Milestone,
    Project,
    PublicLevel,
    Result,
    StrategyAxis,
)
from ptce.web.forms_poles import apply_errors
from ptce.web.forms_projects import (
    AxisForm,
    BudgetLineForm,
    DocumentForm,
    FundingLineForm,
    MilestoneForm,
    ProjectForm,
    ResultForm,
)
from ptce.web.views.hub import HubAccess, hub_page


def ctx(access: HubAccess, **extra: Any) -> dict[str, Any]:
    return {"pole": access.pole, "access": access, "section": "projects", **extra}


def _project(request: HttpRequest, access: HubAccess, pk: int, *, details: bool = False) -> Project:
    qs: QuerySet[Project] = Project.objects.visible_to(request.user).filter(pole=access.pole, pk=pk)
    qs = queries.with_details(qs) if details else qs.select_related("pole", "lead_organisation")
    project = qs.first()
    if project is None:
        raise Http404(_("Ce pôle n’a pas de projet n° %(i)s.") % {"i": pk})
    return project


def _editable(request: HttpRequest, access: HubAccess, pk: int) -> Project:
    project = _project(request, access, pk)
    if not rules.can_edit(request.user, project):
        raise PermissionDenied(
            _("Seuls la coordination du pôle et le porteur du projet peuvent le modifier.")
        )
    return project


# ------------------------------------------------------------------------------ public page


@require_safe
def public(request: HttpRequest, pole_slug: str, project_slug: str) -> HttpResponse:
    project = queries.with_details(
        Project.objects.public().filter(pole__slug=pole_slug, slug=project_slug)
    ).first()
    if project is None:
        raise Http404(_("Aucun projet public n’a cette adresse."))
    plan = queries.plan_of(project)
    context = {
        "project": project,
        "pole": project.pole,
        "plan": plan,
        "progress": queries.progress_of(project),
        "sources": queries.rows(plan, dict(FundingSource.choices), levels=False),
        "levels": queries.rows(plan, dict(PublicLevel.choices), levels=True),
        "documents": [d for d in project.documents.all() if d.visibility == Visibility.PUBLIC],
        "may_follow": rules.can_follow(request.user, project),
    }
    return render(request, "projects/public.html", context)


@require_safe
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve a document to those who may read it (never from MEDIA_URL)."""
    doc = (
        Document.objects.select_related("project__pole", "project__lead_organisation")
        .filter(pk=pk)
        .first()
    )
    if doc is None or not rules.can_download(request.user, doc):
        raise Http404(_("Aucun document n’a ce numéro, ou il ne vous est pas ouvert."))
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Le fichier de ce document est introuvable.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=doc.filename, content_type=doc.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------------------ hub pages


@require_safe
@hub_page()
def index(request: HttpRequest, access: HubAccess) -> HttpResponse:
    projects = list(queries.hub_projects(request.user, access.pole))
    for p in projects:
        p.progress_percent = queries.progress_of(p)  # type: ignore[attr-defined]
    axes = list(StrategyAxis.objects.filter(pole=access.pole))
    groups: list[tuple[StrategyAxis | None, list[Project]]] = [
        (axis, [p for p in projects if p.axis_id == axis.pk]) for axis in axes
    ]
    loose = [p for p in projects if p.axis_id is None]
    if loose:
        groups.append((None, loose))
    context = ctx(
        access,
        groups=groups,
        axes=axes,
        count=len(projects),
    )
    return render(request, "projects/index.html", context)


@require_safe
@hub_page()
def project(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    item = _project(request, access, pk, details=True)
    plan = queries.plan_of(item)
    follow = rules.can_follow(request.user, item)
    documents = [d for d in item.documents.all() if follow or rules.can_download(request.user, d)]
    context = ctx(
        access,
        project=item,
        plan=plan,
        progress=queries.progress_of(item),
        may_edit=rules.can_edit(request.user, item),
        may_follow=follow,
        documents=documents,
        funding_lines=[
            line for line in item.funding_lines.all() if follow or line.status != "refused"
        ],
    )
    return render(request, "projects/project.html", context)


@require_safe
@hub_page()
def follow_up(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    item = _project(request, access, pk, details=True)
    if not rules.can_follow(request.user, item):
        raise PermissionDenied(
            _("Le suivi du projet est réservé à la coordination, aux observateurs et au porteur.")
        )
    plan = queries.plan_of(item)
    context = ctx(
        access,
        project=item,
        plan=plan,
        progress=queries.progress_of(item),
        sources=queries.rows(plan, dict(FundingSource.choices), levels=False),
        levels=queries.rows(plan, dict(PublicLevel.choices), levels=True),
        may_edit=rules.can_edit(request.user, item),
    )
    return render(request, "projects/follow_up.html", context)


def _organisations(access: HubAccess, project: Project | None) -> tuple[list[Any], list[Any]]:
    leads = services.lead_candidates(access.pole)
    partners = list(leads)
    if project is not None:
        known = {o.pk for o in partners}
        extra = [
            p.organisation for p in project.partnerships.all() if p.organisation_id not in known
        ]
        partners += extra
    return leads, sorted(partners, key=lambda o: (o.name, o.pk))


def _project_form(request: HttpRequest, access: HubAccess, item: Project | None) -> HttpResponse:
    axes = list(StrategyAxis.objects.filter(pole=access.pole))
    if item is not None:
        item = queries.with_details(Project.objects.filter(pk=item.pk)).get()
    leads, partners = _organisations(access, item)
    initial = ProjectForm.initial_for(item) if item else None
    form = ProjectForm(
        request.POST or None,
        initial=initial,
        axes=axes,
        leads=leads,
        partners=partners,
        has_perimeter=access.pole.perimeter_id is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {o.pk: o for o in partners}
        roles = {p.organisation_id: p.role for p in item.partnerships.all()} if item else {}
        values: dict[str, Any] = {
            k: data[k]
            for k in (
                "title",
                "summary",
                "description",
                "objectives",
                "territory",
                "starts_on",
                "ends_on",
                "status",
                "visibility",
            )
        }
        if data["slug"]:  # else: from the title on creation, kept on edition
            values["slug"] = data["slug"]
        values["axis"] = next((a for a in axes if a.pk == data["axis"]), None)
        values["lead_organisation"] = (
            by_id.get(data["lead_organisation"]) if data["lead_organisation"] else None
        )
        values["partners"] = [(by_id[i], roles.get(i, "")) for i in data["partners"] if i in by_id]
        if "on_hub_perimeter" in data:
            values["perimeter"] = access.pole.perimeter if data["on_hub_perimeter"] else None
        try:
            if item is None:
                item = services.create_project(request.user, pole=access.pole, **values)
            else:
                services.update_project(request.user, project=item, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Projet « %(t)s » enregistré.") % {"t": item.title})
            return redirect("projects:project", access.pole.slug, item.pk)
    status = 400 if request.method == "POST" else 200
    title = _("Modifier le projet") if item else _("Nouveau projet")
    context = ctx(access, form=form, project=item, page_title=title)
    return render(request, "projects/form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def project_create(request: HttpRequest, access: HubAccess) -> HttpResponse:
    return _project_form(request, access, None)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def project_edit(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    return _project_form(request, access, _editable(request, access, pk))


# ------------------------------------------------------------------------------ axes


def _axis_form(request: HttpRequest, access: HubAccess, axis: StrategyAxis | None) -> HttpResponse:
    initial = (
        AxisForm.initial_for(axis) if axis else {"order": len(access.pole.strategy_axes.all()) + 1}
    )
    form = AxisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if axis is None:
                axis = services.create_axis(request.user, pole=access.pole, **form.cleaned_data)
            else:
                services.update_axis(request.user, axis=axis, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Axe « %(t)s » enregistré.") % {"t": axis.title})
            return redirect("projects:index", access.pole.slug)
    status = 400 if request.method == "POST" else 200
    title = _("Modifier l’axe stratégique") if axis else _("Nouvel axe stratégique")
    context = ctx(access, form=form, page_title=title, axis=axis)
    return render(request, "projects/form.html", context, status=status)


def _axis(access: HubAccess, pk: int) -> StrategyAxis:
    axis = StrategyAxis.objects.filter(pole=access.pole, pk=pk).select_related("pole").first()
    if axis is None:
        raise Http404(_("Ce pôle n’a pas d’axe n° %(i)s.") % {"i": pk})
    return axis


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def axis_create(request: HttpRequest, access: HubAccess) -> HttpResponse:
    return _axis_form(request, access, None)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def axis_edit(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    return _axis_form(request, access, _axis(access, pk))


@require_POST
@hub_page(manage=True)
def axis_delete(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    axis = _axis(access, pk)
    services.delete_axis(request.user, axis=axis)
    messages.success(
        request, _("Axe « %(t)s » supprimé ; ses projets restent.") % {"t": axis.title}
    )
    return redirect("projects:index", access.pole.slug)


# ------------------------------------------------------------------------------ lines


@dataclass(frozen=True)
class Kind:
    """One kind of line of a project, with its form and services."""

    model: type[Any]
    form: type[Any]
    add: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., Any]
    keyword: str  # the services' name for the line
    new_title: Any
    edit_title: Any
    anchor: str


KINDS: dict[str, Kind] = {
    "budget": Kind(
        BudgetLine,
        BudgetLineForm,
        services.add_budget_line,
        services.update_budget_line,
        services.delete_budget_line,
        "line",
        gettext_lazy("Nouvelle dépense"),
        gettext_lazy("Modifier la dépense"),
        "budget",
    ),
    "financement": Kind(
        FundingLine,
        FundingLineForm,
        services.add_funding_line,
        services.update_funding_line,
        services.delete_funding_line,
        "line",
        gettext_lazy("Nouvelle ligne du plan de financement"),
        gettext_lazy("Modifier la ligne du plan de financement"),
        "funding",
    ),
    "jalons": Kind(
        Milestone,
        MilestoneForm,
        services.add_milestone,
        services.update_milestone,
        services.delete_milestone,
        "milestone",
        gettext_lazy("Nouveau jalon"),
        gettext_lazy("Modifier le jalon"),
        "milestones",
    ),
    "resultats": Kind(
        Result,
        ResultForm,
        services.add_result,
        services.update_result,
        services.delete_result,
        "result",
        gettext_lazy("Nouveau résultat"),
        gettext_lazy("Modifier le résultat"),
        "results",
    ),
}


def _kind(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404(_("Page introuvable."))
    return KINDS[kind]


def _line(spec: Kind, item: Project, line_pk: int) -> Any:
    line = spec.model.objects.filter(project=item, pk=line_pk).first()
    if line is None:
        raise Http404(_("Ce projet n’a pas de ligne n° %(i)s.") % {"i": line_pk})
    line.project = item
    return line


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def line_form(
    request: HttpRequest, access: HubAccess, pk: int, kind: str, line_pk: int | None = None
) -> HttpResponse:
    spec = _kind(kind)
    item = _editable(request, access, pk)
    line = _line(spec, item, line_pk) if line_pk is not None else None
    form = spec.form(request.POST or None, initial=spec.form.initial_for(line) if line else None)
    if request.method == "POST" and form.is_valid():
        try:
            if line is None:
                spec.add(request.user, project=item, **form.values())
            else:
                spec.update(request.user, **{spec.keyword: line}, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Enregistré."))
            return redirect(_back(access, item, spec.anchor))
    status = 400 if request.method == "POST" else 200
    context = ctx(
        access,
        form=form,
        project=item,
        page_title=spec.edit_title if line else spec.new_title,
        delete_url=request.path + "supprimer/" if line else None,
    )
    return render(request, "projects/form.html", context, status=status)


def _back(access: HubAccess, item: Project, anchor: str) -> str:
    return reverse("projects:project", args=[access.pole.slug, item.pk]) + "#" + anchor


@require_POST
@hub_page()
def line_delete(
    request: HttpRequest, access: HubAccess, pk: int, kind: str, line_pk: int
) -> HttpResponse:
    spec = _kind(kind)
    item = _editable(request, access, pk)
    spec.delete(request.user, **{spec.keyword: _line(spec, item, line_pk)})
    messages.success(request, _("Supprimé."))
    return redirect(_back(access, item, spec.anchor))


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def document_create(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    item = _editable(request, access, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_document(
                request.user,
                project=item,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Document déposé."))
            return redirect(_back(access, item, "documents"))
    status = 400 if request.method == "POST" else 200
    context = ctx(
        access, form=form, project=item, page_title=_("Déposer un document"), multipart=True
    )
    return render(request, "projects/form.html", context, status=status)


@require_POST
@hub_page()
def document_delete(request: HttpRequest, access: HubAccess, pk: int, doc_pk: int) -> HttpResponse:
    item = _editable(request, access, pk)
    doc = Document.objects.filter(project=item, pk=doc_pk).first()
    if doc is None:
        raise Http404(_("Ce projet n’a pas de document n° %(i)s.") % {"i": doc_pk})
    doc.project = item
    services.delete_document(request.user, document=doc)
    messages.success(request, _("Document supprimé."))
    return redirect("projects:project", access.pole.slug, item.pk)
