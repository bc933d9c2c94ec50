"""The overview's figures for a period: key numbers and series per day or month, read through each
domain app's selectors — money from the ledger (`payments.selectors.money_totals`), bookings and
disputes by counting rows — in a fixed number of queries whatever the length of the period. Days
and months are the marketplace's (its time zone)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import formats
from django.utils import timezone as dj_timezone

from marketplace.bookings.selectors import bookings_made_per_period
from marketplace.catalogue.selectors import listings_active_count
from marketplace.common.money import CURRENCY_EXPONENTS
from marketplace.configuration.selectors import marketplace_settings
from marketplace.disputes.selectors import disputes_opened_per_period
from marketplace.payments.selectors import money_totals
from marketplace.providers.selectors import providers_active_count

MONEY_FIGURES = ("gmv", "commission", "platform_fee")


@dataclass(frozen=True)
class Point:
    """One day or month of the period."""

    start: datetime.date
    label: str  # "3 Mar" (days) or "Mar 2026" (months)
    gmv: int
    commission: int
    platform_fee: int
    bookings: int
    disputes: int

    @property
    def dispute_rate(self) -> Decimal | None:
        """Disputes opened per 100 bookings made in the same day or month (None without bookings)."""
        return rate(self.disputes, self.bookings)


@dataclass(frozen=True)
class Report:
    first: datetime.date
    last: datetime.date  # included
    per: str  # day | month
    time_zone: str
    currency: str
    with_money: bool
    points: list[Point]
    gmv: int
    commission: int  # the marketplace's share of releases, after the platform's fee
    platform_fee: int
    refunds: int
    escrow_held: int  # at the end of the period
    bookings: int
    disputes: int
    active_providers: int  # now
    active_listings: int  # now

    @property
    def dispute_rate(self) -> Decimal | None:
        return rate(self.disputes, self.bookings)


def rate(disputes: int, bookings: int) -> Decimal | None:
    if not bookings:
        return None
    return (Decimal(100 * disputes) / Decimal(bookings)).quantize(Decimal("0.1"))


def period_starts(first: datetime.date, last: datetime.date, per: str) -> list[datetime.date]:
    """The first day of every day or month from `first` to `last`."""
    if per == "day":
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    month, starts = first.replace(day=1), []
    while month <= last:
        starts.append(month)
        month += relativedelta(months=1)
    return starts


def marketplace_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(marketplace_settings().time_zone)


def today() -> datetime.date:
    return dj_timezone.localdate(timezone=marketplace_zone())


def build_report(*, first: datetime.date, last: datetime.date, per: str, with_money: bool) -> Report:
    """The figures for [first, last] (days in the marketplace's zone), grouped `per` day or month."""
    settings = marketplace_settings()
    zone = zoneinfo.ZoneInfo(settings.time_zone)
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    money: dict = {"periods": []}
    if with_money:
        money = money_totals(currency=settings.currency, since=since, until=until, per=per, zone=zone)
    by_period = {row["period"].astimezone(zone).date(): row for row in money["periods"]}
    bookings = bookings_made_per_period(since=since, until=until, per=per, zone=zone)
    disputes = disputes_opened_per_period(since=since, until=until, per=per, zone=zone)
    points = []
    for start in period_starts(first, last, per):
        row = by_period.get(start, {})
        points.append(
            Point(
                start=start,
                label=formats.date_format(start, "j M" if per == "day" else "M Y"),
                **{figure: row.get(figure, 0) for figure in MONEY_FIGURES},
                bookings=bookings.get(start, 0),
                disputes=disputes.get(start, 0),
            )
        )
    return Report(
        first=first,
        last=last,
        per=per,
        time_zone=settings.time_zone,
        currency=settings.currency,
        with_money=with_money,
        points=points,
        gmv=money.get("gmv", 0),
        commission=money.get("commission", 0),
        platform_fee=money.get("platform_fee", 0),
        refunds=money.get("refunds", 0),
        escrow_held=money.get("escrow_held", 0),
        bookings=sum(bookings.values()),
        disputes=sum(disputes.values()),
        active_providers=providers_active_count(),
        active_listings=listings_active_count(),
    )


def decimal_amount(amount: int, currency: str) -> str:
    """Minor units as a plain decimal in major units, for files: 123456 GBP -> "1234.56"."""
    exponent = CURRENCY_EXPONENTS[currency]
    return str((Decimal(amount) / (10**exponent)).quantize(Decimal(1).scaleb(-exponent)))


def csv_rows(report: Report) -> list[list[str]]:
    """The series as rows: a header, then one row per day or month."""
    header = ["period_start", "bookings", "disputes", "dispute_rate_percent"]
    if report.with_money:
        header += ["currency", "gmv", "commission", "platform_fee"]
    rows = [header]
    for point in report.points:
        row = [
            point.start.isoformat(),
            str(point.bookings),
            str(point.disputes),
            "" if point.dispute_rate is None else str(point.dispute_rate),
        ]
        if report.with_money:
            row += [report.currency, *(decimal_amount(getattr(point, f), report.currency) for f in MONEY_FIGURES)]
        rows.append(row)
    return rows
