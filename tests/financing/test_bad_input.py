"""Bad input on the public subscription form and the API: a French message naming the field
and the rule, never a 500; the form comes back with what was typed."""

import pytest
from django.urls import reverse

from ptce.financing.models import Subscription
from tests.financing import factories as f
from tests.web.html import squash

pytestmark = pytest.mark.django_db

HUGE = "9" * 25


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    settings.PTCE_SUBSCRIBE_RATE = (1000, 60)


@pytest.fixture
def units_campaign(pole):
    """100 EUR a share, ticket 1 to 50 shares, cap 100 shares."""
    return f.campaign(pole, max_ticket_cents=500_000, cap_cents=1_000_000)


@pytest.fixture
def amount_campaign(pole):
    """A donation: amounts in euros, ticket 10 to 1,000 EUR."""
    return f.campaign(
        pole,
        instrument="donation",
        unit_price_cents=None,
        min_ticket_cents=1_000,
        max_ticket_cents=100_000,
    )


def form_data(n=1, **values):
    data = {k: v for k, v in f.person_values(n).items() if k != "consent"}
    data.update({"consent": "on", "action": "subscribe", "name": "Typée Ici (fictive)"})
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def post(client, c, **values):
    response = client.post(reverse("financing:campaign", args=[c.pk]), form_data(**values))
    assert response.status_code in {302, 400}, response.status_code
    return response


def html_text(text):
    import html

    return html.unescape(text)


def field_errors(response, field):
    """The messages shown next to a field (its error list)."""
    html = response.content.decode()
    marker = f'id="id_{field}_errors"'
    assert marker in html, f"no error shown for {field}"
    chunk = html[html.index(marker) : html.index("</ul>", html.index(marker))]
    return html_text(squash(chunk))


UNITS_CASES = [
    ({"units": "0"}, "units", "au moins 1"),
    ({"units": "abc"}, "units", "nombre entier"),
    ({"units": "2,5"}, "units", "nombre entier"),
    ({"units": ""}, "units", "obligatoire"),
    ({"units": HUGE}, "units", "dépasser"),
    ({"units": "51"}, "units", "ticket maximum"),
    ({"iban": "FR76 0000 1111"}, "iban", "IBAN"),
    ({"iban": "X" * 60}, "iban", "IBAN"),
    ({"bic": "ZZ"}, "bic", "BIC"),
    ({"bic": "ABCDEFGHIJKLMNOP"}, "bic", "BIC"),
    ({"name": ""}, "name", "nom est obligatoire"),
    ({"email": ""}, "email", "e-mail est obligatoire"),
    ({"email": "pas-un-mail"}, "email", "pas valide"),
    ({"address": ""}, "address", "adresse est obligatoire"),
    ({"postcode": ""}, "postcode", "code postal est obligatoire"),
    ({"postcode": "ABCDE"}, "postcode", "5 chiffres"),
    ({"postcode": "123456"}, "postcode", "5 chiffres"),
    ({"postcode": "42000"}, "postcode", "n'est pas celui de"),
    ({"commune": "99999"}, "commune", "Commune inconnue"),
    ({"commune": "123456789"}, "commune", "5 caractères"),
    ({"consent": None}, "consent", "consentement"),
    ({"investor_kind": "robot"}, "investor_kind", "robot"),
    ({"investor_kind": "legal", "representative": ""}, "representative", "représente"),
]


@pytest.mark.parametrize(("values", "field", "words"), UNITS_CASES)
def test_form_refusals_name_the_field_and_keep_the_input(
    client, units_campaign, values, field, words
):
    values.setdefault("units", "2")
    response = post(client, units_campaign, **values)
    assert response.status_code == 400
    assert words.lower() in html_text(field_errors(response, field)).lower()
    html = response.content.decode()
    assert 'value="Typée Ici (fictive)"' in html or values.get("name") == ""
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("5", "ticket minimum"),
        ("1 500", "ticket maximum"),
        ("douze", "montant en euros"),
        ("-10", "négatif"),
        ("0", "supérieur à zéro"),
        ("", "obligatoire"),
        ("12,345", "montant en euros"),
        (HUGE[:20], "dépasser"),
    ],
)
def test_amount_refusals(client, amount_campaign, amount, words):
    response = post(client, amount_campaign, units=None, amount=amount)
    assert response.status_code == 400
    assert words in field_errors(response, "amount")
    assert f'value="{amount}"' in response.content.decode() or not amount


