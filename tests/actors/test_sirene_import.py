"""`ptce import-sirene`: formats, idempotence, updates, filters, positions, masked values,
rejected rows, files that stop the import (and leave the database as it was), the
classification, the command; and the vectorised checks against their references."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from ptce.actors.importers import sirene_checks, sirene_files, sirene_write
from ptce.actors.importers.sirene import (
    Progress,
    SireneImportError,
    import_sirene,
    last_import_at,
)
from ptce.actors.models import ActorType, Establishment, Organisation
from ptce.territories import geo
from ptce.territories.names import normalize
from ptce.territories.services import save_perimeter
from tests.actors import sirene_files as sf
from tests.actors.factories import luhn_complete

ASSOCIATION = sf.siren(1)  # an association (9220), ESS
COMPANY = sf.siren(2)  # an SAS (5710), not ESS
PERSON = sf.siren(3)  # a sole trader (1000) who asked for partial diffusion


def write_establishments(tmp_path: Path, rows, *, kind="csv", header=None, name="etab"):
    header = header or sf.ESTABLISHMENT_HEADER
    if kind == "zip":
        return sf.write_zip(tmp_path / f"{name}.zip", header, rows)
    if kind == "parquet":
        return sf.write_parquet(tmp_path / f"{name}.parquet", header, rows)
    return sf.write_csv(tmp_path / f"{name}.csv", header, rows)


def write_legal_units(tmp_path: Path, rows, name="ul"):
    return sf.write_csv(tmp_path / f"{name}.csv", sf.LEGAL_UNIT_HEADER, rows)


def legal_units():
    return [
        sf.legal_unit(ASSOCIATION, name="LES JARDINS DE ROMANS", sigle="JDR", rna="W261000001"),
        sf.legal_unit(COMPANY, name="CHAUSSURES DU DAUPHINE", categorie="5710", ess="N"),
        sf.legal_unit(PERSON, categorie="1000", ess="", nom="[ND]", prenom="[ND]", diffusion="P"),
    ]


def establishments():
    return [
        sf.establishment(
            sf.siret(ASSOCIATION, 1),
            name="JARDIN DES TANNEURS",
            lambert=sf.lambert_of(*sf.ROMANS_POINT),
        ),
        sf.establishment(sf.siret(ASSOCIATION, 2), siege=False, commune="42218", etat="F"),
        sf.establishment(sf.siret(COMPANY, 1), enseigne="ATELIER", commune="26057", naf="15.20Z"),
        sf.establishment(sf.siret(COMPANY, 2), siege=False, commune="75101"),
        sf.establishment(sf.siret(PERSON, 1), commune="26362"),
    ]


def run(tmp_path: Path, rows=None, units=None, **options):
    path = options.pop("path", None) or write_establishments(tmp_path, rows or establishments())
    if units is not None:
        options["legal_units"] = write_legal_units(tmp_path, units)
    options.setdefault("rejects_path", tmp_path / "rejets.csv")
    return import_sirene(establishments=path, **options)


def rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def establishment(siret: str) -> Establishment:
    return Establishment.objects.select_related("organisation").get(siret=siret)


def establishment_rows() -> list[tuple]:
    """Every establishment's values, organisations by SIREN (ids and times aside)."""
    fields = [
        f.attname
        for f in Establishment._meta.concrete_fields
        if f.name not in {"id", "organisation", "updated_at"}
    ]
    return list(Establishment.objects.order_by("siret").values_list(*fields, "organisation__siren"))


def snapshot() -> list[tuple]:
    fields = [f.attname for f in Establishment._meta.concrete_fields if f.name != "id"]
    rows = Establishment.objects.order_by("siret").values_list(*fields)
    orgs = Organisation.objects.order_by("siren").values_list(
        "siren", "name", "search_text", "actor_type", "updated_at"
    )
    return [*rows, *orgs]


# ----------------------------------------------------------------------------- formats


