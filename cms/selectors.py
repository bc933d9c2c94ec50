"""Reads for content pages: the help centre's topics, search and related articles."""

from __future__ import annotations

from wagtail.models import Page


def _articles(index: Page):
    from cms.models import HelpArticlePage

    return HelpArticlePage.objects.live().public().child_of(index)


def help_topics(*, index: Page) -> list[tuple[str, list]]:
    """The help centre's live articles grouped by topic: topics in the order of their first article
    in the tree, articles in tree order. One query."""
    topics: dict[str, list] = {}
    for article in _articles(index).order_by("path").only("title", "slug", "url_path", "topic", "summary", "path"):
        topics.setdefault(article.topic.strip() or "", []).append(article)
    return list(topics.items())


def help_search(*, index: Page, query: str) -> list:
    """Live articles of this help centre matching `query` (Wagtail search, the marketplace's own
    index), best match first."""
    return list(_articles(index).search(query, operator="and")[:20])


def related_articles(*, article, limit: int = 5) -> list:
    """Other live articles on the same topic, in tree order."""
    return list(
        _articles(article.get_parent())
        .filter(topic=article.topic)
        .exclude(pk=article.pk)
        .order_by("path")
        .only("title", "slug", "url_path", "path")[:limit]
    )
