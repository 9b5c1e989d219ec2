"""Who may read or change what: hub A's people never reach hub B's non-public financing data,
anonymous visitors see only the public campaign, a subscriber only their own certificate."""

import pytest
from django.urls import reverse

from ptce.core.choices import Role
from ptce.financing import services
from ptce.financing.models import Campaign, CampaignState, Subscription
from tests.financing import factories as f
from tests.poles import factories as poles

pytestmark = pytest.mark.django_db

SECRET_NAME = "Secrète Investisseuse (fictive)"
SECRET_EMAIL = "secrete@example.org"


@pytest.fixture
def world(territory):
    hub_a = f.hub("Pôle A (fictif)")
    hub_b = f.hub("Pôle B (fictif)")
    campaign_b = f.campaign(hub_b, minimum_cents=10_000)
    sub = f.subscribe(
        campaign_b, 1, units=2, name=SECRET_NAME, email=SECRET_EMAIL, iban=f.IBAN, bic=f.BIC
    )
    return {
        "a": hub_a,
        "b": hub_b,
        "campaign_b": campaign_b,
        "sub": sub,
        "coord_a": f.coordinator(hub_a),
        "member_a": poles.person("membre-a@example.org", hub_a, Role.MEMBER),
        "coord_b": f.coordinator(hub_b),
        "member_b": poles.person("membre-b@example.org", hub_b, Role.MEMBER),
        "observer_b": poles.person("observ-b@example.org", hub_b, Role.OBSERVER),
    }


def _private_gets(slug, c, sub):
    return [
        reverse("financing:hub_campaign", args=[slug, c.pk]),
        reverse("financing:campaign_edit", args=[slug, c.pk]),
        reverse("financing:refunds", args=[slug, c.pk]),
        reverse("financing:register", args=[slug, c.pk, "csv"]),
        reverse("financing:register", args=[slug, c.pk, "xlsx"]),
        reverse("financing:certificate", args=[slug, c.pk, sub.pk]),
        reverse("financing:investor_data", args=[slug]),
    ]


def _private_posts(slug, c, sub):
    return [
        (reverse("financing:campaign_state", args=[slug, c.pk]), {"action": "settle"}),
        (reverse("financing:campaign_state", args=[slug, c.pk]), {"action": "close"}),
        (reverse("financing:payment", args=[slug, c.pk, sub.pk]), {"status": "paid"}),
        (
            reverse("financing:investor_data", args=[slug]),
            {"email": SECRET_EMAIL, "action": "erase", "confirm": "on"},
        ),
        (
            reverse("financing:campaign_edit", args=[slug, c.pk]),
            {"title": "Détournée", "project": c.project_id},
        ),
    ]


def _unchanged(world):
    c = Campaign.objects.get(pk=world["campaign_b"].pk)
    s = Subscription.objects.get(pk=world["sub"].pk)
    assert c.state == CampaignState.OPEN and c.title == world["campaign_b"].title
    assert s.name == SECRET_NAME and s.email == SECRET_EMAIL and s.erased_at is None
    assert s.payment_status == "pledged"


def _no_secret(response):
    body = response.content
    assert SECRET_NAME.encode() not in body and SECRET_EMAIL.encode() not in body
    assert b"FR76" not in body and b"AGRIFRPP" not in body


@pytest.mark.parametrize("who", ["coord_a", "member_a", "member_b", "observer_b"])
def test_no_one_but_hub_b_coordination_reaches_its_campaign_pages(client, world, who):
    client.force_login(world[who])
    c, sub = world["campaign_b"], world["sub"]
    for url in _private_gets(world["b"].slug, c, sub):
        response = client.get(url)
        assert response.status_code == 403, url
        _no_secret(response)
    for url, data in _private_posts(world["b"].slug, c, sub):
        response = client.post(url, data)
        assert response.status_code == 403, url
    _unchanged(world)


def test_hub_a_coordination_cannot_reach_b_campaign_through_its_own_hub(client, world):
    """The campaign is looked up within the hub of the URL: hub A's slug, hub B's ids: 404."""
    client.force_login(world["coord_a"])
    c, sub = world["campaign_b"], world["sub"]
    slug = world["a"].slug
    for url in _private_gets(slug, c, sub):
        if url.endswith("donnees-personnelles/"):
            continue
        response = client.get(url)
        assert response.status_code == 404, url
        _no_secret(response)
    for url, data in _private_posts(slug, c, sub):
        response = client.post(url, data)
        if url.endswith("donnees-personnelles/"):
            # erasing "everyone with this e-mail" in hub A touches nothing of hub B
            assert response.status_code == 302
        else:
            assert response.status_code == 404, url
    export = client.post(
        reverse("financing:investor_data", args=[slug]),
        {"email": SECRET_EMAIL, "action": "export"},
    )
    assert export.status_code == 200
    assert export.json()["subscriptions"] == []  # the typed e-mail is echoed, nothing else
    assert SECRET_NAME.encode() not in export.content and b"FR76" not in export.content
    _unchanged(world)


