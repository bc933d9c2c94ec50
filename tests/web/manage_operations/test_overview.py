"""The overview: key numbers for a period from the ledger and from counting rows, charts drawn as SVG
with the numbers in a table, the same series as CSV, a constant number of queries whatever the
length of the period; moderators see it without the money; each marketplace sees its own."""

import csv
import io
import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.bookings.models import Booking
from marketplace.disputes.models import Dispute
from marketplace.payments.escrow import split
from marketplace.payments.selectors import money_totals
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.web.manage_operations.conftest import released_booking

pytestmark = pytest.mark.django_db


def _today(tenant):
    with tenant_context(tenant):
        from web.manage.operations.reports import today

        return today()


def test_the_key_numbers_are_the_ledgers_totals_for_bookings_paid_and_released(tenant_a, admin_page):
    # given: two bookings paid and released, a third paid and still in escrow
    first = released_booking(tenant_a, tag="one", price=10_000, commission_bps=1_000)
    second = released_booking(tenant_a, tag="two", price=25_000, commission_bps=2_000)
    from marketplace.payments.escrow import escrow_capture
    from tests.payments.conftest import make_booking

    held = make_booking(tenant_a, price=5_000, tag="three")
    with tenant_context(tenant_a):
        escrow_capture(booking=held, amount=5_000, key="capture-three")
    day = _today(tenant_a)

    # when
    page = admin_page.get("/manage/?period=30d")

    # then: the figures are the ledger's for the same days
    with tenant_context(tenant_a):
        zone = zoneinfo.ZoneInfo("UTC")
        ledger = money_totals(
            currency="USD",
            since=datetime.combine(day - timedelta(days=29), time.min, tzinfo=zone),
            until=datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
        )
    report = page.context["report"]
    assert page.status_code == 200
    parts = [
        split(b.price, commission_bps=b.commission_bps, platform_fee_bps=b.platform_fee_bps) for b in (first, second)
    ]
    assert report.gmv == ledger["gmv"] == 40_000
    assert report.commission == ledger["commission"] == sum(p.marketplace for p in parts)
    assert report.platform_fee == ledger["platform_fee"] == sum(p.platform for p in parts)
    assert report.escrow_held == ledger["escrow_held"] == 5_000
    assert report.bookings == 3 and report.disputes == 0 and report.dispute_rate == 0
    assert report.active_listings == 3 and report.active_providers == 3
    html = page.content.decode()
    assert "400.00 USD" in html  # GMV
    assert "50.00 USD" in html  # escrow held
    # today's row carries the money; the others are zero
    today_point = next(p for p in report.points if p.start == day)
    assert (today_point.gmv, today_point.bookings) == (40_000, 3)
    assert sum(p.gmv for p in report.points) == 40_000 and len(report.points) == 30


def test_the_dispute_rate_is_disputes_per_hundred_bookings(tenant_a, admin_page):
    # given: three bookings, a dispute about one
    bookings = [released_booking(tenant_a, tag=tag, price=10_000) for tag in ("a", "b", "c")]
    with tenant_context(tenant_a):
        Dispute.objects.create(
            booking=bookings[0],
            opened_by=bookings[0].client,
            opened_by_role="client",
            reason="not_delivered",
            desired_outcome="full_refund",
            description="The session never happened.",
            amount=10_000,
            currency="USD",
        )

    # when
    page = admin_page.get("/manage/")

    # then
    report = page.context["report"]
    assert (report.disputes, report.bookings, str(report.dispute_rate)) == (1, 3, "33.3")
    assert "33.3%" in page.content.decode()


def test_charts_are_drawn_as_accessible_svg_with_the_numbers_in_a_table(tenant_a, admin_page):
    # given
    released_booking(tenant_a, tag="chart", price=12_000)

    # when
    page = admin_page.get("/manage/?period=custom&from=2026-01-01&to=2026-01-07&per=day")
    html = page.content.decode()

    # then: four charts, each with a title and a description tied to it, wide and narrow
    assert page.status_code == 200
    for key, title in (
        ("gmv", "GMV per day"),
        ("bookings", "Bookings per day"),
        ("commission", "Commission per day"),
        ("dispute_rate", "Dispute rate per day"),
    ):
        assert f'id="chart-{key}"' in html
        assert f'<title id="{key}-wide-title">{title}</title>' in html
        assert f'aria-labelledby="{key}-narrow-title {key}-narrow-desc"' in html
    assert html.count("<desc ") == 8
    # one row per day in the table, with its heading cell
    assert html.count('<th scope="row">') >= 7
    assert "1 Jan" in html and "7 Jan" in html


def test_per_month_over_a_long_period(tenant_a, admin_page):
    page = admin_page.get("/manage/?period=custom&from=2025-01-15&to=2025-12-31")

    report = page.context["report"]
    assert page.status_code == 200
    assert report.per == "month" and len(report.points) == 12
    assert "GMV per month" in page.content.decode()


