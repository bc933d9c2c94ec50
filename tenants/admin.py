from django.contrib import admin

from tenants.models import Domain, MarketplaceSignup, Tenant, TenantEvent


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary", "kind", "verification"]


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "schema_name", "kind", "status", "role", "created_at"]
    list_filter = ["status", "kind", "role"]
    search_fields = ["name", "schema_name"]
    readonly_fields = ["schema_name", "public_id", "role", "created_at", "updated_at", "closed_at", "purge_after"]
    inlines = [DomainInline]

    def has_delete_permission(self, request, obj=None):
        return False  # closing and purging go through tenants.services.lifecycle


@admin.register(MarketplaceSignup)
class MarketplaceSignupAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "owner", "status", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in MarketplaceSignup._meta.fields if f.name != "admin_password_hash"]
    exclude = ["admin_password_hash"]


@admin.register(TenantEvent)
class TenantEventAdmin(admin.ModelAdmin):
    list_display = ["tenant_slug", "action", "actor", "created_at"]
    list_filter = ["action"]
    readonly_fields = ["tenant", "tenant_slug", "actor", "action", "data", "created_at"]
