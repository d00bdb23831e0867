"""The one API error mapper: what a service's refusal looks like to a client."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from anxin.core.api import exception_handler
from anxin.core.errors import DomainError


def test_validation_error_by_field_becomes_400_with_messages_per_field():
    # A model's full_clean() raises messages keyed by field; __all__ is the API's non_field_errors.
    exc = ValidationError({"name": ["名称不能为空"], "__all__": ["重复的记录"]})

    response = exception_handler(exc, {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == {"name": ["名称不能为空"], "non_field_errors": ["重复的记录"]}


def test_validation_error_without_field_becomes_non_field_errors():
    response = exception_handler(ValidationError("不可操作"), {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["不可操作"]}


def test_domain_error_of_a_lost_race_is_a_conflict():
    response = exception_handler(DomainError("已被他人处理", code="conflict"), {})

    assert response is not None
    assert response.status_code == 409


def test_a_validation_error_by_field_is_a_400_with_each_fields_messages():
    response = exception_handler(ValidationError({"uscc": ["代码有误", "已登记"], "__all__": "整体有误"}), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"uscc": ["代码有误", "已登记"], "non_field_errors": ["整体有误"]}


def test_a_validation_error_without_fields_is_a_non_field_error():
    response = exception_handler(ValidationError(["甲", "乙"]), {})
    assert response is not None
    assert (response.status_code, response.data) == (400, {"non_field_errors": ["甲", "乙"]})


def test_a_domain_error_is_a_400_at_its_field_and_a_lost_race_a_409():
    refused = exception_handler(DomainError("金额有误", field="amount"), {})
    assert refused is not None and refused.data == {"amount": ["金额有误"]}
    conflict = exception_handler(DomainError("已被他人处理", code="conflict"), {})
    assert conflict is not None
    assert (conflict.status_code, conflict.data) == (409, {"non_field_errors": ["已被他人处理"]})
