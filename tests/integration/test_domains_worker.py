"""A pending custom domain is verified by a real Celery worker, which asks the local DNS server over
the network. The worker sees only committed rows, so the domain (at beta) is committed before the
test's transaction begins and removed afterwards."""

from __future__ import annotations

import pytest

from tenants.models import Domain, Tenant
from tenants.tasks import verify_domain

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NAME = "worker.beta-agency.com"


@pytest.fixture(scope="module")
def committed_domain(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        domain = Domain.objects.create(
            tenant=Tenant.objects.get(schema_name="beta"),
            domain=NAME,
            kind="custom",
            verification="pending",
            is_primary=False,  # a new row is primary by default, which would demote beta's subdomain for good
        )
        yield domain
        Domain.objects.filter(pk=domain.pk).delete()


def test_a_real_worker_verifies_a_pending_domain(committed_domain, real_celery, dns):
    # given the CNAME to beta's platform host exists
    dns.records[NAME] = {"CNAME": ["beta.localhost"]}

    # when the check is queued (as adding the domain does after commit, and the beat job when due)
    result = verify_domain.apply_async(kwargs={"domain_id": committed_domain.pk, "_schema": "public"})

    # then the worker asked DNS and marked it verified (its commit is visible to each new statement)
    assert result.get(timeout=60) == "verified"
    row = Domain.objects.get(pk=committed_domain.pk)
    assert (row.verification, row.last_check_detail["record"]) == ("verified", "CNAME")
    assert row.verified_at is not None
    assert (NAME, "CNAME") in dns.queries
