from django.urls import path

from anxin.credit import listing_views, views

urlpatterns = [
    path("credit/", views.overview, name="credit-overview"),
    # listing part: credit-listing (the listing's page, named by standing.py) and its forms
    path("credit/listings/", listing_views.listing_list, name="credit-listings"),
    path("credit/listings/new/", listing_views.listing_new, name="credit-listing-new"),
    path("credit/listings/<int:pk>/", listing_views.listing_detail, name="credit-listing"),
    path("credit/listings/<int:pk>/act/<slug:do>/", listing_views.listing_act, name="credit-listing-act"),
    path(
        "credit/listings/<int:pk>/documents/<slug:kind>/",
        listing_views.listing_document,
        name="credit-listing-document",
    ),
    path(
        "credit/listings/<int:pk>/removals/<int:application>/document/",
        listing_views.removal_document,
        name="credit-removal-document",
    ),
    path(
        "credit/listings/<int:pk>/files/<int:file>/", listing_views.listing_file, name="credit-listing-file"
    ),
    # sanctions part
    # publication part (the portal's public page lives under /public/)
    # grades part
]
