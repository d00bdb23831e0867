"""The assessment tests build their own schemes: the district file's default schemes (which
``load_district`` activates for the current year, once per test database) are taken away before
each test that uses the database, and come back when its transaction rolls back. A test of the
district section loads it itself (``assessment_schemes_load``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_district_schemes(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        yield
        return
    if "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    ):
        yield
        return
    request.getfixturevalue("db")
    # the district first: after another test's flush on this worker the district fixture reloads it,
    # schemes included; they must go after that, not before
    request.getfixturevalue("district")
    from anxin.assessment.models import Indicator, Scheme, SchemeEvent

    SchemeEvent.objects.all().delete()
    Indicator.objects.all().delete()
    Scheme.objects.all().delete()
    yield
