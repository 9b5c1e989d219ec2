"""Every main page: CSP header, no inline script or style, and an accessibility smoke test."""

import re

import pytest
from django.urls import reverse

from tests.territories.builders import VRA

ANONYMOUS_PAGES = [
    reverse("home"),
    reverse("territories:search"),
    reverse("territories:search") + "?q=roma",
    reverse("territories:departement", args=["26"]),
    reverse("territories:commune", args=["26281"]),
    reverse("territories:commune", args=["75101"]),
    reverse("territories:epci", args=[VRA]),
    reverse("login"),
    reverse("password_reset"),
    "/territoires/communes/99999/",
]
SIGNED_IN_PAGES = [reverse("account"), reverse("password_change")]


@pytest.fixture
def pages(client, territory, user):
    """(address, response) for every main page, anonymous then signed in."""
    fetched = [(url, client.get(url)) for url in ANONYMOUS_PAGES]
    client.force_login(user)
    fetched += [(url, client.get(url)) for url in SIGNED_IN_PAGES]
    assert [r.status_code for url, r in fetched if "99999" not in url] == [200] * (len(fetched) - 1)
    return fetched


def test_every_page_sends_a_strict_content_security_policy(pages):
    for url, response in pages:
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy, url
        assert "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy, url


def test_no_page_has_inline_script_or_style(pages, parse):
    for url, response in pages:
        page = parse(response)
        for script in page.find_all("script"):
            is_data = script.attrs.get("type") == "application/json"
            assert "src" in script.attrs or is_data, f"inline script on {url}"
            if "src" in script.attrs:
                assert not script.text.strip(), url
        assert not page.find_all("style"), url
        assert not [e for e in page.elements if "style" in e.attrs], f"style= on {url}"
        assert not re.search(r"\son[a-z]+=", response.text), f"event handler attribute on {url}"


@pytest.mark.parametrize("url", [*ANONYMOUS_PAGES, *SIGNED_IN_PAGES])
def test_accessibility_smoke(pages, parse, url):
    response = dict(pages)[url]
    page = parse(response)
    (html,) = page.find_all("html")
    assert html.attrs["lang"] == "fr"
    assert len(page.find_all("h1")) == 1, url
    skip = page.find_all("a", class_="skip-link")
    assert skip and skip[0].attrs["href"] == "#contenu" and skip[0].text == "Aller au contenu"
    assert page.by_id("contenu").tag == "main"
    for landmark in ("header", "nav", "main", "footer"):
        assert page.find_all(landmark), f"<{landmark}> missing on {url}"
    assert page.find_all("nav", **{"aria-label": "Navigation principale"})
    assert page.find_all("title")[0].text.strip().endswith("· ptce")
    # Every form field a person fills in has a label (or an accessible name).
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
        ), f"unlabelled {field.attrs} on {url}"
    for button in page.find_all("button"):
        assert button.text.strip() or button.attrs.get("aria-label"), url


def test_language_switcher_posts_to_set_language(client, db, parse):
    page = parse(client.get(reverse("home")))
    (form,) = page.find_all("form", class_="lang-switch")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == reverse("set_language")
    buttons = page.find_all("button", name="language")
    assert [(b.attrs["value"], b.attrs["aria-pressed"]) for b in buttons] == [
        ("fr", "true"),
        ("en", "false"),
    ]
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get(reverse("home")).text.count('<html lang="en">') == 1


def test_maps_load_leaflet_and_our_script_only_where_needed(client, territory, parse):
    commune = parse(client.get(reverse("territories:commune", args=["26281"])))
    sources = [s.attrs.get("src", "") for s in commune.find_all("script")]
    assert any(src.endswith("vendor/leaflet/leaflet.js") for src in sources)
    assert any(src.endswith("web/js/map.js") for src in sources)
    assert any(src.endswith("django_htmx/htmx-2.min.js") for src in sources)
    styles = [link.attrs["href"] for link in commune.find_all("link", rel="stylesheet")]
    assert any(href.endswith("vendor/leaflet/leaflet.css") for href in styles)
    home = parse(client.get(reverse("home")))
    assert not any("leaflet" in s.attrs.get("src", "") for s in home.find_all("script"))


def test_static_files_of_the_pages_exist():
    from django.contrib.staticfiles import finders

    for path in (
        "web/css/ptce.css",
        "web/js/ptce.js",
        "web/js/map.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "django_htmx/htmx-2.min.js",
    ):
        assert finders.find(path), path


def test_server_error_page_is_french_and_standalone(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    assert "Aller au contenu" in html
    assert "<script" not in html


def test_permission_denied_renders_the_french_403_page(client, db):
    from django.core.exceptions import PermissionDenied
    from django.test import RequestFactory
    from django.views.defaults import permission_denied

    request = RequestFactory().get("/quelque-part/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(
        request, PermissionDenied("Seule la coordination du pôle peut faire cela.")
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Accès refusé" in html and "Seule la coordination du pôle peut faire cela." in html
