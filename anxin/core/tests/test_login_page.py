"""Issue #14 item 12: a worker who lands on the officers' login page finds the public portal."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_login_page_links_to_the_public_portal(client, district):
    html = client.get("/login/").content.decode()
    portal = reverse("portal-home")
    assert f'href="{portal}"' in html
    assert "群众反映欠薪问题请点此" in html
    # The link goes somewhere a visitor may open without signing in.
    assert client.get(portal).status_code == 200
