"""The traces part's pages (joined in ``assessment/urls.py``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
