"""The worker's 劳动计酬手册 on the public portal (no login: ID number and an SMS code).

Registered at ``seam.PUBLIC_URLS`` (the internet zone mounts it); the internal zone mounts it
through ``anxin.sites.urls``.
"""

from django.urls import path

from anxin.sites import handbook_views

urlpatterns = [
    path("public/handbook/", handbook_views.portal_handbook, name="portal-handbook"),
    path("public/handbook/verify/", handbook_views.portal_handbook_verify, name="portal-handbook-verify"),
    path("public/handbook/mine/", handbook_views.portal_handbook_mine, name="portal-handbook-mine"),
    path("public/handbook/leave/", handbook_views.portal_handbook_leave, name="portal-handbook-leave"),
]
