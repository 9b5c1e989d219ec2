"""Lists read a bounded number of queries whatever the number of campaigns and subscriptions."""

import pytest
from django.urls import reverse

from tests.financing import factories as f

pytestmark = pytest.mark.django_db


def _fill(pole, subscriptions):
    c = f.campaign(pole, max_ticket_cents=None, cap_cents=None)
    for n in range(subscriptions):
        f.subscribe(
            c,
            n,
            units=1,
            commune="42218" if n % 3 else "26281",
            postcode="42000" if n % 3 else "26100",
        )
    return c


@pytest.mark.parametrize("subscriptions", [3, 30])
def test_list_pages_and_api_are_bounded(
    client, territory, django_assert_max_num_queries, subscriptions
):
    pole = f.hub()
    coord = f.coordinator(pole)
    campaigns = [_fill(pole, subscriptions) for _ in range(3)]
    c = campaigns[0]
    with django_assert_max_num_queries(8):
        assert client.get(reverse("financing:campaign", args=[c.pk])).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("financing:campaign_data", args=[c.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/campaigns/{c.pk}").status_code == 200
    client.force_login(coord)
    slug = pole.slug
    with django_assert_max_num_queries(16):
        assert client.get(reverse("financing:campaigns", args=[slug])).status_code == 200
    with django_assert_max_num_queries(18):
        assert client.get(reverse("financing:hub_campaign", args=[slug, c.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("financing:refunds", args=[slug, c.pk])).status_code == 200
    for fmt in ("csv", "xlsx"):
        with django_assert_max_num_queries(12):
            url = reverse("financing:register", args=[slug, c.pk, fmt])
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(f"/api/v1/campaigns/{c.pk}/subscriptions?page_size=500")
    assert response.status_code == 200 and response.json()["count"] == subscriptions
