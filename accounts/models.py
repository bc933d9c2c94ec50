"""People. The same `User` table exists in the public schema (platform staff, operators) and in every
marketplace schema (that marketplace's admins, staff, providers and clients): the same email at two
marketplaces is two independent accounts."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from marketplace.common.models import PublicIdField, TimeStampedModel


class Role(models.TextChoices):
    """Roles inside a marketplace; a person may hold several (provider and client, say)."""

    ADMIN = "admin", "Marketplace admin"
    MODERATOR = "moderator", "Staff / moderator"
    PROVIDER = "provider", "Provider"
    CLIENT = "client", "Client"


ROLE_FIELDS = {
    Role.ADMIN: "is_marketplace_admin",
    Role.MODERATOR: "is_moderator",
    Role.PROVIDER: "is_provider",
    Role.CLIENT: "is_client",
}


class UserStatus(models.TextChoices):
    ACTIVE = "active", "Active"  # may sign in
    PENDING_APPROVAL = "pending_approval", "Waiting for approval"  # applied to an approval-only marketplace
    SUSPENDED = "suspended", "Suspended"  # blocked by an admin
    REJECTED = "rejected", "Rejected"  # application turned down


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields["is_active"] = fields.get("status", UserStatus.ACTIVE) == UserStatus.ACTIVE
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, email_verified_at=timezone.now())
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    public_id = PublicIdField("usr")
    email = models.EmailField(max_length=254)
    full_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=20, choices=UserStatus.choices, default=UserStatus.ACTIVE)
    # Mirrors `status == active` (a constraint keeps them equal); Django's auth and Wagtail read it.
    is_active = models.BooleanField(default=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)

    # Marketplace roles (tenant schemas).
    is_marketplace_admin = models.BooleanField(default=False)
    is_moderator = models.BooleanField(default=False)
    is_provider = models.BooleanField(default=False)
    is_client = models.BooleanField(default=False)

    # Platform roles (public schema): is_staff/is_superuser are platform staff, operators own marketplaces.
    is_staff = models.BooleanField(default=False)
    is_operator = models.BooleanField(default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(status__in=UserStatus.values), name="user_status_valid"),
            models.CheckConstraint(
                condition=models.Q(is_active=True, status=UserStatus.ACTIVE)
                | (models.Q(is_active=False) & ~models.Q(status=UserStatus.ACTIVE)),
                name="user_is_active_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def set_status(self, status: str) -> None:
        """Set the status and its mirror `is_active` together (save with both in update_fields)."""
        self.status = status
        self.is_active = status == UserStatus.ACTIVE

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def roles(self) -> list[str]:
        return [role.value for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Invitation(TimeStampedModel):
    """An invitation to join a marketplace with given roles. Only the token's hash is stored."""

    public_id = PublicIdField("inv")
    email = models.EmailField(max_length=254)
    roles = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class ApiKey(TimeStampedModel):
    """A long-lived key an admin makes for an integration (a CRM, a data warehouse): a sign-in token
    that acts as the admin who made it, named, never expiring, revoked by deleting its token. It only
    works while the marketplace's plan has API access (`accounts.authentication`)."""

    public_id = PublicIdField("key")
    name = models.CharField(max_length=80)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    token_digest = models.CharField(max_length=128, unique=True)  # the sign-in token (knox) it is
    prefix = models.CharField(max_length=16)  # the token's first characters, to tell keys apart
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