def test_current_format_imports_establishments_and_legal_units(territory, tmp_path):
    report = run(tmp_path, units=legal_units())

    assert (report.read, report.kept, report.rejected) == (5, 5, 0)
    assert (report.inserted, report.updated, report.unchanged) == (5, 0, 0)
    assert report.organisations.inserted == 3
    head = establishment(sf.siret(ASSOCIATION, 1))
    assert head.name == "JARDIN DES TANNEURS"
    assert head.address == "12 RUE DES TANNEURS"
    assert (head.code_postal, head.code_commune, head.commune_id) == ("26100", "26281", "26281")
    assert head.departement == "26"
    assert (head.naf, head.tranche_effectifs, head.siege, head.active) == (
        "88.99B",
        "01",
        True,
        True,
    )
    assert str(head.date_creation) == "2015-03-02"
    assert head.source == "sirene"
    organisation = head.organisation
    assert organisation.name == "LES JARDINS DE ROMANS"
    assert (organisation.acronym, organisation.rna) == ("JDR", "W261000001")
    assert (organisation.categorie_juridique, organisation.ess) == ("9220", True)
    assert organisation.source == "sirene"
    assert organisation.search_text == "les jardins de romans jdr jardin des tanneurs"
    closed = establishment(sf.siret(ASSOCIATION, 2))
    assert (closed.active, closed.departement, closed.organisation_id) == (
        False,
        "42",
        organisation.pk,
    )
    assert establishment(sf.siret(COMPANY, 1)).name == "ATELIER"


def test_classification_is_stored_from_the_legal_units(territory, tmp_path):
    run(tmp_path, units=legal_units())

    association = Organisation.objects.get(siren=ASSOCIATION)
    assert (association.actor_type, association.ess_family) == (ActorType.ESS, "association")
    assert association.classification_reason == "legal_category_association"
    company = Organisation.objects.get(siren=COMPANY)
    assert (company.actor_type, company.size_class) == ("enterprise", "micro")
    assert company.classification_reason == "legal_category_company"
    person = Organisation.objects.get(siren=PERSON)
    assert (person.actor_type, person.size_class) == ("enterprise", "sole_trader")


def test_a_declared_actor_type_is_never_overwritten(territory, tmp_path):
    run(tmp_path, units=legal_units())
    Organisation.objects.filter(siren=COMPANY).update(
        actor_type=ActorType.ESS, ess_family="scop", actor_type_override=True
    )
    units = legal_units()
    units[1]["denominationUniteLegale"] = "CHAUSSURES DU DAUPHINE SAS"
    units[1]["trancheEffectifsUniteLegale"] = "12"
    report = run(tmp_path, units=units)

    company = Organisation.objects.get(siren=COMPANY)
    assert report.organisations.updated == 1
    assert company.name == "CHAUSSURES DU DAUPHINE SAS"
    assert (company.actor_type, company.ess_family) == (ActorType.ESS, "scop")
    assert company.actor_type_override is True


def test_older_format_without_coordinates_imports(territory, tmp_path):
    rows = [
        sf.establishment(sf.siret(ASSOCIATION, 1), name="JARDIN"),
        sf.establishment(
            sf.siret(COMPANY, 1), commune="42218", naf="55.1A", nomenclature="NAFRev1"
        ),
    ]
    path = write_establishments(tmp_path, rows, header=sf.OLD_ESTABLISHMENT_HEADER)

    report = run(tmp_path, path=path)

    assert (report.read, report.inserted, report.rejected) == (2, 2, 0)
    garden = establishment(sf.siret(ASSOCIATION, 1))
    assert (garden.lat, garden.lon, garden.precision) == (45.05, 5.05, "commune")
    assert establishment(sf.siret(COMPANY, 1)).naf == ""  # NAF rév. 1: not kept


@pytest.mark.parametrize("kind", ["zip", "parquet"])
def test_zip_and_parquet_import_like_the_csv(territory, tmp_path, kind):
    run(tmp_path, units=legal_units())
    from_csv = establishment_rows()
    Establishment.objects.all().delete()
    Organisation.objects.all().delete()

    path = write_establishments(tmp_path, establishments(), kind=kind)
    report = run(tmp_path, path=path, units=legal_units())

    assert (report.read, report.inserted) == (5, 5)
    assert establishment_rows() == from_csv


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_batches_keep_line_numbers_and_find_duplicates_across_them(
    territory, tmp_path, monkeypatch, kind
):
    monkeypatch.setattr(sirene_files, "CSV_BLOCK_BYTES", 4096)
    monkeypatch.setattr(sirene_files, "PARQUET_BATCH_ROWS", 4)
    rows = [sf.establishment(sf.siret(ASSOCIATION, nic), siege=nic == 1) for nic in range(1, 31)]
    rows.append(sf.establishment(sf.siret(ASSOCIATION, 3), siege=False))  # line 32
    path = write_establishments(tmp_path, rows, kind=kind)

    report = run(tmp_path, path=path)

    assert (report.read, report.kept, report.rejected) == (31, 30, 1)
    [reject] = rejects(tmp_path / "rejets.csv")
    assert reject["ligne"] == "32"
    assert reject["motif"] == "SIRET en double dans le fichier (déjà lu ligne 4)"


