"""The reports API (under /api/v1/): each part keeps its own URL list (``<part>_api_urls.py``), joined here."""

from anxin.reports import office_api_urls, periodic_api_urls, publicity_api_urls

urlpatterns = [
    *periodic_api_urls.urlpatterns,
    *office_api_urls.urlpatterns,
    *publicity_api_urls.urlpatterns,
]
