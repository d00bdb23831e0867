"""Rules and refusals of the registry's write services."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core.errors import ScopeViolation
from anxin.core.validators import id_check_digit
from anxin.org.models import Town
from anxin.registry import services
from anxin.registry.models import Enterprise, EnterpriseKind, ProjectSupervisor, Worker
from anxin.registry.tests.factories import enterprise, make_uscc, project


def _fields(**overrides):
    data = {
        "uscc": make_uscc(),
        "name": "新登记有限公司",
        "legal_rep": "李四",
        "town": Town.objects.get(code="luoxi"),
        "address": "罗溪镇某路1号",
        "industry": "C",
    }
    data.update(overrides)
    return data


def valid_id(prefix17: str = "32041119900101123") -> str:
    return prefix17 + id_check_digit(prefix17)


def test_town_user_registers_an_enterprise_in_its_town(luoxi):
    created = services.enterprise_create(actor=luoxi, kinds=[], **_fields())
    assert Enterprise.objects.filter(pk=created.pk, town__code="luoxi").exists()


def test_uscc_is_normalised_before_saving(luoxi):
    code = make_uscc()
    created = services.enterprise_create(actor=luoxi, **_fields(uscc=f"  {code.lower()} "))
    assert created.uscc == code


def test_town_user_cannot_register_an_enterprise_in_another_town(luoxi):
    code = make_uscc()
    with pytest.raises(ScopeViolation):
        services.enterprise_create(actor=luoxi, **_fields(uscc=code, town=Town.objects.get(code="xuejia")))
    assert not Enterprise.objects.filter(uscc=code).exists()


def test_invalid_uscc_is_refused_with_a_field_message(luoxi):
    code = make_uscc()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        services.enterprise_create(actor=luoxi, **_fields(uscc=bad))
    assert "uscc" in excinfo.value.message_dict


def test_duplicate_uscc_is_refused(luoxi):
    existing = enterprise(town="luoxi")
    with pytest.raises(ValidationError) as excinfo:
        services.enterprise_create(actor=luoxi, **_fields(uscc=existing.uscc))
    assert "已登记" in excinfo.value.message_dict["uscc"][0]


def test_role_without_add_permission_is_refused(leader):
    with pytest.raises(PermissionDenied):
        services.enterprise_create(actor=leader, **_fields())


def test_negative_employees_refused(luoxi):
    with pytest.raises(ValidationError):
        services.enterprise_create(actor=luoxi, **_fields(employees=-1))


def test_update_records_an_audit_entry_with_the_actor_and_the_diff(luoxi):
    firm = enterprise(town="luoxi", employees=50)
    services.enterprise_update(actor=luoxi, enterprise=firm, employees=75)
    entry = LogEntry.objects.get_for_object(firm).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == luoxi
    assert entry.changes_dict["employees"] == ["50", "75"]


def test_town_user_cannot_move_an_enterprise_out_of_its_town(luoxi):
    firm = enterprise(town="luoxi")
    with pytest.raises(ScopeViolation):
        services.enterprise_update(actor=luoxi, enterprise=firm, town=Town.objects.get(code="xuejia"))
    firm.refresh_from_db()
    assert firm.town.code == "luoxi"


def test_town_user_cannot_update_another_towns_enterprise(luoxi):
    firm = enterprise(town="xuejia", employees=10)
    with pytest.raises(ScopeViolation):
        services.enterprise_update(actor=luoxi, enterprise=firm, employees=11)
    firm.refresh_from_db()
    assert firm.employees == 10


def test_construction_department_cannot_change_a_construction_firm_into_a_restaurant_it_cannot_see(chengjian):
    firm = enterprise(town="sanjing", kinds=("construction",), industry="E")
    with pytest.raises(ScopeViolation):
        services.enterprise_update(
            actor=chengjian, enterprise=firm, kinds=list(EnterpriseKind.objects.filter(code="catering"))
        )
    assert set(firm.kinds.values_list("code", flat=True)) == {"construction"}


def test_kinds_change_is_audited(luoxi):
    firm = enterprise(town="luoxi", kinds=("industrial",))
    services.enterprise_update(
        actor=luoxi,
        enterprise=firm,
        kinds=list(EnterpriseKind.objects.filter(code__in=["industrial", "market"])),
    )
    assert set(firm.kinds.values_list("code", flat=True)) == {"industrial", "market"}
    entries = LogEntry.objects.get_for_object(firm).filter(actor=luoxi)
    assert any("kinds" in (entry.changes_dict or {}) for entry in entries)


def test_project_general_contractor_cannot_also_be_its_subcontractor(office):
    builder = enterprise(town="luoxi", kinds=("construction",))
    with pytest.raises(ValidationError):
        project(contractor=builder, subs=[builder], actor=office)


def test_project_planned_end_before_start_refused(office):
    import datetime

    builder = enterprise(town="luoxi", kinds=("construction",))
    with pytest.raises(ValidationError):
        project(
            contractor=builder,
            actor=office,
            start_date=datetime.date(2026, 5, 1),
            planned_end_date=datetime.date(2026, 4, 1),
        )


def test_town_user_cannot_register_a_project_in_another_town(luoxi):
    builder = enterprise(town="luoxi", kinds=("construction",))
    with pytest.raises(ScopeViolation):
        project(town="xuejia", contractor=builder, actor=luoxi)


def test_town_user_cannot_move_its_project_to_another_town(luoxi):
    builder = enterprise(town="luoxi", kinds=("construction",))
    item = project(town="luoxi", contractor=builder)
    with pytest.raises(ScopeViolation, match="不在您的管辖范围内"):
        services.project_update(actor=luoxi, project=item, town=Town.objects.get(code="xuejia"))
    item.refresh_from_db()
    assert item.town.code == "luoxi"
    assert not LogEntry.objects.get_for_object(item).filter(actor=luoxi).exists()


def test_water_department_cannot_hand_its_project_to_the_construction_line(shuili):
    contractor = enterprise(town="menghe", kinds=("water_construction",))
    item = project(town="menghe", contractor=contractor, supervisor="water")
    with pytest.raises(ScopeViolation):
        services.project_update(
            actor=shuili, project=item, supervisor=ProjectSupervisor.objects.get(code="construction")
        )
    item.refresh_from_db()
    assert item.supervisor.code == "water"


def test_town_user_cannot_update_another_towns_project(luoxi):
    builder = enterprise(town="xuejia", kinds=("construction",))
    item = project(town="xuejia", contractor=builder, contract_amount=500)
    with pytest.raises(ScopeViolation):
        services.project_update(actor=luoxi, project=item, contract_amount=600)
    item.refresh_from_db()
    assert item.contract_amount == 500


def test_construction_bureau_may_move_a_project_between_towns_as_it_sees_all_projects(chengjian):
    builder = enterprise(town="luoxi", kinds=("construction",))
    item = project(town="luoxi", contractor=builder)
    services.project_update(actor=chengjian, project=item, town=Town.objects.get(code="xuejia"))
    item.refresh_from_db()
    assert item.town.code == "xuejia"


def test_worker_id_number_and_phone_are_encrypted_indexed_and_masked(luoxi):
    firm = enterprise(town="luoxi")
    worker = services.worker_create(
        actor=luoxi, employer=firm, name="王五", id_number=valid_id(), phone="13812345678"
    )
    worker.refresh_from_db()
    assert worker.id_number == valid_id()
    assert worker.id_number_masked == "3204**********" + valid_id()[-4:]
    assert worker.phone_masked == "138****5678"
    assert list(services.worker_find_by_id_number(user=luoxi, id_number=valid_id())) == [worker]


def test_worker_lookup_is_scoped(luoxi, xuejia):
    firm = enterprise(town="luoxi")
    services.worker_create(actor=luoxi, employer=firm, name="王五", id_number=valid_id())
    assert not services.worker_find_by_id_number(user=xuejia, id_number=valid_id()).exists()


def test_worker_registered_twice_at_the_same_employer_is_refused(luoxi):
    firm = enterprise(town="luoxi")
    services.worker_create(actor=luoxi, employer=firm, name="王五", id_number=valid_id())
    with pytest.raises(ValidationError):
        services.worker_create(actor=luoxi, employer=firm, name="王五", id_number=valid_id())
    assert Worker.objects.filter(employer=firm).count() == 1


def test_worker_with_invalid_id_number_is_refused(luoxi):
    firm = enterprise(town="luoxi")
    with pytest.raises(ValidationError):
        good = valid_id()
        wrong_check = good[:-1] + ("1" if good[-1] != "1" else "2")
        services.worker_create(actor=luoxi, employer=firm, name="王五", id_number=wrong_check)


def test_worker_audit_masks_personal_data(luoxi):
    firm = enterprise(town="luoxi")
    worker = services.worker_create(actor=luoxi, employer=firm, name="王五", id_number=valid_id())
    entry = LogEntry.objects.get_for_object(worker).get(action=LogEntry.Action.CREATE)
    assert valid_id() not in str(entry.changes)
