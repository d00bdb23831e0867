"""The emergency funds' screens (§三(八), §四(八)), under /money/."""

from django.urls import path

from anxin.money import funds_views as views

urlpatterns = [
    path("money/funds/", views.fund_list, name="fund-list"),
    path("money/funds/<slug:code>/", views.fund_detail, name="fund-detail"),
    path("money/funds/<slug:code>/appropriate/", views.fund_appropriate, name="fund-appropriate"),
    path("money/funds/<slug:code>/write-off/", views.advance_write_off, name="fund-write-off"),
    path("money/advances/<int:pk>/", views.advance_detail, name="advance-detail"),
    path("money/advances/<int:pk>/approve/", views.advance_approve, name="advance-approve"),
    path("money/advances/<int:pk>/return/", views.advance_return, name="advance-return"),
    path("money/cases/<int:case_id>/advances/new/", views.advance_new, name="advance-new"),
    path("money/cases/<int:case_id>/proceeds/new/", views.proceeds_new, name="proceeds-new"),
    path("money/proceeds/<int:pk>/", views.proceeds_detail, name="proceeds-detail"),
]
