"""The assessment API (under /api/v1/): each part keeps its own URL list (``<part>_api_urls.py``), joined here."""

from anxin.assessment import final_api_urls, scoring_api_urls, spotchecks_api_urls, traces_api_urls

urlpatterns = [
    *scoring_api_urls.urlpatterns,
    *final_api_urls.urlpatterns,
    *traces_api_urls.urlpatterns,
    *spotchecks_api_urls.urlpatterns,
]
