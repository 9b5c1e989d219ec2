"""The financing demo: the citizen wind farm's 700+ investors and 1.8 M€, and an open
campaign that visitors can subscribe to."""

import importlib

import pytest

from ptce.financing import demo, queries, services
from ptce.financing.models import Campaign, Subscription
from ptce.poles import demo as poles_demo
from tests.financing import factories as f
from tests.poles.test_demo import real_territory  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _projects_demo() -> None:
    """`load-demo` runs the projects demo before ours, when it exists; ours creates the
    projects it needs that are missing."""
    try:
        projects_demo = importlib.import_module("ptce.projects.demo")
    except ModuleNotFoundError:
        return
    projects_demo.build()


@pytest.fixture
def built(real_territory):  # noqa: F811
    poles_demo.build(generated_hubs=0)
    _projects_demo()
    return demo.build()


def test_the_wind_farm_campaign_has_700_investors_and_1_8_million(built):
    assert built == {"campagnes de financement": 2, "souscriptions": 742 + 38}
    wind = Campaign.objects.get(pole__slug=demo.WIND_HUB)
    assert wind.state == "succeeded" and wind.is_demo
    assert wind.project.slug == demo.WIND_PROJECT
    fig = queries.campaign_figures(wind)
    assert fig.investors > 700
    assert fig.raised_cents == 180_000_000  # 1.8 M EUR
    assert 0.7 < fig.local_share_investors < 1 and 0.7 < fig.local_share_amount < 1
    points = queries.map_points(fig)
    assert len(points) >= 3 and any(p["local"] for p in points)
    subs = Subscription.objects.filter(campaign=wind)
    assert not subs.exclude(payment_status="paid").exists()
    assert not subs.exclude(investor_kind="natural").exists()
    assert subs.filter(allotted_cents=None).count() == 0


def test_the_open_campaign_takes_subscriptions_and_a_second_run_adds_nothing(built):
    open_campaign = Campaign.objects.get(pole__slug=demo.OPEN_HUB)
    assert open_campaign.state == "open"
    before = queries.campaign_figures(open_campaign).raised_cents
    services.subscribe(
        None,
        campaign=open_campaign,
        units=2,
        **f.person_values(1, commune="42218", postcode="42000"),
    )
    assert queries.campaign_figures(open_campaign).raised_cents == before + 10_000
    assert demo.build() == {}
