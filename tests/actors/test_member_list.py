import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from ptce.actors import member_list
from ptce.actors.models import Organisation
from tests.actors import factories


@pytest.fixture
def known(territory):
    return factories.scop("Scop Les Tisserands Romanais (fictive)"), factories.association(
        "Les Jardins de Cocagne"
    )


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_preview_matches_by_siret_and_by_name_and_commune(known):
    scop, jardins = known
    data = csv_bytes(
        "siret;nom;commune\n"
        f"{factories.siret_for(scop.siren)};;\n"
        ";Les Jardins de Cocagne;Romans-sur-Isère\n"
        ";Ressourcerie du Pays de Romans (fictive);26100\n"
    )
    result = member_list.preview(data, "membres.csv")
    assert [r.status for r in result.rows] == ["matched", "matched", "new"]
    assert result.rows[0].organisation == scop
    assert result.rows[1].organisation == jardins
    assert result.rows[2].commune_code == "26281"
    assert result.ok
    organisations = member_list.apply(None, result)
    assert organisations[:2] == [scop, jardins]
    created = organisations[2]
    assert created.establishments.get().code_commune == "26281"


def test_each_error_is_named_with_its_line_and_nothing_is_written(known):
    data = csv_bytes(
        "siret,nom,commune\n"
        "73282932000075,,\n"  # bad Luhn
        ",Sans commune,\n"
        ",Quelque part,Atlantide\n"
        ",Ressourcerie (fictive),Romans-sur-Isère\n"
        ",Ressourcerie (fictive),26281\n"  # duplicate of line 5
    )
    result = member_list.preview(data, "membres.csv")
    errors = {r.line: r.message for r in result.errors}
    assert set(errors) == {2, 3, 4, 6}
    assert "Luhn" in errors[2]
    assert "Commune manquante" in errors[3]
    assert "Atlantide" in errors[4]
    assert "ligne 5" in errors[6]
    before = Organisation.objects.count()
    with pytest.raises(ValidationError, match="4 ligne"):
        member_list.apply(None, result)
    assert Organisation.objects.count() == before


def test_xlsx_and_cp1252_are_read(known):
    scop, _ = known
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SIRET", "Raison sociale"])
    sheet.append([scop.siren, "peu importe"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = member_list.preview(buffer.getvalue(), "liste.xlsx")
    assert result.rows[0].organisation == scop
    latin = csv_bytes("nom;commune\nLes Jardins de Cocagne;Romans-sur-Isère\n", "cp1252")
    assert member_list.preview(latin, "liste.csv").rows[0].status == "matched"


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "vide.csv", "vide"),
        (b"foo;bar\n1;2\n", "x.csv", "Colonnes attendues"),
        (b"siret\n", "x.csv", "aucune ligne"),
        (b"PK\x03\x04garbage", "x.xlsx", "XLSX illisible"),
        (b"%PDF", "x.pdf", "CSV ou XLSX"),
    ],
)
def test_unreadable_files_are_refused_clearly(territory, data, name, words):
    with pytest.raises(member_list.MemberListError, match=words):
        member_list.preview(data, name)


def test_name_match_ignores_the_acronym(territory):
    from ptce.actors import services

    org = services.create_organisation(None, name="Les Ateliers Partagés (fictif)", acronym="LAP")
    services.add_establishment(None, organisation=org, code_commune="26281")
    data = "nom;commune\nLes Ateliers Partagés (fictif);Romans-sur-Isère\n".encode()
    row = member_list.preview(data, "membres.csv").rows[0]
    assert (row.status, row.organisation) == ("matched", org)
