"""Pages of financing: the public campaign page and form, the coordinators' pages."""

import io
import json
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from ptce.financing import services
from ptce.financing.models import Campaign, Subscription
from tests.financing import factories as f
from tests.financing.factories import fresh_cache  # noqa: F401 - autouse fixture
from tests.web.html import squash

pytestmark = pytest.mark.django_db


@pytest.fixture
def pole(territory):
    return f.hub()


@pytest.fixture
def coord(pole):
    return f.coordinator(pole)


def form_data(n=1, **values):
    data = {k: v for k, v in f.person_values(n).items() if k != "consent"}
    data.update({"consent": "on", "units": "2", "action": "subscribe"})
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


# ----------------------------------------------------------------------------- public


def test_public_page_shows_progress_figures_map_and_form(client, pole, parse):
    c = f.campaign(pole)
    f.subscribe(c, 1, units=3)
    f.subscribe(c, 2, units=1, commune="42218", postcode="42000")
    response = client.get(reverse("financing:campaign", args=[c.pk]))
    assert response.status_code == 200
    page = parse(response)
    text = squash(response.content.decode())
    assert "400\u00a0€" in text and "75,0\u00a0%" not in text
    # Two investors: neither the local share nor the median is published (secret statistique).
    assert page.by_id("campaign-local").text.strip() == "non publié (moins de 3 souscripteurs)"
    assert page.by_id("campaign-median").text.strip() == "non publié (moins de 3 souscripteurs)"
    assert "200\u00a0€" not in text  # the median of 100 and 300 EUR
    progress = next(e for e in page.elements if e.tag == "progress")
    assert progress.attrs["value"] == "40000" and progress.attrs["max"] == "500000"
    # Two investors: no commune may be shown (secret statistique), one national line.
    assert json.loads(page.by_id("campaign-points").text) == []
    assert "Autres communes (moins de 3 souscripteurs chacune)" in text
    assert "Saint-Étienne" not in text
    assert any(e.tag == "input" and e.attrs.get("name") == "iban" for e in page.elements)


def untagged(html):
    return squash(re.sub(r"<[^>]+>", " ", html))


def _subscribe_in(c, communes):
    """One investor per (commune, postcode, units), numbered from 1."""
    for n, (commune, postcode, units) in enumerate(communes, start=1):
        f.subscribe(c, n, units=units, commune=commune, postcode=postcode)


def test_public_page_hides_communes_under_three_investors(client, pole, parse):
    c = f.campaign(pole)
    romans, bourg, stetienne = ("26281", "26100"), ("26057", "26300"), ("42218", "42000")
    _subscribe_in(c, [(*romans, 1)] * 4 + [(*bourg, 2)] * 3 + [(*stetienne, 7)])
    response = client.get(reverse("financing:campaign", args=[c.pk]))
    page = parse(response)
    text = squash(response.content.decode())
    points = json.loads(page.by_id("campaign-points").text)
    # Saint-Étienne's lone investor (700 EUR) would be total - shown: the next smallest
    # commune (Bourg-de-Péage, 3 investors) joins the national bucket.
    assert [(p["nom"], p["investors"], p["amount_cents"]) for p in points] == [
        ("Romans-sur-Isère", 4, 40_000)
    ]
    assert "Saint-Étienne" not in text and "Bourg-de-Péage" not in text
    assert not re.search("(?<![0-9\u00a0])700\u00a0€", text)  # only the total, 1 700 EUR
    row = "Autres communes (moins de 3 souscripteurs chacune) 4 1\u00a0300\u00a0€"
    assert row in untagged(text)
    assert page.by_id("map-secret") is not None
    # One investor outside the perimeter: the local share would give their amount.
    assert "non publié" in page.by_id("campaign-local").text
    assert page.by_id("campaign-median").text.strip() == "150\u00a0€"  # 8 investors


