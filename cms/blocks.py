"""The blocks content pages are built from.

Blocks that show live marketplace data (categories, listings, providers, reviews) store only what the
admin chose (a source such as "top rated", or chosen ids) and read the data when the page is rendered,
through the domain apps' selectors: a constant number of queries per block, however many rows there
are, and only what is public right now (a paused listing or a hidden review disappears at once).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

from cms.choosers import ListingChooserBlock, ProviderChooserBlock, ReviewChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]
STEP_ICONS = [
    ("search", _("Search")),
    ("calendar", _("Calendar")),
    ("chat", _("Conversation")),
    ("shield", _("Shield")),
    ("money", _("Payment")),
    ("check", _("Tick")),
    ("star", _("Star")),
    ("briefcase", _("Briefcase")),
    ("user", _("Person")),
    ("list", _("List")),
    ("globe", _("Globe")),
    ("chart", _("Chart")),
]
LIVE_SOURCES = [("top_rated", _("Top rated")), ("newest", _("Newest")), ("chosen", _("The ones I choose"))]


def category_choices() -> list[tuple[str, str]]:
    """The current marketplace's active categories, indented by depth (read when the form is drawn,
    so each marketplace's editor lists its own)."""
    from marketplace.catalogue.selectors import categories_list

    return [(c.public_id, "— " * (len(c.path) - 1) + c.name) for c in categories_list(active_only=True)]


def _link_is_valid(url: str) -> bool:
    if url.startswith("/") and not url.startswith("//"):
        return True
    try:
        URLValidator(schemes=["http", "https", "mailto"])(url)
    except ValidationError:
        return False
    return True


class LinkValue(blocks.StructValue):
    @property
    def href(self) -> str:
        page = self.get("page")
        if page is not None:
            return page.url or ""
        return self.get("url") or ""


class ButtonBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False, help_text=_("A page of this site…"))
    url = blocks.CharBlock(
        label=_("Or address"),
        required=False,
        max_length=300,
        help_text=_("…or an address: a path such as /search/?q=design, or a full https:// link."),
    )
    style = blocks.ChoiceBlock(
        label=_("Style"),
        choices=[("primary", _("Main")), ("secondary", _("Quiet")), ("accent", _("Accent"))],
        default="primary",
    )

    class Meta:
        icon = "link"
        label = _("Button")
        value_class = LinkValue

    def clean(self, value):
        value = super().clean(value)
        url = (value.get("url") or "").strip()
        if value.get("page") is None and not url:
            raise StructBlockValidationError({"url": ValidationError(_("Choose a page or give an address."))})
        if url and not _link_is_valid(url):
            raise StructBlockValidationError(
                {"url": ValidationError(_("Use a path starting with / or a full https:// address."))}
            )
        return value


class SectionBlock(blocks.StructBlock):
    """A home page section: a heading and an introduction above its content."""

    heading = blocks.CharBlock(label=_("Heading"), max_length=120, required=False)
    intro = blocks.TextBlock(label=_("Introduction"), required=False, max_length=400)


class HeroBlock(blocks.StructBlock):
    eyebrow = blocks.CharBlock(
        label=_("Small line above the heading"), required=False, max_length=80, help_text=_("e.g. Welcome to …")
    )
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    layout = blocks.ChoiceBlock(
        label=_("Layout"),
        choices=[
            ("banner", _("Banner in the brand colours")),
            ("split", _("Text beside a picture")),
            ("quiet", _("Quiet, on the page background")),
        ],
        default="banner",
    )
    show_search = blocks.BooleanBlock(label=_("Show a search box"), required=False, default=False)
    search_placeholder = blocks.CharBlock(
        label=_("Search box hint"), required=False, max_length=80, help_text=_("e.g. Try “calculus” or “essay”")
    )
    buttons = blocks.ListBlock(ButtonBlock(), label=_("Buttons"), max_num=3, default=[])
    image = ImageBlock(label=_("Picture"), required=False)
    points = blocks.ListBlock(
        blocks.CharBlock(max_length=80),
        label=_("Short points"),
        max_num=4,
        default=[],
        help_text=_("Up to four short reasons to trust the marketplace, shown with a tick."),
    )
    show_join = blocks.BooleanBlock(
        label=_("Tell signed-out visitors how to join"),
        required=False,
        default=True,
        help_text=_("Who may join this marketplace, with Join and Sign in buttons."),
    )

    class Meta:
        icon = "title"
        label = _("Hero")
        template = "cms/blocks/hero.html"


class CategoryGridBlock(SectionBlock):
    source = blocks.ChoiceBlock(
        label=_("Categories"),
        choices=[("top", _("The top-level categories")), ("chosen", _("The ones I choose"))],
        default="top",
    )
    categories = blocks.MultipleChoiceBlock(
        label=_("Chosen categories"),
        choices=category_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        search_index=False,  # ids, not words (and reading their names would query the catalogue)
    )
    limit = blocks.IntegerBlock(label=_("At most"), default=8, min_value=1, max_value=24)

    class Meta:
        icon = "table"
        label = _("Category grid")
        template = "cms/blocks/category_grid.html"

    def get_context(self, value, parent_context=None):
        from marketplace.catalogue.selectors import category_cards

        context = super().get_context(value, parent_context)
        chosen = value["categories"] if value["source"] == "chosen" else None
        context["cards"] = category_cards(public_ids=chosen, limit=value["limit"])
        return context