def test_columns_are_found_by_name_in_any_order_after_a_bom(territory, tmp_path):
    rows = [*establishments(), sf.establishment("1234")]
    rows[2]["enseigne1Etablissement"] = "ATELIER\nDU CUIR"  # a value on two lines
    path = tmp_path / "etab.csv"
    text = sf.csv_text(list(reversed(sf.ESTABLISHMENT_HEADER)), rows)
    path.write_text("\ufeff" + text, encoding="utf-8")

    report = run(tmp_path, path=path, units=legal_units())

    assert (report.read, report.inserted, report.rejected) == (6, 5, 1)
    assert establishment(sf.siret(COMPANY, 1)).name == "ATELIER\nDU CUIR"
    [reject] = rejects(tmp_path / "rejets.csv")
    assert reject["ligne"] == "7"  # records are counted, the header being line 1


def test_invalid_utf8_stops_the_import(territory, tmp_path):
    path = write_establishments(tmp_path, establishments())
    path.write_bytes(path.read_bytes().replace(b"DES TANNEURS", b"DES TANN\xe9URS"))

    with pytest.raises(SireneImportError, match="encodage invalide"):
        run(tmp_path, path=path)
    assert not Establishment.objects.exists()


# ------------------------------------------------------------------ runs after runs


def test_second_run_of_the_same_file_changes_nothing(territory, tmp_path):
    run(tmp_path, units=legal_units())
    before = snapshot()

    report = run(tmp_path, units=legal_units())

    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 5)
    assert (report.organisations.inserted, report.organisations.updated) == (0, 0)
    assert report.organisations.unchanged == 3
    assert snapshot() == before


def test_a_newer_file_updates_rows_and_closes_what_closed(territory, tmp_path):
    run(tmp_path, units=legal_units())
    rows = establishments()
    rows[0]["denominationUsuelleEtablissement"] = "JARDIN PARTAGE DES TANNEURS"
    rows[2]["etatAdministratifEtablissement"] = "F"
    rows.append(sf.establishment(sf.siret(COMPANY, 3), siege=False, commune="26313"))
    units = legal_units()
    units[0]["denominationUniteLegale"] = "LES JARDINS PARTAGES DE ROMANS"
    path = write_establishments(tmp_path, rows, name="etab-2026-01")

    report = run(tmp_path, path=path, units=units)

    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 3)
    assert establishment(sf.siret(ASSOCIATION, 1)).name == "JARDIN PARTAGE DES TANNEURS"
    assert establishment(sf.siret(COMPANY, 1)).active is False
    organisation = Organisation.objects.get(siren=ASSOCIATION)
    assert organisation.name == "LES JARDINS PARTAGES DE ROMANS"
    assert organisation.search_text.startswith("les jardins partages de romans")
    assert Establishment.objects.count() == 6


def test_without_legal_units_organisations_are_provisional_and_then_kept(territory, tmp_path):
    rows = [
        sf.establishment(sf.siret(ASSOCIATION, 1), name="JARDIN DES TANNEURS"),
        sf.establishment(sf.siret(COMPANY, 2), siege=False),  # its head office is not in the file
    ]
    report = run(tmp_path, rows)

    assert report.organisations.inserted == 2
    garden = Organisation.objects.get(siren=ASSOCIATION)
    assert garden.name == "JARDIN DES TANNEURS"
    assert garden.search_text == "jardin des tanneurs"
    assert (garden.actor_type, garden.classification_reason) == ("other", "missing_legal_category")
    other = Organisation.objects.get(siren=COMPANY)
    assert other.name == f"Unité légale {COMPANY}"
    assert other.search_text == f"unite legale {COMPANY}"

    run(tmp_path, units=legal_units())
    assert Organisation.objects.get(siren=ASSOCIATION).name == "LES JARDINS DE ROMANS"
    rows[0]["denominationUsuelleEtablissement"] = "AUTRE NOM"
    again = run(tmp_path, rows)
    assert again.organisations.inserted == 0
    assert Organisation.objects.get(siren=ASSOCIATION).name == "LES JARDINS DE ROMANS"


