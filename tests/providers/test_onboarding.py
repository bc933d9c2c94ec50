import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from marketplace.audit.models import AuditEvent
from marketplace.providers.models import Badge, ProviderProfile, VerificationDocument
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def applicant(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="tutor@example.org", full_name="Tara Tutor")


@pytest.fixture
def moderator(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="mod@example.org", is_moderator=True)


def _apply(api, auth, **extra):
    body = {
        "headline": "Calculus tutor, PhD student",
        "bio": "Ten years of teaching.",
        "skills": ["Calculus"],
        "languages": ["English"],
        **extra,
    }
    return api.post("/api/v1/providers/apply/", body, format="json", **auth)


def test_apply_upload_and_get_approved_with_badges(api_a, tenant_a, applicant, moderator, run_on_commit, mailoutbox):
    # given
    me = _auth(api_a, "tutor@example.org")
    applied = _apply(api_a, me)
    assert applied.status_code == 201 and applied.json()["status"] == "pending"
    uploaded = api_a.post(
        "/api/v1/providers/me/documents/", {"kind": "identity", "file": SimpleUploadedFile("passport.pdf", PDF)}, **me
    )
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "application/pdf"

    # when: a moderator reviews the queue and approves
    reviewer = _auth(api_a, "mod@example.org")
    queue = api_a.get("/api/v1/providers/review-queue/", **reviewer).json()
    profile_id = queue["results"][0]["id"]
    with run_on_commit():
        decided = api_a.post(
            f"/api/v1/providers/{profile_id}/decision/",
            {"decision": "approve", "badges": ["identity_verified"]},
            format="json",
            **reviewer,
        )

    # then
    assert queue["count"] == 1 and queue["results"][0]["documents"][0]["kind"] == "identity"
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert [b["kind"] for b in decided.json()["badges"]] == ["identity_verified"]
    assert mailoutbox[-1].subject == "[Alpha University] Your verification: approved"
    assert "Identity verified" in mailoutbox[-1].body
    public = api_a.get(f"/api/v1/providers/{profile_id}/").json()
    assert public["name"] == "Tara Tutor" and "documents" not in public and "email" not in public
    with tenant_context(tenant_a):
        assert User.objects.get(email="tutor@example.org").is_provider
        assert Badge.objects.get().granted_by.email == "mod@example.org"
        event = AuditEvent.objects.get(action="provider.approve")
        assert (event.before, event.after["status"], event.actor.email) == (
            {"status": "pending"},
            "approved",
            "mod@example.org",
        )


def test_request_info_then_reject_need_a_reason_and_notify(api_a, applicant, moderator, run_on_commit, mailoutbox):
    me = _auth(api_a, "tutor@example.org")
    profile_id = _apply(api_a, me).json()["id"]
    reviewer = _auth(api_a, "mod@example.org")

    no_reason = api_a.post(
        f"/api/v1/providers/{profile_id}/decision/", {"decision": "reject"}, format="json", **reviewer
    )
    with run_on_commit():
        asked = api_a.post(
            f"/api/v1/providers/{profile_id}/decision/",
            {"decision": "request_info", "reason": "Add your degree certificate."},
            format="json",
            **reviewer,
        )
    mine = api_a.get("/api/v1/providers/me/", **me).json()
    back_in_queue = api_a.post(
        "/api/v1/providers/me/documents/", {"kind": "credential", "file": SimpleUploadedFile("degree.png", PNG)}, **me
    )

    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]["fields"]
    assert asked.json()["status"] == "info_requested"
    assert "put on hold" in mailoutbox[-1].body and "Add your degree certificate." in mailoutbox[-1].body
    assert mine["decision_reason"] == "Add your degree certificate."
    assert back_in_queue.status_code == 201
    assert api_a.get("/api/v1/providers/me/", **me).json()["status"] == "pending"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("id.pdf", b"MZ\x90\x00" + b"\x00" * 60, "executable"),
        ("id.pdf", b"\x7fELF" + b"\x00" * 60, "executable"),
        ("logo.svg", b'<?xml version="1.0"?><svg onload="alert(1)"></svg>', "SVG"),
        ("id.pdf", b"just some text pretending to be a pdf", "not an accepted type"),
        ("id.png", b"%PDF" + b"\x00" * 60, "not an accepted type"),
    ],
)
def test_uploads_are_checked_by_content_and_nothing_is_stored(api_a, tenant_a, applicant, name, content, message):
    me = _auth(api_a, "tutor@example.org")
    _apply(api_a, me)

    response = api_a.post(
        "/api/v1/providers/me/documents/", {"kind": "identity", "file": SimpleUploadedFile(name, content)}, **me
    )

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert "file" in response.json()["error"]["fields"]
    with tenant_context(tenant_a):
        assert not VerificationDocument.objects.exists()


def test_too_large_upload_is_refused(api_a, applicant, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    me = _auth(api_a, "tutor@example.org")
    _apply(api_a, me)

    response = api_a.post(
        "/api/v1/providers/me/documents/",
        {"kind": "identity", "file": SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)},
        **me,
    )

    assert response.status_code == 400 and "at most" in response.json()["error"]["fields"]["file"][0]