class FeaturedListingsBlock(SectionBlock):
    source = blocks.ChoiceBlock(label=_("Listings"), choices=LIVE_SOURCES, default="top_rated")
    listings = blocks.ListBlock(ListingChooserBlock(), label=_("Chosen listings"), default=[])
    limit = blocks.IntegerBlock(label=_("At most"), default=6, min_value=1, max_value=12)

    class Meta:
        icon = "list-ul"
        label = _("Featured listings")
        template = "cms/blocks/featured_listings.html"

    def get_context(self, value, parent_context=None):
        from marketplace.search.selectors import featured_listing_cards

        context = super().get_context(value, parent_context)
        chosen = [item.pk for item in value["listings"] if item is not None] if value["source"] == "chosen" else None
        order = value["source"] if value["source"] != "chosen" else "top_rated"
        context["cards"] = featured_listing_cards(order=order, chosen=chosen, limit=value["limit"])
        return context


class FeaturedProvidersBlock(SectionBlock):
    source = blocks.ChoiceBlock(label=_("Providers"), choices=LIVE_SOURCES, default="top_rated")
    providers = blocks.ListBlock(ProviderChooserBlock(), label=_("Chosen providers"), default=[])
    limit = blocks.IntegerBlock(label=_("At most"), default=4, min_value=1, max_value=12)

    class Meta:
        icon = "group"
        label = _("Featured providers")
        template = "cms/blocks/featured_providers.html"

    def get_context(self, value, parent_context=None):
        from marketplace.providers.selectors import provider_cards

        context = super().get_context(value, parent_context)
        chosen = [item.pk for item in value["providers"] if item is not None] if value["source"] == "chosen" else None
        order = value["source"] if value["source"] != "chosen" else "top_rated"
        context["cards"] = provider_cards(order=order, chosen=chosen, limit=value["limit"])
        return context


class TestimonialsBlock(SectionBlock):
    source = blocks.ChoiceBlock(
        label=_("Reviews"),
        choices=[("top_rated", _("The best rated")), ("chosen", _("The ones I choose"))],
        default="top_rated",
    )
    reviews = blocks.ListBlock(ReviewChooserBlock(), label=_("Chosen reviews"), default=[])
    limit = blocks.IntegerBlock(label=_("At most"), default=3, min_value=1, max_value=9)

    class Meta:
        icon = "openquote"
        label = _("Testimonials from reviews")
        template = "cms/blocks/testimonials.html"

    def get_context(self, value, parent_context=None):
        from marketplace.reviews.selectors import testimonials

        context = super().get_context(value, parent_context)
        chosen = [item.pk for item in value["reviews"] if item is not None] if value["source"] == "chosen" else None
        context["quotes"] = testimonials(chosen=chosen, limit=value["limit"])
        return context


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Question")


class FAQBlock(SectionBlock):
    items = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "cms/blocks/faq.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    buttons = blocks.ListBlock(ButtonBlock(), label=_("Buttons"), min_num=1, max_num=2)
    style = blocks.ChoiceBlock(
        label=_("Style"),
        choices=[("primary", _("Brand colour")), ("accent", _("Accent colour")), ("quiet", _("Quiet"))],
        default="primary",
    )

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=80)
    text = blocks.TextBlock(label=_("Text"), max_length=300)
    icon = blocks.ChoiceBlock(label=_("Icon"), choices=STEP_ICONS, default="check")

    class Meta:
        icon = "order"
        label = _("Step")


class HowItWorksBlock(SectionBlock):
    steps = blocks.ListBlock(StepBlock(), label=_("Steps"), min_num=2, max_num=6)

    class Meta:
        icon = "order"
        label = _("How it works")
        template = "cms/blocks/how_it_works.html"


class RichTextSectionBlock(blocks.RichTextBlock):
    class Meta:
        icon = "doc-full"
        label = _("Text")
        template = "cms/blocks/rich_text.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), max_length=500)
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote.html"


class PictureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Picture"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Picture")
        template = "cms/blocks/picture.html"


class HomeStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    category_grid = CategoryGridBlock()
    featured_listings = FeaturedListingsBlock()
    featured_providers = FeaturedProvidersBlock()
    testimonials = TestimonialsBlock()
    how_it_works = HowItWorksBlock()
    faq = FAQBlock()
    call_to_action = CallToActionBlock()
    rich_text = RichTextSectionBlock(features=RICH_TEXT_FEATURES)


class ContentStreamBlock(blocks.StreamBlock):
    rich_text = RichTextSectionBlock(features=RICH_TEXT_FEATURES)
    how_it_works = HowItWorksBlock()
    faq = FAQBlock()
    call_to_action = CallToActionBlock()
    quote = QuoteBlock()
    picture = PictureBlock()


class ArticleStreamBlock(blocks.StreamBlock):
    rich_text = RichTextSectionBlock(features=RICH_TEXT_FEATURES)
    faq = FAQBlock()
    call_to_action = CallToActionBlock()
    picture = PictureBlock()


def hero_index(body) -> int | None:
    """The position of the first hero of a page's body: its heading is the page's h1."""
    for index, block in enumerate(body):
        if block.block_type == "hero":
            return index
    return None
