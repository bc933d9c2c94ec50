"""Custom-domain verification over the real DNS protocol, against a local authoritative server
(tests/tenants/dnsserver.py) that the `dns` fixture empties for each test and points the resolver at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tenants.dns import LookupStatus, get_resolver, parse_nameservers
from tenants.models import Domain
from tenants.selectors import route_for_host
from tenants.services.domains import (
    TooManyChecks,
    domain_add,
    domain_check_now,
    domain_verify,
    next_check_at,
)
from tenants.tasks import recheck_domains
from tests.tenants.dnsserver import ask

pytestmark = pytest.mark.django_db


def admin_of(tenant) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=f"admin@{tenant.schema_name}.test")


def added(tenant, name: str) -> Domain:
    """A pending custom domain (its first check is left to the test)."""
    with tenant_context(tenant):
        return domain_add(actor=admin_of(tenant), tenant=tenant, domain=name)


def audit_actions(tenant) -> list[tuple[str, str | None]]:
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(target_type="tenants.domain").values_list("action", "actor__email"))


# --- the local DNS server and the resolver ------------------------------------------------------------


def test_the_local_server_answers_over_udp_and_tcp(dns):
    dns.records["market.example.edu"] = {"CNAME": ["alpha.localhost"]}

    from dnslib import DNSRecord

    over_udp = DNSRecord.parse(ask(dns.port, "market.example.edu", "CNAME"))
    over_tcp = DNSRecord.parse(ask(dns.port, "market.example.edu", "CNAME", tcp=True))

    assert str(over_udp.rr[0].rdata) == str(over_tcp.rr[0].rdata) == "alpha.localhost."


def test_the_resolver_tells_found_missing_absent_and_silent_apart(dns):
    # given
    dns.records["_mkt-verify.market.example.edu"] = {"TXT": ["one", "two"]}
    dns.records["market.example.edu"] = {"A": ["192.0.2.1"]}
    resolver = get_resolver()

    # then
    assert resolver.lookup("_mkt-verify.Market.Example.edu.", "TXT").values == ("one", "two")
    assert resolver.lookup("market.example.edu", "CNAME").status == LookupStatus.NO_ANSWER
    assert resolver.lookup("other.example.edu", "CNAME").status == LookupStatus.NXDOMAIN
    dns.silent = True
    assert resolver.lookup("market.example.edu", "CNAME").status == LookupStatus.TIMEOUT


def test_nameservers_are_host_and_port_pairs():
    assert parse_nameservers("10.0.0.2, 127.0.0.1:5353,[::1]:5300") == [
        ("10.0.0.2", 53),
        ("127.0.0.1", 5353),
        ("::1", 5300),
    ]
    assert parse_nameservers("") == []


# --- verification ---------------------------------------------------------------------------------------


def test_the_txt_token_verifies_the_domain_and_it_routes_at_once(dns, tenant_a, run_on_commit):
    # given a pending domain (its host looked up, and remembered as unknown, by this process)
    domain = added(tenant_a, "market.alpha-uni.edu")
    assert route_for_host("market.alpha-uni.edu") is None
    dns.records["_mkt-verify.market.alpha-uni.edu"] = {"TXT": ["unrelated", domain.verification_token]}

    # when
    with run_on_commit():
        checked = domain_verify(domain=domain)

    # then
    assert (checked.verification, checked.last_check_result) == ("verified", "verified")
    assert checked.verified_at is not None and checked.next_check_at is None
    assert checked.last_check_message == "Verified through the TXT record."
    assert route_for_host("market.alpha-uni.edu").pk == tenant_a.pk
    assert ("domain.verified", None) in audit_actions(tenant_a)  # the system verified it


def test_a_cname_to_the_platform_host_verifies_the_domain(dns, tenant_a):
    dns.records["shop.alpha-uni.edu"] = {"CNAME": ["alpha.localhost"]}
    domain = added(tenant_a, "shop.alpha-uni.edu")

    checked = domain_verify(domain=domain.pk)

    assert checked.verification == "verified"
    assert checked.last_check_detail["record"] == "CNAME"


def test_a_chain_of_cnames_ending_at_the_platform_host_verifies_the_domain(dns, tenant_a):
    dns.records["www.alpha-uni.edu"] = {"CNAME": ["edge.cdn.example.net"]}
    dns.records["edge.cdn.example.net"] = {"CNAME": ["alpha.localhost"]}
    domain = added(tenant_a, "www.alpha-uni.edu")

    checked = domain_verify(domain=domain)

    assert checked.verification == "verified"


def test_a_cname_pointing_elsewhere_stays_pending_with_the_reason(dns, tenant_a):
    # given
    dns.records["market.alpha-uni.edu"] = {"CNAME": ["other.example.net"]}
    domain = added(tenant_a, "market.alpha-uni.edu")
    before = timezone.now()

    # when
    checked = domain_verify(domain=domain)

    # then
    assert (checked.verification, checked.last_check_result) == ("pending", "cname_elsewhere")
    assert checked.last_check_message == "CNAME points to other.example.net, expected alpha.localhost."
    assert before + timedelta(minutes=9) < checked.next_check_at <= timezone.now() + timedelta(minutes=10)
    assert route_for_host("market.alpha-uni.edu") is None
    assert audit_actions(tenant_a) == [("domain.added", "admin@alpha.test")]  # a failed check is not audited


def test_no_record_stays_pending_and_says_which_records_were_missing(dns, tenant_a):
    dns.records["market.alpha-uni.edu"] = {"A": ["192.0.2.10"]}
    domain = added(tenant_a, "market.alpha-uni.edu")

    checked = domain_verify(domain=domain)

    assert (checked.verification, checked.last_check_result) == ("pending", "no_record")
    assert checked.last_check_message == (
        "No TXT record found at _mkt-verify.market.alpha-uni.edu, and no CNAME record at market.alpha-uni.edu."
    )


def test_a_name_that_does_not_exist_stays_pending_as_nxdomain(dns, tenant_a):
    domain = added(tenant_a, "nowhere.alpha-uni.edu")

    checked = domain_verify(domain=domain)

    assert (checked.verification, checked.last_check_result) == ("pending", "nxdomain")
    assert checked.last_check_message.startswith("nowhere.alpha-uni.edu does not exist in DNS yet (NXDOMAIN)")


def test_dns_that_does_not_answer_leaves_the_domain_pending(dns, tenant_a):
    # given a server that stopped answering
    domain = added(tenant_a, "market.alpha-uni.edu")
    dns.silent = True

    # when
    checked = domain_verify(domain=domain)

    # then
    assert (checked.verification, checked.last_check_result) == ("pending", "timeout")
    assert checked.last_check_message == "DNS did not answer in time (we waited 1 s)."
    assert checked.next_check_at is not None


def test_another_marketplaces_token_or_host_does_not_verify_this_ones_domain(dns, tenant_a, tenant_b):
    # given beta's domain and token, and alpha's domain whose records carry beta's
    betas = added(tenant_b, "market.beta-agency.com")
    alphas = added(tenant_a, "market.alpha-uni.edu")
    alphas_shop = added(tenant_a, "shop.alpha-uni.edu")
    dns.records["_mkt-verify.market.alpha-uni.edu"] = {"TXT": [betas.verification_token]}
    dns.records["shop.alpha-uni.edu"] = {"CNAME": ["beta.localhost"]}

    # when
    by_token = domain_verify(domain=alphas)
    by_cname = domain_verify(domain=alphas_shop)

    # then
    assert (by_token.verification, by_token.last_check_result) == ("pending", "txt_mismatch")
    assert by_token.last_check_message == (
        "The TXT record at _mkt-verify.market.alpha-uni.edu holds another value, not this domain's token."
    )
    assert (by_cname.verification, by_cname.last_check_detail["found"]) == ("pending", "beta.localhost")
    assert route_for_host("market.alpha-uni.edu") is None and route_for_host("shop.alpha-uni.edu") is None
    assert Domain.objects.get(pk=betas.pk).verification == "pending"


def test_a_verified_or_removed_domain_is_left_alone(dns, tenant_a):
    dns.records["shop.alpha-uni.edu"] = {"CNAME": ["alpha.localhost"]}
    domain = domain_verify(domain=added(tenant_a, "shop.alpha-uni.edu"))
    dns.queries.clear()

    again = domain_verify(domain=domain)
    gone = domain_verify(domain=999_999_999)

    assert again.verified_at == domain.verified_at and gone is None
    assert dns.queries == []  # DNS was not asked


# --- in the background ------------------------------------------------------------------------------


def test_adding_a_domain_checks_it_in_the_background_after_commit(dns, tenant_a, run_on_commit):
    # given the CNAME exists before the domain is added
    dns.records["market.alpha-uni.edu"] = {"CNAME": ["alpha.localhost"]}

    # when (the task runs eagerly at commit)
    with run_on_commit():
        domain = added(tenant_a, "market.alpha-uni.edu")

    # then
    assert Domain.objects.get(pk=domain.pk).verification == "verified"
    assert route_for_host("market.alpha-uni.edu").pk == tenant_a.pk


def test_the_beat_job_checks_the_pending_domains_that_are_due(dns, tenant_a, tenant_b):
    # given one domain due, one not yet, one of beta due
    due = added(tenant_a, "due.alpha-uni.edu")
    later = added(tenant_a, "later.alpha-uni.edu")
    betas = added(tenant_b, "due.beta-agency.com")
    now = timezone.now()
    Domain.objects.filter(pk__in=[due.pk, betas.pk]).update(next_check_at=now - timedelta(seconds=1))
    Domain.objects.filter(pk=later.pk).update(next_check_at=now + timedelta(minutes=5))
    dns.records["_mkt-verify.due.alpha-uni.edu"] = {"TXT": [due.verification_token]}

    # when
    queued = recheck_domains()

    # then each due domain was checked for itself; the other waits for its turn
    assert queued == 2
    assert Domain.objects.get(pk=due.pk).verification == "verified"
    beta_row = Domain.objects.get(pk=betas.pk)
    assert (beta_row.verification, beta_row.last_check_result) == ("pending", "nxdomain")
    assert Domain.objects.get(pk=later.pk).last_checked_at is None
    assert ("later.alpha-uni.edu", "TXT") not in dns.queries
    assert ("_mkt-verify.later.alpha-uni.edu", "TXT") not in dns.queries


def test_checks_back_off_from_ten_minutes_to_hourly_and_stop_after_seven_days():
    start = timezone.now()

    assert next_check_at(started=start, now=start + timedelta(minutes=5)) == start + timedelta(minutes=15)
    assert next_check_at(started=start, now=start + timedelta(minutes=61)) == start + timedelta(minutes=121)
    assert next_check_at(started=start, now=start + timedelta(days=7, minutes=-30)) == start + timedelta(days=7)
    assert next_check_at(started=start, now=start + timedelta(days=7)) is None


def test_after_seven_days_the_checks_stop_and_say_so(dns, tenant_a):
    # given a domain whose checks began eight days ago
    domain = added(tenant_a, "market.alpha-uni.edu")
    Domain.objects.filter(pk=domain.pk).update(checks_started_at=timezone.now() - timedelta(days=8))

    # when its last automatic check fails
    checked = domain_verify(domain=domain)

    # then it is failed, no further check is planned, the beat job leaves it, the audit log says so
    assert (checked.verification, checked.next_check_at) == ("failed", None)
    assert checked.last_check_result == "nxdomain"
    assert recheck_domains() == 0
    assert ("domain.verification_failed", None) in audit_actions(tenant_a)


def test_check_now_on_a_failed_domain_starts_a_new_round(dns, tenant_a):
    domain = added(tenant_a, "market.alpha-uni.edu")
    Domain.objects.filter(pk=domain.pk).update(
        verification="failed", next_check_at=None, checks_started_at=timezone.now() - timedelta(days=8)
    )

    checked = domain_check_now(actor=admin_of(tenant_a), tenant=tenant_a, domain="market.alpha-uni.edu")

    assert checked.verification == "pending"
    assert checked.checks_started_at > timezone.now() - timedelta(minutes=1)
    assert checked.next_check_at is not None


def test_check_now_verifies_in_the_admins_name_and_is_throttled(dns, tenant_a):
    # given
    domain = added(tenant_a, "market.alpha-uni.edu")
    admin = admin_of(tenant_a)
    first = domain_check_now(actor=admin, tenant=tenant_a, domain="market.alpha-uni.edu")
    dns.records["_mkt-verify.market.alpha-uni.edu"] = {"TXT": [domain.verification_token]}

    # when checked again at once
    with pytest.raises(TooManyChecks) as refused:
        domain_check_now(actor=admin, tenant=tenant_a, domain="market.alpha-uni.edu")

    # then the second check did not happen
    assert first.verification == "pending"
    assert refused.value.status_code == 429
    assert Domain.objects.get(pk=domain.pk).verification == "pending"

    # when the throttle has passed
    from django.core.cache import cache

    cache.delete(f"domain-check-now:{domain.pk}")
    checked = domain_check_now(actor=admin, tenant=tenant_a, domain="market.alpha-uni.edu")

    # then
    assert checked.verification == "verified"
    assert ("domain.verified", "admin@alpha.test") in audit_actions(tenant_a)


def test_check_now_through_the_api(dns, api_a, api_b, tenant_a):
    from tests.bookings.test_booking_api import _auth

    domain = added(tenant_a, "market.alpha-uni.edu")
    dns.records["market.alpha-uni.edu"] = {"CNAME": ["elsewhere.example.net"]}

    response = api_a.post("/api/v1/marketplace/domains/market.alpha-uni.edu/check/", **_auth(api_a, "admin@alpha.test"))
    again = api_a.post("/api/v1/marketplace/domains/market.alpha-uni.edu/check/", **_auth(api_a, "admin@alpha.test"))
    at_beta = api_b.post("/api/v1/marketplace/domains/market.alpha-uni.edu/check/", **_auth(api_b, "admin@beta.test"))

    body = response.json()
    assert response.status_code == 200
    assert (body["verification"], body["last_check_result"]) == ("pending", "cname_elsewhere")
    assert body["last_check_error"] == "CNAME points to elsewhere.example.net, expected alpha.localhost."
    assert body["next_check_at"] and body["last_checked_at"]
    assert (again.status_code, again.json()["error"]["code"]) == (429, "domain_checked_recently")
    assert at_beta.status_code == 404
    assert Domain.objects.get(pk=domain.pk).verification == "pending"
