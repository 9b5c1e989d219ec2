"""The directory pages: search (full page, htmx fragment, facets, map state, exports), an
organisation's page, and the import of a member list (preview, confirm, refusals)."""

import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from ptce.actors import facet_index, map_index, services
from ptce.actors.models import Affiliation, Organisation
from ptce.actors.signals import reset_indexes
from ptce.core.choices import Role, Visibility
from ptce.poles import services as pole_services
from tests.actors import factories
from tests.poles import factories as pole_factories
from tests.web.html import squash

SEARCH = reverse("directory:search")
IMPORT = reverse("directory:import")


def organisation_url(org):
    return reverse("directory:organisation", args=[org.pk])


@pytest.fixture
def orgs(territory):
    """Four organisations: two ESS (an association, a SCOP), an SME, a commune."""
    jardins = factories.association("Les Jardins de Cocagne (fictifs)", acronym="JDC")
    tisserands = factories.scop("Scop Les Tisserands Romanais (fictive)", commune="26057")
    chaussures = factories.sme(
        "Chaussures Drômoises SARL (fictive)", commune="42218", societe_mission=True
    )
    romans = factories.commune_body("Commune de Romans-sur-Isère")
    return {
        "jardins": jardins,
        "tisserands": tisserands,
        "chaussures": chaussures,
        "romans": romans,
    }


def by_class(page, tag, name):
    """The `tag` elements whose class list holds `name`."""
    return [e for e in page.find_all(tag) if name in e.attrs.get("class", "").split()]


def facet_options(page, name):
    """{value: count} of a facet's checkboxes."""
    options = {}
    for box in page.find_all("input", type="checkbox", name=name):
        label = next(e for e in page.find_all("label") if e.attrs.get("for") == box.attrs["id"])
        count = re.search(r"(\d+) organisations?$", squash(label.text))
        options[box.attrs["value"]] = int(count.group(1))
    return options


# ---- search ---------------------------------------------------------------------------------


def test_search_lists_every_active_organisation_with_its_badges(client, orgs, parse):
    response = client.get(SEARCH)
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Annuaire des acteurs"]
    assert squash(page.by_id("directory-status").text) == "4 organisations trouvées."
    names = [squash(h.text) for h in page.find_all("h3")]
    assert names == [
        "Chaussures Drômoises SARL (fictive)",
        "Commune de Romans-sur-Isère",
        "Les Jardins de Cocagne (fictifs) (JDC)",
        "Scop Les Tisserands Romanais (fictive)",
    ]
    link = page.find_all("a", href=organisation_url(orgs["jardins"]))
    assert link and squash(link[0].text) == "Les Jardins de Cocagne (fictifs)"
    items = {squash(li.text).split(" ")[0]: squash(li.text) for li in page.find_all("li")}
    jardins = items["Les"]
    assert "Entreprise de l'ESS" in jardins and "Association" in jardins
    assert "Romans-sur-Isère (26)" in jardins and "NAF 88.99B" in jardins
    chaussures = items["Chaussures"]
    assert "Autre entreprise" in chaussures and "Société à mission" in chaussures
    assert "Saint-Étienne (42)" in chaussures and "NAF 15.20Z" in chaussures
    assert "SCOP" in items["Scop"] and "Bourg-de-Péage (26)" in items["Scop"]
    assert "Société à mission" not in jardins
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_register_ess_flag_shows_an_ess_badge(client, orgs, parse):
    services.update_organisation(None, organisation=orgs["jardins"], ess=True)
    page = parse(client.get(SEARCH, {"q": "jardins"}))
    (item,) = by_class(page, "li", "org-result")
    assert "ESS (mention au répertoire SIRENE)" in squash(item.text)


def test_search_by_name_is_full_text_and_ignores_accents(client, orgs, parse):
    page = parse(client.get(SEARCH, {"q": "tisser"}))
    assert [squash(h.text) for h in page.find_all("h3")] == [
        "Scop Les Tisserands Romanais (fictive)"
    ]
    page = parse(client.get(SEARCH, {"q": "DRÔM chauss"}))
    assert [squash(h.text) for h in page.find_all("h3")] == ["Chaussures Drômoises SARL (fictive)"]
    assert page.find_all("input", name="q", value="DRÔM chauss")
    none = parse(client.get(SEARCH, {"q": "xyzzy"}))
    assert not none.find_all("h3")
    assert "Aucune organisation ne correspond à cette recherche." in squash(
        none.by_id("directory-status").text
    )


