"""Pages of financing: the public campaign page with its subscription form, and the
coordinators' pages in the hub's space (campaigns, subscriptions and payments, register
downloads, certificates, refunds, personal data requests).

Every write goes through `ptce.financing.services`; a service's ValidationError goes back on
the form's fields and the page is rendered again with what the person typed (status 400).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ptce.financing import documents, queries, ratelimit, services
from ptce.financing.allotment import RULE_STATEMENTS
from ptce.financing.common import is_id
from ptce.financing.models import Campaign, CampaignState, PaymentStatus, Subscription
from ptce.poles import permissions
from ptce.web.forms_financing import (
    CAMPAIGN_FIELD_MAP,
    CampaignForm,
    InvestorDataForm,
    PaymentForm,
    SubscriptionForm,
)
from ptce.web.forms_poles import apply_errors
from ptce.web.views.hub import HubAccess, hub_page

PAGE_SIZE = 50


# ----------------------------------------------------------------------------- public


def _public_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = (
        Campaign.objects.visible_to(request.user)
        .select_related("pole", "project")
        .filter(pk=pk)
        .first()
        if is_id(pk)
        else None
    )
    if campaign is None:
        raise Http404(_("Aucune campagne n'a le numéro %(id)s.") % {"id": pk})
    return campaign


SESSION_KEY = "financing_subscriptions"


def my_certificate_url(sub: Subscription) -> str:
    """The subscriber's own certificate: a link only they are given (after subscribing, on
    the page in their browser session, in the API's answer)."""
    return reverse(
        "financing:my_certificate",
        args=[sub.campaign_id, sub.public_id, services.certificate_token(sub)],
    )


def _remember(request: HttpRequest, sub: Subscription) -> None:
    """Keep the subscription in the visitor's session, for the certificate link on the page."""
    kept = [r for r in request.session.get(SESSION_KEY, []) if isinstance(r, list)][-19:]
    kept.append([sub.campaign_id, str(sub.public_id), services.eur(sub.amount_cents)])
    request.session[SESSION_KEY] = kept


def _mine(request: HttpRequest, campaign: Campaign) -> list[dict[str, str]]:
    rows = request.session.get(SESSION_KEY, []) if hasattr(request, "session") else []
    wanted = {
        r[1]: r[2] for r in rows if isinstance(r, list) and len(r) == 3 and r[0] == campaign.pk
    }
    if not wanted:
        return []
    subs = Subscription.objects.filter(
        campaign=campaign, public_id__in=list(wanted), erased_at__isnull=True
    ).only("pk", "campaign_id", "public_id", "amount_cents")
    return [
        {
            "ref": str(s.public_id)[:8],
            "amount": services.eur(s.amount_cents),
            "url": my_certificate_url(s),
        }
        for s in subs
    ]


def _campaign_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    fig = queries.campaign_figures(campaign)
    public = queries.public_communes(fig)  # never a commune's exact figures below the threshold
    return {
        "mine": _mine(request, campaign),
        "campaign": campaign,
        "pole": campaign.pole,
        "figures": public["figures"],  # local figures and median only when publishable
        "withheld": queries.withheld_reasons(public["figures"]),
        "points": public["points"],
        "other_communes": public["others"],
        "disclosure_threshold": public["threshold"],
        "rule_statement": _(RULE_STATEMENTS[campaign.oversubscription]),
        "manages": permissions.can_manage_pole(request.user, campaign.pole),
    }


