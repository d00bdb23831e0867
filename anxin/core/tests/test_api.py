"""The one API error mapper: what a service's refusal looks like to a client."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from anxin.core.api import exception_handler
from anxin.core.errors import DomainError


def test_a_validation_error_by_field_is_a_400_with_each_fields_messages():
    response = exception_handler(ValidationError({"uscc": ["代码有误", "已登记"], "__all__": "整体有误"}), {})
    assert response.status_code == 400
    assert response.data == {"uscc": ["代码有误", "已登记"], "non_field_errors": ["整体有误"]}


def test_a_validation_error_without_fields_is_a_non_field_error():
    response = exception_handler(ValidationError(["甲", "乙"]), {})
    assert (response.status_code, response.data) == (400, {"non_field_errors": ["甲", "乙"]})


def test_a_domain_error_is_a_400_at_its_field_and_a_lost_race_a_409():
    assert exception_handler(DomainError("金额有误", field="amount"), {}).data == {"amount": ["金额有误"]}
    conflict = exception_handler(DomainError("已被他人处理", code="conflict"), {})
    assert (conflict.status_code, conflict.data) == (409, {"non_field_errors": ["已被他人处理"]})
