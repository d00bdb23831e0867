"""Repeats sent at the same moment, on PostgreSQL with real threads (one connection each): one form
token, or one Idempotency-Key, lets exactly one request run its view."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from anxin.core.audit import system_actor
from anxin.core.tests import once_urls
from anxin.core.tests.helpers import at_once
from anxin.core.tests.once_urls import runs

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
    pytest.mark.urls("anxin.core.tests.once_urls"),
]


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_once_run_the_view_once(district, office, monkeypatch):
    monkeypatch.setitem(once_urls.PAUSE, "seconds", 0.5)  # the first is still running when the second comes
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(office)
    page = clients[0].get("/once-test/form/").content.decode()
    token = page.split('name="anxin_once" value="')[1].split('"')[0]
    answers = at_once(
        clients,
        lambda c: c.post("/once-test/form/", {"text": "a", "anxin_once": token}, HTTP_REFERER="/"),
    )
    assert all(getattr(a, "status_code", None) == 302 for a in answers), answers
    assert runs() == 1
    # The repeat waited for the first and went where it went.
    assert {a["Location"] for a in answers} == {"/once-test/done/?n=1"}


@pytest.mark.django_db(transaction=True)
def test_two_api_requests_with_one_key_at_once_run_the_view_once(district, office, monkeypatch):
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    monkeypatch.setitem(once_urls.PAUSE, "seconds", 0.5)
    key = token_issue(actor=system_actor(), user=office)
    clients = [APIClient(), APIClient()]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answers = at_once(
        clients,
        lambda c: c.post(
            "/once-test/api/",
            json.dumps({"text": "a"}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k",
        ),
    )
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert runs() == 1, answers
    # The second either found the first still running (409) or, if it came late, its answer.
    assert statuses in ([201, 409], [201, 201]), statuses
    if statuses == [201, 201]:
        assert any(a.get("Idempotent-Replayed") == "true" for a in answers)
