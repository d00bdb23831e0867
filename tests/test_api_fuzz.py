"""Property test of the whole API with schemathesis: whatever a client sends, never a 500.

Validation errors must come back as 4xx with field messages (issue #2 "never a 500"). The
OpenAPI document drf-spectacular serves is the contract; schemathesis generates requests from it
(valid and invalid) and sends them through Django's WSGI application as a town user with a token.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from anxin.core.audit import system_actor
from anxin.org.services import token_issue

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture
def same_connection():
    """Keep the test's database connection across requests (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def town_token(world, luoxi):
    return token_issue(actor=system_actor(), user=luoxi)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case, town_token, same_connection):
    response = case.call(headers={"Authorization": f"Token {town_token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
