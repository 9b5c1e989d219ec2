"""The coordinators' workspace: "Mes pôles", the guided creation, every step of a hub, the
permission matrix (a coordinator of hub B neither sees nor changes hub A's workspace), forms'
happy and error paths, the invitation links."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ptce.actors.models import Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.models import User
from ptce.poles import permissions, services
from ptce.poles.models import College, Invitation, Membership, Pole
from tests.actors import factories as actors
from tests.poles import factories
from tests.web.html import squash

PASSWORD = "un-mot-de-passe-solide-42"


@pytest.fixture
def world(territory, staff):
    a = factories.pole("Pôle A (fictif)", legal_form="association")
    b = factories.pole("Pôle B (fictif)", commune="42218")
    hidden = factories.pole("Pôle privé (fictif)", visibility=Visibility.MEMBERS)
    people = {
        "anonymous": None,
        "member_a": factories.person("member-a@example.org", a, Role.MEMBER),
        "observer_a": factories.person("observer-a@example.org", a, Role.OBSERVER),
        "coordinator_a": factories.person("coord-a@example.org", a, Role.COORDINATOR),
        "coordinator_b": factories.person("coord-b@example.org", b, Role.COORDINATOR),
        "staff": staff,
    }
    orgs = {
        "ess": actors.association("Association Les Jardins Partagés (fictive)"),
        "sme": actors.sme("Chaussures Drômoises SARL (fictive)"),
        "town": actors.commune_body("Commune de Romans-sur-Isère (adhésion fictive)"),
    }
    return {"a": a, "b": b, "hidden": hidden, "people": people, "orgs": orgs}


@pytest.fixture
def coordinator(client, world):
    client.force_login(world["people"]["coordinator_a"])
    return world["people"]["coordinator_a"]


def url(name, pole, *args):
    return reverse(f"workspace:{name}", args=[pole.slug, *args])


def errors_of(page, field_id):
    element = page.by_id(f"{field_id}_errors")
    return squash(element.text) if element else ""


# ---- "Mes pôles" ------------------------------------------------------------------------------


def test_my_hubs_requires_sign_in(client, db):
    response = client.get(reverse("workspace:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_hubs_lists_the_hubs_with_the_roles(client, world, parse):
    member = world["people"]["member_a"]
    services.grant_role(None, pole=world["b"], user=member, role=Role.COORDINATOR)
    client.force_login(member)
    response = client.get(reverse("workspace:index"))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Mes pôles"]
    rows = [squash(r.text) for r in page.find_all("tr")[1:]]
    assert rows[0].startswith("Pôle A (fictif) Romans-sur-Isère Membre")
    assert rows[1].startswith("Pôle B (fictif) Saint-Étienne Coordination")
    assert page.find_all("a", href=reverse("workspace:create"))
    # A workspace link only where the person coordinates; the public page everywhere.
    assert not page.find_all("a", href=url("pole", world["a"]))
    assert page.find_all("a", href=url("pole", world["b"]))
    assert page.find_all("a", href=reverse("observatory:pole", args=[world["a"].slug]))
    # Where the person does not coordinate, the hub's space (cooperation first).
    assert page.find_all("a", href=reverse("cooperation:index", args=[world["a"].slug]))
    assert not page.find_all("a", href=reverse("cooperation:index", args=[world["b"].slug]))


def test_my_hubs_without_any_role(client, user, parse):
    client.force_login(user)
    page = parse(client.get(reverse("workspace:index")))
    assert "Vous n’avez encore de rôle dans aucun pôle." in squash(page.by_id("contenu").text)


# ---- the permission matrix ----------------------------------------------------------------------

PAGES = ["pole", "edit", "perimeter", "characterisation", "members", "colleges", "people"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("member_a", 403),
        ("observer_a", 403),
        ("coordinator_a", 200),
        ("coordinator_b", 403),
        ("staff", 200),
    ],
)
def test_who_may_open_hub_a_workspace(client, world, parse, who, status):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    for name in PAGES:
        response = client.get(url(name, world["a"]))
        assert response.status_code == status, name
        if status == 403:
            page = parse(response)
            assert page.text_of("h1") == ["Accès réservé"]
            assert page.find_all("a", href=reverse("observatory:pole", args=[world["a"].slug]))
            assert "Espace de coordination" not in squash(page.by_id("contenu").text)
        if status == 302:
            assert response["Location"].startswith(reverse("login"))


def test_a_hidden_hub_workspace_is_not_found_for_other_coordinators(client, world):
    client.force_login(world["people"]["coordinator_b"])
    for name in PAGES:
        assert client.get(url(name, world["hidden"])).status_code == 404
    client.force_login(world["people"]["staff"])
    assert client.get(url("pole", world["hidden"])).status_code == 200


def test_coordinator_of_b_cannot_change_hub_a(client, world):
    a = world["a"]
    client.force_login(world["people"]["coordinator_b"])
    posts = [
        (url("edit", a), {"name": "Piraté", "commune": "26281", "visibility": "public"}),
        (url("perimeter", a), {"communes": "26281"}),
        (url("characterisation", a), {"impulse": "citizen"}),
        (url("members", a), {"organisation": world["orgs"]["sme"].pk, "role": "member"}),
        (url("colleges", a), {"rows": "3", "name_0": "X", "weight_0": "100"}),
        (url("invite", a), {"email": "intrus@example.org", "role": "coordinator"}),
        (
            url("people", a),
            {"user": world["people"]["member_a"].pk, "role": "coordinator", "action": "grant"},
        ),
        (url("member_import", a), {"action": "confirm"}),
    ]
    for address, data in posts:
        assert client.post(address, data).status_code == 403, address
    a.refresh_from_db()
    assert a.name == "Pôle A (fictif)" and a.perimeter_id is None and a.impulse == ""
    assert not a.memberships.exists() and not a.colleges.exists()
    assert not Invitation.objects.exists() and not mail.outbox
    assert permissions.roles_of(world["people"]["member_a"], a) == {Role.MEMBER}


def test_every_post_needs_a_csrf_token(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["people"]["coordinator_a"])
    response = strict.post(url("perimeter", world["a"]), {"communes": "26281"})
    assert response.status_code == 403
    world["a"].refresh_from_db()
    assert world["a"].perimeter_id is None


# ---- creation --------------------------------------------------------------------------------------


def test_creation_step_one_then_the_workspace(client, world, coordinator, parse):
    form = parse(client.get(reverse("workspace:create")))
    assert form.text_of("h1") == ["Créer un pôle"]
    (search,) = form.find_all("input", name="commune_q")
    assert search.attrs["hx-get"] == reverse("workspace:commune_search")
    response = client.post(
        reverse("workspace:create"),
        {
            "name": "Pôle des Tisserands (fictif)",
            "commune": "26281",
            "legal_form": "association",
            "created_on": "2020-05-04",
            "description": "Une filière textile (fictive).",
            "visibility": "public",
        },
    )
    pole = Pole.objects.get(name="Pôle des Tisserands (fictif)")
    assert response.status_code == 302
    assert response["Location"] == url("pole", pole)
    assert pole.legal_form == "association" and pole.created_on == dt.date(2020, 5, 4)
    assert (pole.commune_id, pole.departement_id) == ("26281", "26")
    assert permissions.roles_of(coordinator, pole) == {Role.COORDINATOR}
    page = parse(client.get(response["Location"]))
    assert page.text_of("h1") == ["Pôle des Tisserands (fictif)"]
    assert "est créé" in squash(page.find_all("div", class_="messages")[0].text)
    steps = [
        squash(e.text)
        for e in page.elements
        if e.tag == "li" and "step" in e.attrs.get("class", "").split()
    ]
    assert steps[0].startswith("✓ Identité")
    assert [squash(li.text) for li in page.find_all("li", class_="step step--done")] == [
        "✓ Identité — fait"
    ]


def test_creation_takes_a_single_search_match_as_the_commune(client, world, coordinator):
    response = client.post(
        reverse("workspace:create"),
        {"name": "Pôle de Bourg (fictif)", "commune_q": "26057", "visibility": "members"},
    )
    assert response.status_code == 302
    pole = Pole.objects.get(name="Pôle de Bourg (fictif)")
    assert pole.commune_id == "26057" and pole.visibility == Visibility.MEMBERS


def test_creation_errors_are_in_french_next_to_their_fields(client, world, coordinator, parse):
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("workspace:create"),
        {"name": "X", "commune_q": "", "created_on": future, "description": "gardée"},
    )
    assert response.status_code == 400
    page = parse(response)
    assert "au moins 3 caractères" in errors_of(page, "id_name")
    assert "Indiquez la commune" in errors_of(page, "id_commune")
    assert "dans le futur" in errors_of(page, "id_created_on")
    assert "Ce champ est obligatoire." in errors_of(page, "id_visibility")
    assert page.find_all("input", name="name")[0].attrs["value"] == "X"
    assert "gardée" in page.find_all("textarea", name="description")[0].text
    assert page.find_all("div", role="alert")
    ambiguous = parse(
        client.post(
            reverse("workspace:create"),
            {"name": "Pôle", "commune_q": "roma", "visibility": "public"},
        )
    )
    assert "Choisissez la commune" in errors_of(ambiguous, "id_commune")
    # The matches are offered as radio buttons, the input kept.
    radios = {r.attrs["value"] for r in ambiguous.find_all("input", name="commune")}
    assert radios == {"26281", "26313"}
    unknown = parse(
        client.post(
            reverse("workspace:create"),
            {"name": "Pôle", "commune": "99999", "visibility": "public"},
        )
    )
    assert "Code commune inconnu : 99999." in errors_of(unknown, "id_commune")
    assert Pole.objects.count() == 3


def test_commune_search_without_javascript_and_with_htmx(client, world, coordinator, parse):
    no_js = client.post(
        reverse("workspace:create"),
        {"name": "Pôle gardé", "commune_q": "saint", "action": "search_commune"},
    )
    assert no_js.status_code == 200
    page = parse(no_js)
    assert not page.find_all("ul", class_="field__errors")
    assert page.find_all("input", name="name")[0].attrs["value"] == "Pôle gardé"
    labels = [
        squash(label.text)
        for label in page.find_all("label")
        if label.attrs.get("for", "").startswith("commune-")
    ]
    assert any(label.startswith("Saint-Étienne Loire (42)") for label in labels)
    fragment = client.get(
        reverse("workspace:commune_search"), {"commune_q": "26100"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text
    (radio,) = parse(fragment).find_all("input", name="commune")
    assert radio.attrs["value"] == "26281" and "checked" in radio.attrs
    nothing = client.get(reverse("workspace:commune_search"), {"commune_q": "xyzzy"})
    assert "Aucune commune ne correspond à « xyzzy »." in nothing.text


# ---- members ------------------------------------------------------------------------------------------


def test_member_search_by_name_siren_and_siret(client, world, coordinator, parse):
    a, sme = world["a"], world["orgs"]["sme"]
    by_name = parse(client.get(url("pole", a), {"q": "chaussures drom"}))
    buttons = by_name.find_all("button", name="organisation")
    assert [b.attrs["value"] for b in buttons] == [str(sme.pk)]
    assert squash(buttons[0].text) == "Ajouter Chaussures Drômoises SARL (fictive)"
    by_siren = parse(
        client.get(url("member_search", a), {"q": sme.siren}, headers={"HX-Request": "true"})
    )
    assert [b.attrs["value"] for b in by_siren.find_all("button")] == [str(sme.pk)]
    siret = sme.establishments.get().siret
    by_siret = parse(client.get(url("member_search", a), {"q": siret}))
    assert [b.attrs["value"] for b in by_siret.find_all("button")] == [str(sme.pk)]
    none = client.get(url("member_search", a), {"q": "introuvable"})
    assert "Aucune organisation de l’annuaire ne correspond à « introuvable »." in none.text


def test_add_members_and_see_the_conditions_turn_met(client, world, coordinator, parse):
    a = world["a"]
    before = parse(client.get(url("pole", a)))
    assert squash(before.by_id("eligibility-badge").text) == "non éligible"
    for key in ("ess", "sme"):
        response = client.post(
            url("members", a),
            {"organisation": world["orgs"][key].pk, "role": "member", "visibility": "public"},
        )
        assert response.status_code == 302
        assert response["Location"] == url("pole", a) + "#membres"
    # The last one through htmx: the members card, and the eligibility block out of band.
    response = client.post(
        url("members", a),
        {
            "organisation": world["orgs"]["town"].pk,
            "role": "partner",
            "visibility": "public",
            "q": "commune",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    page = parse(response)
    assert page.by_id("membres").tag == "section"
    assert "Commune de Romans-sur-Isère (adhésion fictive) est membre du pôle." in response.text
    eligibility = page.by_id("eligibility")
    assert eligibility.attrs["hx-swap-oob"] == "true"
    assert squash(page.by_id("eligibility-badge").text) == "éligible"
    decret = [
        li.attrs["data-status"]
        for li in page.find_all("li")
        if li.attrs.get("data-code", "").startswith("decret_")
    ]
    assert decret == ["met"] * 6
    assert "déjà membre" in response.text  # the search is kept, the new member flagged
    membership = Membership.objects.get(pole=a, organisation=world["orgs"]["town"])
    assert membership.role == "partner" and membership.joined_on == timezone.localdate()
    assert a.memberships.current().count() == 3


def test_a_member_added_twice_is_refused_next_to_the_search(client, world, coordinator, parse):
    a, sme = world["a"], world["orgs"]["sme"]
    client.post(
        url("members", a), {"organisation": sme.pk, "role": "member", "visibility": "public"}
    )
    response = client.post(
        url("members", a), {"organisation": sme.pk, "role": "member", "visibility": "public"}
    )
    assert response.status_code == 400
    page = parse(response)
    assert "Chaussures Drômoises SARL (fictive) est déjà membre de ce pôle." in squash(
        page.by_id("member-add-errors").text
    )
    htmx = client.post(
        url("members", a),
        {"organisation": sme.pk, "role": "member", "visibility": "public"},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200 and "est déjà membre de ce pôle." in htmx.text
    nothing = parse(client.post(url("members", a), {"role": "member", "visibility": "public"}))
    assert "Choisissez l’organisation" in squash(nothing.by_id("member-add-errors").text)
    bad_date = parse(
        client.post(
            url("members", a),
            {
                "organisation": world["orgs"]["ess"].pk,
                "role": "member",
                "visibility": "public",
                "joined_on": "32/13/2020",
            },
        )
    )
    assert errors_of(bad_date, "id_joined_on")
    assert a.memberships.count() == 1


def test_end_a_membership_and_see_the_members_at_a_past_date(client, world, coordinator, parse):
    a, sme = world["a"], world["orgs"]["sme"]
    membership = services.add_member(None, pole=a, organisation=sme, joined_on="2020-01-01")
    page = parse(client.get(url("pole", a)))
    end_url = url("member_end", a, membership.pk)
    assert page.find_all("a", href=end_url)
    form = parse(client.get(end_url))
    assert form.find_all("input", name="left_on")[0].attrs["type"] == "date"
    too_early = client.post(end_url, {"left_on": "2019-12-31"})
    assert too_early.status_code == 400
    assert "ne peut précéder la date d'entrée (01/01/2020)" in errors_of(
        parse(too_early), "id_left_on"
    )
    assert client.post(end_url, {"left_on": ""}).status_code == 400
    done = client.post(end_url, {"left_on": "2024-06-30"})
    assert done.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == dt.date(2024, 6, 30)
    assert client.post(end_url, {"left_on": "2024-07-01"}).status_code == 400  # already ended
    past = parse(client.get(url("members", a), {"date": "2023-01-01"}))
    assert "Chaussures Drômoises SARL (fictive)" in squash(past.by_id("members-at-date").text)
    assert "Membres au 1 janvier 2023" in past.text_of("h2")
    today = parse(client.get(url("members", a)))
    assert today.by_id("members-at-date") is None
    assert "Aucun membre à cette date." in squash(today.by_id("contenu").text)
    bad = client.get(url("members", a), {"date": "hier"})
    assert bad.status_code == 400 and errors_of(parse(bad), "id_date")
    assert client.get(url("member_end", a, 999999)).status_code == 404


def test_import_a_member_list_all_or_nothing(client, world, coordinator, parse):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, sme, ess = world["a"], world["orgs"]["sme"], world["orgs"]["ess"]
    services.add_member(None, pole=a, organisation=ess)
    sme_siret = sme.establishments.get().siret
    good = (
        "siret,nom,commune\n"
        f"{sme_siret},,\n"
        f"{ess.establishments.get().siret},,\n"
        ",Atelier Nouveau (fictif),26057\n"
    ).encode()
    preview = client.post(
        url("member_import", a),
        {"action": "preview", "file": SimpleUploadedFile("membres.csv", good, "text/csv")},
    )
    assert preview.status_code == 200
    page = parse(preview)
    rows = [squash(r.text) for r in page.find_all("tr")[1:]]
    assert len(rows) == 3
    assert "trouvée" in rows[0] and "déjà membre" in rows[1] and "nouvelle" in rows[2]
    assert not a.memberships.filter(organisation=sme).exists()  # nothing written yet
    confirmed = client.post(url("member_import", a), {"action": "confirm"})
    assert confirmed.status_code == 302
    names = set(a.memberships.current().values_list("organisation__name", flat=True))
    assert names == {sme.name, ess.name, "Atelier Nouveau (fictif)"}
    assert (
        client.post(url("member_import", a), {"action": "confirm"}).status_code == 302
    )  # nothing pending

    bad = b"siret,nom,commune\n12345678901234,,\n,Sans Commune (fictive),\n"
    refused = client.post(
        url("member_import", a),
        {"action": "preview", "file": SimpleUploadedFile("faux.csv", bad, "text/csv")},
    )
    page = parse(refused)
    assert "2 lignes sont refusées" in squash(refused.text)
    assert not page.find_all("input", value="confirm")
    forced = client.post(url("member_import", a), {"action": "confirm"})
    assert forced.status_code == 400
    assert "Rien n’a été importé" in squash(forced.text)
    assert not Organisation.objects.filter(name="Sans Commune (fictive)").exists()
    wrong = client.post(
        url("member_import", a),
        {"action": "preview", "file": SimpleUploadedFile("liste.pdf", b"%PDF", "application/pdf")},
    )
    assert wrong.status_code == 400
    assert "CSV ou XLSX" in errors_of(parse(wrong), "id_file")


# ---- perimeter, characterisation, identity, colleges ------------------------------------------------


def test_perimeter_with_no_commune_is_refused_next_to_the_field(client, world, coordinator, parse):
    a = world["a"]
    page = parse(client.get(url("perimeter", a)))
    assert page.find_all("textarea", name="communes")[0].text.strip() == "26281"
    response = client.post(url("perimeter", a), {"communes": "", "epci": "", "departements": ""})
    assert response.status_code == 400
    assert "ne contient aucune commune" in errors_of(parse(response), "id_communes")
    unknown = parse(client.post(url("perimeter", a), {"communes": "26281 99999", "epci": "123"}))
    assert "Code(s) inconnu(s) : 99999." in errors_of(unknown, "id_communes")
    assert "Code(s) inconnu(s) : 123." in errors_of(unknown, "id_epci")
    assert unknown.find_all("textarea", name="communes")[0].text.strip() == "26281 99999"
    too_far = parse(client.post(url("perimeter", a), {"communes": "26281", "radius_km": "500"}))
    assert errors_of(too_far, "id_radius_km")
    a.refresh_from_db()
    assert a.perimeter_id is None


def test_perimeter_from_communes_epci_and_a_radius(client, world, coordinator):
    a = world["a"]
    response = client.post(url("perimeter", a), {"communes": "26281, 26057", "departements": "42"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert set(a.perimeter.communes.values_list("code_insee", flat=True)) == {
        "26281",
        "26057",
        "42218",
    }
    client.post(url("perimeter", a), {"epci": "200068781", "radius_km": "5"})
    a.refresh_from_db()
    codes = set(a.perimeter.communes.values_list("code_insee", flat=True))
    assert codes == {"26281", "26057", "26362", "26313"}
    assert a.perimeter.definition["radii"][0]["km"] == 5.0


def test_characterisation(client, world, coordinator, parse):
    a = world["a"]
    response = client.post(
        url("characterisation", a),
        {
            "impulse": "citizen",
            "dynamic": "multi_activity",
            "objectives": ["pooling", "social_innovation"],
            "specificities": ["anchoring"],
            "maturity": "consolidating",
            "naf_sections": ["A", "Q"],
            "common_strategy_formalised": "true",
            "long_term_commitment": "false",
            "pooled_resources": "",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.impulse, a.dynamic, a.maturity_id) == ("citizen", "multi_activity", "consolidating")
    assert a.objectives == ["pooling", "social_innovation"] and a.naf_sections == ["A", "Q"]
    assert (a.common_strategy_formalised, a.long_term_commitment, a.pooled_resources) == (
        True,
        False,
        None,
    )
    page = parse(client.get(url("characterisation", a)))
    assert "checked" in page.find_all("input", name="impulse", value="citizen")[0].attrs
    assert "checked" in page.find_all("input", name="long_term_commitment", value="false")[0].attrs
    bad = client.post(
        url("characterisation", a), {"impulse": "royal", "objectives": ["world_peace"]}
    )
    assert bad.status_code == 400
    page = parse(bad)
    assert "Sélectionnez un choix valide" in errors_of(page, "id_impulse")
    assert errors_of(page, "id_objectives")


def test_identity_edit(client, world, coordinator, parse):
    a = world["a"]
    services.add_member(None, pole=a, organisation=world["orgs"]["ess"])
    page = parse(client.get(url("edit", a)))
    assert page.find_all("input", name="name")[0].attrs["value"] == "Pôle A (fictif)"
    carriers = [
        o.attrs["value"]
        for o in page.find_all("option")
        if o.attrs.get("value") == str(world["orgs"]["ess"].pk)
    ]
    assert carriers
    bad = client.post(
        url("edit", a),
        {
            "name": "Pôle A (fictif)",
            "commune": "26281",
            "visibility": "public",
            "website": "pas une adresse",
            "contact_email": "nope",
        },
    )
    assert bad.status_code == 400
    page = parse(bad)
    assert errors_of(page, "id_website") and errors_of(page, "id_contact_email")
    response = client.post(
        url("edit", a),
        {
            "name": "Pôle A renommé (fictif)",
            "commune": "26057",
            "legal_form": "other",
            "carrier_private_law": "true",
            "carrier": world["orgs"]["ess"].pk,
            "website": "https://exemple.org",
            "contact_email": "Contact@Exemple.org",
            "visibility": "public",
            "shared_place": "on",
            "shared_place_name": "La Fabrique (fictive)",
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.name == "Pôle A renommé (fictif)" and a.commune_id == "26057"
    assert a.carrier == world["orgs"]["ess"] and a.carrier_private_law is True
    assert a.contact_email == "contact@exemple.org" and a.shared_place


def test_colleges_bad_weights_show_every_rule_and_keep_the_input(client, world, coordinator, parse):
    a = world["a"]
    page = parse(client.get(url("colleges", a)))
    assert page.find_all("input", name="name_0") and page.find_all("input", name="weight_2")
    data = {
        "rows": "3",
        "name_0": "Salariés",
        "weight_0": "60",
        "name_1": "Usagers",
        "weight_1": "30",
        "name_2": "Collectivités",
        "weight_2": "5",
    }
    response = client.post(url("colleges", a), data)
    assert response.status_code == 400
    page = parse(response)
    alert = squash(page.by_id("college-errors").text)
    assert (
        "Collège n° 1 « Salariés » : 60 % des voix ; un collège ne peut pas détenir plus de 50 %"
        in alert
    )
    assert (
        "Collège n° 3 « Collectivités » : 5 % des voix ; un collège ne peut pas détenir moins de 10 %"
        in alert
    )
    assert "La somme des poids des collèges est de 95 % ; elle doit être de 100 %" in alert
    assert len(page.by_id("college-errors").text.split("Collège n°")) == 3
    assert page.find_all("input", name="weight_0")[0].attrs["value"] == "60"
    assert page.find_all("input", name="name_2")[0].attrs["value"] == "Collectivités"
    two = parse(
        client.post(
            url("colleges", a),
            {"rows": "3", "name_0": "A", "weight_0": "50", "name_1": "B", "weight_1": "50"},
        )
    )
    assert "2 collèges ; il en faut au moins 3" in squash(two.by_id("college-errors").text)
    nan = parse(
        client.post(
            url("colleges", a),
            {
                "rows": "3",
                "name_0": "A",
                "weight_0": "beaucoup",
                "name_1": "B",
                "weight_1": "50",
                "name_2": "C",
                "weight_2": "10",
            },
        )
    )
    assert "nombre attendu" in squash(nan.by_id("college-errors").text)
    assert not College.objects.exists()
    more = parse(client.post(url("colleges", a), {**data, "action": "add_row"}))
    assert (
        more.find_all("input", name="name_3")
        and more.find_all("input", name="weight_0")[0].attrs["value"] == "60"
    )
    ok = client.post(
        url("colleges", a),
        {
            "rows": "4",
            "name_0": "Salariés",
            "weight_0": "40",
            "name_1": "Usagers",
            "weight_1": "30",
            "name_2": "Collectivités",
            "weight_2": "30,0",
            "name_3": "",
            "weight_3": "",
        },
    )
    assert ok.status_code == 302
    assert list(a.colleges.values_list("name", flat=True)) == [
        "Salariés",
        "Usagers",
        "Collectivités",
    ]
    again = parse(client.get(url("colleges", a)))
    assert again.find_all("input", name="weight_2")[0].attrs["value"] == "30"


# ---- people and invitations ---------------------------------------------------------------------------


def test_invitation_with_a_bad_address_is_refused_next_to_the_field(
    client, world, coordinator, parse
):
    a = world["a"]
    response = client.post(url("invite", a), {"email": "pas-une-adresse", "role": "member"})
    assert response.status_code == 400
    page = parse(response)
    assert "Saisissez une adresse de courriel valide." in errors_of(page, "id_email")
    assert page.find_all("input", name="email")[0].attrs["value"] == "pas-une-adresse"
    assert not mail.outbox and not Invitation.objects.exists()
    odd_org = client.post(
        url("invite", a),
        {"email": "x@example.org", "role": "member", "organisation": world["orgs"]["sme"].pk},
    )
    assert odd_org.status_code == 400  # not a member of the hub
    assert errors_of(parse(odd_org), "id_organisation")


def test_roles_are_granted_and_revoked_but_one_coordinator_stays(client, world, coordinator, parse):
    a, member = world["a"], world["people"]["member_a"]
    page = parse(client.get(url("people", a)))
    rows = [squash(r.text) for r in page.find_all("tr")[1:]]
    assert any("member-a@example.org" in r and "Membre" in r for r in rows)
    response = client.post(
        url("people", a), {"user": member.pk, "role": "observer", "action": "grant"}
    )
    assert response.status_code == 302
    member.__dict__.pop("_ptce_pole_roles", None)
    assert permissions.roles_of(member, a) == {Role.MEMBER, Role.OBSERVER}
    client.post(url("people", a), {"user": member.pk, "role": "member", "action": "revoke"})
    member.__dict__.pop("_ptce_pole_roles", None)
    assert permissions.roles_of(member, a) == {Role.OBSERVER}
    last = client.post(
        url("people", a), {"user": coordinator.pk, "role": "coordinator", "action": "revoke"}
    )
    assert last.status_code == 400
    assert "au moins une personne à la coordination" in squash(parse(last).by_id("role-error").text)
    stranger = client.post(
        url("people", a),
        {"user": world["people"]["coordinator_b"].pk, "role": "member", "action": "grant"},
    )
    assert stranger.status_code == 400
    assert not world["people"]["coordinator_b"].pole_roles.filter(pole=a).exists()
    for junk in (
        {"user": "abc", "role": "member", "action": "grant"},
        {"user": member.pk, "role": "king", "action": "grant"},
        {"user": member.pk, "role": "member", "action": "explode"},
    ):
        assert client.post(url("people", a), junk).status_code == 400


def test_invitation_link_page_password_and_role(client, world, coordinator, parse):
    a, ess = world["a"], world["orgs"]["ess"]
    services.add_member(None, pole=a, organisation=ess)
    response = client.post(
        url("invite", a), {"email": "Lea@Example.org", "role": "member", "organisation": ess.pk}
    )
    assert response.status_code == 302
    people = parse(client.get(url("people", a)))
    assert "lea@example.org" in squash(people.by_id("contenu").text)
    (message,) = mail.outbox
    assert message.to == ["lea@example.org"]
    link = re.search(r"http://testserver(/invitations/[^/\s]+/)", message.body)
    assert link, message.body
    client.logout()
    page = parse(client.get(link.group(1)))
    assert page.text_of("h1") == ["Rejoindre « Pôle A (fictif) »"]
    facts = page.facts()
    assert facts["Rôle"] == "Membre" and facts["Organisation représentée"] == ess.name
    mismatch = client.post(
        link.group(1),
        {"first_name": "Léa", "last_name": "Martin", "password1": PASSWORD, "password2": "autre"},
    )
    assert mismatch.status_code == 400
    assert "pas identiques" in errors_of(parse(mismatch), "id_password2")
    weak = client.post(
        link.group(1),
        {"first_name": "Léa", "last_name": "Martin", "password1": "123", "password2": "123"},
    )
    assert weak.status_code == 400 and errors_of(parse(weak), "id_password1")
    accepted = client.post(
        link.group(1),
        {"first_name": "Léa", "last_name": "Martin", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert accepted.status_code == 302 and accepted["Location"] == reverse("workspace:index")
    lea = User.objects.get(email="lea@example.org")
    assert lea.get_full_name() == "Léa Martin" and lea.check_password(PASSWORD)
    assert permissions.roles_of(lea, a) == {Role.MEMBER}
    assert lea.affiliations.get().organisation == ess
    mine = parse(client.get(reverse("workspace:index")))  # signed in by the acceptance
    assert any("Pôle A (fictif)" in squash(r.text) for r in mine.find_all("tr"))
    used = client.get(link.group(1))
    assert used.status_code == 404
    assert "Ce lien d’invitation n’est pas valable" in squash(used.text)


def test_invitation_for_a_signed_in_person_and_for_an_existing_account(client, world, parse):
    a = world["a"]
    invited = world["people"]["coordinator_b"]
    _invitation, raw = services.invite(None, pole=a, email=invited.email, role=Role.OBSERVER)
    link = reverse("invitation_accept", args=[raw])
    anonymous = parse(client.get(link))
    assert "Un compte existe déjà pour cette adresse" in squash(anonymous.by_id("contenu").text)
    assert not anonymous.find_all("input", name="password1")
    client.force_login(world["people"]["member_a"])
    other = client.get(link)
    assert "cette invitation a été envoyée à coord-b@example.org" in squash(other.text)
    assert client.post(link).status_code == 200
    assert not permissions.roles_of(world["people"]["member_a"], a) - {Role.MEMBER}
    client.force_login(invited)
    page = parse(client.get(link))
    assert [
        squash(b.text) for b in page.find_all("button", type="submit") if "Accepter" in b.text
    ] == ["Accepter l’invitation"]
    assert client.post(link).status_code == 302
    invited.__dict__.pop("_ptce_pole_roles", None)
    assert permissions.roles_of(invited, a) == {Role.OBSERVER}


def test_bad_or_expired_invitation_links_say_so(client, world):
    response = client.get(reverse("invitation_accept", args=["pas-un-jeton"]))
    assert response.status_code == 404
    assert "Invitation introuvable" in response.text
    invitation, raw = services.invite(None, pole=world["a"], email="tard@example.org")
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    expired = client.post(
        reverse("invitation_accept", args=[raw]),
        {"first_name": "A", "last_name": "B", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert expired.status_code == 404
    assert not User.objects.filter(email="tard@example.org").exists()


# ---- bounded queries and accessibility ------------------------------------------------------------------


def test_workspace_page_query_count_does_not_grow_with_the_members(client, world, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = world["a"]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("pole", a), {"q": "fictive"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(12):
        services.add_member(None, pole=a, organisation=actors.sme(f"Entreprise {n} (fictive)"))
    assert count() == few <= 20


def test_workspace_pages_are_accessible_and_have_no_inline_code(client, world, coordinator, parse):
    a = world["a"]
    services.add_member(None, pole=a, organisation=world["orgs"]["ess"])
    membership = a.memberships.get()
    urls = [reverse("workspace:index"), reverse("workspace:create"), url("pole", a) + "?q=fictive"]
    urls += [url(name, a) for name in PAGES[1:]] + [url("member_end", a, membership.pk)]
    for address in urls:
        response = client.get(address)
        assert response.status_code == 200, address
        page = parse(response)
        assert not [e for e in page.elements if "style" in e.attrs], address
        assert not page.find_all("style"), address
        for script in page.find_all("script"):
            assert "src" in script.attrs or script.attrs.get("type") == "application/json", address
        assert not re.search(r"\son[a-z]+=", response.text), address
        assert len(page.find_all("h1")) == 1, address
        labelled = {e.attrs.get("for") for e in page.find_all("label")}
        for field in page.elements:
            if field.tag in {"input", "select", "textarea"} and field.attrs.get("type") != "hidden":
                assert field.attrs.get("id") in labelled or field.attrs.get("aria-label"), (
                    address,
                    field.attrs,
                )
        posts = page.find_all("form", method="post")
        assert len(page.find_all("input", name="csrfmiddlewaretoken")) == len(posts), address