def test_facets_show_their_counts(client, orgs, parse):
    page = parse(client.get(SEARCH))
    assert facet_options(page, "type") == {
        "ess": 2,
        "enterprise": 1,
        "local_authority": 1,
    }
    assert facet_options(page, "family") == {"association": 1, "scop": 1}
    assert facet_options(page, "section") == {"C": 2, "O": 1, "Q": 1}
    assert facet_options(page, "tranche") == {"11": 1}
    labels = squash(page.by_id("facet-section").text)
    assert "C — Industrie manufacturière 2 organisations" in labels
    assert "11" in facet_options(page, "tranche")
    assert "10 à 19 salariés" in squash(page.by_id("facet-tranche").text)


def test_a_facet_filters_and_keeps_offering_its_other_values(client, orgs, parse):
    page = parse(client.get(SEARCH, {"q": "", "type": "ess", "active": "true"}))
    assert [squash(h.text) for h in page.find_all("h3")] == [
        "Les Jardins de Cocagne (fictifs) (JDC)",
        "Scop Les Tisserands Romanais (fictive)",
    ]
    (ess,) = page.find_all("input", name="type", value="ess")
    assert "checked" in ess.attrs
    # The other types stay offered, with what they would add (values of a facet are ORed).
    assert facet_options(page, "type") == {"ess": 2, "enterprise": 1, "local_authority": 1}
    # Other facets count within the results.
    assert facet_options(page, "section") == {"C": 1, "Q": 1}
    both = parse(client.get(SEARCH, {"q": "", "type": ["ess", "local_authority"]}))
    assert len(both.find_all("h3")) == 3
    scop = parse(client.get(SEARCH, {"q": "", "family": "scop", "section": "C"}))
    assert [squash(h.text) for h in scop.find_all("h3")] == [
        "Scop Les Tisserands Romanais (fictive)"
    ]


def test_departement_epci_and_active_filters(client, orgs, parse):
    page = parse(client.get(SEARCH, {"q": "", "departement": "42", "active": "true"}))
    assert [squash(h.text) for h in page.find_all("h3")] == ["Chaussures Drômoises SARL (fictive)"]
    (option,) = [o for o in page.find_all("option") if o.attrs.get("value") == "42"]
    assert "selected" in option.attrs
    page = parse(client.get(SEARCH, {"q": "", "epci": "200068781", "active": "true"}))
    assert len(page.find_all("h3")) == 3  # the three in Valence Romans Agglo
    services.update_organisation(None, organisation=orgs["romans"], active=False)
    active_only = parse(client.get(SEARCH))
    assert "Commune de Romans-sur-Isère" not in [squash(h.text) for h in active_only.find_all("h3")]
    assert "checked" in active_only.find_all("input", name="active")[0].attrs
    everything = parse(client.get(SEARCH, {"q": ""}))  # the form sent, toggle off
    assert "Commune de Romans-sur-Isère" in [squash(h.text) for h in everything.find_all("h3")]
    assert "checked" not in everything.find_all("input", name="active")[0].attrs
    assert "Cessée" in squash(everything.by_id("directory-results").text)
    # the map and the exports follow: they ask the API for every organisation
    (container,) = everything.find_all("div", **{"data-directory-map": ""})
    state = everything.by_id(container.attrs["data-state"]).attrs
    assert parse_qs(state["data-query"])["active"] == ["all"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"type": "bogus"},
        {"section": ["zz", "C"]},
        {"tranche": "xx"},
        {"family": "<script>"},
        {"departement": "99x"},
        {"epci": "abc"},
        {"q": "x" * 500},
        {"active": "maybe"},
    ],
)
def test_bad_filter_values_never_fail(client, orgs, params):
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(SEARCH, params, headers=headers)
        assert response.status_code == 200, params
        assert "<script>" not in response.text.replace("<script src", "").replace(
            '<script type="application/json"', ""
        )


