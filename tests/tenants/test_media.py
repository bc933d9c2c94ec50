"""Uploaded public files are served to the marketplace they belong to, and not found at another."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from tenants.context import tenant_context

pytestmark = pytest.mark.django_db


def test_a_marketplace_serves_its_own_files_and_not_another_s(tenant_a, tenant_b, settings):
    with tenant_context(tenant_a):
        name = default_storage.save("branding/logo-test.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32))
    assert name.startswith("alpha/")

    own = Client(HTTP_HOST="alpha.localhost").get(f"/media/{name}")
    elsewhere = Client(HTTP_HOST="beta.localhost").get(f"/media/{name}")
    escape = Client(HTTP_HOST="alpha.localhost").get("/media/alpha/../beta/branding/logo-test.png")

    assert own.status_code == 200 and b"".join(own.streaming_content).startswith(b"\x89PNG")
    assert own["X-Content-Type-Options"] == "nosniff"
    assert elsewhere.status_code == 404
    assert escape.status_code == 404
