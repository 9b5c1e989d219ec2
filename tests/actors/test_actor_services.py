import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ptce.actors import directory, services
from ptce.actors.models import ActorType, Contact, Organisation
from ptce.core.choices import Role, Visibility
from ptce.core.models import AuditEntry
from ptce.poles import services as pole_services
from tests.actors import factories


@pytest.fixture
def coordinator(db, staff):
    from ptce.core.services import create_user

    pole = pole_services.create_pole(None, name="Pôle Sud", slug="pole-sud")
    user = create_user(None, email="coord@example.org")
    pole_services.grant_role(staff, pole=pole, user=user, role=Role.COORDINATOR)
    return user


def test_create_classifies_and_indexes_the_name(territory, coordinator):
    org = services.create_organisation(
        coordinator,
        name="Scop Les Tisserands Romanais",
        siren="732829320",
        categorie_juridique="5458",
    )
    assert (org.actor_type, org.ess_family) == (ActorType.ESS, "scop")
    assert org.search_text == "scop les tisserands romanais"
    entry = AuditEntry.objects.get(verb="create_organisation")
    assert entry.actor == coordinator and entry.changes["name"] == [None, org.name]


@pytest.mark.parametrize(
    ("siren", "words"),
    [("12345678", "9 chiffres"), ("12345678A", "que des chiffres"), ("732829321", "Luhn")],
)
def test_invalid_siren_names_the_rule(db, siren, words):
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(None, name="X", siren=siren)
    assert words in exc.value.message_dict["siren"][0]


def test_siret_la_poste_rule_and_luhn(db):
    assert services.validate_siret("356 000 000 00048") == "35600000000048"
    # La Poste: not Luhn-valid, but the digit sum is a multiple of 5
    assert services.validate_siret("35600000000010") == "35600000000010"
    with pytest.raises(ValidationError):
        services.validate_siret("35600000000019")
    with pytest.raises(ValidationError, match="Luhn"):
        services.validate_siret("73282932000075")
    with pytest.raises(ValidationError, match="14 chiffres"):
        services.validate_siret("7328293200007")


def test_duplicate_siren_is_refused(territory):
    org = factories.association()
    with pytest.raises(ValidationError) as exc:
        services.create_organisation(None, name="Doublon", siren=org.siren)
    assert "existe déjà" in exc.value.message_dict["siren"][0]


def test_only_staff_and_coordinators_create(territory, user, coordinator):
    with pytest.raises(PermissionDenied):
        services.create_organisation(user, name="Nope")
    assert (
        services.create_organisation(coordinator, name="Collectif citoyen (fictif)").siren is None
    )


def test_declared_type_overrides_with_a_reason_and_can_be_undone(territory):
    org = factories.organisation(
        "Collectif des habitants (fictif)", categorie_juridique="", naf="", siren=None, commune=None
    )
    with pytest.raises(ValidationError) as exc:
        services.declare_actor_type(None, organisation=org, actor_type=ActorType.PERSON, reason=" ")
    assert "reason" in exc.value.message_dict
    services.declare_actor_type(
        None, organisation=org, actor_type=ActorType.PERSON, reason="Collectif sans statut"
    )
    org.refresh_from_db()
    assert org.actor_type == ActorType.PERSON and org.actor_type_override
    services.update_organisation(None, organisation=org, categorie_juridique="9220")
    org.refresh_from_db()
    assert org.actor_type == ActorType.PERSON  # the declaration wins over the register
    services.declare_actor_type(None, organisation=org, actor_type=None)
    org.refresh_from_db()
    assert (org.actor_type, org.ess_family) == (ActorType.ESS, "association")


def test_add_establishment_checks_siret_and_places_it(territory):
    org = factories.association(commune=None)
    with pytest.raises(ValidationError) as exc:
        services.add_establishment(
            None, organisation=org, siret=factories.siret_for("732829320"), code_commune="26281"
        )
    assert "n'appartient pas" in exc.value.message_dict["siret"][0]
    with pytest.raises(ValidationError) as exc:
        services.add_establishment(None, organisation=org, code_commune="99999")
    assert "99999" in exc.value.message_dict["code_commune"][0]
    est = services.add_establishment(
        None, organisation=org, siret=factories.siret_for(org.siren), code_commune="26281"
    )
    assert (est.departement, est.precision) == ("26", "commune")
    assert (est.lat, est.lon) == pytest.approx((45.05, 5.05))


def test_contact_consent_export_and_erase(territory, user):
    org = factories.association()
    with pytest.raises(ValidationError) as exc:
        services.add_contact(
            None, organisation=org, consent_text="", first_name="Léa", last_name="Martin"
        )
    assert "consent" in exc.value.message_dict
    contact = services.add_contact(
        None,
        organisation=org,
        consent_text="J'accepte d'apparaître dans l'annuaire du pôle.",
        first_name="Léa",
        last_name="Martin",
        email="lea@example.org",
    )
    data = services.export_contact_data(contact)
    assert data["email"] == "lea@example.org" and data["consentement"]["date"]
    with pytest.raises(PermissionDenied):
        services.erase_contact(user, contact=contact)
    services.erase_contact(None, contact=contact)
    assert not Contact.objects.exists()
    for entry in AuditEntry.objects.filter(object_id=str(contact.pk), verb__contains="contact"):
        assert "Martin" not in entry.object_repr and "lea@example.org" not in str(entry.changes)
    assert AuditEntry.objects.filter(verb="erase_contact").count() == 1


def test_directory_search_full_text_and_facets(territory):
    factories.association("Association Les Jardins de Cocagne (fictive)")
    factories.scop("Scop Les Tisserands Romanais (fictive)")
    factories.sme("Chaussures Drômoises (fictive)", commune="42218")
    factories.commune_body()
    found = directory.search(directory.DirectoryFilters(q="jardin"))
    assert [o.name for o in found] == ["Association Les Jardins de Cocagne (fictive)"]
    assert directory.search(directory.DirectoryFilters(q="TISSERANDS romanais")).count() == 1
    assert directory.search(directory.DirectoryFilters(q="dromoises")).count() == 1
    assert directory.search(directory.DirectoryFilters(q="zzz")).count() == 0
    ess = directory.search(directory.DirectoryFilters(ess=True))
    assert {o.ess_family for o in ess} == {"association", "scop"}
    assert (
        directory.search(directory.DirectoryFilters(departements=["42"]))
        .get()
        .name.startswith("Chaussures")
    )
    assert directory.search(directory.DirectoryFilters(naf_sections=["C"])).count() == 2
    assert directory.search(directory.DirectoryFilters(epci=["200068781"])).count() == 3
    facets = directory.facet_counts(Organisation.objects.all())
    counts = {f["value"]: f["count"] for f in facets["actor_type"]}
    assert counts == {"ess": 2, "enterprise": 1, "local_authority": 1}
    assert {f["value"]: f["count"] for f in facets["naf_section"]} == {"C": 2, "O": 1, "Q": 1}


def test_members_own_organisations_follow_visibility(territory, user):
    from django.contrib.auth.models import AnonymousUser

    from ptce.actors.models import Affiliation

    hidden = services.create_organisation(
        None, name="Groupe informel (fictif)", visibility=Visibility.OWNER
    )
    assert hidden not in Organisation.objects.visible_to(AnonymousUser())
    assert hidden not in Organisation.objects.visible_to(user)
    Affiliation.objects.create(user=user, organisation=hidden)
    assert hidden in Organisation.objects.visible_to(user)
