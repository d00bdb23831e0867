"""Screens of the construction sites (one block per part)."""

from django.urls import path

from anxin.sites import deposit_views

urlpatterns: list = [
    # roster and special account
    # payroll
    # deposits
    path("projects/<int:pk>/deposit/<slug:do>/", deposit_views.deposit_act, name="deposit-act"),
    path("deposits/", deposit_views.deposit_list, name="deposit-list"),
    # handbook, notice board, the worker's public page
    # dashboard
]
