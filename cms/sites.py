"""The Wagtail Site of a marketplace follows its address.

Every marketplace schema has one Wagtail `Site` (the default site, so any of the marketplace's hosts
finds it); its hostname and port are the marketplace's primary host, so Wagtail's own links and
previews point at the marketplace. A cloned schema starts with the template's, so provisioning and
every change of the primary domain call `site_hostname_sync`. Pages' full URLs come from Wagtail's
cached site root paths (a per-marketplace cache key): the update empties that cache, as Wagtail's own
Site saves do."""

from __future__ import annotations

from urllib.parse import urlsplit

from tenants.context import tenant_context


def site_hostname_sync(*, tenant) -> None:
    """Point the marketplace's Wagtail Site at its primary host (from any schema)."""
    from wagtail.models import Site

    from tenants.selectors import tenant_primary_url

    address = urlsplit(tenant_primary_url(tenant))
    port = address.port or (443 if address.scheme == "https" else 80)
    with tenant_context(tenant):
        Site.objects.update(hostname=address.hostname, port=port, is_default_site=True)
        Site.clear_site_root_paths_cache()
