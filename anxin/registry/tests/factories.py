"""Factories for registry data: valid 统一社会信用代码, enterprises, projects and workers made through
the registry's services (by the system unless ``actor`` is given), and a small fixed world."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import factory

from anxin.core.audit import system_actor
from anxin.core.validators import org_code_check_char, uscc_check_char
from anxin.org.models import Town
from anxin.registry import services
from anxin.registry.models import Enterprise, EnterpriseKind, Project, ProjectSupervisor, Worker

_counter = itertools.count(1)


def make_uscc(n: int | None = None) -> str:
    """A valid code with a distinct organisation-code body per call."""
    n = next(_counter) if n is None else n
    body = f"MA{n:06d}"
    first17 = "91320411" + body + org_code_check_char(body)
    return first17 + uscc_check_char(first17)


def _town(town: str | Town) -> Town:
    return town if isinstance(town, Town) else Town.objects.get(code=town)


class EnterpriseFactory(factory.Factory):
    """An enterprise in a town (by code) with kinds (by code), through ``enterprise_create``."""

    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(make_uscc)
    name = factory.LazyFunction(lambda: f"测试企业{next(_counter)}有限公司")
    legal_rep = "张三"
    address = "测试路1号"
    industry = "C"
    employees = 50
    town = "luoxi"
    kinds: Any = ("industrial",)
    actor = None

    @classmethod
    def _create(cls, model_class: type[Enterprise], *, town: str | Town, kinds, actor=None, **fields: Any):
        return services.enterprise_create(
            actor=actor or system_actor(),
            town=_town(town),
            kinds=list(EnterpriseKind.objects.filter(code__in=kinds)),
            **fields,
        )


class ProjectFactory(factory.Factory):
    """A construction project under a general contractor (by default a builder in the same town),
    supervised by a line (by code), through ``project_create``."""

    class Meta:
        model = Project

    name = factory.LazyFunction(lambda: f"测试项目{next(_counter)}")
    builder_name = "某建设单位"
    contract_amount = 100_000_000
    town = "luoxi"
    contractor = factory.SubFactory(
        EnterpriseFactory, town=factory.SelfAttribute("..town"), kinds=("construction",), industry="E"
    )
    supervisor = "construction"
    subs: Any = ()
    actor = None

    @classmethod
    def _create(
        cls, model_class: type[Project], *, town, contractor, supervisor: str, subs, actor=None, **fields: Any
    ):
        return services.project_create(
            actor=actor or system_actor(),
            town=_town(town),
            general_contractor=contractor,
            supervisor=ProjectSupervisor.objects.get(code=supervisor),
            subcontractors=list(subs),
            **fields,
        )


class WorkerFactory(factory.Factory):
    """A worker of an employer (by default a new enterprise), through ``worker_create``; give
    ``id_number`` and ``phone`` to have them stored encrypted."""

    class Meta:
        model = Worker

    employer = factory.SubFactory(EnterpriseFactory)
    name = "李四"
    actor = None

    @classmethod
    def _create(cls, model_class: type[Worker], *, actor=None, **fields: Any):
        return services.worker_create(actor=actor or system_actor(), **fields)


def enterprise(*, town: str = "luoxi", kinds: tuple[str, ...] = ("industrial",), actor=None, **fields):
    return EnterpriseFactory(town=town, kinds=kinds, actor=actor, **fields)


def project(
    *, town: str = "luoxi", contractor, supervisor: str = "construction", subs=(), actor=None, **fields
):
    return ProjectFactory(
        town=town, contractor=contractor, supervisor=supervisor, subs=subs, actor=actor, **fields
    )


def build_world() -> SimpleNamespace:
    """罗溪: a factory and a builder; 薛家: a factory and a dispatch firm; 三井: a restaurant
    and a real-estate developer; a water contractor in 孟河; projects in 罗溪 (城建) and 孟河 (水利)."""
    w = SimpleNamespace()
    w.luoxi_factory = enterprise(
        town="luoxi", kinds=("industrial", "labour_intensive"), name="罗溪纺织有限公司"
    )
    w.luoxi_builder = enterprise(
        town="luoxi", kinds=("construction",), name="罗溪建设工程有限公司", industry="E"
    )
    w.xuejia_factory = enterprise(town="xuejia", kinds=("industrial",), name="薛家机械有限公司")
    w.xuejia_dispatch = enterprise(
        town="xuejia", kinds=("labour_dispatch",), name="薛家劳务派遣有限公司", industry="L"
    )
    w.sanjing_restaurant = enterprise(
        town="sanjing", kinds=("catering",), name="三井小厨餐饮有限公司", industry="H"
    )
    w.sanjing_developer = enterprise(
        town="sanjing", kinds=("real_estate",), name="三井置业有限公司", industry="K"
    )
    w.menghe_water = enterprise(
        town="menghe", kinds=("water_construction",), name="孟河水利工程有限公司", industry="E"
    )
    w.luoxi_project = project(town="luoxi", contractor=w.luoxi_builder, name="罗溪安置房项目")
    w.menghe_river = project(
        town="menghe", contractor=w.menghe_water, supervisor="water", name="孟河河道整治项目"
    )
    return w
