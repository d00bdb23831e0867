"""Repeats on a case write once (issue #13): a same-kind action already open at the same unit is
refused unless marked 另行发起 with a reason, an identical step is refused within its window, the
case page's forms each carry a one-time token, and the API answers a repeated key with the first
answer."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import CaseEvent, LegalAction
from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError

TOKEN = re.compile(r'name="anxin_once" value="([^"]+)"')


@pytest.fixture
def luoxi_case(world, office):
    return open_case(world.luoxi_factory, actor=office)


@pytest.fixture
def api(district):
    """``api(user)`` → an API client sending that user's token."""
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    def _client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=user)}")
        return client

    return _client


# --- the same kind of action, twice ----------------------------------------------------------------------


def test_a_second_open_court_action_is_refused_as_a_conflict(luoxi_case, luoxi):
    first = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    with pytest.raises(DomainError) as refused:
        actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    assert refused.value.code == "conflict"
    assert f"本案已有办理中的“法院绿色通道”（#{first.pk}" in refused.value.message
    assert "另行发起" in refused.value.message
    assert LegalAction.objects.filter(case=luoxi_case, kind="court").count() == 1


def test_another_one_needs_a_reason_and_keeps_it_on_the_action_and_the_timeline(luoxi_case, luoxi):
    first = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    with pytest.raises(DomainError, match="说明") as missing:
        actions.action_request(actor=luoxi, case=luoxi_case, kind="court", another=True)
    assert missing.value.field == "another_reason"
    second = actions.action_request(
        actor=luoxi, case=luoxi_case, kind="court", another=True, another_reason="另一批 5 名工人另案起诉"
    )
    assert second.conditions["another"] == {"reason": "另一批 5 名工人另案起诉", "open": first.pk}
    line = CaseEvent.objects.filter(case=luoxi_case, kind="action").latest("pk").note
    assert line.startswith("另行发起法院绿色通道") and "另一批 5 名工人另案起诉" in line


def test_a_finished_action_does_not_block_a_new_one(luoxi_case, luoxi):
    first = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    actions.action_cancel(actor=luoxi, action=first, reason="误发")
    assert actions.action_request(actor=luoxi, case=luoxi_case, kind="court").pk != first.pk


def test_an_order_to_pay_is_never_started_twice_even_as_another(luoxi_case, renshe):
    pay_by = timezone.localdate() + datetime.timedelta(days=10)
    actions.action_request(actor=renshe, case=luoxi_case, kind="order", amount=100, pay_by=pay_by)
    with pytest.raises(DomainError) as refused:
        actions.action_request(
            actor=renshe,
            case=luoxi_case,
            kind="order",
            amount=100,
            pay_by=pay_by,
            another=True,
            another_reason="x",
        )
    assert refused.value.code == "conflict" and "另行发起" not in refused.value.message


# --- the same step, twice --------------------------------------------------------------------------------


def test_an_identical_step_within_the_window_is_refused(luoxi_case, luoxi, fayuan):
    court = actions.action_request(actor=luoxi, case=luoxi_case, kind="court")
    today = timezone.localdate()
    actions.action_step(actor=fayuan, action=court, step="trial", on=today, note="开庭")
    with pytest.raises(DomainError, match="已登记过相同的办理进展") as refused:
        actions.action_step(actor=fayuan, action=court, step="trial", on=today, note="开庭")
    assert refused.value.code == "conflict"
    actions.action_step(actor=fayuan, action=court, step="trial", on=today, note="第二次开庭")  # another one
    later = timezone.now() + datetime.timedelta(minutes=settings.ONCE_STEP_WINDOW_MINUTES + 1)
    with time_machine.travel(later):
        actions.action_step(actor=fayuan, action=court, step="trial", on=today, note="开庭")
    assert court.steps.filter(step="trial").count() == 3


# --- the case page ---------------------------------------------------------------------------------------


