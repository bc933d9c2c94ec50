from django.db.models import QuerySet

from accounts.models import Invitation, User


def users_list(*, status: str | None = None, role: str | None = None, search: str | None = None) -> QuerySet[User]:
    from accounts.models import ROLE_FIELDS, Role

    users = User.objects.all()
    if status:
        users = users.filter(status=status)
    if role in Role.values:
        users = users.filter(**{ROLE_FIELDS[Role(role)]: True})
    if search:
        users = users.filter(email__icontains=search) | users.filter(full_name__icontains=search)
    return users.order_by("email")


def user_by_public_id(public_id: str) -> User | None:
    return User.objects.filter(public_id=public_id).first()


def invitations_list() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("invited_by").order_by("-created_at")
