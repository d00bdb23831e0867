"""Factories for org: accounts made through ``user_save``, as the personas in the root conftest are.

Towns, units and duties are the district's reference data, loaded from the district file by
``load_district``; tests look them up by code (``town("luoxi")``) rather than invent new ones.
"""

from __future__ import annotations

from typing import Any

import factory

from anxin.core.audit import system_actor
from anxin.org.models import Town, Unit, User
from anxin.org.services import user_save

PASSWORD = "Test@2026pass"


def town(code: str) -> Town:
    return Town.objects.get(code=code)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


class UserFactory(factory.Factory):
    """An account with one unit (by code) and one role, saved by the system through ``user_save``;
    an existing username is updated, so a persona fixture may be asked for twice."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"t_user{n}")
    unit = "office"
    role = "office"
    password = PASSWORD
    full_name = factory.LazyAttribute(lambda o: f"{o.username}测试")
    one_time_password = False  # a persona signs in with PASSWORD; the one-time flow has its own tests

    @classmethod
    def _create(cls, model_class: type[User], **fields: Any) -> User:
        return user_save(actor=system_actor(), **fields)
