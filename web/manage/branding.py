"""The branding page: edit the draft look, preview it on the whole site, publish or discard it."""

urlpatterns: list = []