def test_large_loads_rebuild_the_indexes_they_drop(territory, tmp_path, monkeypatch):
    def indexes():
        with connection.cursor() as cursor:
            return {
                table: connection.introspection.get_constraints(cursor, table)
                for table in (sirene_write.ORG, sirene_write.EST)
            }

    before = indexes()
    run(tmp_path, establishments()[:1])  # a small import first: its checks are pending
    monkeypatch.setattr(sirene_write, "BULK_MIN_ROWS", 1)

    report = run(tmp_path, units=legal_units())

    assert (report.inserted, report.unchanged) == (4, 1)
    assert indexes() == before
    assert establishment(sf.siret(COMPANY, 2)).organisation.siren == COMPANY
    assert Organisation.objects.get(siren=ASSOCIATION).name == "LES JARDINS DE ROMANS"


# ------------------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        ({"departements": ["26"]}, {(ASSOCIATION, 1), (COMPANY, 1), (PERSON, 1)}),
        ({"departements": ["42", "75"]}, {(ASSOCIATION, 2), (COMPANY, 2)}),
        ({"regions": ["84"]}, {(ASSOCIATION, 1), (ASSOCIATION, 2), (COMPANY, 1), (PERSON, 1)}),
        ({"regions": ["84"], "departements": ["42"]}, {(ASSOCIATION, 2)}),
        ({"active_only": True}, {(ASSOCIATION, 1), (COMPANY, 1), (COMPANY, 2), (PERSON, 1)}),
        ({"ess_only": True}, {(ASSOCIATION, 1), (ASSOCIATION, 2)}),
    ],
)
def test_filters(territory, tmp_path, options, kept):
    report = run(tmp_path, units=legal_units(), **options)

    expected = {sf.siret(siren, nic) for siren, nic in kept}
    assert set(Establishment.objects.values_list("siret", flat=True)) == expected
    assert (report.read, report.kept, report.rejected) == (5, len(expected), 0)
    assert set(Organisation.objects.values_list("siren", flat=True)) == {s for s, _ in kept}


def test_perimeter_filter_includes_the_arrondissements_of_its_communes(territory, tmp_path):
    perimeter = save_perimeter(
        None, name="Romans et Paris", definition={"communes": ["26281", "75056"]}
    )

    run(tmp_path, units=legal_units(), perimeter=perimeter.slug)

    assert set(Establishment.objects.values_list("code_commune", flat=True)) == {"26281", "75101"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"departements": ["99"]}, "Département(s) inconnu(s) : 99"),
        ({"regions": ["12"]}, "Région(s) inconnue(s) : 12"),
        ({"perimeter": "nulle-part"}, "Périmètre inconnu : « nulle-part »"),
        ({"ess_only": True}, "--ess-only : le fichier des unités légales"),
    ],
)
def test_bad_filters_stop_before_anything_is_read(territory, tmp_path, options, message):
    with pytest.raises(SireneImportError, match=re.escape(message)):
        run(tmp_path, **options)
    assert not Establishment.objects.exists()


# ---------------------------------------------------------------------------- positions


def test_lambert93_coordinates_land_where_they_were_taken(territory, tmp_path):
    run(tmp_path)

    garden = establishment(sf.siret(ASSOCIATION, 1))
    assert garden.precision == "address"
    assert garden.lon == pytest.approx(5.05, abs=1e-5)
    assert garden.lat == pytest.approx(45.05, abs=1e-5)


