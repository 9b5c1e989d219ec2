"""Campaign-wide figures on public outputs (secret statistique): local figures and median
withheld when they would single out one or two investors. Pure, hypothesis."""

from hypothesis import given
from hypothesis import strategies as st

from ptce.financing import indicators
from ptce.financing.indicators import DISCLOSURE_THRESHOLD as K
from ptce.financing.indicators import Ticket, publishable

LOCAL = ("local_cents", "local_investors", "local_share_amount", "local_share_investors")


def tickets(*rows: tuple[int, bool, str]) -> list[Ticket]:
    return [
        Ticket(str(i), amount, local, commune) for i, (amount, local, commune) in enumerate(rows)
    ]


def public(rows):
    return publishable(indicators.figures(rows))


def test_below_the_threshold_only_total_and_count_are_published():
    p = public(tickets((10_000, True, "26281"), (30_000, False, "75056")))
    assert (p.raised_cents, p.investors) == (40_000, 2)
    assert p.median_ticket_cents is None and p.local_cents is None
    assert p.local_share_amount is None and p.local_share_investors is None
    assert p.withheld == dict.fromkeys(("median_ticket_cents", *LOCAL), "few_investors")
    assert str(p.reason("median_ticket_cents")) == "non publié (moins de 3 souscripteurs)"
    assert p.reason("raised_cents") is None


def test_one_or_two_local_investors_withhold_the_local_figures():
    rows = [(100, False, "75056")] * 4 + [(5_000, True, "26281")]
    p = public(tickets(*rows))
    assert p.median_ticket_cents == 100  # five investors: the median is published
    assert p.local_cents is None and p.local_investors is None
    assert p.withheld == dict.fromkeys(LOCAL, "small_local_group")
    assert "souscripteurs du territoire" in str(p.reason("local_cents"))


def test_one_or_two_non_local_investors_withhold_the_local_figures():
    # Total minus local would give the two non-local investors' amount.
    rows = [(100, True, "26281")] * 4 + [(7_000, False, "75056"), (9_000, False, "69123")]
    p = public(tickets(*rows))
    assert p.local_cents is None and set(p.withheld) == set(LOCAL)


def test_local_figures_published_when_every_group_reaches_the_threshold():
    rows = [(100, True, "26281")] * 3 + [(200, False, "75056")] * 3
    p = public(tickets(*rows))
    assert (p.local_cents, p.local_investors, p.median_ticket_cents) == (300, 3, 150)
    assert p.local_share_amount == 300 / 900 and p.withheld == {}
    everyone_local = public(tickets(*[(100, True, "26281")] * 3))
    assert everyone_local.local_cents == 300 and everyone_local.withheld == {}


def test_local_minus_shown_local_communes_must_not_single_out_a_hidden_commune():
    # 4 local: 3 in a shown commune, 1 hidden (merged with the smallest shown commune, a
    # non-local one); local total minus the shown commune would give the hidden one's amount.
    rows = [(1_000, True, "26281")] * 3 + [(777, True, "26057")] + [(100, False, "75056")] * 3
    fig = indicators.figures(tickets(*rows))
    d = indicators.disclose(fig.communes)
    assert [c.commune for c in d.shown] == ["26281"]
    p = publishable(fig, d)
    assert p.local_cents is None and p.withheld["local_cents"] == "small_local_group"
    # Merged into the bucket instead, the hidden local investor is safe.
    rows = [(100, True, "26281")] * 3 + [(777, True, "26057")] + [(1_000, False, "75056")] * 3
    assert public(tickets(*rows)).local_cents == 1_077


def test_min_and_max_tickets_are_never_published():
    fields = indicators.PublicFigures.__dataclass_fields__
    assert not {f for f in fields if "min" in f or "max" in f}


CODES = ["26281", "26057", "26001", "07001", "75056", "69123", ""]

tickets_st = st.lists(
    st.tuples(st.integers(1, 10**7), st.booleans(), st.sampled_from(CODES)), max_size=25
).map(lambda rows: tickets(*rows))


@given(tickets_st)
def test_published_figures_never_isolate_one_or_two_investors(rows):
    fig = indicators.figures(rows)
    p = publishable(fig)
    # The progress bar stays public.
    assert (p.raised_cents, p.investors) == (fig.raised_cents, fig.investors)
    if fig.investors < K:
        assert p.median_ticket_cents is None and p.local_cents is None
    else:
        assert p.median_ticket_cents == fig.median_ticket_cents
    if p.local_cents is None:
        assert all(p.withheld[name] for name in LOCAL)
        assert p.local_investors is p.local_share_amount is p.local_share_investors is None
        return
    assert p.local_cents == fig.local_cents and p.local_investors == fig.local_investors
    others = fig.investors - fig.local_investors
    assert fig.local_investors == 0 or fig.local_investors >= K
    assert others == 0 or others >= K
    # Local (and non-local) investors outside the shown communes: none or at least K.
    d = indicators.disclose(fig.communes)
    hidden_local = fig.local_investors - sum(c.local_investors for c in d.shown)
    hidden_other = others - sum(c.investors - c.local_investors for c in d.shown)
    assert 0 <= hidden_local <= fig.local_investors and 0 <= hidden_other <= others
    assert hidden_local == 0 or hidden_local >= K
    assert hidden_other == 0 or hidden_other >= K


@given(tickets_st)
def test_every_withheld_figure_is_none_and_has_a_reason(rows):
    p = publishable(indicators.figures(rows))
    for name, code in p.withheld.items():
        assert getattr(p, name) is None and code in indicators.WITHHELD
        assert "non publié" in str(p.reason(name))
    for name in ("median_ticket_cents", *LOCAL):
        assert (getattr(p, name) is None) == (name in p.withheld)
