"""A marketplace's look: one row per marketplace schema, holding what visitors see (published) and
what an admin is preparing (the draft, previewed before it is published)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from marketplace.common.models import TimeStampedModel

# The fields a draft may change; images are storage names in the draft and file fields once published.
COLOR_FIELDS = ("primary_color", "accent_color", "text_color", "background_color")
FONT_FIELDS = ("body_font", "heading_font")
IMAGE_FIELDS = ("logo", "favicon", "social_image", "email_logo")
TEXT_FIELDS = ("tagline", "email_sender_name")
LOOK_FIELDS = (*COLOR_FIELDS, *FONT_FIELDS, *IMAGE_FIELDS, *TEXT_FIELDS, "footer_links")


class Branding(TimeStampedModel):
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    primary_color = models.CharField(max_length=7, default="#3346d3")
    accent_color = models.CharField(max_length=7, default="#0f766e")
    text_color = models.CharField(max_length=7, default="#1d2433")
    background_color = models.CharField(max_length=7, default="#f6f7fb")
    body_font = models.CharField(max_length=30, default="inter")
    heading_font = models.CharField(max_length=30, default="inter")
    logo = models.ImageField(upload_to="branding/", blank=True)
    favicon = models.ImageField(upload_to="branding/", blank=True)
    social_image = models.ImageField(upload_to="branding/", blank=True)  # link previews (Open Graph)
    email_logo = models.ImageField(upload_to="branding/", blank=True)  # falls back to the logo
    tagline = models.CharField(max_length=140, blank=True)  # under the name in link previews and emails
    email_sender_name = models.CharField(max_length=80, blank=True)  # falls back to the marketplace's name
    footer_links = models.JSONField(default=list)  # [{"label": "...", "url": "..."}], at most 8
    # Unpublished changes: {field: value}, images as storage names. Empty when nothing is pending.
    draft = models.JSONField(default=dict)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "branding"

    def __str__(self) -> str:
        return "Branding"

    def published_values(self) -> dict:
        return {
            field: (getattr(self, field).name if field in IMAGE_FIELDS else getattr(self, field))
            for field in LOOK_FIELDS
        }

    def draft_values(self) -> dict:
        """What the marketplace would look like if the draft were published."""
        return self.published_values() | self.draft