def test_without_coordinates_the_commune_centre_is_used(territory, tmp_path):
    x, y = geo.wgs84_to_lambert93([-61.5], [16.25])  # Lambert-93 makes no sense overseas
    rows = [
        sf.establishment(sf.siret(ASSOCIATION, 1), commune="42218"),
        sf.establishment(sf.siret(ASSOCIATION, 2), commune="26057", lambert=("abc", "")),
        sf.establishment(sf.siret(ASSOCIATION, 3), commune="97105", lambert=(str(x[0]), str(y[0]))),
        sf.establishment(sf.siret(ASSOCIATION, 4), commune="2A004"),
        sf.establishment(sf.siret(ASSOCIATION, 5), commune=""),
    ]
    run(tmp_path, rows)

    saint_etienne = establishment(sf.siret(ASSOCIATION, 1))
    assert (saint_etienne.lat, saint_etienne.lon, saint_etienne.precision) == (
        45.45,
        4.375,
        "commune",
    )
    assert establishment(sf.siret(ASSOCIATION, 2)).precision == "commune"
    overseas = establishment(sf.siret(ASSOCIATION, 3))
    assert (overseas.commune_id, overseas.code_commune, overseas.departement) == (
        None,
        "97105",
        "971",
    )
    assert (overseas.lat, overseas.precision) == (None, "none")
    corsica = establishment(sf.siret(ASSOCIATION, 4))
    assert (corsica.departement, corsica.commune_id) == ("2A", None)
    abroad = establishment(sf.siret(ASSOCIATION, 5))
    assert (abroad.departement, abroad.precision) == ("", "none")


def test_geolocation_file_positions_with_its_quality(territory, tmp_path):
    geolocation = [
        sf.geolocation(sf.siret(ASSOCIATION, 1), 5.06, 45.06, quality="11"),
        sf.geolocation(sf.siret(COMPANY, 1), 5.03, 44.95, quality="22"),
        sf.geolocation(sf.siret(COMPANY, 2), 2.34, 48.86, quality="33"),
        sf.geolocation(sf.siret(COMPANY, 2), 2.0, 48.0, quality="11"),  # repeated: ignored
        sf.geolocation(sf.siret(sf.siren(9), 1), 1.0, 47.0),  # not imported
    ]
    path = sf.write_csv(tmp_path / "geo.csv", sf.GEOLOCATION_HEADER, geolocation, delimiter=";")

    report = run(tmp_path, geolocation=path)

    assert report.geolocation_read == 5
    exact = establishment(sf.siret(ASSOCIATION, 1))
    assert (exact.lon, exact.lat, exact.precision) == (5.06, 45.06, "exact")
    assert establishment(sf.siret(COMPANY, 1)).precision == "address"
    paris = establishment(sf.siret(COMPANY, 2))
    assert (paris.lon, paris.lat, paris.precision) == (2.34, 48.86, "commune")
    assert establishment(sf.siret(PERSON, 1)).precision == "commune"


# ------------------------------------------------------------------------ masked values


def test_masked_values_are_blanked_and_the_unit_marked_partially_diffusible(territory, tmp_path):
    masked = sf.establishment(
        sf.siret(PERSON, 1),
        diffusion="P",
        enseigne="[ND]",
        lambert=("[ND]", "[ND]"),
        numeroVoieEtablissement="[ND]",
        libelleVoieEtablissement="[ND]",
        typeVoieEtablissement="[ND]",
        codePostalEtablissement="[ND]",
    )
    person = sf.legal_unit(sf.siren(4), categorie="1000", ess="", nom="DUPONT", prenom="JEAN")
    rows = [masked, sf.establishment(sf.siret(sf.siren(4), 1))]

    run(tmp_path, rows, units=[*legal_units(), person])

    hidden = establishment(sf.siret(PERSON, 1))
    assert (hidden.name, hidden.address, hidden.code_postal) == ("", "", "")
    assert (hidden.precision, hidden.code_commune) == ("commune", "26281")
    assert hidden.organisation.partially_diffusible is True
    assert hidden.organisation.name == "Entrepreneur individuel (diffusion partielle)"
    visible = Organisation.objects.get(siren=sf.siren(4))
    assert (visible.name, visible.partially_diffusible) == ("Jean DUPONT", False)


# ------------------------------------------------------------------------ rejected rows


