"""Who may use the page editor (Wagtail's admin at /cms/), derived from the marketplace's roles.

Wagtail decides with Django permissions held through groups: every marketplace schema has one group,
`EDITORS_GROUP` (made by the `cms` migrations), with access to the admin, every page permission below
the root (add, change, publish, delete, lock, unlock) and images and documents in the root collection.
Nobody is a Django superuser, so the Users, Groups, Sites and Settings screens stay closed to
everyone at a marketplace.

Membership is not kept by hand: `editor_access_sync` makes it match the policy's "cms.edit" (the
marketplace's admins) and runs at the door of every admin request (`cms_door`), so granting or
removing the admin role takes effect on that person's next request, whichever service changed it.
Signed-in people without the role get the product's 403 page; anonymous visitors the marketplace's
own sign-in page.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.db import connection

from accounts.permissions import POLICY, can

EDITORS_GROUP = "Marketplace admins"


def editor_access_sync(*, user) -> bool:
    """Put `user` in the editors' group if the policy lets them edit pages, take them out otherwise;
    returns whether they may edit. One query when nothing changes."""
    allowed = can(user, "cms.edit")
    member = user.groups.filter(name=EDITORS_GROUP).exists()
    if allowed and not member:
        group = Group.objects.filter(name=EDITORS_GROUP).first()
        if group is not None:
            user.groups.add(group)
    elif member and not allowed:
        user.groups.remove(*Group.objects.filter(name=EDITORS_GROUP))
    if allowed != member:
        for cached in ("_perm_cache", "_group_perm_cache", "_page_permission_cache"):
            if hasattr(user, cached):
                delattr(user, cached)
    return allowed


def cms_door(view):
    """In front of every Wagtail admin view: only on a marketplace host, only for those the policy
    allows; everyone else is sent to sign in or shown why not."""

    @wraps(view)
    def door(request, *args, **kwargs):
        from django.http import Http404

        from web.permissions import forbidden

        if getattr(request, "tenant", None) is None or connection.schema_name == "public":
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:login")
        if not editor_access_sync(user=request.user):
            return forbidden(request, POLICY["cms.edit"][1])
        return view(request, *args, **kwargs)

    return door
