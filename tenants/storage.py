"""File storage with one prefix per tenant: every name is stored under `<schema>/`.

The prefix is taken from the connection when a file is saved or read, so code that runs in a task
(which activates the task's tenant first) lands in the same place as code running in a request.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from django.db import connection


def _tenant_prefix() -> str:
    return getattr(connection, "schema_name", None) or "public"


class TenantPrefixMixin:
    def _prefixed(self, name: str) -> str:
        prefix = _tenant_prefix() + "/"
        return name if name.startswith(prefix) else prefix + name.lstrip("/")

    # Every way in goes through the prefix, so a name that belongs to another tenant
    # ("other/x.pdf") resolves to "<this tenant>/other/x.pdf" and is simply not found.
    def _save(self, name, content):
        from billing.storage import storage_admit, storage_changed

        size = getattr(content, "size", None)
        storage_admit(size)  # 402 when the marketplace's plan has no room left
        saved = super()._save(self._prefixed(name), content)
        storage_changed(size or 0)
        return saved

    def _open(self, name, mode="rb"):
        return super()._open(self._prefixed(name), mode)

    def exists(self, name):
        return super().exists(self._prefixed(name))

    def delete(self, name):
        from billing.storage import storage_changed

        name = self._prefixed(name)
        size = super().size(name) if super().exists(name) else 0
        super().delete(name)
        storage_changed(-size)

    def size(self, name):
        return super().size(self._prefixed(name))

    def url(self, name, *args, **kwargs):
        return super().url(self._prefixed(name), *args, **kwargs)

    def get_available_name(self, name, max_length=None):
        return super().get_available_name(self._prefixed(name), max_length=max_length)

    def generate_filename(self, filename):
        return self._prefixed(super().generate_filename(filename))


class TenantFileSystemStorage(TenantPrefixMixin, FileSystemStorage):
    """Local files under MEDIA_ROOT/<schema>/..."""


def _s3_storage_class():
    from storages.backends.s3 import S3Storage

    class TenantS3Storage(TenantPrefixMixin, S3Storage):
        """S3 objects under <bucket>/<schema>/..."""

    return TenantS3Storage


def __getattr__(name: str):
    # Imported lazily so boto3 is only loaded when S3 is configured.
    if name == "TenantS3Storage":
        return _s3_storage_class()
    raise AttributeError(name)


class TenantPrivateStorage(TenantPrefixMixin, FileSystemStorage):
    """Private files (verification documents) under PRIVATE_MEDIA_ROOT/<schema>/..., outside MEDIA_ROOT
    and with no URL: they are only ever streamed by a view that checks permission first."""

    @property
    def base_location(self):  # read at use time, so tests and settings changes take effect
        from django.conf import settings

        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    def url(self, name, *args, **kwargs):
        raise ValueError("private files have no public URL; stream them through a permission-checked view")


def private_storage():
    """Callable for FileField(storage=...): the private storage, resolved at use time."""
    return TenantPrivateStorage()


def serve_public_media(request, path: str):
    """Uploaded public files (logos, listing pictures) of the marketplace the request is for, when
    they are stored on this server's disk (SERVE_MEDIA; with S3 the bucket serves them). A path under
    another marketplace's prefix is not found here, even though the file exists."""
    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    if not path.startswith(f"{_tenant_prefix()}/"):
        raise Http404("No such file here.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