def test_documents_are_private_to_owner_and_reviewers(api_a, api_b, tenant_a, applicant, moderator, settings):
    # given
    me = _auth(api_a, "tutor@example.org")
    profile_id = _apply(api_a, me).json()["id"]
    document = api_a.post(
        "/api/v1/providers/me/documents/", {"kind": "identity", "file": SimpleUploadedFile("passport.pdf", PDF)}, **me
    ).json()
    with tenant_context(tenant_a):
        UserFactory(email="nosy@example.org")
        stored = VerificationDocument.objects.get()
    url = f"/api/v1/providers/{profile_id}/documents/{document['id']}/"

    # then
    owner = api_a.get(url, **me)
    assert owner.status_code == 200 and b"".join(owner.streaming_content) == PDF
    assert owner["Cache-Control"] == "private, no-store"
    assert api_a.get(url, **_auth(api_a, "mod@example.org")).status_code == 200
    assert api_a.get(url, **_auth(api_a, "nosy@example.org")).status_code == 404
    assert api_a.get(url).status_code == 401
    assert api_b.get(url, **_auth(api_b, "admin@beta.test")).status_code == 404
    assert str(settings.PRIVATE_MEDIA_ROOT) in stored.file.path and "/alpha/" in stored.file.path
    with pytest.raises(ValueError):
        stored.file.url  # noqa: B018 - private files have no URL


def test_unapproved_profiles_are_not_public(api_a, applicant):
    me = _auth(api_a, "tutor@example.org")
    profile_id = _apply(api_a, me).json()["id"]

    assert api_a.get(f"/api/v1/providers/{profile_id}/").status_code == 404
    assert api_a.get(f"/api/v1/providers/{profile_id}/", **me).status_code == 200


def test_clients_cannot_review_and_nobody_reviews_themselves(api_a, tenant_a, applicant):
    with tenant_context(tenant_a):
        UserFactory(email="client@example.org")
    profile_id = _apply(api_a, _auth(api_a, "tutor@example.org")).json()["id"]
    with tenant_context(tenant_a):
        User.objects.filter(email="tutor@example.org").update(is_moderator=True)

    by_client = api_a.post(
        f"/api/v1/providers/{profile_id}/decision/",
        {"decision": "approve"},
        format="json",
        **_auth(api_a, "client@example.org"),
    )
    by_self = api_a.post(
        f"/api/v1/providers/{profile_id}/decision/",
        {"decision": "approve"},
        format="json",
        **_auth(api_a, "tutor@example.org"),
    )

    assert by_client.status_code == 403
    assert by_self.status_code == 409 and by_self.json()["error"]["code"] == "own_application"
    with tenant_context(tenant_a):
        assert ProviderProfile.objects.get().status == "pending"


def test_bad_application_names_fields_and_applying_twice_conflicts(api_a, tenant_a, applicant):
    me = _auth(api_a, "tutor@example.org")

    bad = api_a.post(
        "/api/v1/providers/apply/", {"headline": "Hi", "skills": "maths", "remote": "yes"}, format="json", **me
    )
    good = _apply(api_a, me)
    again = _apply(api_a, me)

    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"headline", "skills", "remote"}
    assert good.status_code == 201
    assert again.status_code == 409
    with tenant_context(tenant_a):
        assert ProviderProfile.objects.count() == 1


def test_verification_off_approves_at_once(api_a, tenant_a, applicant):
    admin = _auth(api_a, "admin@alpha.test")
    api_a.patch("/api/v1/marketplace/settings/", {"provider_verification_required": False}, format="json", **admin)

    profile = _apply(api_a, _auth(api_a, "tutor@example.org")).json()

    assert profile["status"] == "approved"


def test_review_queue_is_per_marketplace(api_a, api_b, applicant):
    _apply(api_a, _auth(api_a, "tutor@example.org"))

    queue_b = api_b.get("/api/v1/providers/review-queue/", **_auth(api_b, "admin@beta.test")).json()

    assert queue_b["count"] == 0 and queue_b["results"] == []


def test_portfolio_items_show_on_the_public_profile(api_a, tenant_a, applicant, moderator):
    me = _auth(api_a, "tutor@example.org")
    profile_id = _apply(api_a, me).json()["id"]
    api_a.post(
        f"/api/v1/providers/{profile_id}/decision/",
        {"decision": "approve"},
        format="json",
        **_auth(api_a, "mod@example.org"),
    )

    added = api_a.post(
        "/api/v1/providers/me/portfolio/",
        {
            "title": "Exam results 2025",
            "description": "Nine of ten students passed.",
            "link": "https://example.org/results",
        },
        format="json",
        **me,
    )
    bad = api_a.post(
        "/api/v1/providers/me/portfolio/", {"title": "X", "link": "javascript:alert(1)"}, format="json", **me
    )
    public = api_a.get(f"/api/v1/providers/{profile_id}/").json()
    removed = api_a.delete(f"/api/v1/providers/me/portfolio/{added.json()['id']}/", **me)

    assert added.status_code == 201
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"title", "link"}
    assert [item["title"] for item in public["portfolio"]] == ["Exam results 2025"]
    assert removed.status_code == 204
    assert api_a.get(f"/api/v1/providers/{profile_id}/").json()["portfolio"] == []