def test_public_page_shows_local_share_when_both_groups_reach_three(client, pole, parse):
    c = f.campaign(pole)
    romans, stetienne = ("26281", "26100"), ("42218", "42000")
    _subscribe_in(c, [(*romans, 1)] * 3 + [(*stetienne, 3)] * 3)
    page = parse(client.get(reverse("financing:campaign", args=[c.pk])))
    assert page.by_id("campaign-local").text.strip() == "25,0\u00a0%"
    assert page.by_id("campaign-median").text.strip() == "200\u00a0€"


def test_public_page_groups_small_communes_by_departement(client, pole, parse):
    c = f.campaign(pole)
    _subscribe_in(
        c,
        [("26281", "26100", 1)] * 3
        + [("26057", "26300", 2)] * 2
        + [("26362", "26000", 5), ("75056", "75001", 1)] * 1
        + [("75056", "75001", 1)] * 2,
    )
    text = squash(client.get(reverse("financing:campaign", args=[c.pk])).content.decode())
    row = "Autres communes, département Drôme (26) (moins de 3 souscripteurs chacune) 3 900\u00a0€"
    assert row in untagged(text)
    assert "Valence" not in text and "Bourg-de-Péage" not in text
    assert "Romans-sur-Isère" in text and "Paris" in text


def test_the_coordination_keeps_exact_figures(client, pole, coord):
    c = f.campaign(pole)
    f.subscribe(c, 1, units=7, commune="42218", postcode="42000")
    client.force_login(coord)
    text = squash(
        client.get(reverse("financing:hub_campaign", args=[pole.slug, c.pk])).content.decode()
    )
    assert "Saint-Étienne" in text and "700" in text


def test_draft_is_not_public(client, pole, coord):
    c = f.campaign(pole, state="draft")
    assert client.get(reverse("financing:campaign", args=[c.pk])).status_code == 404
    client.force_login(coord)
    assert client.get(reverse("financing:campaign", args=[c.pk])).status_code == 200


def test_subscribing_changes_the_progress(client, pole):
    c = f.campaign(pole)
    url = reverse("financing:campaign", args=[c.pk])
    response = client.post(url, form_data(1))
    assert response.status_code == 302
    page = client.get(url)
    assert "Merci" in page.content.decode()
    assert 'value="20000"' in page.content.decode()
    sub = Subscription.objects.get()
    assert sub.is_local and sub.units == 2 and sub.consent_at


