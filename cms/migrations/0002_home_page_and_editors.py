"""What every marketplace schema holds before seeding (the template schema first, so clones start with
it): the Site's root page is a `HomePage` — Wagtail's own "welcome" page converted in place, so the
Site, its hostname and any history stay as they are — and the group of people who may edit pages,
with its permissions (see cms/access.py)."""

from django.db import migrations

EDITORS_GROUP = "Marketplace admins"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]
FILE_PERMISSIONS = {
    ("wagtailimages", "image"): ["add_image", "change_image", "delete_image", "choose_image"],
    ("wagtaildocs", "document"): ["add_document", "change_document", "delete_document", "choose_document"],
}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename.replace("_", " ").capitalize()}
    )
    return permission


def home_page_and_editors(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Collection = apps.get_model("wagtailcore", "Collection")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    home_type, _ = ContentType.objects.get_or_create(app_label="cms", model="homepage")
    plain_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    site = Site.objects.order_by("-is_default_site", "id").select_related("root_page").first()
    if site is not None and plain_type is not None and site.root_page.content_type_id == plain_type.pk:
        schema_editor.execute("INSERT INTO cms_homepage (page_ptr_id, body) VALUES (%s, '[]')", [site.root_page.pk])
        Page.objects.filter(pk=site.root_page.pk).update(content_type=home_type, title="Home", draft_title="Home")

    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(_permission(apps, "wagtailadmin", "admin", "access_admin"))
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root, permission=_permission(apps, "wagtailcore", "page", codename)
            )
    collection = Collection.objects.filter(depth=1).order_by("path").first()
    for (app_label, model), codenames in FILE_PERMISSIONS.items():
        for codename in codenames:
            permission = _permission(apps, app_label, model, codename)
            group.permissions.add(permission)
            if collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(home_page_and_editors, remove_editors)]
