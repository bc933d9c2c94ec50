"""Provider verification at /manage/providers/: the queue (waiting applications first), one
application with its private documents, and the reviewer's decision — audited and emailed by the
service; a refused decision changes nothing; the other marketplace sees nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.audit.models import AuditEvent
from marketplace.providers.models import ProviderProfile
from marketplace.providers.services import provider_apply, provider_document_add, provider_review
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.web.manage_trust.conftest import ADMIN, person

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _apply(tenant, email: str, name: str, headline: str) -> ProviderProfile:
    with tenant_context(tenant):
        user = UserFactory(email=email, full_name=name)
        profile = provider_apply(user=user, headline=headline, skills=["Statistics", "R"], languages=["English"])
        provider_document_add(
            user=user, kind="identity", upload=SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf")
        )
        return profile


@pytest.fixture
def applicant(tenant_a):
    return _apply(tenant_a, "ada@example.org", "Ada Applicant", "Statistics tutor, PhD student")


def test_the_queue_shows_waiting_applications_first_with_their_wait(admin, tenant_a, applicant):
    # given an approved provider who applied before the waiting one
    decided = _apply(tenant_a, "bo@example.org", "Bo Approved", "Calculus tutor for first years")
    with tenant_context(tenant_a):
        ProviderProfile.objects.filter(pk=decided.pk).update(created_at=applicant.created_at.replace(year=2020))
        provider_review(actor=person(tenant_a, ADMIN), profile=decided, decision="approve")

    # when
    everything = admin.get("/manage/providers/")
    approved = admin.get("/manage/providers/?status=approved")

    # then
    assert everything.status_code == 200
    page = everything.content.decode()
    assert page.index("Ada Applicant") < page.index("Bo Approved")  # waiting first, though younger
    assert "waiting" in page and 'aria-current="page"' in page
    assert "Ada Applicant" not in approved.content.decode() and "Bo Approved" in approved.content.decode()


def test_an_application_shows_the_profile_and_its_documents_through_the_private_view(admin, tenant_a, applicant):
    with tenant_context(tenant_a):
        document = applicant.documents.get()

    page = admin.get(f"/manage/providers/{applicant.public_id}/")
    link = f"/api/v1/providers/{applicant.public_id}/documents/{document.public_id}/"
    download = admin.get(link)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Statistics tutor, PhD student" in body and "passport.pdf" in body
    assert f'href="{link}"' in body
    assert "/media/" not in body  # no public file address
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"


def test_approving_with_a_badge_approves_audits_and_emails_the_applicant(
    admin, tenant_a, applicant, run_on_commit, mailoutbox
):
    # when
    with run_on_commit():
        response = admin.post(
            f"/manage/providers/{applicant.public_id}/", {"decision": "approve", "badges": ["identity_verified"]}
        )

    # then
    assert response.status_code == 302 and response["Location"] == "/manage/providers/"
    with tenant_context(tenant_a):
        profile = ProviderProfile.objects.get(pk=applicant.pk)
        assert profile.status == "approved" and profile.decided_by.email == ADMIN
        assert list(profile.badges.values_list("kind", flat=True)) == ["identity_verified"]
        event = AuditEvent.objects.get(action="provider.approve", target_id=applicant.public_id)
        assert (event.actor.email, event.after) == (ADMIN, {"status": "approved", "badges": ["identity_verified"]})
    assert [m.to for m in mailoutbox] == [["ada@example.org"]]
    followed = admin.get(response["Location"])
    assert "Ada Applicant is approved" in followed.content.decode()


@pytest.mark.parametrize("decision", ["reject", "request_info"])
def test_rejecting_or_asking_without_a_reason_is_a_400_next_to_the_field_and_changes_nothing(
    admin, tenant_a, applicant, decision, run_on_commit, mailoutbox
):
    with run_on_commit():
        response = admin.post(f"/manage/providers/{applicant.public_id}/", {"decision": decision, "reason": "  "})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_reason_errors"' in body and "Give a reason." in body
    assert 'aria-invalid="true"' in body
    with tenant_context(tenant_a):
        assert ProviderProfile.objects.get(pk=applicant.pk).status == "pending"
        assert not AuditEvent.objects.filter(action__startswith="provider.", target_id=applicant.public_id).exclude(
            action__in=["provider.applied", "provider.document_added"]
        )
    assert mailoutbox == []


def test_rejecting_with_a_reason_tells_the_applicant(admin, tenant_a, applicant, run_on_commit, mailoutbox):
    with run_on_commit():
        response = admin.post(
            f"/manage/providers/{applicant.public_id}/",
            {"decision": "reject", "reason": "The identity document is unreadable."},
        )

    assert response.status_code == 302
    with tenant_context(tenant_a):
        profile = ProviderProfile.objects.get(pk=applicant.pk)
        assert (profile.status, profile.decision_reason) == ("rejected", "The identity document is unreadable.")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ada@example.org"]


def test_a_moderator_reviews_providers(moderator, tenant_a, applicant):
    queue = moderator.get("/manage/providers/")
    decided = moderator.post(f"/manage/providers/{applicant.public_id}/", {"decision": "approve"})

    assert queue.status_code == 200 and "Ada Applicant" in queue.content.decode()
    assert decided.status_code == 302
    with tenant_context(tenant_a):
        assert ProviderProfile.objects.get(pk=applicant.pk).status == "approved"


def test_clients_and_strangers_cannot_open_the_queue(tenant_a, web):
    with tenant_context(tenant_a):
        client = UserFactory(email="curious@example.org")

    signed_out = web(tenant_a).get("/manage/providers/")
    as_client = web(tenant_a, client).get("/manage/providers/")

    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")
    assert as_client.status_code == 403
    assert "Only the marketplace&#x27;s admins and staff can review providers." in as_client.content.decode()


def test_the_other_marketplace_sees_nothing(tenant_a, tenant_b, web, applicant):
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    detail = beta_admin.get(f"/manage/providers/{applicant.public_id}/")
    decided = beta_admin.post(f"/manage/providers/{applicant.public_id}/", {"decision": "approve"})
    queue = beta_admin.get("/manage/providers/")

    assert (detail.status_code, decided.status_code) == (404, 404)
    assert "Ada Applicant" not in queue.content.decode()
    with tenant_context(tenant_a):
        assert ProviderProfile.objects.get(pk=applicant.pk).status == "pending"