def test_rejected_rows_are_reported_with_line_and_reason(territory, tmp_path):
    valid = sf.siret(ASSOCIATION, 1)
    wrong_key = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    la_poste = sf.la_poste_siret()
    rows = [
        sf.establishment(valid),  # line 2
        sf.establishment(wrong_key),  # 3
        sf.establishment("1234"),  # 4
        sf.establishment(sf.siret(COMPANY, 1), siren=ASSOCIATION),  # 5
        sf.establishment(sf.siret(COMPANY, 2), etat="X"),  # 6
        sf.establishment(valid, name="DOUBLON"),  # 7
        sf.establishment(la_poste, commune="75101"),  # 8: La Poste's own rule
        sf.establishment(luhn_complete("1234567890001")),  # 9: Luhn-valid, bad SIREN
        sf.establishment(""),  # 10
    ]

    report = run(tmp_path, rows)

    assert (report.read, report.kept, report.rejected) == (9, 2, 7)
    assert set(Establishment.objects.values_list("siret", flat=True)) == {valid, la_poste}
    assert establishment(valid).name == ""  # the first row won
    found = {(r["ligne"], r["identifiant"], r["motif"]) for r in rejects(tmp_path / "rejets.csv")}
    company = sf.siret(COMPANY, 1)
    bad_siren = luhn_complete("1234567890001")
    assert found == {
        ("3", wrong_key, f"SIRET invalide « {wrong_key} » (clé de contrôle incorrecte)"),
        ("4", "1234", "SIRET mal formé « 1234 » (14 chiffres attendus)"),
        ("5", company, f"le SIRET « {company} » ne commence pas par le SIREN « {ASSOCIATION} »"),
        ("6", sf.siret(COMPANY, 2), "état administratif inconnu « X » (A ou F attendu)"),
        ("7", valid, "SIRET en double dans le fichier (déjà lu ligne 2)"),
        ("9", bad_siren, f"SIRET invalide « {bad_siren} » (clé de contrôle incorrecte)"),
        ("10", "", "SIRET absent"),
    }
    assert all(r.file == "établissements" for r in report.reject_sample)


def test_invalid_rows_outside_the_filters_are_not_reported(territory, tmp_path):
    rows = [
        sf.establishment("1234", commune="26281"),
        sf.establishment("5678", commune="42218"),
        sf.establishment(sf.siret(ASSOCIATION, 1), commune="42218"),
    ]
    report = run(tmp_path, rows, departements=["42"])

    assert (report.read, report.kept, report.rejected) == (3, 1, 1)
    assert [r["ligne"] for r in rejects(tmp_path / "rejets.csv")] == ["3"]


def test_duplicate_legal_units_are_rejected(territory, tmp_path):
    units = [*legal_units(), sf.legal_unit(ASSOCIATION, name="AUTRE")]
    report = run(tmp_path, units=units)

    assert report.rejected == 1
    [reject] = rejects(tmp_path / "rejets.csv")
    assert (reject["fichier"], reject["ligne"], reject["identifiant"]) == (
        "unités légales",
        "5",
        ASSOCIATION,
    )
    assert reject["motif"] == "unité légale en double dans le fichier (déjà lue ligne 2)"
    assert Organisation.objects.get(siren=ASSOCIATION).name == "LES JARDINS DE ROMANS"


def test_stdnum_implements_la_poste_rule():
    la_poste = sf.la_poste_siret()
    assert luhn_complete(la_poste[:-1]) != la_poste  # not Luhn-valid
    assert stdnum_siret.is_valid(la_poste)
    assert stdnum_siren.is_valid("356000000")
    other_digit = la_poste[:-1] + str((int(la_poste[-1]) + 1) % 10)
    assert not stdnum_siret.is_valid(other_digit)  # digit sum no longer a multiple of 5
    assert stdnum_siret.is_valid("35600000000048")  # the head office follows Luhn


# --------------------------------------------------------- files that stop the import


def assert_untouched(before):
    assert snapshot() == before


