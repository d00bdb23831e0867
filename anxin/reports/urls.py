"""The reports pages: each part keeps its own URL list (``<part>_urls.py``), joined here."""

from anxin.reports import office_urls, periodic_urls, publicity_urls

urlpatterns = [
    *periodic_urls.urlpatterns,
    *office_urls.urlpatterns,
    *publicity_urls.urlpatterns,
]
