"""Screens of the construction sites (one block per part)."""

from django.urls import path  # noqa: F401

urlpatterns: list = [
    # roster and special account
    # payroll
    # deposits
    # handbook, notice board, the worker's public page
    # dashboard
]
