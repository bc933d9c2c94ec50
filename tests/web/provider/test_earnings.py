"""Earnings on the provider dashboard: balances from the ledger, payouts set up and asked for (the
minimum, one at a time — the second refused with a message), the history, and the statement of a
period whose totals are the sums of its lines, with each line's PDF."""

import re

import pytest

from marketplace.payments.escrow import escrow_capture, escrow_release
from marketplace.payments.models import PayeeAccount, Payout
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


def _released(tenant, *, price, tag):
    """A provider (pro-<tag>@example.org) with `price` USD released to them (10% commission)."""
    booking = make_booking(tenant, price=price, tag=tag)
    with tenant_context(tenant):
        escrow_capture(booking=booking, amount=price, key=f"cap-{tag}")
        escrow_release(booking=booking, amount=price, key=f"rel-{tag}")
    return booking


def test_balances_and_a_payout_then_a_second_one_refused(tenant_a, web):
    # given: 90.00 available after a release of 100.00
    booking = _released(tenant_a, price=10_000, tag="pay")
    browser = web(tenant_a, booking.provider.user)
    page = browser.get("/provider/earnings/").content.decode()
    assert "90.00 USD" in page
    set_up = browser.post("/provider/earnings/payee/", {"bank_account": "000123456789", "schedule": "manual"})
    assert set_up.status_code == 302
    with tenant_context(tenant_a):
        assert PayeeAccount.objects.get(provider=booking.provider).payouts_enabled

    # when
    first = browser.post("/provider/earnings/payout/", {"amount": "50.00", "key": "first-try"})

    # then
    assert first.status_code == 302
    with tenant_context(tenant_a):
        payout = Payout.objects.get(provider=booking.provider)
        assert (payout.amount, payout.status) == (5_000, "in_transit")

    # when: another while the first is on its way
    second = browser.post("/provider/earnings/payout/", {"amount": "20.00", "key": "second-try"}, follow=True)

    # then
    page = second.content.decode()
    assert "A payout is already on its way to your bank" in page
    assert "On its way" in page and "50.00 USD" in page
    with tenant_context(tenant_a):
        assert Payout.objects.filter(provider=booking.provider).count() == 1


def test_a_payout_below_the_minimum_is_refused_next_to_the_amount(tenant_a, web):
    booking = _released(tenant_a, price=10_000, tag="min")
    browser = web(tenant_a, booking.provider.user)
    browser.post("/provider/earnings/payee/", {"bank_account": "000123456789", "schedule": "manual"})

    response = browser.post("/provider/earnings/payout/", {"amount": "5.00", "key": "small"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_amount_errors"' in page and "The smallest payout is 10.00 USD." in page
    with tenant_context(tenant_a):
        assert not Payout.objects.exists()


def test_a_payout_before_setting_up_the_bank_is_explained(tenant_a, web):
    booking = _released(tenant_a, price=10_000, tag="nobank")

    response = web(tenant_a, booking.provider.user).post(
        "/provider/earnings/payout/", {"amount": "", "key": "k"}, follow=True
    )

    assert "Set up where your payouts go first" in response.content.decode()
    with tenant_context(tenant_a):
        assert not Payout.objects.exists()


def test_the_statement_totals_match_its_lines_and_each_has_a_pdf(tenant_a, web):
    # given: two releases to one provider (100.00 and 250.00 at 10% commission)
    first = _released(tenant_a, price=10_000, tag="st1")
    second = make_booking(tenant_a, price=25_000, tag="st2")
    with tenant_context(tenant_a):
        second.provider = first.provider
        second.save(update_fields=["provider"])
        escrow_capture(booking=second, amount=25_000, key="cap-st2")
        escrow_release(booking=second, amount=25_000, key="rel-st2")
    browser = web(tenant_a, first.provider.user)

    # when
    page = browser.get("/provider/earnings/").content.decode()

    # then: each line and the totals row
    assert page.count('href="/provider/earnings/statement/') == 2
    totals = page[page.index("<tfoot>") : page.index("</tfoot>")]
    amounts = re.findall(r"([\d,]+\.\d\d) USD", totals)
    gross, commission, fee, net = (round(float(a.replace(",", "")) * 100) for a in amounts[:4])
    assert gross == 35_000 and net == 31_500  # 10% commission in all, the platform's fee part of it
    assert commission + fee + net == gross
    lines = page[page.index("<tbody>", page.index('class="table statement"')) : page.index("<tfoot>")]
    nets = [round(float(a.replace(",", "")) * 100) for a in re.findall(r"([\d,]+\.\d\d) USD", lines)[3::4]]
    assert sum(nets) == net
    link = re.search(r'href="(/provider/earnings/statement/[^"]+\.pdf)"', page).group(1)
    pdf = browser.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_statement_period_without_releases_is_empty(tenant_a, web):
    booking = _released(tenant_a, price=10_000, tag="old")

    page = web(tenant_a, booking.provider.user).get("/provider/earnings/?start=2020-01-01&end=2020-01-31")

    assert page.status_code == 200
    assert "Nothing was released to you in this period." in page.content.decode()


def test_the_other_marketplace_sees_none_of_it(tenant_a, tenant_b, web):
    # given: a statement line at alpha; a provider at beta
    booking = _released(tenant_a, price=10_000, tag="leak")
    with tenant_context(tenant_a):
        from marketplace.invoicing.models import StatementLine

        line = StatementLine.objects.get(booking=booking)
    other = make_booking(tenant_b, price=5_000, tag="b")

    # when
    browser = web(tenant_b, other.provider.user)
    page = browser.get("/provider/earnings/").content.decode()

    # then
    assert "0.00 USD" in page and line.number not in page
    assert browser.get(f"/provider/earnings/statement/{line.public_id}.pdf").status_code == 404
