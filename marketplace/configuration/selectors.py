from django.db import connection

from marketplace.configuration.models import MarketplaceSettings


def marketplace_settings() -> MarketplaceSettings:
    """The current marketplace's settings (created with defaults the first time they are read)."""
    found = MarketplaceSettings.objects.first()
    if found is not None:
        return found
    name = getattr(connection.tenant, "name", "") or "Marketplace"
    found, _ = MarketplaceSettings.objects.get_or_create(singleton=True, defaults={"display_name": name})
    return found
