import lzma

import pytest

from ptce.territories.importers.reference import (
    COMMUNES_FILE,
    ReferenceFileError,
    load_reference,
)
from ptce.territories.models import (
    Commune,
    CommunePostalCode,
    Departement,
    Epci,
    ReferenceVersion,
    Region,
)
from tests.territories.builders import COMMUNES, FakeCommune, write_dataset


def _counts():
    return (
        Region.objects.count(),
        Departement.objects.count(),
        Epci.objects.count(),
        Commune.objects.count(),
        CommunePostalCode.objects.count(),
    )


def test_load_builds_the_reference(territory):
    assert _counts() == (2, 3, 3, 7, 9)
    romans = Commune.objects.with_relations().get(code_insee="26281")
    assert romans.nom == "Romans-sur-Isère"
    assert romans.departement.nom == "Drôme"
    assert romans.region_id == "84"
    assert romans.epci.nom == "CA Valence Romans Agglo"
    assert romans.postal_codes == ["26100"]
    assert romans.area_km2 == pytest.approx(87.5, rel=0.05)  # 0.1° x 0.1° at 45°N
    arrondissement = Commune.objects.get(code_insee="75101")
    assert arrondissement.type == Commune.Type.ARRONDISSEMENT
    assert arrondissement.commune_parent_id == "75056"
    assert ReferenceVersion.objects.get().commune_count == 7


def test_loading_twice_changes_nothing(territory):
    before = list(Commune.objects.values_list("code_insee", "nom", "population", "geometry"))
    version = ReferenceVersion.objects.get()
    report = load_reference(territory)
    assert not report.changed
    assert all(t.created == t.updated == t.deleted == 0 for t in report.tables.values())
    assert (
        list(Commune.objects.values_list("code_insee", "nom", "population", "geometry")) == before
    )
    assert ReferenceVersion.objects.get().pk == version.pk
    assert _counts() == (2, 3, 3, 7, 9)


def test_a_newer_dataset_updates_adds_and_removes(territory, tmp_path):
    communes = [c for c in COMMUNES if c.code_insee != "26313"]
    communes[0] = FakeCommune(**{**communes[0].__dict__, "population": 34000})
    communes.append(
        FakeCommune(
            "26124",
            "Génissieux",
            "26",
            "84",
            communes[0].epci,
            2300,
            "26750",
            (5.2, 45.0, 5.3, 45.1),
        )
    )
    report = load_reference(write_dataset(tmp_path / "v2", communes))
    assert report.tables["communes"].created == 1
    assert report.tables["communes"].updated == 1
    assert report.tables["communes"].deleted == 1
    assert Commune.objects.get(code_insee="26281").population == 34000
    assert not Commune.objects.filter(code_insee="26313").exists()
    assert CommunePostalCode.objects.filter(code_postal="26750").get().commune_id == "26124"


def test_missing_column_stops_before_writing(db, tmp_path):
    directory = write_dataset(tmp_path / "bad")
    with lzma.open(directory / COMMUNES_FILE, "rt") as f:
        text = f.read().replace(",geometry", ",geom", 1)
    with lzma.open(directory / COMMUNES_FILE, "wt") as f:
        f.write(text)
    with pytest.raises(ReferenceFileError, match="geometry"):
        load_reference(directory)
    assert _counts() == (0, 0, 0, 0, 0)


def test_truncated_file_is_reported(db, tmp_path):
    directory = write_dataset(tmp_path / "bad")
    data = (directory / COMMUNES_FILE).read_bytes()
    (directory / COMMUNES_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ReferenceFileError, match="illisible"):
        load_reference(directory)
    assert Commune.objects.count() == 0


def test_command_reports_and_is_idempotent(territory, capsys):
    from django.core.management import call_command

    call_command("load-territories", "--data-dir", str(territory))
    out = capsys.readouterr().out
    assert "déjà à jour" in out
    assert "communes : 0 créé(s), 0 modifié(s), 7 inchangé(s)" in out


def test_command_fails_cleanly_on_missing_files(db, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="introuvable"):
        call_command("load-territories", "--data-dir", str(tmp_path))
