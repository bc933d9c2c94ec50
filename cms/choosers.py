"""Choosers in the page editor for the marketplace's own records: listings, providers and reviews.

Each is a Wagtail chooser (a searchable, paginated modal) over what the public may see right now,
in the current marketplace's schema, and a StreamField block storing the chosen record's id. What a
block shows is read again when the page is rendered, so a record that stops being public (a paused
listing, a hidden review) drops off the page without anyone editing it.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.widgets.chooser import BaseChooser


class SearchForm(BaseFilterForm):
    """A plain search box over a few text columns (these records are not in Wagtail's index)."""

    q = forms.CharField(
        label=_("Search term"), required=False, widget=forms.TextInput(attrs={"placeholder": _("Search")})
    )
    lookups: tuple[str, ...] = ()

    def filter(self, objects):
        objects = super().filter(objects)
        text = (self.cleaned_data.get("q") or "").strip()
        if text:
            match = Q()
            for lookup in self.lookups:
                match |= Q(**{f"{lookup}__icontains": text})
            objects = objects.filter(match)
            self.is_searching = True
            self.search_query = text
        return objects


class RecordChooseMixin:
    """The modal's table: the record's display name, then the viewset's extra columns."""

    filter_form_class = SearchForm
    per_page = 20
    display = staticmethod(str)
    extra_columns: tuple[tuple[str, str, object], ...] = ()

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = self.display
        return column

    @property
    def columns(self):
        return [self.title_column] + [
            Column(name, label=label, accessor=accessor) for name, label, accessor in self.extra_columns
        ]


class RecordChooserViewSet(ChooserViewSet):
    """A chooser over `get_object_list()` showing `display(record)` and `extra_columns`."""

    register_widget = False  # only our blocks use it, never model forms
    per_page = 20
    edit_item_text = ""
    search_lookups: tuple[str, ...] = ()
    extra_columns: tuple[tuple[str, str, object], ...] = ()

    @staticmethod
    def display(record) -> str:
        return str(record)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = {
            "filter_form_class": type("SearchForm", (SearchForm,), {"lookups": self.search_lookups}),
            "display": staticmethod(self.display),
            "extra_columns": self.extra_columns,
        }
        self.choose_view_class = type("ChooseView", (RecordChooseMixin, ChooseView), attrs)
        self.choose_results_view_class = type("ChooseResultsView", (RecordChooseMixin, ChooseResultsView), attrs)
        display = self.display
        self.base_widget_class = type(
            "RecordChooser", (BaseChooser,), {"get_display_title": lambda _widget, record: display(record)}
        )


def _provider_name(profile) -> str:
    return profile.user.full_name or profile.user.email


class ListingChooserViewSet(RecordChooserViewSet):
    model = "catalogue.Listing"
    icon = "list-ul"
    choose_one_text = _("Choose a listing")
    choose_another_text = _("Choose another listing")
    search_lookups = ("title", "provider__user__full_name", "category__name")
    extra_columns = (
        ("provider", _("Provider"), lambda listing: _provider_name(listing.provider)),
        ("category", _("Category"), lambda listing: listing.category.name),
    )

    @staticmethod
    def display(listing) -> str:
        return listing.title

    def get_object_list(self):
        from marketplace.catalogue.selectors import listings_public

        return listings_public().select_related("category", "provider__user").order_by("title", "id")


class ProviderChooserViewSet(RecordChooserViewSet):
    model = "providers.ProviderProfile"
    icon = "user"
    choose_one_text = _("Choose a provider")
    choose_another_text = _("Choose another provider")
    search_lookups = ("user__full_name", "headline")
    extra_columns = (("headline", _("Headline"), "headline"),)
    display = staticmethod(_provider_name)

    def get_object_list(self):
        from marketplace.providers.selectors import providers_public

        return providers_public().select_related("user").order_by("user__full_name", "id")


class ReviewChooserViewSet(RecordChooserViewSet):
    model = "reviews.Review"
    icon = "openquote"
    choose_one_text = _("Choose a review")
    choose_another_text = _("Choose another review")
    search_lookups = ("text", "provider__user__full_name", "listing__title")
    extra_columns = (("provider", _("About"), lambda review: _provider_name(review.provider)),)

    @staticmethod
    def display(review) -> str:
        text = " ".join(review.text.split())
        return f"{'★' * review.overall} “{text[:80]}{'…' if len(text) > 80 else ''}”"

    def get_object_list(self):
        from marketplace.reviews.selectors import public_client_reviews

        return public_client_reviews().exclude(text="").select_related("provider__user").order_by("-overall", "-id")


listing_chooser = ListingChooserViewSet("listing_chooser", url_prefix="choose/listings")
provider_chooser = ProviderChooserViewSet("provider_chooser", url_prefix="choose/providers")
review_chooser = ReviewChooserViewSet("review_chooser", url_prefix="choose/reviews")

ListingChooserBlock = listing_chooser.get_block_class(name="ListingChooserBlock", module_path="cms.choosers")
ProviderChooserBlock = provider_chooser.get_block_class(name="ProviderChooserBlock", module_path="cms.choosers")
ReviewChooserBlock = review_chooser.get_block_class(name="ReviewChooserBlock", module_path="cms.choosers")
