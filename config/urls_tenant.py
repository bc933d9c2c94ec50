"""URLs of a marketplace host (`<slug>.<platform domain>` or a verified custom domain)."""

from django.conf import settings
from django.urls import include, path

from accounts.api.urls import marketplace_urlpatterns
from billing import views as billing_views
from billing.urls import marketplace_urlpatterns as billing_api
from branding.api.urls import urlpatterns as branding_api
from config.urls_common import common_urlpatterns
from marketplace.audit.api.urls import urlpatterns as audit_api
from marketplace.bookings.api.calendar_views import calendar_feed
from marketplace.bookings.api.urls import urlpatterns as bookings_api
from marketplace.catalogue.api.urls import urlpatterns as catalogue_api
from marketplace.configuration.api.views import MarketplaceSettingsView
from marketplace.configuration.views import settings_view
from marketplace.disputes.api.urls import urlpatterns as disputes_api
from marketplace.invoicing.api.urls import urlpatterns as invoicing_api
from marketplace.live.views import LiveStreamView
from marketplace.messaging.api.urls import urlpatterns as messaging_api
from marketplace.notifications.api.urls import urlpatterns as notifications_api
from marketplace.notifications.views import unsubscribe_view
from marketplace.payments.api.urls import urlpatterns as payments_api
from marketplace.providers.api.urls import urlpatterns as providers_api
from marketplace.reviews.api.urls import urlpatterns as reviews_api
from marketplace.search.api.urls import urlpatterns as search_api
from tenants.api import DomainCheckView, DomainDetailView, DomainListView, DomainPrimaryView, MarketplaceInfoView
from tenants.storage import serve_public_media
from web.views import live_counts

api_v1 = [
    path("marketplace/", MarketplaceInfoView.as_view(), name="marketplace-info"),
    path("marketplace/settings/", MarketplaceSettingsView.as_view(), name="marketplace-settings"),
    path("live/", LiveStreamView.as_view(), name="live-stream"),
    path("marketplace/domains/", DomainListView.as_view(), name="marketplace-domains"),
    path("marketplace/domains/<str:domain>/", DomainDetailView.as_view(), name="marketplace-domain"),
    path("marketplace/domains/<str:domain>/check/", DomainCheckView.as_view(), name="marketplace-domain-check"),
    path("marketplace/domains/<str:domain>/primary/", DomainPrimaryView.as_view(), name="marketplace-domain-primary"),
    *marketplace_urlpatterns,
    *catalogue_api,
    *providers_api,
    *search_api,
    *bookings_api,
    *payments_api,
    *invoicing_api,
    *reviews_api,
    *disputes_api,
    *messaging_api,
    *notifications_api,
    *audit_api,
    *billing_api,
    *branding_api,
]

urlpatterns = [
    # Uploaded public files of this marketplace (only its own prefix), unless S3 serves them.
    *([path("media/<path:path>", serve_public_media, name="media")] if settings.SERVE_MEDIA else []),
    path("manage/settings/", settings_view, name="marketplace-settings-page"),
    path("manage/billing/", billing_views.billing_view, name="billing-page"),
    path("manage/billing/invoices/<str:public_id>.pdf", billing_views.invoice_pdf_view, name="billing-page-pdf"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("notifications/unsubscribe/<str:token>/", unsubscribe_view, name="notifications-unsubscribe"),
    path("live/counts/", live_counts, name="live-counts"),
    path("", include("web.console.support")),  # one-time sign-in links: welcome, support sessions
    *common_urlpatterns,
    path("api/v1/", include(api_v1)),
    path("provider/", include("web.provider.urls")),
    path("manage/", include("web.manage.urls")),
    path("", include("web.client.urls")),
    path("", include("cms.urls")),  # last: content pages, the home page among them
]
