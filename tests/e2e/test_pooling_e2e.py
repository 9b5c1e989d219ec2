"""Pooling end to end: a member opens the room's week calendar, books a free hour from it,
sees the booking there, moves between weeks (HTMX), and an overlapping booking is refused
with the rule it breaks."""

import re

import pytest
from playwright.sync_api import expect

from tests.pooling.factories import hub, next_monday

PASSWORD = "motdepasse-solide-42"


@pytest.fixture
def shared_room(transactional_db):
    h = hub()
    h.alice.set_password(PASSWORD)
    h.alice.save()
    return h


def _no_script_errors(page, *, form_errors=False):
    expected = ["net::ERR_FAILED"]
    if form_errors:
        expected.append("the server responded with a status of 400 (Bad Request)")
    assert [e for e in page.console_errors if not any(x in e for x in expected)] == []


def test_member_books_the_room_from_the_week_calendar(page, shoot, shared_room):
    h = shared_room
    monday = next_monday()
    page.goto(f"/comptes/connexion/?next=/espace/poles/{h.pole.slug}/mutualisation/")
    page.get_by_label("Adresse e-mail").fill("alice@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Ressources partagées")
    expect(page.locator("#resources")).to_contain_text("Salle commune")
    shoot(page, "pooling-01-resources")

    # ---- the week calendar, next week, HTMX navigation ----
    page.get_by_role("link", name="Calendrier", exact=True).click()
    expect(page.locator("h1")).to_have_text("Calendrier")
    page.get_by_role("link", name=re.compile("Semaine suivante")).click()
    expect(page.locator("#week-title")).to_contain_text(f"semaine du {monday.day} ")
    assert f"week={monday.isoformat()}" in page.url  # hx-push-url
    _no_script_errors(page)

    # ---- a free hour of the calendar opens the form, filled in ----
    page.get_by_role("link", name=re.compile(f"Réserver le lundi {monday.day} .* à 10h")).click()
    expect(page.locator("h1")).to_have_text("Réserver")
    expect(page.locator("#id_start")).to_have_value("10:00")
    expect(page.locator("#id_end")).to_have_value("11:00")
    page.get_by_label("Objet").fill("Conseil d’administration")
    shoot(page, "pooling-02-book")
    page.get_by_role("button", name="Réserver").click()

    # ---- back on the week: the booking is there ----
    expect(page.locator(".messages")).to_contain_text("Réservation enregistrée")
    expect(page.locator(".calendar-week")).to_contain_text("10:00–11:00 Atelier Alpha (fictif)")
    shoot(page, "pooling-03-week")
    _no_script_errors(page)

    # ---- an overlapping booking is refused, with the rule ----
    page.goto(
        f"/espace/poles/{h.pole.slug}/mutualisation/reserver/"
        f"?unit={h.unit.pk}&day={monday.isoformat()}&start=10:30&end=11:30"
    )
    page.get_by_role("button", name="Réserver").click()
    expect(page.locator(".field--error")).to_contain_text("Chevauchement")
    expect(page.locator(".field--error")).to_contain_text("10h00")
    expect(page.locator("#id_start")).to_have_value("10:30")
    shoot(page, "pooling-04-overlap")
    _no_script_errors(page, form_errors=True)
