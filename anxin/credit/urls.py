from django.urls import path

from anxin.credit import sanctions_views, views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    # sanctions part
    path("credit/sanctions/", sanctions_views.task_list, name="credit-sanction-list"),
    path("credit/sanctions/measures/", sanctions_views.measure_list, name="credit-sanction-measures"),
    path("credit/sanctions/<int:pk>/", sanctions_views.task_detail, name="credit-sanction-task"),
    # publication part (the portal's public page lives under /public/)
    # grades part
]
