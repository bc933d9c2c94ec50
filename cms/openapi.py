"""The API's OpenAPI schema documents the product's API, not the page editor's internal endpoints
(Wagtail's admin API under /cms/, built on DRF too)."""


def without_page_editor(endpoints):
    """drf-spectacular preprocessing hook: leave out every endpoint under /cms/."""
    return [endpoint for endpoint in endpoints if not endpoint[0].startswith("/cms/")]
