"""The public worker portal (群众网上反映): every page here answers without a login.

Registered at ``seam.PUBLIC_URLS``: the internet zone (``ANXIN_ZONE=public``) mounts these and no
other page of intake; the internal zone mounts them through ``anxin.intake.urls``.
"""

from django.urls import path

from anxin.intake import portal_views

urlpatterns = [
    path("public/", portal_views.portal_home, name="portal-home"),
    path("public/report/", portal_views.portal_report, name="portal-report"),
    path("public/report/done/", portal_views.portal_done, name="portal-done"),
    path("public/track/", portal_views.portal_track, name="portal-track"),
    path("public/leave/", portal_views.portal_leave, name="portal-leave"),
    path("public/track/<str:code>/", portal_views.portal_status, name="portal-status"),
    path("public/track/<str:code>/rate/", portal_views.portal_rate, name="portal-rate"),
    path("public/track/<str:code>/add/", portal_views.portal_add, name="portal-add"),
    path("public/recover/", portal_views.portal_recover, name="portal-recover"),
    path("public/recover/verify/", portal_views.portal_recover_verify, name="portal-recover-verify"),
]
