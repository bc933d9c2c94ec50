"""The page editor, white-labelled: the marketplace's colours, its own choosers, a way back to the
marketplace's console, and no links out to Wagtail's site."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.admin_look import admin_css
from cms.choosers import listing_chooser, provider_chooser, review_chooser


@hooks.register("register_admin_viewset")
def register_choosers():
    return [listing_chooser, provider_chooser, review_chooser]


@hooks.register("insert_global_admin_css")
def marketplace_colours():
    from branding.selectors import site_look

    return format_html("<style>{}</style>", admin_css(site_look().palette))


@hooks.register("register_admin_menu_item")
def console_menu_item():
    return MenuItem(_("Marketplace console"), "/manage/", icon_name="arrow-left", order=10_000, name="console")


@hooks.register("construct_main_menu")
def hide_links_out(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name != "help"]