def test_bad_territory_codes_are_said_and_ignored(client, orgs, parse):
    page = parse(client.get(SEARCH, {"q": "", "departement": "99x", "epci": "abc"}))
    assert "Département inconnu : 99x." in squash(page.by_id("departement-errors").text)
    assert "9 chiffres" in squash(page.by_id("epci-errors").text)
    assert len(page.find_all("h3")) == 4  # the filters in error filter nothing
    assert page.find_all("input", name="epci", value="abc")  # the input is kept
    unknown = parse(client.get(SEARCH, {"q": "", "section": ["zz", "C"]}))
    assert len(unknown.find_all("h3")) == 2  # the unknown value is dropped


def test_pagination_keeps_the_filters(client, territory, parse):
    for n in range(53):
        factories.association(f"Association test {n:02d} (fictive)", commune=None)
    factories.sme("Entreprise test (fictive)", commune=None)
    first = parse(client.get(SEARCH, {"q": "test", "type": "ess", "active": "true"}))
    assert len(first.find_all("h3")) == 50
    assert "53 organisations trouvées." in squash(first.by_id("directory-status").text)
    assert "Organisations 1 à 50 sur 53, par nom." in squash(first.by_id("directory-results").text)
    (following,) = first.find_all("a", rel="next")
    query = parse_qs(urlsplit(following.attrs["href"]).query)
    assert query == {"q": ["test"], "type": ["ess"], "active": ["true"], "page": ["2"]}
    assert following.attrs["hx-get"] == following.attrs["href"]
    second = parse(client.get(following.attrs["href"]))
    assert [squash(h.text) for h in second.find_all("h3")] == [
        "Association test 50 (fictive)",
        "Association test 51 (fictive)",
        "Association test 52 (fictive)",
    ]
    assert "Page 2 sur 2" in squash(second.by_id("directory-results").text)
    (ol,) = second.find_all("ol", class_="org-list")
    assert ol.attrs["start"] == "51"


