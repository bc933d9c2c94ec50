from django.conf import settings


def tenant(request):
    from billing.entitlements import has_feature

    marketplace = getattr(request, "tenant", None)
    return {
        "marketplace": marketplace,
        # The platform's "powered by" mark, unless the marketplace's plan allows removing it.
        "platform_mark": lambda: marketplace is None or not has_feature(marketplace, "remove_branding"),
        "platform_name": settings.PLATFORM_NAME,
        "site_name": marketplace.name if marketplace else settings.PLATFORM_NAME,
    }
