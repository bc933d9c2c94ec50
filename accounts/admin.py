from django.contrib import admin

from accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "status", "is_operator", "is_staff", "created_at"]
    list_filter = ["status", "is_operator", "is_staff"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["public_id", "password", "last_login", "created_at", "updated_at"]
    exclude = ["groups", "user_permissions"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are suspended, never deleted: marketplaces, sign-ups and audit rows point at them,
        # and tenant-only tables (audit, Wagtail profiles) do not exist in the platform's schema.
        return False
