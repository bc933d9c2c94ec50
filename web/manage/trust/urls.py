"""URL patterns of this group of pages (joined into the area's namespace by its parent urls.py)."""

urlpatterns: list = []
