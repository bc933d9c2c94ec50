"""Helpers for the provider dashboard's page tests: providers, their listings and bookings, files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes(size=(64, 48), colour=(30, 120, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_provider(tenant, *, email="pro@example.org", status="approved", headline="Designer of brands", **extra):
    """A member with a provider profile in `tenant` (approved unless said otherwise)."""
    with tenant_context(tenant):
        user = UserFactory(email=email, is_provider=True, full_name="Pia Provider")
        ProviderProfile.objects.create(user=user, headline=headline, status=status, **extra)
        return user


@pytest.fixture
def provider_b(tenant_b):
    """An approved provider at beta (an agency marketplace)."""
    return make_provider(tenant_b)


@pytest.fixture
def provider_a(tenant_a):
    return make_provider(tenant_a, email="alpha-pro@example.org")
