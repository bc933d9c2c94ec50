"""The branding page's form. Values are checked again (and finally) by the branding services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branding import fonts
from branding.models import IMAGE_FIELDS

IMAGE_LABELS = {
    "logo": _("Logo"),
    "favicon": _("Favicon (square PNG)"),
    "social_image": _("Link preview picture"),
    "email_logo": _("Email logo (the logo when empty)"),
}
IMAGE_HINTS = {
    "logo": _("PNG, JPEG or WEBP, at most 1 MB, 32–2000 pixels a side. Shown in the header at 40 pixels high."),
    "favicon": _("PNG, at most 256 KB, 16–512 pixels a side."),
    "social_image": _("Shown when someone shares a link: 1200×630 pixels works best; at most 2 MB."),
    "email_logo": _("At the top of every email."),
}


class FontSelect(forms.Select):
    """Each option carries its CSS font stack, so the page's preview can switch fonts as you choose."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in fonts.FONTS:
            option["attrs"]["data-stack"] = fonts.FONTS[value].stack
        return option


def _color(label, used_for):
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "color-text", "spellcheck": "false", "autocomplete": "off"}),
        help_text=used_for,
    )


class BrandingForm(forms.Form):
    primary_color = _color(_("Primary colour"), _("Buttons, links and the header's accents. #RRGGBB."))
    accent_color = _color(_("Accent colour"), _("Highlights, badges and the home page's gradient. #RRGGBB."))
    text_color = _color(_("Text colour"), _("Body text and headings. #RRGGBB."))
    background_color = _color(_("Background colour"), _("Behind everything; cards are a shade lighter. #RRGGBB."))
    heading_font = forms.ChoiceField(label=_("Heading font"), choices=fonts.choices, widget=FontSelect)
    body_font = forms.ChoiceField(label=_("Body font"), choices=fonts.choices, widget=FontSelect)
    tagline = forms.CharField(
        label=_("Tagline"), required=False, max_length=200, help_text=_("One sentence: in link previews and emails.")
    )
    email_sender_name = forms.CharField(
        label=_("Email sender name"),
        required=False,
        max_length=120,
        help_text=_("The name people see on our emails; the marketplace's name when empty."),
    )
    footer_links = forms.CharField(
        label=_("Footer links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: label | address, e.g. “Help | /help/”. At most 8."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in IMAGE_FIELDS:
            self.fields[key] = forms.FileField(
                label=IMAGE_LABELS[key],
                required=False,
                help_text=IMAGE_HINTS[key],
                widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            )
            self.fields[f"remove_{key}"] = forms.BooleanField(label=_("Remove it"), required=False)

    @staticmethod
    def links_to_text(links: list[dict]) -> str:
        return "\n".join(f"{link['label']} | {link['url']}" for link in links or [])

    def clean_footer_links(self) -> list[dict]:
        links = []
        for line in (self.cleaned_data.get("footer_links") or "").splitlines():
            if not line.strip():
                continue
            label, _sep, url = line.partition("|")
            links.append({"label": label.strip(), "url": url.strip()})
        return links

    def changes(self) -> tuple[dict, dict]:
        """(changes, files) for `branding_draft_update`."""
        data = self.cleaned_data
        changes = {
            key: data[key]
            for key in (
                "primary_color",
                "accent_color",
                "text_color",
                "background_color",
                "heading_font",
                "body_font",
                "tagline",
                "email_sender_name",
                "footer_links",
            )
        }
        files = {}
        for key in IMAGE_FIELDS:
            if data.get(key):
                files[key] = data[key]
            elif data.get(f"remove_{key}"):
                changes[key] = ""
        return changes, files
