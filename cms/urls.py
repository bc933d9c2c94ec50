"""Content pages of a marketplace (its home page among them), the page editor and documents.
Mounted last on the marketplace host: every path no other page claims is a Wagtail page."""

from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from cms.access import cms_door

# Every view of the editor (Wagtail's and the choosers registered through hooks) behind one door.
editor_urls = decorate_urlpatterns(list(wagtailadmin_urls.urlpatterns), cms_door)

urlpatterns = [
    # One way in for everyone, one account page: the marketplace's own, not a second set for the editor.
    re_path(r"^cms/login/$", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    re_path(r"^cms/account/$", RedirectView.as_view(pattern_name="accounts:account")),
    path("cms/", include(editor_urls)),
    path("cms-documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]
