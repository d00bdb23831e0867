"""The worker's one-time code under concurrency, on PostgreSQL with real threads (one connection
each): one code sent twice at once opens the handbook once; wrong codes fired at once from one
address are all counted against its limit (the counter row is locked before it is read)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection

from anxin.core.tests.helpers import at_once
from anxin.notify.models import SmsMessage
from anxin.sites.handbook_services import handbook_code_request, handbook_code_verify
from anxin.sites.models import HandbookCode, HandbookLimit
from anxin.sites.tests.factories_handbook import rostered

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.usefixtures("mid_hour"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_opens_the_handbook_once(world):
    worker = rostered(world.luoxi_project, n=31, start=datetime.date(2026, 9, 1))
    handbook_code_request(id_number=worker.id_number, ip="10.3.3.3")
    found = re.search(r"验证码 (\d{6})", SmsMessage.objects.get().text)
    assert found is not None
    answers = at_once(
        [1, 2, 3, 4],
        lambda _c: handbook_code_verify(id_index=worker.id_number_index, code=found.group(1), ip="10.3.3.3"),
    )
    assert answers.count(worker.id_number_index) == 1 and answers.count(None) == 3, answers
    assert HandbookCode.objects.get().used_at is not None


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_at_once_are_all_counted(world):
    worker = rostered(world.luoxi_project, n=32, start=datetime.date(2026, 9, 1))
    handbook_code_request(id_number=worker.id_number, ip="10.4.4.4")
    answers = at_once(
        list(range(6)),
        lambda _c: handbook_code_verify(id_index=worker.id_number_index, code="abcdef", ip="10.4.4.4"),
    )
    assert answers == [None] * 6
    assert HandbookLimit.objects.get(action="fail").count == 6
    assert HandbookCode.objects.get().tries == 6
