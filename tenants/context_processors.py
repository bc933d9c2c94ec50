from django.conf import settings


def tenant(request):
    from billing.entitlements import has_feature
    from tenants.selectors import platform_url

    marketplace = getattr(request, "tenant", None)
    return {
        "marketplace": marketplace,
        # The platform's "powered by" mark, unless the marketplace's plan allows removing it.
        "platform_mark": lambda: marketplace is None or not has_feature(marketplace, "remove_branding"),
        "platform_name": settings.PLATFORM_NAME,
        "platform_url": platform_url,
    }
