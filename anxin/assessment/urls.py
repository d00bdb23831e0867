"""The assessment pages: each part keeps its own URL list (``<part>_urls.py``), joined here."""

from anxin.assessment import final_urls, scoring_urls, spotchecks_urls, traces_urls

urlpatterns = [
    *scoring_urls.urlpatterns,
    *final_urls.urlpatterns,
    *traces_urls.urlpatterns,
    *spotchecks_urls.urlpatterns,
]