def test_errors_keep_what_was_typed(client, pole, parse):
    c = f.campaign(pole, residency="residents_only")
    data = form_data(
        1, commune="42218", postcode="42000", iban="FR76 0000", name="Anne Dupont (fictive)"
    )
    data.pop("consent")
    response = client.post(reverse("financing:campaign", args=[c.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "réservée aux habitants" in html
    assert "IBAN" in html and "consentement" in html
    page = parse(response)
    inputs = {e.attrs.get("name"): e.attrs.get("value") for e in page.elements if e.tag == "input"}
    assert inputs["name"] == "Anne Dupont (fictive)"
    assert inputs["iban"] == "FR76 0000"
    assert inputs["address"] == "2 rue des Éoliennes"
    assert not Subscription.objects.exists()


def test_amount_field_for_donations(client, pole):
    c = f.campaign(
        pole,
        instrument="donation",
        unit_price_cents=None,
        min_ticket_cents=1_000,
        max_ticket_cents=None,
    )
    url = reverse("financing:campaign", args=[c.pk])
    response = client.post(url, form_data(1, units=None, amount="abc"))
    assert response.status_code == 400
    assert "montant en euros" in response.content.decode()
    response = client.post(url, form_data(1, units=None, amount="1 250"))
    assert response.status_code == 302
    assert Subscription.objects.get().amount_cents == 125_000


def test_rate_limit_on_the_form(client, pole, settings):
    settings.PTCE_SUBSCRIBE_RATE = (2, 60)
    c = f.campaign(pole)
    url = reverse("financing:campaign", args=[c.pk])
    assert client.post(url, form_data(1)).status_code == 302
    assert client.post(url, form_data(2)).status_code == 302
    response = client.post(url, form_data(3, name="Gardé (fictif)"))
    assert response.status_code == 429
    assert "Trop de souscriptions" in response.content.decode()
    assert "Gardé (fictif)" in response.content.decode()


def test_commune_search_fragment(client, pole):
    c = f.campaign(pole)
    response = client.get(reverse("financing:commune_search", args=[c.pk]), {"commune_q": "Romans"})
    assert response.status_code == 200
    assert 'value="26281"' in response.content.decode()


def test_project_slot_tag_lists_visible_campaigns(pole, django_assert_max_num_queries):
    project = f.project(pole)
    c = f.campaign(pole, project_obj=project, title="Campagne publique (fictive)")
    f.campaign(pole, project_obj=project, state="draft", title="Brouillon caché (fictif)")
    f.subscribe(c, 1, units=3)
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    template = Template(
        "{% load financing %}{% project_campaigns project as rows %}"
        "{% for c, fig in rows %}{{ c.title }}={{ fig.raised_cents|euros }};{% endfor %}"
    )
    with django_assert_max_num_queries(3):
        out = template.render(Context({"project": project, "request": request}))
    assert out == "Campagne publique (fictive)=300\u00a0€;"


# ----------------------------------------------------------------------------- hub space


def test_hub_pages_need_a_role_and_coordination(client, pole, coord, user):
    c = f.campaign(pole)
    hub_url = reverse("financing:campaigns", args=[pole.slug])
    manage_url = reverse("financing:hub_campaign", args=[pole.slug, c.pk])
    assert client.get(hub_url).status_code == 302  # sign in first
    client.force_login(user)
    assert client.get(hub_url).status_code == 403
    other = f.coordinator(f.hub("Autre pôle (fictif)"))
    client.force_login(other)
    assert client.get(hub_url).status_code == 403
    assert client.get(manage_url).status_code == 403
    sub = f.subscribe(c, 1)
    pay = reverse("financing:payment", args=[pole.slug, c.pk, sub.pk])
    assert client.post(pay, {"status": "paid"}).status_code == 403
    sub.refresh_from_db()
    assert sub.payment_status == "pledged"
    observer = f.poles.person("observe@example.org", pole, "observer")
    client.force_login(observer)
    assert client.get(hub_url).status_code == 200
    assert client.get(manage_url).status_code == 403
    client.force_login(coord)
    assert client.get(manage_url).status_code == 200


def test_coordinator_creates_opens_and_settles_a_campaign(client, pole, coord):
    project = f.project(pole)
    client.force_login(coord)
    url = reverse("financing:campaign_create", args=[pole.slug])
    assert client.get(url).status_code == 200
    data = {
        "project": project.pk,
        "title": "Toitures solaires (fictif)",
        "instrument": "coop_shares",
        "unit_price": "50",
        "minimum": "1 000",
        "target": "500",  # below the minimum: refused, nothing lost
        "cap": "",
        "min_ticket": "50",
        "max_ticket": "",
        "opens_at": "2026-01-01T10:00",
        "closes_at": "2027-12-31T10:00",
        "residency": "residents_first",
        "oversubscription": "pro_rata",
        "consent_text": "",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "au moins égal au montant minimum" in response.content.decode()
    assert "Toitures solaires (fictif)" in response.content.decode()
    data["target"] = "5 000"
    response = client.post(url, data)
    assert response.status_code == 302
    c = Campaign.objects.get()
    assert (c.unit_price_cents, c.minimum_cents, c.target_cents) == (5_000, 100_000, 500_000)
    state_url = reverse("financing:campaign_state", args=[pole.slug, c.pk])
    client.post(state_url, {"action": "open"})
    c.refresh_from_db()
    assert c.state == "open"
    edit = client.post(
        reverse("financing:campaign_edit", args=[pole.slug, c.pk]), {**data, "cap": "9 000"}
    )
    assert edit.status_code == 400 and "ne peut plus changer" in edit.content.decode()
    Campaign.objects.filter(pk=c.pk).update(opens_at=c.opens_at.replace(second=42))
    renamed = client.post(
        reverse("financing:campaign_edit", args=[pole.slug, c.pk]),
        {**data, "title": "Toitures solaires citoyennes (fictif)"},
    )
    assert renamed.status_code == 302
    c.refresh_from_db()
    assert c.title == "Toitures solaires citoyennes (fictif)"
    client.post(state_url, {"action": "settle"})
    c.refresh_from_db()
    assert c.state == "failed"


def test_payments_downloads_refunds(client, pole, coord, django_assert_max_num_queries):
    c = f.campaign(pole, minimum_cents=400_000)
    subs = [f.subscribe(c, n, units=1 + n % 3, iban=f.IBAN) for n in range(8)]
    client.force_login(coord)
    page_url = reverse("financing:hub_campaign", args=[pole.slug, c.pk])
    with django_assert_max_num_queries(16):
        response = client.get(page_url)
    assert response.status_code == 200
    assert response.content.decode().count('name="status" value="paid"') == 8
    pay = reverse("financing:payment", args=[pole.slug, c.pk, subs[0].pk])
    assert client.post(pay, {"status": "paid"}).status_code == 302
    subs[0].refresh_from_db()
    assert subs[0].payment_status == "paid"
    csv_response = client.get(reverse("financing:register", args=[pole.slug, c.pk, "csv"]))
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Référence;Souscrite le")
    assert len(text.splitlines()) == 9 and "Versement reçu" in text
    xlsx = client.get(reverse("financing:register", args=[pole.slug, c.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 9 and rows[1][3] == "Investisseur 0 (fictif)"
    assert (
        client.get(reverse("financing:register", args=[pole.slug, c.pk, "doc"])).status_code == 404
    )
    pdf = client.get(reverse("financing:certificate", args=[pole.slug, c.pk, subs[0].pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # failed campaign: the refund list
    client.post(reverse("financing:campaign_state", args=[pole.slug, c.pk]), {"action": "settle"})
    refunds = client.get(reverse("financing:refunds", args=[pole.slug, c.pk]))
    assert refunds.status_code == 200
    assert "Investisseur 0 (fictif)" in refunds.content.decode()
    assert "Investisseur 1 (fictif)" not in refunds.content.decode()  # never paid


def test_investor_data_export_and_erasure(client, pole, coord):
    c = f.campaign(pole)
    sub = f.subscribe(c, 1)
    client.force_login(coord)
    url = reverse("financing:investor_data", args=[pole.slug])
    exported = client.post(url, {"email": "investisseur1@example.org", "action": "export"})
    assert exported.status_code == 200
    assert json.loads(exported.content)["subscriptions"][0]["name"] == "Investisseur 1 (fictif)"
    refused = client.post(url, {"email": "investisseur1@example.org", "action": "erase"})
    assert refused.status_code == 400 and "confirmer" in refused.content.decode()
    done = client.post(
        url, {"email": "investisseur1@example.org", "action": "erase", "confirm": "on"}
    )
    assert done.status_code == 302
    sub.refresh_from_db()
    assert sub.name == "" and sub.amount_cents == 10_000
    assert (
        services.export_investor_data(None, pole=pole, email="investisseur1@example.org")[
            "subscriptions"
        ]
        == []
    )


def test_campaign_list_query_count(client, pole, coord, django_assert_max_num_queries):
    for n in range(4):
        c = f.campaign(pole, title=f"Campagne {n} (fictive)")
        f.subscribe(c, n)
    client.force_login(coord)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("financing:campaigns", args=[pole.slug]))
    assert response.status_code == 200
    assert response.content.decode().count("Campagne ") >= 4


def test_pages_have_one_h1_labelled_fields_and_no_inline_code(client, pole, coord, parse):
    c = f.campaign(pole)
    f.subscribe(c, 1)
    f.project(pole)
    client.force_login(coord)
    urls = [
        reverse("financing:campaign", args=[c.pk]),
        reverse("financing:campaigns", args=[pole.slug]),
        reverse("financing:campaign_create", args=[pole.slug]),
        reverse("financing:campaign_edit", args=[pole.slug, c.pk]),
        reverse("financing:hub_campaign", args=[pole.slug, c.pk]),
        reverse("financing:investor_data", args=[pole.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = parse(response)
        assert len(page.find_all("h1")) == 1, url
        for script in page.find_all("script"):
            assert "src" in script.attrs or script.attrs.get("type") == "application/json", url
        assert not [e for e in page.elements if "style" in e.attrs], url
        labelled = {e.attrs.get("for") for e in page.find_all("label")}
        for field in page.elements:
            if field.tag not in {"input", "select", "textarea"}:
                continue
            if field.attrs.get("type") in {"hidden", "submit", "button"}:
                continue
            assert field.attrs.get("id") in labelled or field.attrs.get("aria-label"), (
                url,
                field.attrs,
            )


def test_project_financing_tag_gives_the_part_financed_locally(pole, coord):
    from django.contrib.auth.models import AnonymousUser

    from ptce.projects import services as project_services

    project = f.project(pole)
    project_services.add_budget_line(
        None, project=project, label="Panneaux", category="investment", amount_cents=400_000
    )
    c = f.campaign(pole, project_obj=project)
    f.subscribe(c, 1, units=3)  # local
    f.subscribe(c, 2, units=1, commune="42218", postcode="42000")
    f.campaign(pole, project_obj=project, state="draft", title="Brouillon (fictif)")
    template = Template(
        "{% load financing %}{% project_financing project as fin %}"
        "{{ fin.rows|length }} {{ fin.raised_cents }} {{ fin.local_cents }} "
        "{{ fin.local_part|percent }}"
    )
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    out = template.render(Context({"project": project, "request": request}))
    # Two investors: the local part would say where each lives (secret statistique).
    assert out == "1 40000 None "
    request.user = coord  # the coordination also sees the draft, and the exact figures
    out = template.render(Context({"project": project, "request": request}))
    assert out == "2 40000 30000 7,5\u00a0%"
    for n in range(3, 8):  # 4 local, 3 elsewhere: publishable
        f.subscribe(c, n, units=1, **({} if n < 6 else {"commune": "42218", "postcode": "42000"}))
    request.user = AnonymousUser()
    out = template.render(Context({"project": project, "request": request}))
    assert out == "1 90000 60000 15,0\u00a0%"


def test_project_page_shows_its_campaigns_through_the_slot(client, pole):
    project = f.project(pole, "Chaufferie bois citoyenne (fictive)")
    c = f.campaign(pole, project_obj=project, title="Souscription chaufferie (fictive)")
    f.subscribe(c, 1, units=3)
    f.campaign(pole, project_obj=project, state="draft", title="Brouillon caché (fictif)")
    response = client.get(reverse("projects:public", args=[pole.slug, project.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Financement citoyen" in html and "Souscription chaufferie (fictive)" in html
    assert reverse("financing:campaign", args=[c.pk]) in html
    assert "Brouillon caché" not in html


def test_figures_json_for_the_page(client, pole):
    c = f.campaign(pole)
    f.subscribe(c, 1, units=3)
    data = client.get(reverse("financing:campaign_data", args=[c.pk])).json()
    assert data["raised_cents"] == 30_000 and data["investors"] == 1
    assert data["points"] == []  # a single investor: never their commune's exact amount
    assert [(o["investors"], o["amount_cents"]) for o in data["other_communes"]] == [(1, 30_000)]
    assert data["local_share_amount"] is None  # one investor: would say where they live
    assert data["withheld"]["local_share_amount"] == "non publié (moins de 3 souscripteurs)"
    for n in range(2, 5):
        f.subscribe(c, n, units=1)
    data = client.get(reverse("financing:campaign_data", args=[c.pk])).json()
    assert data["points"][0]["nom"] == "Romans-sur-Isère" and data["other_communes"] == []
