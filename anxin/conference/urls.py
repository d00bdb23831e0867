"""The conference pages: each part keeps its own URL list (``<part>_urls.py``), joined here."""

from anxin.conference import meetings_urls, minutes_urls

urlpatterns = [
    *meetings_urls.urlpatterns,
    *minutes_urls.urlpatterns,
]