def test_a_subscription_of_another_campaign_is_not_found(client, world):
    """Hub B's coordination: a subscription id of another campaign of the same hub is 404."""
    other = f.campaign(world["b"], title="Autre campagne (fictive)")
    client.force_login(world["coord_b"])
    slug, sub = world["b"].slug, world["sub"]
    cert = reverse("financing:certificate", args=[slug, other.pk, sub.pk])
    assert client.get(cert).status_code == 404
    pay = reverse("financing:payment", args=[slug, other.pk, sub.pk])
    assert client.post(pay, {"status": "paid"}).status_code == 404
    _unchanged(world)


def test_hub_b_coordination_does_reach_them(client, world):
    client.force_login(world["coord_b"])
    c, sub = world["campaign_b"], world["sub"]
    for url in _private_gets(world["b"].slug, c, sub):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_log_in_and_sees_only_public_data(client, world):
    c, sub = world["campaign_b"], world["sub"]
    for url in _private_gets(world["b"].slug, c, sub):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    for url, data in _private_posts(world["b"].slug, c, sub):
        assert client.post(url, data).status_code == 302
    _unchanged(world)
    for url in (
        reverse("financing:campaign", args=[c.pk]),
        reverse("financing:campaign_data", args=[c.pk]),
        f"/api/v1/campaigns/{c.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _no_secret(response)
    api = client.get(f"/api/v1/campaigns/{c.pk}/subscriptions")
    assert api.status_code == 403
    _no_secret(api)


@pytest.mark.parametrize("who", [None, "coord_a", "member_a", "member_b", "observer_b"])
def test_api_register_is_for_hub_b_coordination_only(client, world, who):
    if who:
        client.force_login(world[who])
    response = client.get(f"/api/v1/campaigns/{world['campaign_b'].pk}/subscriptions")
    assert response.status_code == 403
    assert "coordination" in response.json()["detail"]
    _no_secret(response)


def test_api_register_with_a_token_of_another_hub_is_refused(client, world):
    from ptce.core.services import create_api_token

    _token, raw = _make_token(create_api_token, world["coord_a"])
    url = f"/api/v1/campaigns/{world['campaign_b'].pk}/subscriptions"
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    _no_secret(response)
    _token, raw_b = _make_token(create_api_token, world["coord_b"])
    ok = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw_b}")
    assert ok.status_code == 200 and ok.json()["results"][0]["name"] == SECRET_NAME


def _make_token(create_api_token, user):
    return create_api_token(None, user=user, name="test")


def test_drafts_of_another_hub_are_hidden(client, world):
    draft = f.campaign(world["b"], state="draft")
    client.force_login(world["coord_a"])
    assert client.get(reverse("financing:campaign", args=[draft.pk])).status_code == 404
    assert client.get(f"/api/v1/campaigns/{draft.pk}").status_code == 404
    client.force_login(world["coord_b"])
    assert client.get(reverse("financing:campaign", args=[draft.pk])).status_code == 200


def test_a_subscriber_downloads_only_their_own_certificate(client, world):
    c = world["campaign_b"]
    url = reverse("financing:campaign", args=[c.pk])
    data = {
        **{k: v for k, v in f.person_values(7).items() if k != "consent"},
        "consent": "on",
        "units": "1",
        "action": "subscribe",
    }
    assert client.post(url, data).status_code == 302
    mine = Subscription.objects.get(email="investisseur7@example.org")
    page = client.get(url).content.decode()
    link = reverse(
        "financing:my_certificate", args=[c.pk, mine.public_id, services.certificate_token(mine)]
    )
    assert link in page
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Nobody else's: another reference with my key, my reference with a forged key, the page
    # in another browser.
    other = world["sub"]
    forged = [
        reverse("financing:my_certificate", args=[c.pk, other.public_id, link.split("/")[-1][:-4]]),
        reverse("financing:my_certificate", args=[c.pk, mine.public_id, "0" * 32]),
        reverse(
            "financing:my_certificate",
            args=[world["campaign_b"].pk + 1, mine.public_id, services.certificate_token(mine)],
        ),
    ]
    for bad in forged:
        assert client.get(bad).status_code == 404, bad
    assert SECRET_NAME not in page
    from django.test import Client

    stranger = Client()
    assert link not in stranger.get(url).content.decode()
    # After erasure the link is dead.
    services.erase_investor(None, pole=world["b"], email="investisseur7@example.org")
    assert client.get(link).status_code == 404


def test_api_subscription_returns_the_personal_certificate_link(client, world):
    c = world["campaign_b"]
    payload = dict(f.person_values(8))
    payload["units"] = 1
    response = client.post(
        f"/api/v1/campaigns/{c.pk}/subscriptions", payload, content_type="application/json"
    )
    assert response.status_code == 201
    link = response.json()["certificate_url"]
    assert client.get(link).status_code == 200


def test_register_exports_never_carry_a_formula_typed_by_the_public(client, world):
    """CSV/formula injection: a name typed as a formula stays text in the coordinator's files."""
    import io

    from openpyxl import load_workbook

    c = world["campaign_b"]
    f.subscribe(c, 5, units=1, name='=HYPERLINK("http://evil.example","x")', address="+1 rue")
    client.force_login(world["coord_b"])
    slug = world["b"].slug
    csv_text = client.get(reverse("financing:register", args=[slug, c.pk, "csv"])).content
    csv_text = csv_text.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1 rue" in csv_text
    assert ";=HYPERLINK" not in csv_text
    xlsx = client.get(reverse("financing:register", args=[slug, c.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    typed = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
    assert typed and all(cell.data_type == "s" for cell in typed)