def test_every_problem_is_shown_at_once(client, units_campaign):
    response = post(client, units_campaign, name="", email="x", iban="FR00", units="0")
    for field in ("name", "email", "iban", "units"):
        field_errors(response, field)


def test_closed_or_draft_campaign_refuses_with_a_message(client, pole, units_campaign):
    from ptce.financing import services

    services.settle_campaign(None, campaign=units_campaign)
    response = post(client, units_campaign)
    assert response.status_code == 400
    assert "n'accepte pas de souscription" in response.content.decode().replace("&#x27;", "'")
    api = client.post(
        f"/api/v1/campaigns/{units_campaign.pk}/subscriptions",
        {**f.person_values(3), "units": 1},
        content_type="application/json",
    )
    assert api.status_code == 422 and "n'accepte pas" in api.json()["detail"]


def test_oversubscription_says_what_is_left(client, pole):
    c = f.campaign(
        pole, minimum_cents=10_000, target_cents=50_000, cap_cents=50_000, max_ticket_cents=None
    )
    f.subscribe(c, 1, units=4)
    response = post(client, c, units="3")
    assert "plafond" in field_errors(response, "units")
    assert "100,00" in field_errors(response, "units")  # what is left
    f.subscribe(c, 2, units=1)
    response = post(client, c, units="1")
    assert "atteint son plafond" in field_errors(response, "units")


def test_required_fields_are_marked(client, units_campaign, amount_campaign):
    for c, amount_field in ((units_campaign, "units"), (amount_campaign, "amount")):
        html = client.get(reverse("financing:campaign", args=[c.pk])).content.decode()
        for field in ("name", "email", "address", "postcode", amount_field):
            label = html[html.index(f'<label for="id_{field}"') :]
            label = label[: label.index("</label>")]
            assert "(obligatoire)" in label, field
        for field in ("iban", "bic", "representative"):
            label = html[html.index(f'<label for="id_{field}"') :]
            assert "(obligatoire)" not in label[: label.index("</label>")], field
        consent = html[html.index('<label for="id_consent"') :]
        assert "(obligatoire)" in consent[: consent.index("</label>")]
        assert 'Commune de résidence <span class="required">(obligatoire)' in html


@pytest.mark.parametrize(
    "url",
    [
        "/campagnes/99999999999999999999/",
        "/campagnes/9223372036854775808/chiffres.json",
        "/campagnes/abc/",
        "/api/v1/campaigns/99999999999999999999",
        "/api/v1/campaigns/abc",
        "/api/v1/campaigns/0",
    ],
)
def test_odd_ids_are_not_found(client, url):
    response = client.get(url)
    assert response.status_code in {404, 422}


def test_odd_ids_in_the_hub_space(client, pole, units_campaign):
    coord = f.coordinator(pole)
    client.force_login(coord)
    huge = 10**20
    for url in (
        f"/espace/poles/{pole.slug}/financement/{huge}/",
        f"/espace/poles/{pole.slug}/financement/{units_campaign.pk}/souscriptions/{huge}/attestation.pdf",
        f"/espace/poles/{pole.slug}/financement/{units_campaign.pk}/registre.pdf",
    ):
        assert client.get(url).status_code == 404, url
    pay = (
        f"/espace/poles/{pole.slug}/financement/{units_campaign.pk}/souscriptions/{huge}/paiement/"
    )
    assert client.post(pay, {"status": "paid"}).status_code == 404
    post_huge = client.post(f"/campagnes/{huge}/", form_data())
    assert post_huge.status_code == 404
    page = client.get(f"/espace/poles/{pole.slug}/financement/{units_campaign.pk}/?page=abc")
    assert page.status_code == 200


