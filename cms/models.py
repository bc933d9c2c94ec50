"""The marketplace's own pages, edited in Wagtail: the home page, content pages (about, policies) and
the help centre. Every marketplace schema has its own page tree, Site, search index and images."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import ArticleStreamBlock, ContentStreamBlock, HomeStreamBlock, hero_index


class HomePage(Page):
    """The marketplace's front page (the Site's root): a hero and live sections."""

    body = StreamField(HomeStreamBlock(), blank=True, use_json_field=True, verbose_name=_("Sections"))

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.ContentPage", "cms.HelpIndexPage"]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["main_block"] = hero_index(self.body)
        return context


class ContentPage(Page):
    """A page of text and sections: about, policies, how it works."""

    intro = models.TextField(_("Introduction"), blank=True, max_length=400)
    body = StreamField(ContentStreamBlock(), blank=True, use_json_field=True, verbose_name=_("Content"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]
    template = "cms/content_page.html"

    class Meta:
        verbose_name = _("content page")


class HelpIndexPage(Page):
    """The help centre: articles grouped by topic, and a search over them."""

    intro = models.TextField(_("Introduction"), blank=True, max_length=400)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.HelpArticlePage"]
    max_count_per_parent = 1
    template = "cms/help_index_page.html"

    class Meta:
        verbose_name = _("help centre")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import help_search, help_topics

        context = super().get_context(request, *args, **kwargs)
        query = (request.GET.get("q") or "").strip()[:200]
        context["query"] = query
        if query:
            context["results"] = help_search(index=self, query=query)
        else:
            context["topics"] = help_topics(index=self)
        return context


class HelpArticlePage(Page):
    """One help article, filed under a topic."""

    topic = models.CharField(_("Topic"), max_length=80, help_text=_("Articles are grouped by topic."))
    summary = models.CharField(_("Summary"), max_length=240, blank=True)
    body = StreamField(ArticleStreamBlock(), blank=True, use_json_field=True, verbose_name=_("Content"))

    content_panels = Page.content_panels + [FieldPanel("topic"), FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("topic"),
        index.FilterField("topic"),
    ]

    parent_page_types = ["cms.HelpIndexPage"]
    subpage_types: list[str] = []
    template = "cms/help_article_page.html"

    class Meta:
        verbose_name = _("help article")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import related_articles

        context = super().get_context(request, *args, **kwargs)
        context["related"] = related_articles(article=self)
        return context
