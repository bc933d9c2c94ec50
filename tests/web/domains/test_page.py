"""The domains page (/manage/domains/): the addresses and their status, adding a domain with its
errors next to the field, the DNS records to create, check now, make primary, remove."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from billing.models import Plan, PlanVersion, Subscription
from tenants.models import Domain
from tests.tenants.test_domains_verification import added, admin_of

pytestmark = pytest.mark.django_db

PAGE = "/manage/domains/"


@pytest.fixture
def admin_a(web, tenant_a):
    return web(tenant_a, admin_of(tenant_a))


@pytest.fixture
def admin_b(web, tenant_b):
    return web(tenant_b, admin_of(tenant_b))


def alpha_domains(tenant_a) -> list[str]:
    return sorted(Domain.objects.filter(tenant=tenant_a, kind="custom").values_list("domain", flat=True))


def field_errors(response, name: str = "domain") -> str:
    found = re.search(rf'<ul class="field-errors" id="id_{name}_errors">(.*?)</ul>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)) if found else ""


def test_the_page_lists_the_addresses_with_their_status(admin_a, tenant_a, dns):
    # given a verified primary-to-be, a pending domain whose CNAME points elsewhere
    Domain.objects.filter(pk=added(tenant_a, "market.alpha-uni.edu").pk).update(verification="verified")
    pending = added(tenant_a, "shop.alpha-uni.edu")
    dns.records["shop.alpha-uni.edu"] = {"CNAME": ["elsewhere.example.net"]}
    from tenants.services.domains import domain_verify

    domain_verify(domain=pending)

    # when
    page = admin_a.get(PAGE)

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "Visitors find your marketplace at <strong>alpha.localhost</strong>" in html
    row = html[html.index('id="domain-shop.alpha-uni.edu"') :]
    row = row[: row.index("</tr>")]
    assert "Waiting for DNS" in row
    assert "CNAME points to elsewhere.example.net, expected alpha.localhost." in row
    assert "Next check in" in row and "Last checked" in row
    verified_row = html[html.index('id="domain-market.alpha-uni.edu"') :]
    assert "Make primary" in verified_row[: verified_row.index("</tr>")]
    # the records to create, for the pending domain only
    assert 'id="records-for-shop.alpha-uni.edu"' in html
    assert f'data-copy="{pending.verification_token}"' in html
    assert "_mkt-verify.shop.alpha-uni.edu" in html
    assert 'id="records-for-market.alpha-uni.edu"' not in html


def test_only_admins_see_the_page(web, tenant_a):
    from tenants.context import tenant_context
    from tests.factories import UserFactory

    with tenant_context(tenant_a):
        member = UserFactory(email="member@example.org")

    anonymous = web(tenant_a).get(PAGE)
    as_member = web(tenant_a, member).get(PAGE)

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert as_member.status_code == 403
    assert b"Only marketplace admins can manage the marketplace" in as_member.content


def test_adding_a_domain_shows_its_records(admin_a, tenant_a):
    response = admin_a.post(PAGE, {"domain": " Market.Alpha-Uni.edu "})

    assert response.status_code == 302 and response["Location"] == PAGE
    domain = Domain.objects.get(domain="market.alpha-uni.edu")
    assert (domain.tenant_id, domain.verification) == (tenant_a.pk, "pending")
    page = admin_a.get(PAGE)
    assert b"market.alpha-uni.edu was added" in page.content
    assert domain.verification_token.encode() in page.content


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("http://market.example.edu", "Use a full domain name"),
        ("", "This field is required."),
        ("shop.localhost", "names are given by the platform"),
    ],
)
def test_a_bad_name_is_refused_next_to_the_field(admin_a, tenant_a, value, error):
    response = admin_a.post(PAGE, {"domain": value})

    assert response.status_code == 400
    assert error in field_errors(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert alpha_domains(tenant_a) == []


def test_a_domain_of_another_marketplace_is_refused(admin_a, tenant_a, tenant_b):
    added(tenant_b, "market.beta-agency.com")

    response = admin_a.post(PAGE, {"domain": "market.beta-agency.com"})

    assert response.status_code == 400
    assert "Used by another marketplace; choose another." in field_errors(response)
    assert alpha_domains(tenant_a) == []
    assert b"market.beta-agency.com</span>" not in response.content  # not listed as alpha's


def test_a_plan_without_custom_domains_says_to_upgrade(admin_a, tenant_a):
    # given alpha on a small plan without custom domains
    plan = Plan.objects.create(code="tiny-domains", name="Tiny", rank=1, retired_at=timezone.now())
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        currency="USD",
        monthly_price=1_000,
        yearly_price=10_000,
        trial_days=0,
        platform_fee_bps=900,
        limits={},
        features=[],
    )
    Subscription.objects.filter(tenant=tenant_a).update(plan_version=version)

    # when
    page = admin_a.get(PAGE)
    response = admin_a.post(PAGE, {"domain": "market.alpha-uni.edu"})

    # then
    assert b"Your plan does not include custom domains." in page.content
    assert response.status_code == 400
    assert "Upgrade your plan to add one." in field_errors(response)
    assert alpha_domains(tenant_a) == []


def test_check_now_verifies_a_domain_and_is_throttled(admin_a, tenant_a, dns):
    # given
    domain = added(tenant_a, "market.alpha-uni.edu")
    check = f"{PAGE}market.alpha-uni.edu/check/"

    # when the record is not there yet
    first = admin_a.post(check, follow=True)

    # then
    assert b"market.alpha-uni.edu is not verified yet: market.alpha-uni.edu does not exist in DNS yet" in (
        first.content
    )

    # when it is there but checked again at once
    dns.records["_mkt-verify.market.alpha-uni.edu"] = {"TXT": [domain.verification_token]}
    throttled = admin_a.post(check)

    # then the page says so and nothing changed
    assert throttled.status_code == 429
    assert b"was checked a moment ago" in throttled.content
    assert Domain.objects.get(pk=domain.pk).verification == "pending"

    # when the throttle has passed
    from django.core.cache import cache

    cache.clear()
    verified = admin_a.post(check, follow=True)

    # then
    assert b"market.alpha-uni.edu is verified and now leads to this marketplace." in verified.content
    assert Domain.objects.get(pk=domain.pk).verification == "verified"


def test_make_primary_moves_the_admin_pages_to_the_domain(admin_a, tenant_a, run_on_commit):
    Domain.objects.filter(pk=added(tenant_a, "market.alpha-uni.edu").pk).update(verification="verified")

    with run_on_commit():
        response = admin_a.post(f"{PAGE}market.alpha-uni.edu/primary/")
    after = admin_a.get(PAGE)

    assert response.status_code == 302
    assert Domain.objects.get(tenant=tenant_a, is_primary=True).domain == "market.alpha-uni.edu"
    assert after.status_code == 301 and "://market.alpha-uni.edu" in after["Location"]
    assert after["Location"].endswith("/manage/domains/")


def test_a_pending_domain_cannot_be_made_primary_and_the_page_says_why(admin_a, tenant_a):
    added(tenant_a, "market.alpha-uni.edu")

    response = admin_a.post(f"{PAGE}market.alpha-uni.edu/primary/")

    assert response.status_code == 409
    assert b"Only a verified domain can be primary" in response.content
    assert Domain.objects.get(tenant=tenant_a, is_primary=True).domain == "alpha.localhost"


def test_removing_asks_first_then_removes(admin_a, tenant_a):
    added(tenant_a, "market.alpha-uni.edu")
    remove = f"{PAGE}market.alpha-uni.edu/remove/"

    confirm = admin_a.get(remove)
    assert confirm.status_code == 200
    assert b"Remove market.alpha-uni.edu?" in confirm.content
    assert alpha_domains(tenant_a) == ["market.alpha-uni.edu"]

    done = admin_a.post(remove, follow=True)
    assert b"market.alpha-uni.edu was removed." in done.content
    assert alpha_domains(tenant_a) == []


def test_the_primary_domain_cannot_be_removed(admin_a, tenant_a, run_on_commit):
    Domain.objects.filter(pk=added(tenant_a, "market.alpha-uni.edu").pk).update(verification="verified")
    from tenants.services.domains import domain_make_primary

    domain_make_primary(actor=admin_of(tenant_a), tenant=tenant_a, domain="market.alpha-uni.edu")
    custom = admin_a
    custom.defaults["HTTP_HOST"] = "market.alpha-uni.edu"  # the subdomain redirects its pages now

    confirm = custom.get(f"{PAGE}market.alpha-uni.edu/remove/")
    refused = custom.post(f"{PAGE}market.alpha-uni.edu/remove/")

    assert b"This is the primary domain." in confirm.content
    assert b"Remove domain" not in confirm.content
    assert refused.status_code == 409
    assert alpha_domains(tenant_a) == ["market.alpha-uni.edu"]


def test_alpha_never_sees_or_acts_on_betas_domains(admin_a, admin_b, tenant_a, tenant_b):
    # given beta's verified and pending domains
    Domain.objects.filter(pk=added(tenant_b, "market.beta-agency.com").pk).update(verification="verified")
    added(tenant_b, "shop.beta-agency.com")

    # when alpha's admin looks and tries every action on them
    page = admin_a.get(PAGE)
    primary = admin_a.post(f"{PAGE}market.beta-agency.com/primary/")
    check = admin_a.post(f"{PAGE}shop.beta-agency.com/check/")
    confirm = admin_a.get(f"{PAGE}shop.beta-agency.com/remove/")
    remove = admin_a.post(f"{PAGE}shop.beta-agency.com/remove/")
    subdomain = admin_a.post(f"{PAGE}beta.localhost/primary/")

    # then nothing of beta's shows or changes
    assert b"beta-agency.com" not in page.content and b"beta.localhost" not in page.content
    assert primary.status_code == check.status_code == confirm.status_code == remove.status_code == 404
    assert subdomain.status_code == 404
    assert sorted(Domain.objects.filter(tenant=tenant_b).values_list("domain", "is_primary")) == [
        ("beta.localhost", True),
        ("market.beta-agency.com", False),
        ("shop.beta-agency.com", False),
    ]
    assert b"market.beta-agency.com" in admin_b.get(PAGE).content
