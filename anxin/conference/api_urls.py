"""The conference API (under /api/v1/): each part keeps its own URL list (``<part>_api_urls.py``), joined here."""

from anxin.conference import meetings_api_urls, minutes_api_urls

urlpatterns = [
    *meetings_api_urls.urlpatterns,
    *minutes_api_urls.urlpatterns,
]
