"""The marketplace admin console, under /manage/ on a marketplace host: operations (overview and
reports, settings, catalogue, workflows, notifications, billing, audit, API keys), trust (providers,
listings, members, bookings, disputes, reviews), branding and domains."""

from web.manage.branding import urlpatterns as branding
from web.manage.domains import urlpatterns as domains
from web.manage.operations.urls import urlpatterns as operations
from web.manage.trust.urls import urlpatterns as trust

app_name = "manage"

urlpatterns = [*operations, *trust, *branding, *domains]
