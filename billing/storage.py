"""Storage a marketplace uses: the bytes of every file kept under its prefix (public media such as
listing images, private files such as verification documents and dispute evidence).

Uploads go through the tenant storages (tenants/storage.py), which ask `storage_admit` before a file
is written (402 when the plan's storage_mb would be exceeded) and report it to `storage_changed`
after; the counter (`StorageUsage`) moves by the file's size in one UPDATE. `storage_measure`, run
nightly per marketplace (`billing.measure_storage`), walks the storage and sets the counter to the
truth, so files written by a transaction that rolled back, or removed outside the application, are
corrected within a day."""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.models import F
from django.utils import timezone

from billing.models import StorageUsage

MB = 1024 * 1024


def _tenant_id() -> int | None:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "pk", None) if getattr(tenant, "schema_name", "public") != "public" else None


def used_bytes() -> int:
    """What the current marketplace keeps now, as counted (its schema must be active)."""
    tenant_id = _tenant_id()
    if tenant_id is None:
        return 0
    return StorageUsage.objects.filter(tenant_id=tenant_id).values_list("bytes", flat=True).first() or 0


def used_mb(used: int | None = None) -> int:
    """Whole megabytes begun: 1 byte counts as 1 MB, 1 MB exactly as 1."""
    used = used_bytes() if used is None else used
    return -(-used // MB)


def storage_admit(size: int | None) -> None:
    """Before a file of `size` bytes is stored: 402 when it would take the marketplace past its plan's
    storage (counted in megabytes begun)."""
    from billing import entitlements

    if not size or _tenant_id() is None:
        return
    used = used_bytes()
    entitlements.check_limit(connection.tenant, "storage_mb", adding=used_mb(used + size) - used_mb(used))


def storage_changed(delta: int) -> None:
    """A file of `delta` bytes was stored (or, negative, deleted) for the current marketplace."""
    tenant_id = _tenant_id()
    if not delta or tenant_id is None:
        return
    updated = StorageUsage.objects.filter(tenant_id=tenant_id).update(bytes=F("bytes") + delta)
    if not updated:
        StorageUsage.objects.bulk_create(
            [StorageUsage(tenant_id=tenant_id, bytes=max(delta, 0))], ignore_conflicts=True
        )


def _stored_bytes(storage, prefix: str) -> int:
    if isinstance(storage, FileSystemStorage):
        root = os.path.join(storage.location, prefix)
        return sum(os.path.getsize(os.path.join(folder, name)) for folder, _, names in os.walk(root) for name in names)
    bucket = storage.bucket  # S3: one listing, no request per object
    location = f"{storage.location.strip('/')}/" if getattr(storage, "location", "") else ""
    return sum(item.size for item in bucket.objects.filter(Prefix=f"{location}{prefix}/"))


def storage_measure() -> StorageUsage | None:
    """Walk the current marketplace's storage prefixes and set its counter to what is there."""
    from tenants.storage import TenantPrivateStorage

    tenant_id = _tenant_id()
    if tenant_id is None:
        return None
    schema = connection.schema_name
    total = sum(_stored_bytes(storage, schema) for storage in (default_storage, TenantPrivateStorage()))
    usage, _ = StorageUsage.objects.update_or_create(
        tenant_id=tenant_id, defaults={"bytes": total, "measured_at": timezone.now()}
    )
    return usage
