"""Links into the officers' pages, whichever network zone writes them (anxin/zones.py).

A notice, an SMS to an officer or an event note links to a page of the internal zone. A service may
run in the internet zone's portal process, whose URLconf holds only the public pages, so such links
are reversed against the internal URLconf (``settings.INTERNAL_URLCONF``), never the current one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse


def officer_url(name: str, *args: Any) -> str:
    """The path of an officers' page (``signal-detail``, …), in whichever zone this runs."""
    return reverse(name, args=args or None, urlconf=settings.INTERNAL_URLCONF)
