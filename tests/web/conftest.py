import pytest

from tests.web.html import PageParser


@pytest.fixture
def parse():
    """Parse a response's HTML into a PageParser (tags, attributes, text)."""

    def _parse(response) -> PageParser:
        parser = PageParser()
        parser.feed(response.content.decode())
        parser.close()
        return parser

    return _parse


@pytest.fixture
def other_user(db):
    from ptce.core.services import create_user

    return create_user(None, email="dominique@example.org", password="autre-motdepasse-solide-7")
