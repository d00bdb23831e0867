"""Credit's page on the public portal (no login): 重大劳动保障违法行为社会公布 (人社部令第29号).

Registered at ``seam.PUBLIC_URLS`` (the internet zone mounts it); the internal zone mounts it
through ``anxin.credit.urls``.
"""

from django.urls import path

from anxin.credit import publication_views

urlpatterns = [
    path("public/violations/", publication_views.public_violations, name="portal-violations"),
]
