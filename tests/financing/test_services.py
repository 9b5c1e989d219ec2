"""Campaign services: rules, refusals in French, settlement, refunds, personal data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ptce.core.models import AuditEntry
from ptce.financing import queries, services
from ptce.financing.models import Campaign, Subscription
from tests.financing import factories as f

pytestmark = pytest.mark.django_db


def small(pole, **values):
    """5 units of 100 EUR: minimum 1 unit, target and cap 5 units, no maximum ticket."""
    values = {
        "minimum_cents": 10_000,
        "target_cents": 50_000,
        "cap_cents": 50_000,
        "max_ticket_cents": None,
        **values,
    }
    return f.campaign(pole, **values)


def errors_of(exc_info) -> dict[str, list[str]]:
    return exc_info.value.message_dict


# ----------------------------------------------------------------------------- campaigns


def test_campaign_rules_are_checked_with_french_messages(pole):
    project = f.project(pole)
    with pytest.raises(ValidationError) as exc:
        f.campaign(
            pole,
            project_obj=project,
            state="draft",
            minimum_cents=600_000,
            target_cents=500_000,
            cap_cents=400_000,
            min_ticket_cents=15_050,
            unit_price_cents=None,
        )
    errors = errors_of(exc)
    assert "prix unitaire" in errors["unit_price_cents"][0]
    with pytest.raises(ValidationError) as exc:
        f.campaign(
            pole, project_obj=project, state="draft", minimum_cents=600_000, cap_cents=400_000
        )
    errors = errors_of(exc)
    assert "objectif" in errors["target_cents"][0].lower()
    assert "plafond" in errors["cap_cents"][0].lower()
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        f.campaign(pole, project_obj=project, state="draft", opens_at=now, closes_at=now)
    assert "clôture" in errors_of(exc)["closes_at"][0]
    assert not Campaign.objects.exists()


def test_database_refuses_min_above_target(pole):
    c = f.campaign(pole, state="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=c.pk).update(minimum_cents=600_000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=c.pk).update(cap_cents=400_000)


def test_residency_needs_a_perimeter(territory):
    pole = f.hub("Sans périmètre", perimeter=False)
    with pytest.raises(ValidationError) as exc:
        f.campaign(pole, state="draft", residency="residents_only")
    assert "périmètre" in errors_of(exc)["residency"][0]


def test_only_coordinators_manage_campaigns(pole):
    member = f.poles.person("membre@example.org", pole)
    with pytest.raises(PermissionDenied):
        services.create_campaign(member, project=f.project(pole), title="x")
    coord = f.coordinator(pole)
    c = f.campaign(pole, state="draft")
    services.update_campaign(coord, campaign=c, title="Nouveau titre")
    assert AuditEntry.objects.filter(verb="update_campaign", object_id=str(c.pk)).exists()


def test_open_campaign_rules_are_frozen(pole):
    c = f.campaign(pole)
    with pytest.raises(ValidationError) as exc:
        services.update_campaign(None, campaign=c, cap_cents=2_000_000)
    assert "ne peut plus changer" in errors_of(exc)["cap_cents"][0]
    services.update_campaign(None, campaign=c, title="Titre corrigé")
    c.refresh_from_db()
    assert c.title == "Titre corrigé"


# ----------------------------------------------------------------------------- subscribing


def test_subscribe_records_locality_consent_and_bank(pole):
    c = f.campaign(pole)
    sub = f.subscribe(c, 1, units=3, iban=f.IBAN, bic=f.BIC)
    assert sub.amount_cents == 30_000 and sub.units == 3
    assert sub.is_local and sub.commune_id == "26281"
    assert sub.iban == "FR7630006000011234567890189" and sub.bic == "AGRIFRPP"
    assert sub.consent_at is not None and sub.consent_version == c.consent_version
    assert sub.payment_status == "pledged"
    far = f.subscribe(c, 2, commune="42218", postcode="42000")
    assert not far.is_local
    entry = AuditEntry.objects.get(verb="subscribe", object_id=str(sub.pk))
    assert "name" not in entry.changes and "iban" not in entry.changes


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban", "IBAN"),
        ({"bic": "AGRI"}, "bic", "BIC"),
        ({"consent": False}, "consent", "consentement"),
        ({"email": "pas-un-email"}, "email", "e-mail"),
        ({"postcode": "42000"}, "postcode", "code postal"),
        ({"commune": "99999"}, "commune", "inconnue"),
        ({"name": ""}, "name", "nom"),
        ({"investor_kind": "legal", "representative": ""}, "representative", "représente"),
    ],
)
def test_bad_input_is_refused_by_field(pole, values, field, words):
    c = f.campaign(pole)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 1, **values)
    assert words.lower() in " ".join(errors_of(exc)[field]).lower()
    assert not Subscription.objects.exists()


def test_ticket_minimum_and_maximum(pole):
    c = f.campaign(pole, min_ticket_cents=20_000, max_ticket_cents=50_000)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 1, units=1)
    assert "inférieur au ticket minimum" in errors_of(exc)["units"][0]
    f.subscribe(c, 1, units=4)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 1, units=2)  # same person: 4 + 2 > 5
    assert "dépasse le ticket maximum" in errors_of(exc)["units"][0]
    assert "100,00" in errors_of(exc)["units"][0]  # what remains for them


def test_amount_campaign_takes_whole_euros(pole):
    c = f.campaign(
        pole,
        instrument="donation",
        unit_price_cents=None,
        min_ticket_cents=1_000,
        max_ticket_cents=None,
    )
    with pytest.raises(ValidationError) as exc:
        services.subscribe(None, campaign=c, amount_cents=5_050, **f.person_values(1))
    assert "euros entiers" in errors_of(exc)["amount"][0]
    sub = services.subscribe(None, campaign=c, amount_cents=5_000, **f.person_values(1))
    assert sub.units is None and sub.amount_cents == 5_000


def test_outside_dates_and_closed_campaigns_are_refused(pole):
    now = timezone.now()
    later = f.campaign(
        pole, opens_at=now + dt.timedelta(days=2), closes_at=now + dt.timedelta(days=9)
    )
    with pytest.raises(ValidationError) as exc:
        f.subscribe(later, 1)
    assert "hors de ces dates" in errors_of(exc)["__all__"][0]
    draft = f.campaign(pole, state="draft")
    with pytest.raises(ValidationError) as exc:
        f.subscribe(draft, 1)
    assert "n'accepte pas de souscription" in errors_of(exc)["__all__"][0]
    c = f.campaign(pole, minimum_cents=10_000)
    f.subscribe(c, 1)
    services.settle_campaign(None, campaign=c)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 2)
    assert "réussie" in errors_of(exc)["__all__"][0]


def test_residents_only(pole):
    c = f.campaign(pole, residency="residents_only")
    f.subscribe(c, 1)  # Romans-sur-Isère, in the perimeter
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 2, commune="42218", postcode="42000")
    assert "réservée aux habitants" in errors_of(exc)["commune"][0]
    assert "Saint-Étienne" in errors_of(exc)["commune"][0]


def test_hard_cap_refuses_what_exceeds_the_room(pole):
    c = small(pole)
    f.subscribe(c, 1, units=4)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 2, units=2)
    assert "reste avant le plafond" in errors_of(exc)["units"][0]
    f.subscribe(c, 3, units=1)
    with pytest.raises(ValidationError) as exc:
        f.subscribe(c, 4, units=1)
    assert "atteint son plafond" in errors_of(exc)["units"][0]
    assert queries.campaign_figures(c).raised_cents == 50_000


# ----------------------------------------------------------------------------- settlement


def test_pro_rata_allotment_at_settlement(pole):
    c = small(pole, oversubscription="pro_rata")
    subs = [f.subscribe(c, n, units=u) for n, u in enumerate([1, 3, 6])]  # 10 asked, cap 5
    services.settle_campaign(None, campaign=c)
    allotted = [Subscription.objects.get(pk=s.pk).allotted_cents for s in subs]
    # minimum 1 each (3), 2 left over extras 0,2,5: 0, 4/7=0.57, 10/7=1.43 -> 0,0,1 + 1 spare
    # to the largest remainder (0.57).
    assert allotted == [10_000, 20_000, 20_000]
    assert sum(allotted) <= c.cap_cents
    assert queries.campaign_figures(c).raised_cents == 50_000


def test_residents_first_serves_residents(pole):
    c = small(pole, residency="residents_first")
    outsider = f.subscribe(c, 1, units=4, commune="42218", postcode="42000")
    resident = f.subscribe(c, 2, units=4)
    assert Subscription.objects.count() == 2  # over the cap: resolved at settlement
    services.settle_campaign(None, campaign=c)
    resident.refresh_from_db()
    outsider.refresh_from_db()
    assert resident.allotted_cents == 40_000 and outsider.allotted_cents == 10_000


def test_failed_campaign_produces_the_refund_list(pole):
    c = f.campaign(pole, minimum_cents=300_000)
    paid = f.subscribe(c, 1, units=1)
    pledged = f.subscribe(c, 2, units=1)
    paid2 = f.subscribe(c, 3, units=2)
    services.mark_paid(None, subscription=paid)
    services.mark_paid(None, subscription=paid2)
    c = services.settle_campaign(None, campaign=c)
    assert c.state == "failed" and c.outcome == "failed"
    lines = services.refund_list(c)
    assert [(line.subscription.pk, line.refund_cents, line.done) for line in lines] == [
        (paid.pk, 10_000, False),
        (paid2.pk, 20_000, False),
    ]
    assert pledged.pk not in {line.subscription.pk for line in lines}
    with pytest.raises(ValidationError) as exc:
        services.close_campaign(None, campaign=c)
    assert "2 remboursement" in errors_of(exc)["__all__"][0]
    with pytest.raises(ValidationError):
        services.mark_paid(None, subscription=pledged)
    for line in lines:
        services.mark_refunded(None, subscription=line.subscription)
    assert all(line.done for line in services.refund_list(c))
    c = services.close_campaign(None, campaign=c)
    assert c.state == "closed"
    assert len(services.refund_list(c)) == 2  # still readable once closed


def test_succeeded_campaign_refunds_what_exceeds_the_allotment(pole):
    c = small(pole, oversubscription="pro_rata")
    a = f.subscribe(c, 1, units=5)
    b = f.subscribe(c, 2, units=5)
    services.mark_paid(None, subscription=a)
    c = services.settle_campaign(None, campaign=c)
    assert c.state == "succeeded"
    lines = services.refund_list(c)
    # minimum 1 each, 3 left shared 1.5/1.5 -> 1/1, the spare unit to the first: 3 and 2
    assert [(line.subscription.pk, line.refund_cents) for line in lines] == [(a.pk, 20_000)]
    services.mark_paid(None, subscription=b)  # pays after settlement: still accepted
    assert {line.subscription.pk for line in services.refund_list(c)} == {a.pk, b.pk}
    services.mark_refunded(None, subscription=a)
    a.refresh_from_db()
    assert a.allotted_cents == 30_000  # partly refunded: the allotment still counts
    assert queries.campaign_figures(c).raised_cents == 50_000


def test_nothing_to_refund_when_allotted_in_full(pole):
    c = small(pole)
    sub = f.subscribe(c, 1, units=2)
    services.mark_paid(None, subscription=sub)
    services.settle_campaign(None, campaign=c)
    assert services.refund_list(c) == []
    with pytest.raises(ValidationError) as exc:
        services.mark_refunded(None, subscription=sub)
    assert "Rien à rembourser" in errors_of(exc)["payment_status"][0]


def test_states_cannot_be_skipped(pole):
    c = f.campaign(pole, state="draft")
    with pytest.raises(ValidationError):
        services.settle_campaign(None, campaign=c)
    with pytest.raises(ValidationError):
        services.close_campaign(None, campaign=c)


# ----------------------------------------------------------------------------- personal data


def test_export_and_erasure_keep_what_accounting_law_requires(pole):
    c = f.campaign(pole)
    sub = f.subscribe(c, 1, units=2, iban=f.IBAN, bic=f.BIC)
    services.mark_paid(None, subscription=sub)
    other = f.subscribe(c, 2, units=1)
    data = services.export_investor_data(None, pole=pole, email="INVESTISSEUR1@example.org")
    assert [s["reference"] for s in data["subscriptions"]] == [str(sub.public_id)]
    assert data["subscriptions"][0]["iban"] == "FR7630006000011234567890189"
    before = queries.campaign_figures(c)
    assert services.erase_investor(None, pole=pole, email="investisseur1@example.org") == 1
    sub.refresh_from_db()
    for field in ("name", "email", "address", "postcode", "iban", "bic"):
        assert getattr(sub, field) == ""
    assert sub.commune_id is None and sub.erased_at is not None
    assert sub.amount_cents == 20_000 and sub.payment_status == "paid" and sub.paid_at
    assert sub.public_id and sub.investor_ref and sub.is_local
    after = queries.campaign_figures(c)
    assert (after.raised_cents, after.investors, after.local_cents) == (
        before.raised_cents,
        before.investors,
        before.local_cents,
    )
    entries = AuditEntry.objects.filter(object_id=str(sub.pk), verb__in=["subscribe", "mark_paid"])
    assert all(e.changes == {} and "effacées" in e.object_repr for e in entries)
    other.refresh_from_db()
    assert other.name  # someone else's data is untouched
    assert (
        services.export_investor_data(None, pole=pole, email="investisseur1@example.org")[
            "subscriptions"
        ]
        == []
    )


def test_cross_hub_isolation_of_subscriptions(pole):
    c = f.campaign(pole)
    sub = f.subscribe(c, 1)
    other_pole = f.hub("Autre pôle (fictif)")
    intruder = f.coordinator(other_pole)
    with pytest.raises(PermissionDenied):
        services.mark_paid(intruder, subscription=sub)
    with pytest.raises(PermissionDenied):
        services.export_investor_data(intruder, pole=pole, email="investisseur1@example.org")
    # Coordinating another hub gives nothing on this one, even through that hub.
    got = services.export_investor_data(
        intruder, pole=other_pole, email="investisseur1@example.org"
    )
    assert got["subscriptions"] == []
    assert (
        services.erase_investor(intruder, pole=other_pole, email="investisseur1@example.org") == 0
    )
    sub.refresh_from_db()
    assert sub.name and sub.payment_status == "pledged"


def test_bulk_import_applies_the_same_rules(pole):
    c = small(pole, max_ticket_cents=20_000)
    rows = [dict(f.person_values(n), units=2) for n in range(4)]
    rows.append(dict(f.person_values(9, commune="42218", postcode="42000"), units=1))
    rows.append(dict(f.person_values(8, iban="FR00"), units=1))
    result = services.import_subscriptions(None, campaign=c, rows=rows)
    assert result.created == 3  # 2+2, then 2 more would exceed 5 (twice); then 1 fits
    assert [line for line, _ in result.rejected] == [3, 4, 6]
    assert "plafond" in result.rejected[0][1]["units"][0]
    assert "IBAN" in result.rejected[2][1]["iban"][0]
    assert queries.campaign_figures(c).raised_cents == 50_000
