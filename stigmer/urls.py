from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from executions.admin.dashboard import dashboard_view
from executions.ops.metrics import metrics_view
from stigmer.health import healthz

urlpatterns = [
    # Before the admin's own URLs, behind its login and staff check.
    path("admin/dashboard/", admin.site.admin_view(dashboard_view), name="stigmer-dashboard"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include("executions.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# JSON in the API's error shape under /api/, Django's pages elsewhere.
handler404 = "executions.api.errors.not_found"
handler500 = "executions.api.errors.server_error"
