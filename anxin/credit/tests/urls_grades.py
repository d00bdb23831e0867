"""The project's URLs, plus ``credit-listing`` while the listing part's page is not on this branch:
revoking a listing tells the sanction units with a link to it (``services.sanctions``)."""

from django.http import HttpResponse
from django.urls import path

from anxin.credit.urls import urlpatterns as credit
from anxin.urls import urlpatterns as project

urlpatterns = list(project)
if not any(getattr(p, "name", None) == "credit-listing" for p in credit):
    urlpatterns.append(
        path("credit/listings/<int:pk>/", lambda request, pk: HttpResponse(str(pk)), name="credit-listing")
    )
