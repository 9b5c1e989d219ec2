"""API of financing: campaign totals, public rate-limited subscriptions, the coordinators'
register."""

import pytest
from django.core.exceptions import ValidationError

from ptce.financing import services
from tests.api.auth import bearer
from tests.financing import factories as f
from tests.financing.factories import fresh_cache  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def pole(territory):
    return f.hub()


def payload(n=1, **values):
    data = f.person_values(n, **values)
    data.setdefault("units", 2)
    return data


def test_get_campaign_with_totals_and_local_share(client, pole):
    c = f.campaign(pole)
    f.subscribe(c, 1, units=3)
    f.subscribe(c, 2, units=1, commune="42218", postcode="42000")
    response = client.get(f"/api/v1/campaigns/{c.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["raised_cents"] == 40_000 and data["investors"] == 2
    # Two investors: the local figures and the median would single them out (not published).
    for name in ("local_cents", "local_investors", "local_share_amount", "local_share_investors"):
        assert data[name] is None
    assert data["median_ticket_cents"] is None
    assert {w["field"]: w["reason"] for w in data["withheld"]} == dict.fromkeys(
        (
            "median_ticket_cents",
            "local_cents",
            "local_investors",
            "local_share_amount",
            "local_share_investors",
        ),
        "few_investors",
    )
    assert data["withheld"][0]["detail"] == "non publié (moins de 3 souscripteurs)"
    assert data["oversubscription_rule"].startswith("Premier arrivé")
    # Two investors: no commune is shown, one national bucket (secret statistique).
    assert data["communes"] == [] and data["disclosure_threshold"] == 3
    assert data["other_communes"] == [
        {
            "departement": None,
            "label": "Autres communes (moins de 3 souscripteurs chacune)",
            "investors": 2,
            "amount_cents": 40_000,
            "local": True,
        }
    ]


def test_public_figures_never_disclose_a_small_commune(client, pole):
    c = f.campaign(pole)
    for n in range(1, 5):
        f.subscribe(c, n, units=1)
    f.subscribe(c, 5, units=5, commune="26057", postcode="26300")
    f.subscribe(c, 6, units=2, commune="42218", postcode="42000")
    f.subscribe(c, 7, units=1, commune="42218", postcode="42000")
    f.subscribe(c, 8, units=1, commune="42218", postcode="42000")
    data = client.get(f"/api/v1/campaigns/{c.pk}").json()
    assert [(r["code_insee"], r["investors"], r["amount_cents"]) for r in data["communes"]] == [
        ("26281", 4, 40_000),
    ]
    # Bourg-de-Péage's lone investor is merged with Saint-Étienne (3), the next smallest.
    assert [(o["investors"], o["amount_cents"]) for o in data["other_communes"]] == [(4, 90_000)]
    shown = sum(r["amount_cents"] for r in data["communes"])
    others = sum(o["amount_cents"] for o in data["other_communes"])
    assert shown + others == data["raised_cents"]
    assert sum(r["investors"] for r in data["communes"] + data["other_communes"]) == 8
    # 7 local investors, 1 elsewhere: total minus local would give that one's amount.
    assert data["local_cents"] is None and data["local_share_amount"] is None
    assert {w["reason"] for w in data["withheld"]} == {"small_local_group"}
    assert data["median_ticket_cents"] == 10_000  # eight investors: published


def test_local_figures_published_when_both_groups_reach_the_threshold(client, pole):
    c = f.campaign(pole)
    for n in range(1, 4):
        f.subscribe(c, n, units=1)
    for n in range(4, 7):
        f.subscribe(c, n, units=3, commune="42218", postcode="42000")
    data = client.get(f"/api/v1/campaigns/{c.pk}").json()
    assert (data["local_cents"], data["local_investors"]) == (30_000, 3)
    assert data["local_share_amount"] == 0.25 and data["local_share_investors"] == 0.5
    assert data["median_ticket_cents"] == 20_000 and data["withheld"] == []


def test_draft_campaign_is_hidden_from_the_public(client, pole):
    c = f.campaign(pole, state="draft")
    assert client.get(f"/api/v1/campaigns/{c.pk}").status_code == 404
    coord = f.coordinator(pole)
    assert client.get(f"/api/v1/campaigns/{c.pk}", **bearer(coord)).status_code == 200


def test_public_subscription(client, pole):
    c = f.campaign(pole)
    response = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions",
        payload(1, iban=f.IBAN, bic=f.BIC),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["amount_cents"] == 20_000 and data["is_local"] is True
    assert data["campaign"]["raised_cents"] == 20_000


def test_refusals_are_422_in_french_naming_the_field(client, pole):
    c = f.campaign(pole, residency="residents_only")
    response = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions",
        payload(1, commune="42218", postcode="42000", iban="FR761234"),
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "réservée aux habitants" in errors["commune"]
    assert "IBAN" in errors["iban"]
    response = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions",
        {"name": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "obligatoire" in response.json()["detail"]


def test_subscriptions_are_rate_limited_per_address(client, pole, settings):
    settings.PTCE_SUBSCRIBE_RATE = (3, 60)
    c = f.campaign(pole)
    url = f"/api/v1/campaigns/{c.pk}/subscriptions"
    codes = [
        client.post(url, payload(n), content_type="application/json").status_code for n in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    last = client.post(url, payload(9), content_type="application/json")
    assert last.status_code == 429
    assert "Trop de souscriptions" in last.json()["detail"]
    other = client.post(url, payload(10), content_type="application/json", REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 201  # another address has its own budget


def test_register_is_for_the_hub_coordination_only(client, pole, django_assert_max_num_queries):
    c = f.campaign(pole)
    for n in range(12):
        f.subscribe(c, n)
    coord = f.coordinator(pole)
    member = f.poles.person("membre@example.org", pole)
    other_coord = f.coordinator(f.hub("Autre pôle (fictif)"))
    url = f"/api/v1/campaigns/{c.pk}/subscriptions"
    assert client.get(url).status_code == 403
    assert client.get(url, **bearer(member)).status_code == 403
    assert client.get(url, **bearer(other_coord)).status_code == 403
    headers = bearer(coord)
    with django_assert_max_num_queries(8):
        response = client.get(url + "?page_size=5&page=2", **headers)
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 12 and data["pages"] == 3 and len(data["results"]) == 5
    assert data["results"][0]["email"] == "investisseur5@example.org"
    sub = services.mark_paid(None, subscription=c.subscriptions.first())
    paid = client.get(url + "?payment_status=paid", **headers).json()
    assert [r["reference"] for r in paid["results"]] == [str(sub.public_id)]


def test_amount_errors_name_the_api_field(client, pole):
    c = f.campaign(pole, instrument="donation", unit_price_cents=None, min_ticket_cents=1_000)
    data = {k: v for k, v in payload(1).items() if k != "units"}
    response = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions",
        {**data, "amount_cents": 5_050},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount_cents"
    assert "euros entiers" in response.json()["detail"]
    ok = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions",
        {**data, "amount_cents": 5_000},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["units"] is None


def test_campaigns_of_private_hubs_or_projects_are_not_public(client, territory):
    hidden_hub = f.hub("Pôle discret (fictif)", visibility="members")
    c = f.campaign(hidden_hub)
    assert client.get(f"/api/v1/campaigns/{c.pk}").status_code == 404
    member = f.poles.person("membre@example.org", hidden_hub)
    assert client.get(f"/api/v1/campaigns/{c.pk}", **bearer(member)).status_code == 200
    pole = f.hub("Pôle ouvert (fictif)")
    members_project = f.project(pole, visibility="members")
    draft = f.campaign(pole, project_obj=members_project, state="draft")
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(None, campaign=draft)
    assert "n'est pas public" in exc.value.messages[0]
    assert client.get(f"/api/v1/campaigns/{draft.pk}").status_code == 404
