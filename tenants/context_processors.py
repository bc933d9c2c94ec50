from django.conf import settings


def tenant(request):
    marketplace = getattr(request, "tenant", None)
    return {
        "marketplace": marketplace,
        "platform_name": settings.PLATFORM_NAME,
        "site_name": marketplace.name if marketplace else settings.PLATFORM_NAME,
    }