def test_htmx_request_gets_the_results_and_the_facets_out_of_band(client, orgs, parse):
    response = client.get(SEARCH, {"q": "jardins"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "<header" not in html and "<form" not in html
    page = parse(response)
    assert [squash(h.text) for h in page.find_all("h3")] == [
        "Les Jardins de Cocagne (fictifs) (JDC)"
    ]
    status = page.by_id("directory-status-text")
    assert status.attrs["hx-swap-oob"] == "true"
    assert squash(status.text) == "1 organisation trouvée."
    for name in ("type", "family", "section", "tranche"):
        assert page.by_id(f"facet-{name}").attrs["hx-swap-oob"] == "true"
    assert facet_options(page, "type") == {"ess": 1}
    for slot in ("q-errors", "departement-errors", "epci-errors"):
        assert page.by_id(slot).attrs["hx-swap-oob"] == "true"
    assert response["HX-Push-Url"] == SEARCH + "?q=jardins"
    again = client.get(
        SEARCH,
        {"q": "jardins"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/annuaire/?q=jardins"},
    )
    assert again["HX-Push-Url"] == "false"  # the same search: no second history entry
    state = page.by_id("directory-map-state")
    assert state.attrs["data-query"] == "q=jardins&active=all"
    assert "hidden" in state.attrs
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(client, orgs, parse):
    response = client.get(
        SEARCH,
        {"q": "jardins"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text
    assert parse(response).text_of("h1") == ["Annuaire des acteurs"]


def test_the_form_asks_htmx_for_results_and_works_without_it(client, orgs, parse):
    page = parse(client.get(SEARCH))
    (form,) = page.find_all("form", id="directory-form")
    assert form.attrs["method"] == "get" and form.attrs["action"] == SEARCH
    assert form.attrs["hx-get"] == SEARCH
    assert form.attrs["hx-target"] == "#directory-results"
    assert form.attrs["hx-push-url"] == "true"
    trigger = form.attrs["hx-trigger"]
    assert "change" in trigger and "keyup changed delay:400ms from:#id_q" in trigger
    assert "submit" in trigger
    assert page.find_all("button", type="submit")


def test_map_and_exports_carry_the_filters(client, orgs, parse):
    page = parse(client.get(SEARCH, {"q": "jardins", "type": "ess", "departement": "26"}))
    (container,) = page.find_all("div", **{"data-directory-map": ""})
    config = json.loads(page.by_id(container.attrs["data-config"]).text)
    assert config["mapUrl"] == "/api/v1/map/establishments"
    assert config["detailUrl"] == "/api/v1/organisations/id/{id}"
    assert config["pageUrl"] == "/annuaire/organisations/{id}/"
    state = page.by_id(container.attrs["data-state"]).attrs
    query = state["data-query"]
    assert parse_qs(query) == {
        "q": ["jardins"],
        "type": ["ess"],
        "departement": ["26"],
        "active": ["all"],
    }
    west, south, east, north = (float(v) for v in state["data-bounds"].split(","))
    assert west <= 5.05 <= east and south <= 45.05 <= north  # around Romans-sur-Isère
    exports = [
        a.attrs["href"]
        for a in page.find_all("a")
        if a.attrs.get("href", "").startswith("/api/v1/organisations/export")
    ]
    assert len(exports) == 3
    formats = {parse_qs(urlsplit(url).query)["format"][0] for url in exports}
    assert formats == {"csv", "xlsx", "data-inclusion"}
    for url in exports:
        assert parse_qs(urlsplit(url).query)["departement"] == ["26"]
        assert parse_qs(urlsplit(url).query)["q"] == ["jardins"]
    csv = client.get(next(url for url in exports if "format=csv" in url))
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "Les Jardins de Cocagne" in lines[1]
    map_answer = client.get(config["mapUrl"] + "?" + query + "&bbox=4,44,6,46&zoom=10")
    assert map_answer.status_code == 200 and map_answer.json()["total"] == 1


def test_search_runs_a_constant_number_of_queries(client, territory, django_assert_max_num_queries):
    def queries(params):
        map_index.get()  # built once per process and checked every 30 s, not per request
        facet_index.get()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(SEARCH, params).status_code == 200
            assert client.get(SEARCH, params, headers={"HX-Request": "true"}).status_code == 200
        return len(captured)

    filtered = {"q": "fictive", "type": "ess", "section": "Q", "departement": "26"}
    factories.association("Association 0 (fictive)")
    few, few_filtered = queries({}), queries(filtered)
    for n in range(1, 60):
        factories.association(f"Association {n} (fictive)", commune="26281" if n % 2 else None)
    factories.sme("Entreprise (fictive)")
    reset_indexes()
    assert queries({}) == few
    assert queries(filtered) == few_filtered
    with django_assert_max_num_queries(8):
        client.get(SEARCH)
    with django_assert_max_num_queries(20):
        client.get(SEARCH, filtered)


def test_signed_in_visibility_does_not_double_count(client, orgs, user, other_user, parse):
    # A public organisation several people speak for is still one organisation.
    for person in (user, other_user):
        Affiliation.objects.create(user=person, organisation=orgs["jardins"])
    hidden = factories.association("Association discrète (fictive)", visibility=Visibility.OWNER)
    Affiliation.objects.create(user=user, organisation=hidden)
    client.force_login(user)
    page = parse(client.get(SEARCH))
    assert "5 organisations trouvées." in squash(page.by_id("directory-status").text)
    assert facet_options(page, "type")["ess"] == 3
    client.force_login(other_user)
    page = parse(client.get(SEARCH))
    assert "4 organisations trouvées." in squash(page.by_id("directory-status").text)
    assert facet_options(page, "type")["ess"] == 2


# ---- an organisation ------------------------------------------------------------------------


def test_organisation_page_shows_its_identity_and_classification(client, orgs, parse):
    org = orgs["jardins"]
    services.update_organisation(
        None, organisation=org, tranche_effectifs="02", date_creation="2011-03-04"
    )
    response = client.get(organisation_url(org))
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Les Jardins de Cocagne (fictifs) (JDC)"]
    facts = page.facts()
    assert facts["Sigle"] == "JDC"
    assert facts["SIREN"] == org.siren
    assert facts["Catégorie juridique"] == "9220"
    assert facts["Activité principale (NAF)"] == (
        "88.99B — section Q : Santé humaine et action sociale"
    )
    assert facts["Tranche d’effectifs"] == "3 à 5 salariés"
    assert facts["Date de création"] == "4 mars 2011"
    assert facts["État"] == "en activité"
    assert facts["Type d’acteur"] == "Entreprise de l'ESS — Association"
    badges = squash(by_class(page, "ul", "badge-list")[0].text)
    assert "ESS · Association" in badges and "En activité" in badges
    assert "Société à mission" not in badges
    from ptce.actors.explain import classification_message

    sentence = classification_message(org)
    assert sentence and "association" in sentence
    assert squash(by_class(page, "p", "classification")[0].text) == squash(sentence)


def test_mission_company_and_ceased_badges(client, orgs, parse):
    org = orgs["chaussures"]
    services.update_organisation(None, organisation=org, active=False)
    page = parse(client.get(organisation_url(org)))
    badges = squash(by_class(page, "ul", "badge-list")[0].text)
    assert "Société à mission" in badges and "Cessée" in badges and "ESS" not in badges
    assert page.facts()["État"] == "cessée"
    assert page.facts()["Société à mission"] == "oui"


def test_organisation_page_lists_and_maps_its_establishments(client, orgs, parse):
    org = orgs["tisserands"]
    services.add_establishment(
        None,
        organisation=org,
        siret=factories.siret_for(org.siren, 2),
        name="Atelier de Valence",
        address="1 rue des Tisserands",
        code_postal="26000",
        code_commune="26362",
        lat=44.93,
        lon=4.89,
    )
    services.add_establishment(
        None, organisation=org, siret=factories.siret_for(org.siren, 3), name="Dépôt"
    )
    page = parse(client.get(organisation_url(org)))
    assert "3 établissements" in page.text_of("h2")
    rows = [squash(tr.text) for tr in page.find_all("tr")][1:]
    assert rows[0].startswith("Scop Les Tisserands Romanais (fictive) siège")
    assert "Bourg-de-Péage" in rows[0] and "centre de la commune" in rows[0]
    valence = next(r for r in rows if r.startswith("Atelier de Valence"))
    assert "1 rue des Tisserands" in valence and "position exacte" in valence
    assert "26000" in valence
    depot = next(r for r in rows if r.startswith("Dépôt"))
    assert depot.endswith("inconnue")
    assert page.find_all("a", href=reverse("territories:commune", args=["26057"]))
    (container,) = page.find_all("div", **{"data-establishments-map": ""})
    data = json.loads(page.by_id(container.attrs["data-geojson"]).text)
    assert {f["properties"]["precision"] for f in data["features"]} == {"commune", "exact"}
    exact = next(f for f in data["features"] if f["properties"]["precision"] == "exact")
    assert exact["geometry"]["coordinates"] == [4.89, 44.93]
    assert exact["properties"]["precision_label"] == "position exacte"
    legend = squash(page.by_id("establishments-map-caption").text)
    assert "position exacte" in legend and "adresse" in legend and "centre de la commune" in legend


def test_partially_diffusible_fields_say_non_diffuse(client, orgs, parse):
    org = orgs["jardins"]
    Organisation.objects.filter(pk=org.pk).update(partially_diffusible=True, acronym="")
    page = parse(client.get(organisation_url(org)))
    facts = page.facts()
    assert facts["Sigle"] == "non diffusé"
    assert facts["Date de création"] == "non diffusé"
    assert facts["SIREN"] == org.siren
    assert "diffusion partielle" in squash(page.find_all("main")[0].text)
    row = squash(page.find_all("tr")[1].text)
    assert "non diffusé" in row  # the address
    public = parse(client.get(organisation_url(orgs["romans"])))
    assert public.facts()["Sigle"] == "—"


def test_organisation_page_lists_the_hubs_it_may_show(client, orgs, user, parse):
    org = orgs["jardins"]
    open_hub = pole_factories.pole("Pôle Ouvert (fictif)")
    closed_hub = pole_factories.pole("Pôle Discret (fictif)", visibility=Visibility.MEMBERS)
    former = pole_factories.pole("Pôle Ancien (fictif)")
    for hub in (open_hub, closed_hub, former):
        pole_services.add_member(None, pole=hub, organisation=org, joined_on="2024-01-15")
    membership = former.memberships.get()
    pole_services.end_membership(None, membership=membership, left_on="2024-06-30")
    page = parse(client.get(organisation_url(org)))
    hubs = squash(by_class(page, "ul", "org-hubs")[0].text)
    assert "Pôle Ouvert (fictif)" in hubs and "depuis le 15 janvier 2024" in hubs
    assert "Pôle Discret" not in hubs and "Pôle Ancien" not in hubs
    assert page.find_all("a", href=f"/observatoire/poles/{open_hub.slug}/")
    pole_services.grant_role(None, pole=closed_hub, user=user, role=Role.MEMBER)
    client.force_login(user)
    page = parse(client.get(organisation_url(org)))
    hubs = squash(by_class(page, "ul", "org-hubs")[0].text)
    assert "Pôle Discret (fictif)" in hubs and "non public" in hubs
    assert page.find_all("a", href=f"/observatoire/poles/{closed_hub.slug}/")
    alone = parse(client.get(organisation_url(orgs["romans"])))
    assert "Membre d’aucun pôle connu de la plateforme." in alone.text_of("p")


def test_hidden_organisation_is_404_except_to_whom_speaks_for_it(
    client, territory, user, other_user, parse
):
    hidden = factories.association("Collectif discret (fictif)", visibility=Visibility.OWNER)
    url = organisation_url(hidden)
    response = client.get(url)
    assert response.status_code == 404
    assert parse(response).text_of("h1") == ["Page introuvable"]
    assert "Collectif discret" not in response.text
    assert "Collectif discret" not in client.get(SEARCH, {"q": "collectif"}).text
    Affiliation.objects.create(user=user, organisation=hidden)
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    assert parse(response).text_of("h1") == ["Collectif discret (fictif)"]
    assert "Collectif discret" in client.get(SEARCH, {"q": "collectif"}).text


def test_contacts_are_shown_only_to_those_allowed(client, orgs, user, other_user, parse):
    org = orgs["jardins"]
    services.add_contact(
        None,
        organisation=org,
        consent_text="J'accepte.",
        first_name="Alex",
        last_name="Public",
        email="alex@example.org",
        visibility=Visibility.PUBLIC,
    )
    services.add_contact(
        None,
        organisation=org,
        consent_text="J'accepte.",
        first_name="Sam",
        last_name="Réservé",
        email="sam@example.org",
    )
    anonymous = client.get(organisation_url(org)).text
    assert "alex@example.org" in anonymous and "sam@example.org" not in anonymous
    client.force_login(other_user)
    assert "sam@example.org" not in client.get(organisation_url(org)).text
    Affiliation.objects.create(user=user, organisation=org)
    client.force_login(user)
    assert "sam@example.org" in client.get(organisation_url(org)).text


def test_unknown_organisation_is_a_french_404(client, db, parse):
    response = client.get(reverse("directory:organisation", args=[987654]))
    assert response.status_code == 404
    assert parse(response).text_of("h1") == ["Page introuvable"]
    assert "Aucune organisation de l&#x27;annuaire n&#x27;a l&#x27;identifiant 987654." in (
        response.text
    )
    assert client.get("/annuaire/organisations/abc/").status_code == 404


def test_organisation_page_runs_a_bounded_number_of_queries(
    client, orgs, django_assert_max_num_queries
):
    org = orgs["tisserands"]
    for n in range(2, 12):
        services.add_establishment(
            None, organisation=org, siret=factories.siret_for(org.siren, n), code_commune="26281"
        )
    for n in range(4):
        hub = pole_factories.pole(f"Pôle {n} (fictif)")
        pole_services.add_member(None, pole=hub, organisation=org)
    with django_assert_max_num_queries(5):
        assert client.get(organisation_url(org)).status_code == 200


# ---- import of a member list ------------------------------------------------------------------


@pytest.fixture
def coordinator(territory, user):
    pole_factories.pole("Pôle Sud (fictif)", coordinator=user)
    return user


def upload(client, content, name="membres.csv"):
    file = io.BytesIO(content if isinstance(content, bytes) else content.encode("utf-8"))
    file.name = name
    return client.post(IMPORT, {"fichier": file})


def test_import_needs_a_signed_in_coordinator(client, territory, user):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/annuaire/import/")
    for url in (reverse("directory:import_preview"), reverse("directory:import_result")):
        assert client.get(url).status_code == 302
    assert client.post(reverse("directory:import_confirm")).status_code == 302
    client.force_login(user)
    response = client.get(IMPORT)
    assert response.status_code == 403
    assert "Seuls la coordination d’un pôle" in response.text
    assert upload(client, "nom;commune\nX;26281\n").status_code == 403
    assert client.post(reverse("directory:import_confirm")).status_code == 403


def test_staff_may_import(client, territory, staff, parse):
    client.force_login(staff)
    response = client.get(IMPORT)
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Importer une liste de membres"]
    (field,) = page.find_all("input", type="file")
    assert field.attrs["name"] == "fichier"
    assert "depuis l’espace de coordination du pôle" in response.text


def test_a_file_with_errors_shows_them_by_line_and_imports_nothing(
    client, coordinator, orgs, parse
):
    client.force_login(coordinator)
    before = Organisation.objects.count()
    response = upload(
        client,
        "siret;nom;commune\n"
        f"{factories.siret_for(orgs['tisserands'].siren)};;\n"
        ";Commune de Romans-sur-Isère;26281\n"
        "73282932000075;;\n"
        ";Nouvelle Ressourcerie (fictive);Atlantide\n"
        ";Épicerie solidaire (fictive);26100\n",
    )
    assert response.status_code == 200
    page = parse(response)
    assert page.text_of("h1") == ["Aperçu de l’import"]
    rows = [squash(tr.text) for tr in page.find_all("tr")][1:]
    assert len(rows) == 5
    assert rows[0].startswith("2 ") and "trouvée par SIRET" in rows[0]
    assert rows[1].startswith("3 ") and "trouvée par nom et commune" in rows[1]
    assert rows[2].startswith("4 73282932000075") and "erreur" in rows[2] and "Luhn" in rows[2]
    assert rows[3].startswith("5 ") and "Atlantide" in rows[3] and "erreur" in rows[3]
    assert rows[4].startswith("6 ") and "nouvelle" in rows[4]
    alert = squash(page.find_all("div", role="alert")[0].text)
    assert "2 lignes sont en erreur : rien ne sera importé" in alert
    assert not [b for b in page.find_all("button") if "Confirmer" in b.text]
    assert page.find_all("input", type="file")  # upload again
    assert Organisation.objects.count() == before
    # Even a forced confirmation imports nothing.
    confirm = client.post(reverse("directory:import_confirm"))
    assert confirm.status_code == 200
    assert "rien ne sera importé" in confirm.text
    assert Organisation.objects.count() == before


def test_a_clean_file_previews_then_confirms_and_creates(client, coordinator, orgs, parse):
    client.force_login(coordinator)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SIRET", "Nom", "Code postal"])
    sheet.append([orgs["tisserands"].siren, None, None])
    sheet.append([None, "Ressourcerie du Pays de Romans (fictive)", "26100"])
    sheet.append([None, "Commune de Romans-sur-Isère", "26281"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(client, buffer.getvalue(), "liste.xlsx")
    page = parse(preview)
    assert [b for b in page.find_all("button") if "Confirmer l’import" in b.text]
    assert "1 nouvelle organisation y sera ajoutée" in squash(preview.text)
    assert not Organisation.objects.filter(name__startswith="Ressourcerie").exists()
    # The file is kept in the session: the preview can be seen again.
    again = client.get(reverse("directory:import_preview"))
    assert again.status_code == 200 and "liste.xlsx" in again.text
    assert "attend votre confirmation" in client.get(IMPORT).text
    done = client.post(reverse("directory:import_confirm"))
    assert done.status_code == 302 and done["Location"] == reverse("directory:import_result")
    created = Organisation.objects.get(name="Ressourcerie du Pays de Romans (fictive)")
    assert created.establishments.get().code_commune == "26281"
    result = client.get(done["Location"])
    page = parse(result)
    assert page.text_of("h1") == ["Import terminé"]
    summary = squash(by_class(page, "div", "notice--success")[0].text)
    assert "2 organisations trouvées dans l’annuaire, 1 organisation créée." in summary
    names = [squash(tr.text) for tr in page.find_all("tr")][1:]
    assert names[0].startswith("Scop Les Tisserands Romanais (fictive)")
    assert names[1].startswith("Ressourcerie du Pays de Romans (fictive)") and "créée" in names[1]
    assert page.find_all("a", href=organisation_url(created))
    # Confirming twice does not import twice: the file left the session.
    assert client.post(reverse("directory:import_confirm")).status_code == 302
    assert Organisation.objects.filter(name__startswith="Ressourcerie").count() == 1


def test_too_big_or_unreadable_files_are_refused_with_the_field_named(
    client, coordinator, monkeypatch, parse
):
    client.force_login(coordinator)
    from ptce.web import forms_directory

    monkeypatch.setattr(forms_directory, "IMPORT_MAX_BYTES", 1000)
    response = upload(client, "nom;commune\n" + "Association (fictive);26281\n" * 100)
    assert response.status_code == 200
    page = parse(response)
    errors = squash(page.by_id("id_fichier_errors").text)
    assert "Fichier de la liste des membres" in errors and "2 Mo au plus" in errors
    (field,) = page.find_all("input", type="file")
    assert "id_fichier_errors" in field.attrs["aria-describedby"]
    assert not Organisation.objects.exists()
    pdf = parse(upload(client, b"%PDF-1.4", "liste.pdf"))
    assert "CSV ou XLSX" in squash(pdf.by_id("id_fichier_errors").text)
    columns = parse(upload(client, "foo;bar\n1;2\n"))
    assert "Colonnes attendues" in squash(columns.by_id("id_fichier_errors").text)


def test_the_real_size_limit_is_two_megabytes(client, coordinator, parse):
    client.force_login(coordinator)
    big = b"nom;commune\n" + b"x" * (2 * 1024 * 1024)
    page = parse(upload(client, big))
    assert "2 Mo au plus" in squash(page.by_id("id_fichier_errors").text)


# ---- security and accessibility ------------------------------------------------------------


@pytest.fixture
def directory_pages(client, orgs, coordinator):
    fetched = [
        ("search", client.get(SEARCH)),
        ("search-filtered", client.get(SEARCH, {"q": "jardins", "type": "ess", "epci": "x"})),
        ("organisation", client.get(organisation_url(orgs["tisserands"]))),
        ("not-found", client.get(reverse("directory:organisation", args=[987654]))),
    ]
    client.force_login(coordinator)
    fetched.append(("import", client.get(IMPORT)))
    fetched.append(("preview-errors", upload(client, "siret\n123\n")))
    fetched.append(("preview-ok", upload(client, "nom;commune\nAsso (fictive);26281\n")))
    client.post(reverse("directory:import_confirm"))
    fetched.append(("result", client.get(reverse("directory:import_result"))))
    client.logout()
    client.force_login(pole_factories.person("autre@example.org"))
    fetched.append(("forbidden", client.get(IMPORT)))
    return fetched


def test_directory_pages_have_no_inline_script_or_style(directory_pages, parse):
    for name, response in directory_pages:
        assert response.status_code in {200, 403, 404}, name
        page = parse(response)
        for script in page.find_all("script"):
            is_data = script.attrs.get("type") == "application/json"
            assert "src" in script.attrs or is_data, f"inline script on {name}"
        assert not page.find_all("style"), name
        assert not [e for e in page.elements if "style" in e.attrs], f"style= on {name}"
        assert not re.search(r"\son[a-z]+=", response.text), f"event handler on {name}"
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_directory_pages_accessibility_smoke(directory_pages, parse):
    for name, response in directory_pages:
        page = parse(response)
        assert len(page.find_all("h1")) == 1, name
        assert page.find_all("html")[0].attrs["lang"] == "fr"
        labelled = {e.attrs.get("for") for e in page.find_all("label")}
        for field in page.elements:
            if field.tag not in {"input", "select", "textarea"}:
                continue
            if field.attrs.get("type") in {"hidden", "submit", "button"}:
                continue
            assert (
                field.attrs.get("id") in labelled
                or field.attrs.get("aria-label")
                or field.attrs.get("aria-labelledby")
            ), f"unlabelled {field.attrs} on {name}"
        ids = [e.attrs["id"] for e in page.elements if "id" in e.attrs]
        assert len(ids) == len(set(ids)), f"duplicate ids on {name}"
        for element in page.elements:
            for reference in element.attrs.get("aria-describedby", "").split():
                assert reference in ids, f"aria-describedby={reference} missing on {name}"
        for button in page.find_all("button"):
            assert button.text.strip() or button.attrs.get("aria-label"), name


def test_directory_pages_load_leaflet_and_the_directory_script(client, orgs, parse):
    for url in (SEARCH, organisation_url(orgs["jardins"])):
        page = parse(client.get(url))
        sources = [s.attrs.get("src", "") for s in page.find_all("script")]
        assert any(src.endswith("vendor/leaflet/leaflet.js") for src in sources)
        assert any(src.endswith("web/js/directory-map.js") for src in sources)
    from django.contrib.staticfiles import finders

    assert finders.find("web/js/directory-map.js")
