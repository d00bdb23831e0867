from django.urls import path

from anxin.credit import views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    # sanctions part
    # publication part (the portal's public page lives under /public/)
    # grades part
]
