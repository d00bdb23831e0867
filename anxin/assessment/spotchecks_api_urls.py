"""The spotchecks part's API under /api/v1/ (joined in ``assessment/api_urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