@require_http_methods(["GET", "HEAD", "POST"])
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """The public page: progress, figures, investors' map, and the subscription form."""
    obj = _public_campaign(request, pk)
    if request.method != "POST":
        form = SubscriptionForm(campaign=obj)
        return render(
            request, "financing/campaign.html", {**_campaign_context(request, obj), "form": form}
        )
    form = SubscriptionForm(request.POST, campaign=obj)
    if request.POST.get("action") == "search_commune":
        # Without JavaScript: the same page with the matching communes, nothing lost.
        form = SubscriptionForm(initial=request.POST.dict(), campaign=obj)
        context = {**_campaign_context(request, obj), "form": form}
        return render(request, "financing/campaign.html", context)
    status = 400
    limit, window = ratelimit.subscribe_limit()
    verdict = ratelimit.hit("subscribe", ratelimit.client_ip(request), limit=limit, window=window)
    if not verdict.allowed:
        form.is_valid()
        form.add_error(
            None,
            _("Trop de souscriptions depuis votre adresse : réessayez dans %(s)s secondes.")
            % {"s": verdict.retry_after},
        )
        status = 429
    elif not form.is_valid():
        # The form's own errors, and the rules' ones on the other fields: all at once.
        for field, message in services.subscription_problems(obj, form.values()).items():
            target = None if field == "__all__" else field
            if target is None or (target in form.fields and target not in form.errors):
                form.add_error(target, message)
    else:
        acting = request.user if request.user.is_authenticated else None
        try:
            sub = services.subscribe(acting, campaign=obj, **form.values())
        except ValidationError as error:
            apply_errors(
                form, error, {"commune": "commune_q"} if "commune" not in form.fields else {}
            )
        else:
            messages.success(
                request,
                _(
                    "Merci ! Votre souscription de %(a)s est enregistrée (référence %(ref)s). "
                    "La coordination du pôle vous indiquera comment verser les fonds."
                )
                % {"a": services.eur(sub.amount_cents), "ref": str(sub.public_id)[:8]},
            )
            _remember(request, sub)
            return redirect(reverse("financing:campaign", args=[obj.pk]) + "#progression")
    context = {**_campaign_context(request, obj), "form": form}
    return render(request, "financing/campaign.html", context, status=status)


def _certificate_response(subscription: Subscription) -> HttpResponse:
    response = HttpResponse(documents.certificate_pdf(subscription), content_type="application/pdf")
    filename = f"attestation-{str(subscription.public_id)[:8]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # personal data
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def my_certificate(request: HttpRequest, pk: int, ref: UUID, token: str) -> HttpResponse:
    """The subscriber's own certificate, behind the key only they were given."""
    subscription = (
        Subscription.objects.filter(campaign_id=pk, public_id=ref, erased_at__isnull=True)
        .select_related("campaign__pole", "campaign__project", "commune")
        .first()
        if is_id(pk)
        else None
    )
    if subscription is None or not constant_time_compare(
        token, services.certificate_token(subscription)
    ):
        raise Http404(_("Aucune attestation ne correspond à ce lien."))
    return _certificate_response(subscription)


