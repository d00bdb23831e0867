"""Scoping of registry reads: each persona sees its territory or its line, nothing else."""

from __future__ import annotations

from anxin.registry import selectors
from anxin.registry.models import Enterprise, Project


def names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def test_office_sees_every_enterprise_and_project(world, office):
    assert Enterprise.objects.for_user(office).count() == Enterprise.objects.count()
    assert Project.objects.for_user(office).count() == Project.objects.count()


def test_leader_sees_everything(world, leader):
    assert Enterprise.objects.for_user(leader).count() == Enterprise.objects.count()


def test_town_user_sees_only_enterprises_of_its_town(world, luoxi):
    assert names(Enterprise.objects.for_user(luoxi)) == {"罗溪纺织有限公司", "罗溪建设工程有限公司"}


def test_town_user_sees_only_projects_of_its_town(world, luoxi, xuejia):
    assert names(Project.objects.for_user(luoxi)) == {"罗溪安置房项目"}
    assert names(Project.objects.for_user(xuejia)) == set()


def test_construction_department_sees_construction_and_real_estate_across_towns(world, chengjian):
    seen = names(Enterprise.objects.for_user(chengjian))
    assert {"罗溪建设工程有限公司", "三井置业有限公司"} <= seen


def test_construction_department_does_not_see_a_restaurant_in_sanjing(world, chengjian):
    seen = names(Enterprise.objects.for_user(chengjian))
    assert "三井小厨餐饮有限公司" not in seen
    assert "薛家机械有限公司" not in seen


def test_construction_department_sees_all_projects(world, chengjian):
    assert names(Project.objects.for_user(chengjian)) == {"罗溪安置房项目", "孟河河道整治项目"}


def test_water_department_sees_water_projects_and_their_contractors_only(world, shuili):
    assert names(Project.objects.for_user(shuili)) == {"孟河河道整治项目"}
    assert names(Enterprise.objects.for_user(shuili)) == {"孟河水利工程有限公司"}


def test_department_without_a_line_sees_nothing_yet(world, gongan):
    assert not Enterprise.objects.for_user(gongan).exists()
    assert not Project.objects.for_user(gongan).exists()


def test_admin_roles_without_business_data_see_nothing(world, sysadmin, secadmin):
    assert not Enterprise.objects.for_user(sysadmin).exists()
    assert not Enterprise.objects.for_user(secadmin).exists()


