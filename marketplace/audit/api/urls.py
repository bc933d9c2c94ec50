from django.urls import path

from marketplace.audit.api.views import AuditLogView

urlpatterns = [path("audit/", AuditLogView.as_view(), name="audit-log")]
