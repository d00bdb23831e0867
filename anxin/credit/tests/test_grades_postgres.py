"""Races on PostgreSQL with real threads (one connection each): two answers to one objection — one
wins, the other is refused and writes nothing; two computations of one year — both finish, one row per
enterprise (the year's row lock orders them)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from anxin.core.errors import DomainError
from anxin.core.tests.helpers import at_once
from anxin.credit.models import EnterpriseGrade, GradeChange, Objection
from anxin.credit.services import grades as grade_services
from anxin.credit.services import objections as objection_services
from anxin.credit.tests import factories_grades as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_answers_to_one_objection_one_wins(world, renshe, office):
    grade = f.graded(world.luoxi_factory, 2026, "C")
    objection = objection_services.objection_record(
        actor=renshe, enterprise=world.luoxi_factory, grade=grade, received_on=datetime.date(2026, 6, 15),
        reasons="指令书已撤销",
    )  # fmt: skip

    def answer(who):
        upheld = who is renshe
        return objection_services.objection_answer(
            actor=who,
            objection=Objection.objects.get(pk=objection.pk),
            upheld=upheld,
            answer="成立" if upheld else "不成立",
            new_grade="B" if upheld else None,
        )

    answers = at_once([renshe, office], answer)
    refused = [a for a in answers if isinstance(a, DomainError)]
    assert len(refused) == 1, answers
    objection.refresh_from_db()
    grade.refresh_from_db()
    if objection.status == "upheld":
        assert grade.grade == "B" and GradeChange.objects.count() == 1
    else:
        assert grade.grade == "C" and not GradeChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_computations_of_one_year_write_one_row_each(world, renshe, office):
    f.action(f.case_for(world.luoxi_factory), "order", datetime.date.today().replace(day=1))
    year = datetime.date.today().year
    answers = at_once([renshe, office], lambda who: grade_services.grades_compute(actor=who, year=year))
    assert all(isinstance(a, dict) for a in answers), answers
    assert EnterpriseGrade.objects.filter(enterprise=world.luoxi_factory, year__year=year).count() == 1
    assert sorted(a["created"] for a in answers)[0] == 0  # the second found the first's rows