def test_every_writing_form_of_the_case_page_carries_its_own_one_time_token(luoxi_case, login, luoxi):
    page = login(luoxi).get(f"/cases/{luoxi_case.pk}/").content.decode()
    tokens = TOKEN.findall(page)
    assert len(tokens) == page.count('name="csrfmiddlewaretoken"') >= 5
    assert len(set(tokens)) == len(tokens)


def test_the_case_note_form_sent_twice_writes_one_note(luoxi_case, login, luoxi):
    client = login(luoxi)
    page = client.get(f"/cases/{luoxi_case.pk}/").content.decode()
    form = page[page.index(f'action="/cases/{luoxi_case.pk}/note/"') :]
    token = TOKEN.search(form).group(1)
    sent = {"note": "已约谈企业主", "anxin_once": token}
    first = client.post(f"/cases/{luoxi_case.pk}/note/", sent)
    again = client.post(f"/cases/{luoxi_case.pk}/note/", sent)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"] == f"/cases/{luoxi_case.pk}/"
    assert CaseEvent.objects.filter(case=luoxi_case, note="已约谈企业主").count() == 1
    assert "该表单已提交，请勿重复提交" in client.get(again["Location"]).content.decode()


def test_the_action_form_comes_back_offering_another_with_a_reason(luoxi_case, login, luoxi):
    client = login(luoxi)
    url = f"/cases/{luoxi_case.pk}/actions/new/"
    assert client.post(url, {"kind": "court"}).status_code == 302
    again = client.post(url, {"kind": "court"})
    assert again.status_code == 200
    body = again.content.decode()
    assert "本案已有办理中的“法院绿色通道”" in body
    assert 'name="another"' in body and 'name="another_reason"' in body
    assert LegalAction.objects.filter(kind="court").count() == 1
    no_reason = client.post(url, {"kind": "court", "another": "on", "another_reason": ""})
    assert no_reason.status_code == 200 and "另行发起须说明" in no_reason.content.decode()
    made = client.post(url, {"kind": "court", "another": "on", "another_reason": "另一批工人"})
    assert made.status_code == 302
    second = LegalAction.objects.filter(kind="court").latest("pk")
    assert "另一批工人" in client.get(made["Location"]).content.decode()
    assert second.conditions["another"]["reason"] == "另一批工人"


def test_the_case_page_offers_no_another_box_before_it_is_needed(luoxi_case, login, luoxi):
    page = login(luoxi).get(f"/cases/{luoxi_case.pk}/").content.decode()
    assert 'name="another"' not in page


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_refuses_a_second_open_court_action_with_409(luoxi_case, api, luoxi):
    client = api(luoxi)
    url = f"/api/v1/cases/{luoxi_case.pk}/actions/"
    assert client.post(url, {"kind": "court"}, format="json").status_code == 201
    again = client.post(url, {"kind": "court"}, format="json")
    assert again.status_code == 409 and "本案已有办理中的" in again.content.decode()
    assert LegalAction.objects.filter(kind="court").count() == 1


def test_the_api_starts_another_one_only_with_a_reason(luoxi_case, api, luoxi):
    client = api(luoxi)
    url = f"/api/v1/cases/{luoxi_case.pk}/actions/"
    assert client.post(url, {"kind": "court"}, format="json").status_code == 201
    bare = client.post(url, {"kind": "court", "another": True}, format="json")
    assert bare.status_code == 400 and "another_reason" in bare.json()
    assert LegalAction.objects.filter(kind="court").count() == 1
    made = client.post(
        url, {"kind": "court", "another": True, "another_reason": "另一批劳动者另案起诉"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert LegalAction.objects.filter(kind="court").count() == 2


def test_the_api_answers_a_repeated_idempotency_key_with_the_first_answer(luoxi_case, api, luoxi):
    client = api(luoxi)
    url = f"/api/v1/cases/{luoxi_case.pk}/actions/"
    body = json.dumps({"kind": "court", "details": "快立"})
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="court-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="court-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert LegalAction.objects.filter(kind="court").count() == 1
    other = client.post(
        url, json.dumps({"kind": "court"}), content_type="application/json", HTTP_IDEMPOTENCY_KEY="court-1"
    )
    assert other.status_code == 422