def test_the_csv_has_the_same_series_with_headers_and_a_named_file(tenant_a, admin_page):
    # given
    released_booking(tenant_a, tag="csv", price=12_345)
    day = _today(tenant_a)
    first = day - timedelta(days=6)

    # when
    response = admin_page.get(f"/manage/reports.csv?period=custom&from={first}&to={day}&per=day")

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="alpha-report-{first}-to-{day}-per-day.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "period_start",
        "bookings",
        "disputes",
        "dispute_rate_percent",
        "currency",
        "gmv",
        "commission",
        "platform_fee",
    ]
    assert [row[0] for row in rows[1:]] == [str(first + timedelta(days=n)) for n in range(7)]
    assert rows[-1][:6] == [str(day), "1", "0", "0.0", "USD", "123.45"]
    assert rows[1][1:] == ["0", "0", "", "USD", "0.00", "0.00", "0.00"]


def test_a_period_that_makes_no_sense_is_400_with_the_reason(tenant_a, admin_page):
    # when
    backwards = admin_page.get("/manage/?period=custom&from=2026-03-10&to=2026-03-01")
    too_long_per_day = admin_page.get("/manage/?period=custom&from=2024-01-01&to=2025-06-30&per=day")
    csv_backwards = admin_page.get("/manage/reports.csv?period=custom&from=2026-03-10&to=2026-03-01")

    # then: the reason next to the field; the page still shows this month
    assert backwards.status_code == 400
    assert "The last day is before the first." in backwards.content.decode()
    assert backwards.context["report"].first == _today(tenant_a).replace(day=1)
    assert too_long_per_day.status_code == 400
    assert "Per day shows at most a year" in too_long_per_day.content.decode()
    assert csv_backwards.status_code == 400


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_days(tenant_a, admin_page):
    # given: bookings spread over the last two months
    for n in range(6):
        released_booking(tenant_a, tag=f"q{n}", price=1_000 * (n + 1))
    with tenant_context(tenant_a):
        for n, booking in enumerate(Booking.objects.order_by("id")):
            Booking.objects.filter(pk=booking.pk).update(created_at=timezone.now() - timedelta(days=9 * n))
    day = _today(tenant_a)
    week = f"period=custom&from={day - timedelta(days=6)}&to={day}&per=day"
    two_months = f"period=custom&from={day - timedelta(days=59)}&to={day}&per=day"
    admin_page.get("/manage/")  # warm the per-process caches (the look, the host)

    # when
    for_a_week = _queries(admin_page, f"/manage/?{week}")
    for_two_months = _queries(admin_page, f"/manage/?{two_months}")
    csv_week = _queries(admin_page, f"/manage/reports.csv?{week}")
    csv_two_months = _queries(admin_page, f"/manage/reports.csv?{two_months}")

    # then
    assert for_a_week == for_two_months
    assert csv_week == csv_two_months


def test_the_report_itself_takes_a_fixed_number_of_queries(tenant_a, django_assert_num_queries):
    from web.manage.operations.reports import build_report

    with tenant_context(tenant_a):
        day = _today(tenant_a)
        # settings, money (2), bookings, disputes, providers, listings
        with django_assert_num_queries(7):
            build_report(first=day - timedelta(days=6), last=day, per="day", with_money=True)
        with django_assert_num_queries(7):
            build_report(first=day - timedelta(days=59), last=day, per="day", with_money=True)


def test_moderators_see_the_overview_without_the_money(tenant_a, web, moderator_a):
    # given
    released_booking(tenant_a, tag="mod", price=10_000)
    moderator = web(tenant_a, moderator_a)

    # when
    page = moderator.get("/manage/")
    exported = moderator.get("/manage/reports.csv")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="stat-bookings"' in html and 'id="stat-gmv"' not in html and "GMV per day" not in html
    assert "100.00 USD" not in html
    assert exported.status_code == 200
    assert "gmv" not in exported.content.decode().splitlines()[0]


def test_members_who_are_not_staff_cannot_open_the_overview(tenant_a, web):
    with tenant_context(tenant_a):
        client = UserFactory(email="client@alpha.test")

    assert web(tenant_a, client).get("/manage/").status_code == 403
    assert web(tenant_a, client).get("/manage/reports.csv").status_code == 403
    assert web(tenant_a).get("/manage/").status_code == 302


def test_another_marketplace_sees_none_of_it(tenant_a, tenant_b, web, admin_b):
    # given: money and bookings at alpha
    released_booking(tenant_a, tag="leak", price=10_000)

    # when: beta's admin opens beta's overview
    page = web(tenant_b, admin_b).get("/manage/")

    # then
    report = page.context["report"]
    assert (report.gmv, report.bookings, report.commission) == (0, 0, 0)