def test_auditor_sees_everything_read_only(world, auditor):
    assert Enterprise.objects.for_user(auditor).count() == Enterprise.objects.count()
    assert not auditor.has_perm("registry.change_enterprise")


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not Enterprise.objects.for_user(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(world, office):
    office.is_active = False
    office.save()
    office.__dict__.pop("scope", None)
    assert not Enterprise.objects.for_user(office).exists()


def test_enterprise_list_filters_by_kind_town_status_and_search(world, office):
    assert names(selectors.enterprise_list(user=office, kind="catering")) == {"三井小厨餐饮有限公司"}
    assert names(selectors.enterprise_list(user=office, town="xuejia")) == {
        "薛家机械有限公司",
        "薛家劳务派遣有限公司",
    }
    assert names(selectors.enterprise_list(user=office, q="置业")) == {"三井置业有限公司"}
    assert names(selectors.enterprise_list(user=office, q=world.xuejia_factory.uscc.lower())) == {
        "薛家机械有限公司"
    }
    assert not selectors.enterprise_list(user=office, status="closed").exists()


def test_filters_never_widen_the_scope(world, luoxi):
    assert not selectors.enterprise_list(user=luoxi, town="xuejia").exists()


def test_enterprise_projects_lists_contracted_projects_in_scope(world, luoxi, xuejia):
    assert names(selectors.enterprise_projects(user=luoxi, enterprise=world.luoxi_builder)) == {
        "罗溪安置房项目"
    }


def test_summary_counts_only_the_scope(world, luoxi):
    summary = selectors.enterprise_summary(user=luoxi)
    assert summary["total"] == 2
    assert {code: n for _label, n, code in summary["by_kind"]}["labour_intensive"] == 1


def test_in_line_selects_the_same_enterprises_as_the_enterprise_scope(world, chengjian, shuili, renshe):
    """in_line (one subquery per link table, issue #20) and EnterpriseQuerySet.scope_filter (joins)
    must name the same line; checked through projects' builders and contractors."""
    from anxin.core.access import scope_of
    from anxin.registry.models import in_line

    for user in (chengjian, shuili, renshe):
        scope = scope_of(user)
        line = _by_the_rule(user)
        for field in ("general_contractor", "builder"):
            via_in_line = set(
                Project._base_manager.filter(in_line(scope, field)).values_list("pk", flat=True)
            )
            expected = set(
                Project._base_manager.filter(**{f"{field}_id__in": line}).values_list("pk", flat=True)
            )
            assert via_in_line == expected, (user, field)


def _by_the_rule(user) -> set[int]:
    """The enterprises the scope's rule names, through its joins (EnterpriseQuerySet.scope_filter),
    independently of how for_user applies it."""
    from anxin.core.access import scope_of

    scope = scope_of(user)
    if Enterprise.objects.sees_all(scope):  # 人社局's line is every enterprise
        return set(Enterprise._base_manager.values_list("pk", flat=True))
    rule = Enterprise.objects.scope_filter(scope)
    return set(Enterprise._base_manager.filter(rule).distinct().values_list("pk", flat=True))


def test_the_enterprise_scope_reads_the_enterprises_once(world, luoxi, chengjian, shuili, renshe):
    """The scope is applied to the enterprise rows themselves (its own town, or its id in a
    subquery per link table), not through ``pk IN (SELECT pk … joins)``: at 100,000 enterprises
    that shape made each of the home panel's counts hash the whole scope (issue #20). The rows are
    still exactly those of the rule."""
    from anxin.registry.tests.factories import enterprise

    # A second kind on an enterprise of the line: a join would repeat it, the scope must not.
    both = enterprise(name="罗溪建设置业有限公司", town="luoxi", kinds=("construction", "real_estate"))
    for user in (luoxi, chengjian, shuili, renshe):
        scoped = Enterprise.objects.for_user(user)
        sql = str(scoped.order_by().query)  # without the default ordering's join to the towns
        assert sql.count('FROM "registry_enterprise"') == 1, sql
        assert "JOIN" not in sql.split("WHERE", 1)[0], sql
        pks = list(scoped.values_list("pk", flat=True))
        assert len(pks) == len(set(pks)), user
        assert set(pks) == _by_the_rule(user), user
    assert both.pk in set(Enterprise.objects.for_user(chengjian).values_list("pk", flat=True))


def test_the_summary_is_the_count_of_each_list(world, office, luoxi, chengjian, renshe):
    """Every figure of the home panel, grouped in one pass (issue #20), equals the count of the
    enterprises it stands for: an enterprise of two kinds counts in each kind, once in its town."""
    from anxin.org.models import Town
    from anxin.registry.models import EnterpriseKind
    from anxin.registry.tests.factories import enterprise

    enterprise(name="罗溪建设置业有限公司", town="luoxi", kinds=("construction", "real_estate"))
    for user in (office, luoxi, chengjian, renshe):
        scoped = Enterprise.objects.for_user(user)
        summary = selectors.enterprise_summary(user=user)
        assert summary["total"] == scoped.count()
        for _label, n, code in summary["by_status"]:
            assert n == scoped.filter(status=code).count(), (user, code)
        for _label, n, code in summary["by_kind"]:
            assert n == scoped.filter(kinds=EnterpriseKind.objects.get(code=code)).count(), (user, code)
        expected_towns = [(t.code, scoped.filter(town=t).count()) for t in Town.objects.order_by("order")]
        assert [(code, n) for _label, n, code in summary["by_town"]] == [
            (code, n) for code, n in expected_towns if n
        ], user
