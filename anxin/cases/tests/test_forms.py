"""One form per kind of legal measure (issue #14 item 4): each kind's form holds exactly the fields
that kind asks for (``actions.FIELDS``), its required ones marked on the page and refused in Chinese
when empty; the API requires the same fields. And an order to pay backdated to the day it was
served (item 12), its payment date counted from that day."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.api import ActionRequestSerializer
from anxin.cases.forms import ActionForm
from anxin.cases.models import ActionKind, LegalAction
from anxin.cases.tests.factories import open_case
from anxin.core.deadlines import end_of, working_days_after
from anxin.core.errors import DomainError
from anxin.core.policy import param

ALL_KINDS = list(ActionKind.values)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def luoxi_case(world, office):
    return open_case(world.luoxi_factory, actor=office)


def test_every_kind_has_its_own_list_of_fields():
    assert set(actions.FIELDS) == set(ALL_KINDS)
    assert "pay_by" in actions.FIELDS["order"] and "pay_by" not in actions.FIELDS["mediation"]
    assert "percent" in actions.FIELDS["compensation"] and "amount" not in actions.FIELDS["compensation"]
    assert "unit" in actions.FIELDS["mediation"] and "unit" not in actions.FIELDS["order"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_each_kinds_form_has_exactly_its_fields_in_order(kind):
    form = ActionForm(kind=kind)
    assert list(form.fields) == ["kind", *actions.FIELDS[kind]]
    for name, required in actions.FIELDS[kind].items():
        assert form.fields[name].required is required, name
    assert form.fields["kind"].initial == kind


@pytest.mark.parametrize("kind", [k for k in ALL_KINDS if actions.required_fields(k)])
def test_a_missing_required_field_is_refused_in_chinese(kind):
    form = ActionForm({"kind": kind}, kind=kind)
    assert not form.is_valid()
    assert set(form.errors) == set(actions.required_fields(kind))
    for name in actions.required_fields(kind):
        assert CJK.search(form.errors[name][0]), form.errors[name]
        assert form.fields[name].widget.attrs.get("aria-invalid") == "true"
    first = actions.required_fields(kind)[0]
    assert "autofocus" in form.fields[first].widget.attrs  # the first wrong field takes the focus


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_the_api_requires_the_same_fields_as_the_form(kind):
    data = ActionRequestSerializer(data={"kind": kind})
    assert data.is_valid() is not bool(actions.required_fields(kind))
    assert set(data.errors) == set(actions.required_fields(kind))
    for messages in data.errors.values():
        assert CJK.search(str(messages[0]))


def test_a_form_posted_for_another_kind_is_refused():
    form = ActionForm({"kind": "penalty", "amount": "100", "basis": "x"}, kind="order")
    assert not form.is_valid() and "kind" in form.errors


def test_the_case_page_marks_required_fields_and_shows_the_yuan_beside_money(luoxi_case, login, renshe):
    page = login(renshe).get(f"/cases/{luoxi_case.pk}/").content.decode()
    order = page[
        page.index('data-testid="action-form-order"') : page.index(
            "</form>", page.index('data-testid="action-form-order"')
        )
    ]
    assert re.search(
        r'<label class="form-label required" for="action_order_amount">责令支付金额</label>', order
    )
    assert re.search(r'<input[^>]*name="amount"[^>]*required', order)
    assert '<span class="input-group-text">元</span>' in order
    assert (
        'name="percent"' not in order and 'name="single_months"' not in order and 'name="unit"' not in order
    )
    assert re.search(r'<label class="form-label" for="action_order_pay_by">', order)  # optional: unmarked


def test_a_refused_form_comes_back_open_with_only_its_own_fields(luoxi_case, login, renshe):
    response = login(renshe).post(
        f"/cases/{luoxi_case.pk}/actions/new/", {"kind": "penalty", "amount": "", "basis": ""}
    )
    assert response.status_code == 200
    forms = {form.measure: form for form in response.context["action_forms"]}
    assert forms["penalty"].is_bound and set(forms["penalty"].errors) == {"amount", "basis"}
    assert not forms["order"].is_bound
    page = response.content.decode()
    assert re.search(r'<details class="list-group-item px-0" id="action-penalty" open>', page)
    assert "请填写金额" in page


# --- an order to pay backdated to the day it was served -------------------------------------------


@pytest.fixture
def case_opened_a_month_ago(world, office):
    return open_case(world.luoxi_factory, actor=office, now=timezone.now() - datetime.timedelta(days=30))


def test_an_order_is_recorded_with_the_day_it_was_served_and_its_date_counted_from_it(
    case_opened_a_month_ago, renshe
):
    served = timezone.localdate() - datetime.timedelta(days=6)
    order = actions.action_request(
        actor=renshe, case=case_opened_a_month_ago, kind="order", amount=9_000_000, served_on=served
    )
    n = int(param("order.pay_working_days", on=served))
    expected, _note = working_days_after(served, n)
    assert (order.served_on, order.issued_on, order.pay_by) == (served, served, expected)
    assert order.due_at == end_of(expected)
    assert f"order.pay_working_days={n}" in order.due_basis and f"{served:%Y-%m-%d}" in order.due_basis
    assert f"{served:%Y-%m-%d} 送达" in case_opened_a_month_ago.events.filter(kind="action").get().note


def test_a_backdated_order_keeps_the_date_the_notice_gave(case_opened_a_month_ago, renshe):
    served = timezone.localdate() - datetime.timedelta(days=10)
    pay_by = served + datetime.timedelta(days=15)
    order = actions.action_request(
        actor=renshe, case=case_opened_a_month_ago, kind="order", amount=100, served_on=served, pay_by=pay_by
    )
    assert order.pay_by == pay_by and order.due_at == end_of(pay_by)
    assert "送达" in order.due_basis


@pytest.mark.parametrize(
    ("served_days_ago", "pay_by_days_ago", "message"),
    [
        (-1, None, "送达日期不能晚于今天"),
        (40, None, "送达日期不能早于立案日期"),
        (5, 6, "支付期限不能早于送达日期"),
    ],
)
def test_a_served_date_in_the_future_before_the_case_or_after_the_pay_date_is_refused(
    case_opened_a_month_ago, renshe, served_days_ago, pay_by_days_ago, message
):
    today = timezone.localdate()
    with pytest.raises(DomainError, match=message) as refused:
        actions.action_request(
            actor=renshe,
            case=case_opened_a_month_ago,
            kind="order",
            amount=100,
            served_on=today - datetime.timedelta(days=served_days_ago),
            pay_by=None if pay_by_days_ago is None else today - datetime.timedelta(days=pay_by_days_ago),
        )
    assert refused.value.field in ("served_on", "pay_by")
    assert not LegalAction.objects.exists()


def test_an_order_served_today_is_the_default(luoxi_case, renshe):
    order = actions.action_request(actor=renshe, case=luoxi_case, kind="order", amount=100)
    assert order.served_on == timezone.localdate() and order.pay_by > timezone.localdate()


def test_the_order_form_on_the_case_page_takes_the_served_date(case_opened_a_month_ago, login, renshe):
    served = timezone.localdate() - datetime.timedelta(days=3)
    response = login(renshe).post(
        f"/cases/{case_opened_a_month_ago.pk}/actions/new/",
        {"kind": "order", "amount": "3万2", "served_on": served.isoformat(), "document": "payment_notice"},
    )
    assert response.status_code == 302
    order = LegalAction.objects.get(kind="order")
    assert order.served_on == served and order.amount == 3_200_000


def test_the_api_takes_the_served_date_and_refuses_a_future_one(case_opened_a_month_ago, renshe):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(renshe)
    url = f"/api/v1/cases/{case_opened_a_month_ago.pk}/actions/"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    refused = client.post(
        url, {"kind": "order", "amount": "100", "served_on": tomorrow.isoformat()}, format="json"
    )
    assert refused.status_code == 400 and "送达日期不能晚于今天" in refused.content.decode()
    served = timezone.localdate() - datetime.timedelta(days=2)
    made = client.post(
        url, {"kind": "order", "amount": "100", "served_on": served.isoformat()}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["served_on"] == served.isoformat()


# --- a refused form takes the focus (item 5) --------------------------------------------------------


def test_a_refused_plain_form_shows_its_error_beside_it_and_takes_the_focus(luoxi_case, login, luoxi):
    client = login(luoxi)
    client.post(f"/cases/{luoxi_case.pk}/move/", {"action": "advance"})
    response = client.post(f"/cases/{luoxi_case.pk}/move/", {"action": "skip", "reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(r'<div[^>]*data-testid="kept-error"[^>]*>([^<]*)</div>', page)
    assert error and "须说明理由" in error.group(1)
    assert "data-error-focus" in error.group(0) and "autofocus" in error.group(0)
    assert page.count("data-error-focus") == 1


def test_only_the_first_wrong_field_of_the_refused_form_takes_the_focus(luoxi_case, login, luoxi):
    response = login(luoxi).post(
        f"/cases/{luoxi_case.pk}/incident/", {"kind": "mass", "occurred_at": "", "place": "", "people": "x"}
    )
    page = response.content.decode()
    assert page.count("data-error-focus") == 1 and page.count(" autofocus") == 1
    assert re.search(r'<input[^>]*name="occurred_at"[^>]*autofocus', page)
