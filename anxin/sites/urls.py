"""Screens of the construction sites (one block per part)."""

from django.urls import path

from anxin.sites import dashboard_views

urlpatterns: list = [
    # roster and special account
    # payroll
    # deposits
    # handbook, notice board, the worker's public page
    # dashboard
    path("sites/", dashboard_views.site_dashboard, name="site-dashboard"),
]
