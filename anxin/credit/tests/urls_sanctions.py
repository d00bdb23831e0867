"""The project's URLs plus a stand-in for the listing's page (``credit-listing``) for the sanctions
tests, used only while the listing part (which owns that page) is not in the tree."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from anxin.urls import urlpatterns as project_urls


def _listing_stand_in(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse(f"listing {pk}")


urlpatterns = [*project_urls, path("credit/listings/<int:pk>/", _listing_stand_in, name="credit-listing")]