@require_safe
def commune_search(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the communes matching `commune_q`, as radio buttons named `commune`."""
    obj = _public_campaign(request, pk)
    form = SubscriptionForm(
        initial={"commune_q": request.GET.get("commune_q", "")[:100]}, campaign=obj
    )
    return render(request, "financing/_commune_choices.html", {"form": form})


@require_safe
def campaign_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The figures as JSON (the page refreshes its progress with it)."""
    obj = _public_campaign(request, pk)
    fig = queries.campaign_figures(obj)
    public = queries.public_communes(fig)
    shown = public["figures"]
    share = shown.local_share_amount
    return JsonResponse(
        {
            "raised_cents": shown.raised_cents,
            "investors": shown.investors,
            # null when it would single out one or two investors; `withheld` says why
            "local_share_amount": None if share is None else round(share, 4),
            "withheld": {
                k: v
                for k, v in queries.withheld_reasons(shown).items()
                if k == "local_share_amount"
            },
            "points": public["points"],
            "other_communes": public["others"],
        }
    )


# ----------------------------------------------------------------------------- hub space


def _hub_campaign(access: HubAccess, pk: int) -> Campaign:
    obj = (
        Campaign.objects.filter(pole=access.pole, pk=pk).select_related("pole", "project").first()
        if is_id(pk)
        else None
    )
    if obj is None:
        raise Http404(_("Aucune campagne n'a le numéro %(id)s dans ce pôle.") % {"id": pk})
    return obj


def _projects(access: HubAccess) -> list[Any]:
    from ptce.projects.models import Project

    return list(Project.objects.filter(pole=access.pole).order_by("title"))


def _hub(access: HubAccess, **extra: Any) -> dict[str, Any]:
    return {"pole": access.pole, "access": access, "section": "financing", **extra}


@require_safe
@hub_page()
def campaigns(request: HttpRequest, access: HubAccess) -> HttpResponse:
    """The hub's campaigns with their figures; drafts for the coordination only."""
    qs = Campaign.objects.filter(pole=access.pole).select_related("project")
    if not access.manages:
        qs = qs.exclude(state=CampaignState.DRAFT)
    rows = list(qs.order_by("-opens_at"))
    figures = queries.figures_by_campaign(rows)
    context = _hub(
        access,
        rows=[(c, figures[c.pk]) for c in rows],
        totals=queries.pole_figures(access.pole),
    )
    return render(request, "financing/hub/campaigns.html", context)


def _changed(new: Any, old: Any) -> bool:
    """Did the form change this value? Dates are typed to the minute."""
    if isinstance(new, dt.datetime) and isinstance(old, dt.datetime):
        return new.replace(second=0, microsecond=0) != old.replace(second=0, microsecond=0)
    return bool(new != old)


def _save_campaign(request: HttpRequest, access: HubAccess, obj: Campaign | None) -> HttpResponse:
    projects = _projects(access)
    if request.method != "POST":
        initial = CampaignForm.initial_from(obj) if obj else CampaignForm.new_initial()
        form = CampaignForm(initial=initial, projects=projects)
        return render(request, "financing/hub/campaign_form.html", _hub(access, form=form, obj=obj))
    form = CampaignForm(request.POST, projects=projects)
    if form.is_valid():
        project = next(p for p in projects if p.pk == form.cleaned_data["project"])
        try:
            if obj is None:
                obj = services.create_campaign(request.user, project=project, **form.values())
                messages.success(request, _("La campagne est créée (brouillon)."))
            else:
                values = form.values()
                values["consent_text"] = values["consent_text"] or services.DEFAULT_CONSENT
                if obj.state != CampaignState.DRAFT:
                    values = {k: v for k, v in values.items() if _changed(v, getattr(obj, k))}
                services.update_campaign(request.user, campaign=obj, **values)
                messages.success(request, _("La campagne est enregistrée."))
        except ValidationError as error:
            apply_errors(form, error, CAMPAIGN_FIELD_MAP)
        else:
            return redirect("financing:hub_campaign", access.pole.slug, obj.pk)
    context = _hub(access, form=form, obj=obj)
    return render(request, "financing/hub/campaign_form.html", context, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def campaign_create(request: HttpRequest, access: HubAccess) -> HttpResponse:
    return _save_campaign(request, access, None)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def campaign_edit(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    return _save_campaign(request, access, _hub_campaign(access, pk))


@require_safe
@hub_page(manage=True)
def hub_campaign(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    """A campaign for its coordination: figures, state actions, subscriptions and payments."""
    obj = _hub_campaign(access, pk)
    qs = queries.register(obj)
    status = request.GET.get("paiement", "")
    if status in PaymentStatus.values:
        qs = qs.filter(payment_status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    fig = queries.campaign_figures(obj)
    context = _hub(
        access,
        campaign=obj,
        figures=fig,
        page=page,
        status=status,
        statuses=PaymentStatus.choices,
        refunds_due=[line for line in services.refund_list(obj) if not line.done],
        rule_statement=_(RULE_STATEMENTS[obj.oversubscription]),
    )
    return render(request, "financing/hub/campaign.html", context)


@require_POST
@hub_page(manage=True)
def campaign_state(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    obj = _hub_campaign(access, pk)
    action = request.POST.get("action")
    actions = {
        "open": (services.open_campaign, _("La campagne est ouverte aux souscriptions.")),
        "settle": (services.settle_campaign, _("Les souscriptions sont closes.")),
        "close": (services.close_campaign, _("La campagne est clôturée.")),
    }
    if action not in actions:
        messages.error(request, _("Action inconnue : %(a)s.") % {"a": action})
    else:
        service, done = actions[action]
        try:
            obj = service(request.user, campaign=obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
            if obj.state == CampaignState.FAILED:
                messages.warning(
                    request,
                    _(
                        "Le montant minimum n'est pas atteint : la campagne a échoué. "
                        "Remboursez les versements reçus."
                    ),
                )
    return redirect("financing:hub_campaign", access.pole.slug, obj.pk)


@require_POST
@hub_page(manage=True)
def payment(request: HttpRequest, access: HubAccess, pk: int, sub: int) -> HttpResponse:
    obj = _hub_campaign(access, pk)
    subscription = (
        Subscription.objects.filter(campaign=obj, pk=sub).select_related("campaign__pole").first()
        if is_id(sub)
        else None
    )
    if subscription is None:
        raise Http404(_("Souscription introuvable."))
    form = PaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("État de paiement inconnu."))
    else:
        service = (
            services.mark_paid
            if form.cleaned_data["status"] == PaymentStatus.PAID
            else services.mark_refunded
        )
        try:
            service(request.user, subscription=subscription)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Souscription de %(name)s : %(s)s.")
                % {
                    "name": subscription.name or subscription.public_id,
                    "s": PaymentStatus(form.cleaned_data["status"]).label.lower(),
                },
            )
    back = request.POST.get("next") or ""
    if back.startswith("/espace/"):
        return redirect(back)
    return redirect("financing:hub_campaign", access.pole.slug, obj.pk)


@require_safe
@hub_page(manage=True)
def register_download(request: HttpRequest, access: HubAccess, pk: int, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Format inconnu : %(f)s (csv ou xlsx).") % {"f": fmt})
    obj = _hub_campaign(access, pk)
    subs = queries.register(obj)
    name = f"registre-campagne-{obj.pk}"
    if fmt == "csv":
        response = HttpResponse(
            documents.register_csv(subs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = HttpResponse(
            documents.register_xlsx(obj, subs),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_safe
@hub_page(manage=True)
def certificate(request: HttpRequest, access: HubAccess, pk: int, sub: int) -> HttpResponse:
    obj = _hub_campaign(access, pk)
    subscription = (
        Subscription.objects.filter(campaign=obj, pk=sub)
        .select_related("campaign__pole", "campaign__project", "commune")
        .first()
        if is_id(sub)
        else None
    )
    if subscription is None:
        raise Http404(_("Souscription introuvable."))
    return _certificate_response(subscription)


@require_safe
@hub_page(manage=True)
def refunds(request: HttpRequest, access: HubAccess, pk: int) -> HttpResponse:
    obj = _hub_campaign(access, pk)
    lines = services.refund_list(obj)
    context = _hub(
        access,
        campaign=obj,
        lines=lines,
        total=sum(line.refund_cents for line in lines),
        pending=sum(line.refund_cents for line in lines if not line.done),
    )
    return render(request, "financing/hub/refunds.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@hub_page(manage=True)
def investor_data(request: HttpRequest, access: HubAccess) -> HttpResponse:
    """A person's request: export their data, or erase it (keeping what the law requires)."""
    if request.method != "POST":
        return render(
            request, "financing/hub/investor_data.html", _hub(access, form=InvestorDataForm())
        )
    form = InvestorDataForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        if form.cleaned_data["action"] == "export":
            data = services.export_investor_data(request.user, pole=access.pole, email=email)
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2, default=str),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = 'attachment; filename="donnees-investisseur.json"'
            return response
        if not form.cleaned_data["confirm"]:
            form.add_error("confirm", _("Cochez la case pour confirmer l'effacement."))
        else:
            count = services.erase_investor(request.user, pole=access.pole, email=email)
            messages.success(
                request,
                _("%(n)s souscription(s) anonymisée(s) ; montants et dates conservés.")
                % {"n": count},
            )
            return redirect("financing:investor_data", access.pole.slug)
    context = _hub(access, form=form)
    return render(request, "financing/hub/investor_data.html", context, status=400)
