"""Campaigns and subscriptions built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from ptce.core.choices import Role
from ptce.financing import services
from ptce.financing.models import Campaign, Subscription
from ptce.poles import services as pole_services
from tests.poles import factories as poles

_counter = itertools.count(1)

# Valid test IBAN/BIC (published examples).
IBAN = "FR76 3000 6000 0112 3456 7890 189"
BIC = "AGRIFRPP"


@pytest.fixture(autouse=True)
def fresh_cache():
    """An empty cache (subscription rate limiter) before and after each test. Autouse: importing
    it into a test module (or a conftest) applies it to every test there."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pole(territory):
    """A hub with its perimeter (`territory` loads the reference)."""
    return hub()


def hub(name: str = "Pôle Drôme (fictif)", *, perimeter: bool = True, **values: Any):
    """A hub whose perimeter is Valence Romans Agglo's four communes (needs `territory`)."""
    pole = poles.pole(name, **values)
    if perimeter:
        pole_services.set_perimeter(None, pole=pole, definition={"communes": ["26281", "26057"]})
        pole.refresh_from_db()
    return pole


def coordinator(pole, email: str | None = None):
    return poles.person(email or f"coord{next(_counter)}@example.org", pole, Role.COORDINATOR)


def project(pole, title: str = "Parc solaire citoyen (fictif)", **values: Any):
    from ptce.projects import services as project_services

    values.setdefault("visibility", "public")
    n = next(_counter)
    return project_services.create_project(
        None, pole=pole, title=title, slug=f"{slugify(title)}-{n}", **values
    )


def campaign(pole=None, *, state: str = "open", project_obj=None, **values: Any) -> Campaign:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "Campagne citoyenne (fictive)",
        "instrument": "coop_shares",
        "unit_price_cents": 10_000,  # 100 EUR a part
        "minimum_cents": 100_000,
        "target_cents": 500_000,
        "cap_cents": 1_000_000,
        "min_ticket_cents": 10_000,
        "max_ticket_cents": 500_000,
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=30),
    }
    defaults.update(values)
    c = services.create_campaign(None, project=project_obj or project(pole), **defaults)
    if state in {"open", "succeeded", "failed"}:
        c = services.open_campaign(None, campaign=c)
    return c


def person_values(n: int = 0, **values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "investor_kind": "natural",
        "name": f"Investisseur {n} (fictif)",
        "email": f"investisseur{n}@example.org",
        "address": f"{n + 1} rue des Éoliennes",
        "postcode": "26100",
        "commune": "26281",
        "consent": True,
    }
    out.update(values)
    return out


def subscribe(c: Campaign, n: int = 0, units: int | None = 1, **values: Any) -> Subscription:
    payload = person_values(n, **values)
    if c.has_units:
        payload.setdefault("units", units)
    else:
        payload.setdefault("amount_cents", (units or 1) * 100_00)
    return services.subscribe(None, campaign=c, **payload)
