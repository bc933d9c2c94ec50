"""The plans on offer, in words, for the platform's public pages (landing, pricing, sign-up): each
plan's current version — prices, trial, the platform's transaction fee, limits and features — read
from `billing` (never written down here), so a change of terms shows at once."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.entitlements import FEATURE_NAMES
from billing.models import FEATURES, LIMITS, Plan, PlanVersion
from billing.selectors import plans_offered
from marketplace.common.money import Money

FEATURE_WORDS = {
    "custom_domain": gettext_lazy("Your own domain (market.your-university.edu)"),
    "remove_branding": gettext_lazy("No “powered by” mark: only your brand"),
    "api_access": gettext_lazy("API keys for your CRM, SIS or data warehouse"),
    "milestone_workflow": gettext_lazy("Milestone projects with staged payments"),
    "opensearch": gettext_lazy("Large-catalogue search (OpenSearch)"),
    "priority_support": gettext_lazy("Priority support"),
}
LIMIT_WORDS = {
    "active_providers": gettext_lazy("Active providers"),
    "active_listings": gettext_lazy("Active listings"),
    "bookings_per_month": gettext_lazy("Bookings a month"),
    "staff_seats": gettext_lazy("Staff seats (admins and moderators)"),
    "storage_mb": gettext_lazy("File storage"),
}


@dataclass(frozen=True)
class Limit:
    key: str
    name: str
    value: int | None  # None: unlimited
    shown: str  # "25", "1 GB", "Unlimited"


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    included: bool


@dataclass(frozen=True)
class PlanTerms:
    code: str
    name: str
    rank: int
    version: int
    monthly: Money
    yearly: Money
    yearly_per_month: Money  # the yearly price / 12, rounded down
    yearly_saving_percent: int  # against twelve monthly payments
    trial_days: int
    fee_bps: int
    fee: str  # "3%", "2.5%"
    limits: list[Limit]
    features: list[Feature]  # every feature, included or not

    @property
    def included_features(self) -> list[Feature]:
        return [feature for feature in self.features if feature.included]


def percent(bps: int) -> str:
    """Basis points as a percentage in words: 300 → "3%", 250 → "2.5%", 125 → "1.25%"."""
    whole, rest = divmod(bps, 100)
    return f"{whole}%" if not rest else f"{bps / 100:.2f}".rstrip("0") + "%"


def limit_shown(key: str, value: int | None) -> str:
    if value is None:
        return _("Unlimited")
    if key == "storage_mb":
        if value >= 1024 and value % 1024 == 0:
            return _("%(n)s GB") % {"n": f"{value // 1024:,}"}
        return _("%(n)s MB") % {"n": f"{value:,}"}
    return f"{value:,}"


def terms(plan: Plan, version: PlanVersion) -> PlanTerms:
    monthly, yearly = version.price("month"), version.price("year")
    twelve = monthly.amount * 12
    saving = round(100 * (twelve - yearly.amount) / twelve) if twelve and yearly.amount < twelve else 0
    return PlanTerms(
        code=plan.code,
        name=plan.name,
        rank=plan.rank,
        version=version.number,
        monthly=monthly,
        yearly=yearly,
        yearly_per_month=Money(yearly.amount // 12, yearly.currency),
        yearly_saving_percent=saving,
        trial_days=version.trial_days,
        fee_bps=version.platform_fee_bps,
        fee=percent(version.platform_fee_bps),
        limits=[
            Limit(key, str(LIMIT_WORDS[key]), version.limit(key), limit_shown(key, version.limit(key)))
            for key in LIMITS
        ],
        features=[
            Feature(key, str(FEATURE_WORDS.get(key, FEATURE_NAMES.get(key, key))), key in version.features)
            for key in FEATURES
        ],
    )


def offered_terms() -> list[PlanTerms]:
    """Every plan that can be chosen now, small to large, with its current terms (one query each for
    plans and versions)."""
    return [terms(plan, max(plan.versions.all(), key=lambda v: v.number)) for plan in plans_offered()]
