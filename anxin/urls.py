"""URL map: screens, the REST API under /api/v1/, and the admin for the three admin roles."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "安薪 系统管理"
admin.site.site_title = "安薪"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("anxin.core.urls")),
    path("", include("anxin.org.urls")),
    path("", include("anxin.registry.urls")),
    path("", include("anxin.notify.urls")),
    path("", include("anxin.intake.urls")),
    path("", include("anxin.monitoring.urls")),
    path("", include("anxin.cases.urls")),
    path("", include("anxin.money.urls")),
    path("", include("anxin.money.funds_urls")),
    path("", include("anxin.money.claims_urls")),
    path("", include("anxin.sites.urls")),
    path("", include("anxin.credit.urls")),
    path("", include("anxin.conference.urls")),
    path("", include("anxin.reports.urls")),
    path("", include("anxin.assessment.urls")),
    path("captcha/", include("captcha.urls")),
    path("api/v1/", include(("anxin.api_urls", "api"), namespace="api")),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=static("anxin/favicon.svg"), permanent=True)),
]
