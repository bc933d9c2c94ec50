from tenants.seeding import register_seeder


@register_seeder
def seed_settings(*, tenant, admin) -> None:
    """Every new marketplace starts with its settings row, named after the marketplace."""
    from marketplace.configuration.models import MarketplaceSettings

    MarketplaceSettings.objects.create(display_name=tenant.name)
