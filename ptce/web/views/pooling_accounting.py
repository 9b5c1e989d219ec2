"""Pages of pooling's accounting: costs (and their CSV import), allocation rules, periods,
statements (CSV, PDF), closing a period and adjustments after closing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.core import i18n
from ptce.pooling import accounting, exports, queries, services
from ptce.pooling.models import Cost, Period, PeriodStatus
from ptce.web.forms_poles import apply_errors
from ptce.web.forms_pooling import (
    AdjustmentForm,
    CostForm,
    CostImportForm,
    PeriodForm,
    RuleForm,
    key_initial,
)
from ptce.web.views.hub import HubAccess, hub_page
from ptce.web.views.pooling import ctx, get_resource, hub_organisations


def _period(access: HubAccess, period_id: int) -> Period:
    period = Period.objects.filter(pole=access.pole, pk=period_id).select_related("pole").first()
    if period is None:
        raise Http404(_("Ce pôle n’a pas de période n° %(i)s.") % {"i": period_id})
    return period


# ---------------------------------------------------------------------------------- costs


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def costs(request: HttpRequest, access: HubAccess) -> HttpResponse:
    resources = list(queries.resources(request.user, access.pole))
    periods = [p for p in queries.periods(access.pole) if p.status == PeriodStatus.OPEN]
    form = CostForm(request.POST or None, resources=resources, periods=periods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounting.record_cost(
                request.user,
                resource=next(r for r in resources if r.pk == data["resource"]),
                period=next(p for p in periods if p.pk == data["period"]),
                category=data["category"],
                amount_cents=data["amount"],
                label=data["label"],
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"amount_cents": "amount"})
        else:
            messages.success(request, _("Coût enregistré."))
            return redirect("pooling:costs", access.pole.slug)
    rows = list(queries.costs(request.user, access.pole)[:300])
    context = ctx(
        access,
        form=form,
        costs=rows,
        import_form=CostImportForm(periods=periods),
        has_periods=bool(periods),
    )
    return render(
        request, "pooling/costs.html", context, status=400 if request.method == "POST" else 200
    )


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def cost_import(request: HttpRequest, access: HubAccess) -> HttpResponse:
    """Step 1: upload, see the preview and every rejected row; step 2: confirm (all or
    nothing)."""
    periods = [p for p in queries.periods(access.pole) if p.status == PeriodStatus.OPEN]
    form = CostImportForm(request.POST or None, request.FILES or None, periods=periods)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = next(p for p in periods if p.pk == data["period"])
        if data.get("confirm"):
            try:
                result = accounting.import_costs(
                    request.user, pole=access.pole, period=period, content=data["content"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if result.ok:
                    messages.success(
                        request,
                        _("%(n)s coûts importés (%(t)s).")
                        % {
                            "n": len(result.rows),
                            "t": i18n.euros(result.total_cents, True, narrow=True),
                        },
                    )
                    return redirect("pooling:costs", access.pole.slug)
                preview = result
        else:
            preview = accounting.read_costs(access.pole, data["content"])
        form = CostImportForm(
            initial={"period": period.pk, "content": data["content"], "confirm": True},
            periods=periods,
        )
    status = 400 if request.method == "POST" and (preview is None or preview.rejected) else 200
    context = ctx(access, import_form=form, preview=preview)
    return render(request, "pooling/cost_import.html", context, status=status)


@require_POST
@hub_page(manage=True)
def cost_delete(request: HttpRequest, access: HubAccess, cost_id: int) -> HttpResponse:
    cost = queries.costs(request.user, access.pole).filter(pk=cost_id).first()
    if cost is None:
        raise Http404(_("Ce pôle n’a pas de coût n° %(i)s.") % {"i": cost_id})
    try:
        accounting.delete_cost(request.user, cost=cost)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Coût supprimé."))
    return redirect("pooling:costs", access.pole.slug)


# ---------------------------------------------------------------------------------- rules


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def rule(request: HttpRequest, access: HubAccess, resource_id: int) -> HttpResponse:
    item = get_resource(request, access, resource_id)
    organisations = sorted(
        services.members_of(item, timezone.localdate()),
        key=lambda o: o.name,
    )
    current = getattr(item, "allocation_rule", None)
    form = RuleForm(
        request.POST or None,
        organisations=organisations,
        initial=key_initial(organisations, current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            accounting.set_allocation_rule(request.user, resource=item, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc, {"shared_cost_cents": "shared_cost", "key_values": "key"})
        else:
            messages.success(request, _("Règle de répartition enregistrée."))
            return redirect("pooling:resource", access.pole.slug, item.pk)
    context = ctx(access, form=form, resource=item)
    return render(
        request, "pooling/rule.html", context, status=400 if request.method == "POST" else 200
    )


# ------------------------------------------------------------------- periods and statements


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page()
def periods(request: HttpRequest, access: HubAccess) -> HttpResponse:
    form = PeriodForm(request.POST or None) if access.manages else None
    if request.method == "POST":
        if form is None:
            return render(request, "poles/workspace/forbidden.html", ctx(access), status=403)
        if form.is_valid():
            try:
                period = accounting.open_period(request.user, pole=access.pole, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Période %(p)s ouverte.") % {"p": period.label})
                return redirect("pooling:period", access.pole.slug, period.pk)
    rows = list(queries.periods(access.pole)[:60])
    totals = dict(
        Cost.objects.filter(period__in=rows)
        .values("period_id")
        .annotate(t=Sum("amount_cents"))
        .values_list("period_id", "t")
        .order_by()
    )
    for period in rows:
        period.total_cents = int(totals.get(period.pk) or 0)  # type: ignore[attr-defined]
    context = ctx(access, periods=rows, form=form)
    return render(
        request, "pooling/periods.html", context, status=400 if request.method == "POST" else 200
    )


def _period_context(request: HttpRequest, access: HubAccess, item: Period) -> dict[str, Any]:
    statements = list(queries.statements(request.user, access.pole, item))
    return ctx(
        access,
        period=item,
        totals=accounting.period_totals(item),
        statements=statements,
        adjustments=list(queries.adjustments(request.user, access.pole, item)),
        adjustment_form=(
            AdjustmentForm(organisations=hub_organisations(access))
            if access.manages and item.closed
            else None
        ),
        statements_total=sum(s.total_cents for s in statements),
    )


@require_safe
@hub_page()
def period(request: HttpRequest, access: HubAccess, period_id: int) -> HttpResponse:
    item = _period(access, period_id)
    context = _period_context(request, access, item)
    return render(request, "pooling/period.html", context)


@require_POST
@hub_page(manage=True)
def period_compute(request: HttpRequest, access: HubAccess, period_id: int) -> HttpResponse:
    item = _period(access, period_id)
    close = request.POST.get("close") == "1"
    try:
        if close:
            accounting.close_period(request.user, period=item)
        else:
            accounting.compute_statements(request.user, period=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Période clôturée : elle ne peut plus changer.") if close else _("Relevés calculés."),
        )
    return redirect("pooling:period", access.pole.slug, item.pk)


@require_POST
@hub_page(manage=True)
def adjustment(request: HttpRequest, access: HubAccess, period_id: int) -> HttpResponse:
    item = _period(access, period_id)
    organisations = hub_organisations(access)
    form = AdjustmentForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            accounting.add_adjustment(
                request.user,
                period=item,
                organisation=next(o for o in organisations if o.pk == data["organisation"]),
                amount_cents=data["amount"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc, {"amount_cents": "amount"})
        else:
            messages.success(request, _("Régularisation enregistrée."))
            return redirect("pooling:period", access.pole.slug, item.pk)
    context: dict[str, Any] = _period_context(request, access, item)
    context["adjustment_form"] = form
    return render(request, "pooling/period.html", context, status=400)


@require_safe
@hub_page()
def period_csv(request: HttpRequest, access: HubAccess, period_id: int) -> HttpResponse:
    item = _period(access, period_id)
    statements = queries.statements(request.user, access.pole, item)
    body = exports.statement_csv(statements, queries.adjustments(request.user, access.pole, item))
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="releves-{access.pole.slug}-{item.starts_on:%Y-%m}.csv"'
    )
    return response


@require_safe
@hub_page()
def statement_pdf(request: HttpRequest, access: HubAccess, statement_id: int) -> HttpResponse:
    statement = queries.statements(request.user, access.pole).filter(pk=statement_id).first()
    if statement is None:
        raise Http404(_("Relevé introuvable."))
    adjustments = queries.adjustments(request.user, access.pole, statement.period).filter(
        organisation=statement.organisation
    )
    response = HttpResponse(
        exports.statement_pdf(statement, adjustments), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="releve-{statement.period.starts_on:%Y-%m}-{statement.organisation_id}.pdf"'
    )
    return response