@pytest.fixture
def imported(territory, tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    run(first, units=legal_units())
    return snapshot()


def test_missing_required_column_stops_and_names_it(imported, tmp_path):
    header = [h for h in sf.ESTABLISHMENT_HEADER if h != "codeCommuneEtablissement"]
    path = write_establishments(tmp_path, establishments(), header=header)

    with pytest.raises(SireneImportError) as caught:
        run(tmp_path, path=path)

    assert "codeCommuneEtablissement" in str(caught.value)
    assert_untouched(imported)
    assert not (tmp_path / "rejets.csv").exists()


def test_missing_column_in_legal_units_stops_before_anything(imported, tmp_path):
    path = sf.write_csv(tmp_path / "ul.csv", ["siret", "denominationUniteLegale"], [])
    with pytest.raises(SireneImportError, match=r"unités légales : colonne.*siren"):
        import_sirene(establishments=write_establishments(tmp_path, []), legal_units=path)
    assert_untouched(imported)


def test_truncated_zip_stops_and_writes_nothing(imported, tmp_path):
    path = write_establishments(tmp_path, establishments(), kind="zip")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(SireneImportError, match="archive zip illisible ou tronquée"):
        run(tmp_path, path=path)
    assert_untouched(imported)


def test_corrupted_zip_member_stops_midway_and_writes_nothing(imported, tmp_path, monkeypatch):
    monkeypatch.setattr(sirene_files, "CSV_BLOCK_BYTES", 4096)
    rows = [sf.establishment(sf.siret(COMPANY, nic), siege=False) for nic in range(3, 400)]
    path = tmp_path / "etab.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("StockEtablissement.csv", sf.csv_text(sf.ESTABLISHMENT_HEADER, rows))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte of the member's content, past the first blocks
    path.write_bytes(bytes(data))

    with pytest.raises(SireneImportError, match="zip"):
        run(tmp_path, path=path)
    assert_untouched(imported)


def test_truncated_csv_stops_and_writes_nothing(imported, tmp_path):
    path = write_establishments(tmp_path, establishments())
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) - 200], encoding="utf-8")

    with pytest.raises(SireneImportError, match="ligne mal formée"):
        run(tmp_path, path=path)
    assert_untouched(imported)


def test_semicolon_file_given_as_establishments_is_refused(imported, tmp_path):
    path = sf.write_csv(
        tmp_path / "geo.csv",
        sf.GEOLOCATION_HEADER,
        [sf.geolocation(sf.siret(ASSOCIATION, 1), 5.0, 45.0)],
        delimiter=";",
    )

    with pytest.raises(SireneImportError) as caught:
        run(tmp_path, path=path)

    message = str(caught.value)
    assert "L'en-tête n'a qu'une colonne" in message
    assert "séparé par « ; »" in message
    assert_untouched(imported)


def test_unreadable_parquet_is_refused(imported, tmp_path):
    path = tmp_path / "etab.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 64)

    with pytest.raises(SireneImportError, match="fichier Parquet illisible"):
        run(tmp_path, path=path)
    assert_untouched(imported)


def test_missing_file_is_reported(territory, tmp_path):
    with pytest.raises(SireneImportError, match="fichier introuvable"):
        import_sirene(establishments=tmp_path / "absent.zip")


# ----------------------------------------------------------------------------- command


def test_command_prints_the_report_and_writes_the_rejects(territory, tmp_path):
    rows = [*establishments(), sf.establishment("12345678901234")]
    path = write_establishments(tmp_path, rows)
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import-sirene",
        "--etablissements",
        str(path),
        "--unites-legales",
        str(write_legal_units(tmp_path, legal_units())),
        "--departement",
        "26",
        "--departement",
        "42",
        "--rejects",
        str(tmp_path / "rejets.csv"),
        stdout=out,
        stderr=err,
    )

    text = out.getvalue()
    assert "Établissements lus : 6" in text
    assert "Établissements retenus par les filtres : 4" in text
    assert "Établissements insérés : 4, mis à jour : 0, inchangés : 0" in text
    assert "Organisations créées : 3, mises à jour : 0, inchangées : 0" in text
    assert f"Lignes rejetées : 1 (détail : {tmp_path / 'rejets.csv'})" in text
    assert "lignes/s" in text
    assert "Établissements : 6 lignes lues" in err.getvalue()
    assert len(rejects(tmp_path / "rejets.csv")) == 1


def test_command_turns_import_errors_into_command_errors(territory, tmp_path):
    header = [h for h in sf.ESTABLISHMENT_HEADER if h != "siret"]
    path = write_establishments(tmp_path, establishments(), header=header)

    with pytest.raises(CommandError, match=r"rien n'a été écrit.*siret"):
        call_command("import-sirene", "--etablissements", str(path), stdout=io.StringIO())


