"""The demo builder (`ptce load-demo`) on a small synthetic territory holding the five real
hubs' communes, with a few generated hubs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ptce.actors.models import ActorType, Affiliation, Establishment, Organisation
from ptce.core.choices import Role
from ptce.core.models import User
from ptce.poles import demo, queries
from ptce.poles.models import Impulse, Membership, Pole, PoleRole
from ptce.territories import indexes
from ptce.territories.importers.reference import load_reference
from tests.territories.builders import FakeCommune, write_dataset

# code, nom, département, région, EPCI, population, code postal, (lat, lon) of the centre
COMMUNES = """
26281 | Romans-sur-Isère  | 26  | 84 | 200068781 | 33464  | 26100 | 45.05 | 5.04
26057 | Bourg-de-Péage    | 26  | 84 | 200068781 | 9921   | 26300 | 44.99 | 5.05
26362 | Valence           | 26  | 84 | 200068781 | 64458  | 26000 | 44.92 | 4.91
26198 | Montélimar        | 26  | 84 | 200040459 | 40595  | 26200 | 44.55 | 4.75
56011 | Béganne           | 56  | 53 | 243500741 | 1493   | 56350 | 47.60 | -2.24
35236 | Redon             | 35  | 53 | 243500741 | 9542   | 35600 | 47.66 | -2.08
56001 | Allaire           | 56  | 53 | 243500741 | 3955   | 56350 | 47.64 | -2.16
56260 | Vannes            | 56  | 53 | 200067932 | 55790  | 56000 | 47.66 | -2.76
42218 | Saint-Étienne     | 42  | 84 | 244200770 | 173136 | 42000 | 45.43 | 4.38
42095 | Firminy           | 42  | 84 | 244200770 | 17060  | 42700 | 45.38 | 4.29
42187 | Roanne            | 42  | 84 | 200035731 | 35409  | 42300 | 46.05 | 4.08
14645 | Saint-Pierre-Azif | 14  | 28 | 241400415 | 163    | 14950 | 49.29 | 0.04
14220 | Deauville         | 14  | 28 | 241400415 | 3539   | 14800 | 49.35 | 0.08
14754 | Villers-sur-Mer   | 14  | 28 | 241400415 | 2440   | 14640 | 49.31 | -0.05
14118 | Caen              | 14  | 28 | 200065597 | 109400 | 14000 | 49.19 | -0.37
59350 | Lille             | 59  | 32 | 200093201 | 238246 | 59000 | 50.63 | 3.05
59009 | Villeneuve-d'Ascq | 59  | 32 | 200093201 | 62868  | 59491 | 50.63 | 3.15
59512 | Roubaix           | 59  | 32 | 200093201 | 98286  | 59100 | 50.69 | 3.18
59183 | Dunkerque         | 59  | 32 | 245900428 | 86263  | 59140 | 51.03 | 2.34
97411 | Saint-Denis       | 974 | 04 | 249740119 | 155634 | 97400 | -20.93 | 55.45
"""
EPCI = {
    "200068781": ("CA Valence Romans Agglo", "CA"),
    "200040459": ("CA Montélimar Agglomération", "CA"),
    "243500741": ("CA Redon Agglomération", "CA"),
    "200067932": ("CA Golfe du Morbihan - Vannes Agglomération", "CA"),
    "244200770": ("Saint-Étienne Métropole", "METRO"),
    "200035731": ("CA Roannais Agglomération", "CA"),
    "241400415": ("CC Coeur Côte Fleurie", "CC"),
    "200065597": ("CU Caen la Mer", "CU"),
    "200093201": ("Métropole Européenne de Lille", "METRO"),
    "245900428": ("CU de Dunkerque", "CU"),
    "249740119": ("CA Intercommunale du Nord de la Réunion (CINOR)", "CA"),
}
DEPARTEMENTS = {
    "26": ("Drôme", "84"),
    "42": ("Loire", "84"),
    "35": ("Ille-et-Vilaine", "53"),
    "56": ("Morbihan", "53"),
    "14": ("Calvados", "28"),
    "59": ("Nord", "32"),
    "974": ("La Réunion", "04"),
}
REGIONS = {
    "84": "Auvergne-Rhône-Alpes",
    "53": "Bretagne",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "04": "La Réunion",
}
GENERATED = 5


def _dataset(directory):
    communes = []
    for line in COMMUNES.strip().splitlines():
        code, nom, dep, region, epci, population, postal, lat, lon = (
            c.strip() for c in line.split("|")
        )
        lat_, lon_ = float(lat), float(lon)
        box = (lon_ - 0.045, lat_ - 0.03, lon_ + 0.045, lat_ + 0.03)
        communes.append(FakeCommune(code, nom, dep, region, epci, int(population), postal, box))
    reference = {
        "source": {"tests": "synthetic"},
        "regions": [{"code": c, "nom": n, "chef_lieu": ""} for c, n in REGIONS.items()],
        "departements": [
            {"code": c, "nom": n, "region": r, "chef_lieu": ""}
            for c, (n, r) in DEPARTEMENTS.items()
        ],
        "epci": [
            {
                "code": code,
                "nom": nom,
                "type": kind,
                "population": sum(c.population for c in communes if c.epci == code),
                "membres": [c.code_insee for c in communes if c.epci == code],
            }
            for code, (nom, kind) in EPCI.items()
        ],
    }
    return write_dataset(directory, communes, reference)


@pytest.fixture
def real_territory(db, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_reference(_dataset(tmp_path / "territory"))
    indexes.reset()


@pytest.fixture
def built(real_territory):
    return demo.build(generated_hubs=GENERATED)


REAL_SLUGS = [hub.slug for hub in demo.REAL_HUBS]


def _counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in demo.COUNTED.items()}


def test_the_five_real_hubs_carry_the_facts_of_domain_md(built):
    hubs = {p.slug: p for p in Pole.objects.filter(slug__in=REAL_SLUGS)}
    assert set(hubs) == set(REAL_SLUGS)
    archer, vilaine, culture, ecopya, initiatives = (hubs[s] for s in REAL_SLUGS)
    assert (archer.commune_id, archer.impulse) == ("26281", Impulse.ENTREPRENEURIAL)
    assert "Made in Romans" in archer.description
    assert vilaine.commune_id == "56011"
    assert vilaine.impulse == Impulse.CITIZEN
    for fact in ("premier parc éolien citoyen", "plus de 700 particuliers", "1,8 M€ (2013)"):
        assert fact in vilaine.description
    assert culture.commune_id == "42218"
    assert culture.created_on == dt.date(2005, 1, 1) and "depuis 2005" in culture.description
    assert "cinéma Le France" in culture.description
    assert ecopya.commune_id == "14645" and ecopya.departement_id == "14"
    assert ecopya.shared_place and ecopya.shared_place_name == "Éco-domaine de Bouquetot"
    assert "16 entreprises solidaires" in initiatives.description
    for pole in hubs.values():
        # what DOMAIN.md does not say stays unknown
        assert pole.legal_form == "" and pole.carrier is None
        assert pole.created_on is None or pole is culture
        assert pole.is_demo and pole.objectives and pole.dynamic


def test_real_hubs_have_realistic_perimeters(built):
    perimeters = {
        p.slug: p.perimeter for p in Pole.objects.filter(slug__in=REAL_SLUGS).select_related()
    }
    romans = set(perimeters["pole-sud-groupe-archer"].communes.values_list("pk", flat=True))
    assert romans == {"26281", "26057", "26362"}  # the EPCI Valence Romans Agglo
    assert perimeters["eoliennes-en-pays-de-vilaine"].definition["epci"] == ["243500741"]
    lille = perimeters["initiatives-et-cite"]
    assert lille.definition["radii"][0]["km"] == 6.0
    codes = set(lille.communes.values_list("pk", flat=True))
    assert "59350" in codes and "59183" not in codes  # not the whole Nord, nor Dunkerque


def test_real_hubs_have_diverse_members_with_history(built):
    for pole in Pole.objects.filter(slug__in=REAL_SLUGS):
        current = queries.members(pole)
        assert current.count() >= 15, pole.name
        types = {m.effective_actor_type for m in current}
        assert len(types) >= 4, (pole.name, types)
        assert {ActorType.ESS, ActorType.ENTERPRISE, ActorType.LOCAL_AUTHORITY} <= types
        assert pole.memberships.filter(left_on__isnull=False).exists()
        assert len({m.joined_on.year for m in current}) >= 4  # joined over the years
        profile = queries.hub_profile(pole)
        assert profile.jobs_low > 0 and profile.jobs_high > profile.jobs_low
        assert 0.5 < profile.anchoring < 1  # a few members are established outside
    initiatives = Pole.objects.get(slug="initiatives-et-cite")
    assert queries.members(initiatives).filter(effective_actor_type=ActorType.ESS).count() == 16


def test_real_hubs_meet_the_decret_but_for_the_unknown_carrier(built):
    for pole in Pole.objects.filter(slug__in=REAL_SLUGS):
        status = {c.code: c.status for c in queries.eligibility_conditions(pole)}
        assert status.pop("decret_private_law_person") == "unknown"
        assert {s for code, s in status.items() if code.startswith("decret_")} == {"met"}


def test_invented_organisations_say_so_and_have_valid_numbers(built):
    for name in Organisation.objects.values_list("name", flat=True):
        assert (
            name.endswith(("(fictif)", "(fictive)", "(adhésion fictive)"))
            or name in demo.REAL_NAMES
        ), name
    local = Organisation.objects.filter(actor_type=ActorType.LOCAL_AUTHORITY)
    assert local.exists()
    assert all(o.name.endswith("(adhésion fictive)") and o.siren is None for o in local)
    cinema = Organisation.objects.get(name="Cinéma Le France (SCIC)")
    assert (cinema.siren, cinema.categorie_juridique) == (None, "")
    assert (cinema.actor_type, cinema.ess_family) == (ActorType.ESS, "cooperative")
    sirens = list(Organisation.objects.exclude(siren=None).values_list("siren", flat=True))
    assert len(sirens) > 80 and all(stdnum_siren.is_valid(s) for s in sirens)
    for siret, siren in Establishment.objects.exclude(siret=None).values_list(
        "siret", "organisation__siren"
    ):
        assert stdnum_siret.is_valid(siret) and siret.startswith(siren)
    assert not Establishment.objects.filter(commune=None).exists()
    collective = Membership.objects.filter(organisation__name__startswith="Collectif").first()
    assert collective.actor_type_override == ActorType.OTHER and collective.actor_type_reason


def test_generated_hubs_are_marked_demo_and_characterised(built):
    generated = Pole.objects.exclude(slug__in=REAL_SLUGS)
    assert generated.count() == GENERATED
    for pole in generated:
        assert pole.is_demo and pole.name.endswith("(démo)")
        assert pole.perimeter is not None and pole.commune_id not in {"26281", "59350"}
        assert pole.impulse and pole.dynamic and pole.maturity_id and pole.naf_sections
        assert 1 <= len(pole.objectives) <= 3
        assert 5 <= pole.memberships.current().count() <= 12
    scic = generated.filter(legal_form="scic_sas").first()
    assert scic is not None and scic.colleges.count() == 3
    assert not scic.memberships.filter(college=None).exists()


def test_demo_accounts_hold_their_roles(built):
    staff = User.objects.get(email="staff@demo.ptce.invalid")
    assert staff.is_staff and staff.is_superuser and staff.check_password(demo.DEMO_PASSWORD)
    for hub in demo.REAL_HUBS:
        pole = Pole.objects.get(slug=hub.slug)
        coordinator = User.objects.get(email=f"coordination.{hub.key}@demo.ptce.invalid")
        assert PoleRole.objects.filter(user=coordinator, pole=pole, role=Role.COORDINATOR)
        member = User.objects.get(email=f"membre.{hub.key}@demo.ptce.invalid")
        assert PoleRole.objects.filter(user=member, pole=pole, role=Role.MEMBER).exists()
        affiliation = Affiliation.objects.get(user=member)
        assert pole.memberships.current().filter(organisation=affiliation.organisation).exists()
    observers = PoleRole.objects.filter(role=Role.OBSERVER)
    assert [(r.user.email, r.pole.slug) for r in observers] == [
        ("observateur.vilaine@demo.ptce.invalid", "eoliennes-en-pays-de-vilaine")
    ]
    assert len(built.accounts) == 12
    assert not User.objects.exclude(email__endswith="@demo.ptce.invalid").exists()


def test_a_second_run_creates_nothing_and_prints_the_same_logins(built):
    counts = _counts()
    assert built.created == counts  # the first run created everything
    again = demo.build(generated_hubs=GENERATED)
    assert set(again.created.values()) == {0}
    assert _counts() == counts
    assert again.accounts == built.accounts


def test_the_command_prints_the_logins_on_every_run(real_territory, capsys):
    call_command("load-demo", "--generated-hubs", "1")
    first = capsys.readouterr().out.splitlines()
    assert first[0].startswith("Créé : 6 pôles")
    assert "mot de passe commun : demo-ptce-2026" in first[1]
    logins = first[1:]
    assert any("coordination.archer@demo.ptce.invalid" in line for line in logins)
    assert any("Observateur (financeur)" in line for line in logins)
    call_command("load-demo", "--generated-hubs", "1")
    second = capsys.readouterr().out.splitlines()
    assert second[0] == "Démonstration déjà chargée : rien de nouveau."
    assert second[1:] == logins
    assert Pole.objects.count() == 6


def test_without_the_reference_the_command_says_to_load_it(db):
    with pytest.raises(CommandError, match="ptce load-territories"):
        call_command("load-demo")
    assert not Pole.objects.exists()


def test_a_reference_lacking_a_real_commune_is_refused(db, tmp_path):
    write_dataset(tmp_path / "t")  # the default synthetic set has no Béganne (56011)
    load_reference(tmp_path / "t")
    with pytest.raises(demo.ReferenceMissing, match="56011"):
        demo.build(generated_hubs=1)