def api_post(client, c, body, **extra):
    return client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions", body, content_type="application/json", **extra
    )


def payload(n=1, **values):
    out = {**f.person_values(n), "units": 1}
    out.update(values)
    return {k: v for k, v in out.items() if v is not None}


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"units": 0}, "units", "supérieur ou égal"),
        ({"units": "abc"}, "units", "nombre entier"),
        ({"units": 10**30}, "units", "inférieur ou égal"),
        ({"units": 51}, "units", "ticket maximum"),
        ({"units": None}, "units", "obligatoire"),
        ({"name": None}, "name", "obligatoire"),
        ({"email": None}, "email", "obligatoire"),
        ({"email": "nope"}, "email", "pas valide"),
        ({"iban": "FR76 1234"}, "iban", "IBAN"),
        ({"bic": "12"}, "bic", "BIC"),
        ({"commune": "00000"}, "commune", "inconnue"),
        ({"postcode": "1"}, "postcode", "5 chiffres"),
        ({"consent": False}, "consent", "consentement"),
        ({"consent": "peut-être"}, "consent", "true ou false"),
        ({"investor_kind": "robot"}, "investor_kind", "valeurs"),
    ],
)
def test_api_refusals_name_the_field(client, units_campaign, values, field, words):
    response = api_post(client, units_campaign, payload(**values))
    assert response.status_code == 422, response.content
    body = response.json()
    fields = {e["field"] for e in body["errors"]}
    assert field in fields, body
    assert words in body["detail"], body["detail"]
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"amount_cents": 500}, "ticket minimum"),
        ({"amount_cents": 100_001_00}, "ticket maximum"),
        ({"amount_cents": 1050}, "euros entiers"),
        ({}, "obligatoire"),
        ({"amount_cents": 10**14}, "inférieur ou égal"),
    ],
)
def test_api_amount_refusals(client, amount_campaign, values, words):
    body = payload(units=None, **values)
    response = api_post(client, amount_campaign, body)
    assert response.status_code == 422
    assert "amount_cents" in {e["field"] for e in response.json()["errors"]}
    assert words in response.json()["detail"]


def test_api_bad_bodies_are_4xx(client, units_campaign):
    url = f"/api/v1/campaigns/{units_campaign.pk}/subscriptions"
    for body in ("{not json", "[]", '"texte"', ""):
        response = client.post(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500, body
    huge = client.post(
        "/api/v1/campaigns/99999999999999999999/subscriptions",
        payload(),
        content_type="application/json",
    )
    assert huge.status_code in {404, 422}


def test_api_oversubscription(client, pole):
    c = f.campaign(
        pole, minimum_cents=10_000, target_cents=50_000, cap_cents=50_000, max_ticket_cents=None
    )
    f.subscribe(c, 1, units=5)
    response = api_post(client, c, payload(2))
    assert response.status_code == 422
    assert "plafond" in response.json()["detail"]


def test_campaign_form_refuses_huge_amounts(client, pole):
    coord = f.coordinator(pole)
    client.force_login(coord)
    project = f.project(pole)
    response = client.post(
        reverse("financing:campaign_create", args=[pole.slug]),
        {
            "project": project.pk,
            "title": "Campagne énorme (fictive)",
            "instrument": "donation",
            "minimum": "1",
            "target": HUGE[:18],
            "cap": HUGE[:18],
            "min_ticket": "10",
            "opens_at": "2026-01-01T10:00",
            "closes_at": "2026-03-01T10:00",
            "residency": "all",
            "oversubscription": "first_come",
        },
    )
    assert response.status_code == 400
    assert "ne peut dépasser" in response.content.decode()