def test_last_import_at_follows_the_imports(territory, tmp_path):
    assert last_import_at() is None
    run(tmp_path)
    first = last_import_at()
    assert first is not None
    run(tmp_path)
    assert last_import_at() == first  # nothing changed
    rows = establishments()
    rows[0]["denominationUsuelleEtablissement"] = "RENOMME"
    run(tmp_path, rows)
    assert last_import_at() > first


# ------------------------------------------------------------------------------ progress


def test_progress_lines_on_a_terminal_and_in_a_log():
    now = [0.0]
    logged: list[str] = []
    log = Progress(logged.append, tty=False, interval=2.0, clock=lambda: now[0])
    log.start()
    log.rows("Établissements", 1000)  # too early: nothing
    now[0] = 2.5
    log.rows("Établissements", 500_000)
    now[0] = 4.0
    log.done("Établissements", 800_000)
    assert logged == [
        "Établissements : 500\u202f000 lignes lues (200\u202f000 lignes/s)\n",
        "Établissements : 800\u202f000 lignes lues (200\u202f000 lignes/s)\n",
    ]

    shown: list[str] = []
    now[0] = 0.0
    tty = Progress(shown.append, tty=True, interval=2.0, clock=lambda: now[0])
    now[0] = 3.0
    tty.rows("Établissements", 300)
    tty.say("Écriture…")
    assert shown == ["\rÉtablissements : 300 lignes lues (100 lignes/s)\x1b[K", "\n", "Écriture…\n"]


# ------------------------------------------------------------- vectorised, checked against


sirets = st.one_of(
    st.from_regex(r"[0-9]{14}", fullmatch=True),
    st.from_regex(r"356000000[0-9]{5}", fullmatch=True),
    st.builds(lambda s: luhn_complete(s), st.from_regex(r"[0-9]{13}", fullmatch=True)),
    st.text(alphabet="0123456789 A.", max_size=16),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(sirets, min_size=1, max_size=40))
def test_vectorised_siret_check_is_stdnum(values):
    valid, _ = sirene_checks.valid_siret(pa.array(values, type=pa.string()))
    strict = [v.isascii() and v.isdigit() and len(v) == 14 for v in values]
    assert valid.tolist() == [
        s and stdnum_siret.is_valid(v) for s, v in zip(strict, values, strict=True)
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[0-9]{9}", fullmatch=True), min_size=1, max_size=40))
def test_vectorised_siren_check_is_stdnum(values):
    valid, numbers = sirene_checks.valid_siren(pa.array(values, type=pa.string()))
    assert valid.tolist() == [stdnum_siren.is_valid(v) for v in values]
    assert numbers.tolist() == [int(v) for v in values]


names_text = st.text(
    alphabet=st.sampled_from([*"abcSTEst éÉèœŒ'’-_.,ÿ0123456789\t", "ß", "İ", "ʼ"]),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(names_text, min_size=1, max_size=20))
def test_normalize_many_is_names_normalize(values):
    keys = sirene_checks.normalize_many(pa.array(values, type=pa.string())).to_pylist()
    assert keys == [normalize(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), max_size=25), max_size=8))
def test_keyset_reports_the_first_line_of_each_key(batches):
    seen = sirene_checks.KeySet()
    first: dict[int, int] = {}
    line = 2
    for batch in batches:
        keys = np.array(batch, dtype=np.int64)
        lines = np.arange(line, line + len(batch), dtype=np.int64)
        expected = []
        for key, at in zip(batch, lines.tolist(), strict=True):
            expected.append(first.get(key, 0))
            first.setdefault(key, at)
        assert seen.add(keys, lines).tolist() == expected
        line += len(batch)
    assert seen.sorted_keys().tolist() == sorted(first)
    assert len(seen) == len(first)


def test_parquet_integer_identifiers_get_their_zeros_back():
    assert sirene_files.as_text(pa.array([5520135, None]), "siren").to_pylist() == [
        "005520135",
        "",
    ]
    assert sirene_files.as_text(pa.array([True, False]), "etablissementSiege").to_pylist() == [
        "true",
        "false",
    ]
