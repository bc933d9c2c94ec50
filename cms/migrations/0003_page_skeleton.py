"""The template holds the whole page tree, not only its root: under the home page an about page and a
help centre with four articles, all unpublished and blank. Every clone starts with them, so seeding a
new marketplace only writes its kind's words into existing rows (a few UPDATEs and one search-index
insert per page type) instead of building seven pages through the tree API. A schema whose home page
already has pages is left alone."""

from django.db import migrations

ARTICLES = 4  # every kind's help centre starts with this many (cms/seeds.py)


def page_skeleton(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("cms", "HomePage")

    home = HomePage.objects.order_by("path").first()
    if home is None or Page.objects.filter(path__startswith=home.path, depth__gt=home.depth).exists():
        return

    def child(model_name: str, *, parent, position: int, slug: str, title: str, numchild: int = 0):
        model = apps.get_model("cms", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="cms", model=model_name.lower())
        return model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=f"{parent.path}{position:04d}",
            depth=parent.depth + 1,
            numchild=numchild,
            url_path=f"{parent.url_path}{slug}/",
            locale_id=parent.locale_id,
            live=False,
            has_unpublished_changes=False,
        )

    child("ContentPage", parent=home, position=1, slug="about", title="About")
    help_index = child("HelpIndexPage", parent=home, position=2, slug="help", title="Help centre", numchild=ARTICLES)
    for number in range(1, ARTICLES + 1):
        child("HelpArticlePage", parent=help_index, position=number, slug=f"article-{number}", title=f"Article {number}")
    Page.objects.filter(pk=home.pk).update(numchild=2)


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_home_page_and_editors")]

    operations = [migrations.RunPython(page_skeleton, migrations.RunPython.noop)]
