import pytest

from ptce.actors import facet_index, map_index
from ptce.territories import indexes
from ptce.territories.importers.reference import load_reference
from tests.territories.builders import write_dataset


@pytest.fixture(autouse=True)
def _french():
    """Every test starts in French: a request in English must not leak into the next test."""
    from django.utils import translation

    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture(autouse=True)
def _fresh_indexes():
    indexes.reset()
    map_index.reset()
    facet_index.reset()
    yield
    indexes.reset()
    map_index.reset()
    facet_index.reset()


@pytest.fixture
def territory(db, tmp_path):
    """A small synthetic reference: Drôme (Valence Romans Agglo), Saint-Étienne, Paris 1er."""
    load_reference(write_dataset(tmp_path / "territory"))
    indexes.reset()
    return tmp_path / "territory"


@pytest.fixture
def user(db):
    from ptce.core.services import create_user

    return create_user(None, email="camille@example.org", password="motdepasse-solide-42")


@pytest.fixture
def staff(db):
    from ptce.core.services import create_user

    return create_user(
        None, email="staff@example.org", password="motdepasse-solide-42", is_staff=True
    )
