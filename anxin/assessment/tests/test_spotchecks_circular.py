"""The circular: refused while items are unchecked, sent to every member unit with its copy to 区委组织部,
the Word printing what was recorded."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document

from anxin.assessment import spotchecks_documents
from anxin.assessment.models import CircularRecipient, SpotCheckStatus
from anxin.assessment.services import spotchecks as services
from anxin.assessment.tests.factories_spotchecks import checking, with_problem
from anxin.core.errors import DomainError
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_circular_refused_while_an_item_is_unchecked(office, renshe, world):
    spot_check = checking(office, renshe)
    with pytest.raises(DomainError):
        services.circulate(
            actor=office, spot_check=spot_check, reference="新欠薪联办通〔2026〕1号", body="正文"
        )
    spot_check.refresh_from_db()
    assert spot_check.status == SpotCheckStatus.CHECKING and not CircularRecipient.objects.exists()


def test_only_the_office_circulates(office, renshe, world):
    spot_check, _ = with_problem(office, renshe)
    with pytest.raises(PermissionDenied):
        services.circulate(actor=renshe, spot_check=spot_check, reference="x", body="正文")


def test_draft_body_comes_from_the_record(office, renshe, world):
    spot_check, item = with_problem(office, renshe)
    item.refresh_from_db()
    services.set_rectification(actor=office, item=item, requirement="建立工资支付台账")
    body = services.circular_draft(spot_check)
    assert spot_check.seed in body and "罗溪镇" in body
    assert "工资支付台账缺失" in body and "建立工资支付台账" in body
    assert "发现问题 1 个" in body


def test_circulate_to_every_member_unit_with_copy_to_the_organisation_department(office, renshe, world):
    spot_check, item = with_problem(office, renshe)
    item.refresh_from_db()
    services.set_rectification(actor=office, item=item, requirement="建立工资支付台账")
    reference = services.suggest_circular_reference()
    body = services.circular_draft(spot_check)
    services.circulate(actor=office, spot_check=spot_check, reference=reference, body=body)
    assert spot_check.status == SpotCheckStatus.CIRCULATED and spot_check.circular_reference == reference
    members = set(Unit.objects.filter(is_member=True).values_list("pk", flat=True))
    sent = CircularRecipient.objects.filter(spot_check=spot_check)
    assert set(sent.filter(copy=False).values_list("unit_id", flat=True)) == members
    copy = sent.get(copy=True)
    assert copy.unit is None and copy.name == "中共常州市新北区委组织部"
    text = _text(spotchecks_documents.circular(spot_check))
    assert reference in text and "工资支付台账缺失" in text and "建立工资支付台账" in text
    assert "抄送：中共常州市新北区委组织部" in text
    assert spot_check.seed in text
    with pytest.raises(DomainError):  # issued once
        services.circulate(actor=office, spot_check=spot_check, reference=reference + "2", body=body)


def test_circular_reference_unique(office, renshe, world):
    first, _ = with_problem(office, renshe)
    services.circulate(actor=office, spot_check=first, reference="新欠薪联办通〔2026〕1号", body="正文")
    second, _ = with_problem(office, renshe, seed="other")
    with pytest.raises(DomainError) as refused:
        services.circulate(actor=office, spot_check=second, reference="新欠薪联办通〔2026〕1号", body="正文")
    assert refused.value.field == "reference"
    second.refresh_from_db()
    assert second.status == SpotCheckStatus.CHECKING


def test_the_circular_names_the_real_policy(office, renshe, world):
    from anxin.core.policy_defaults import OPINIONS

    spot_check, _ = with_problem(office, renshe)
    body = services.circular_draft(spot_check)
    assert f"《{OPINIONS}》§五(三)" in body and f"《{OPINIONS}》§五(三)（不定期抽查）" == services.CLAUSE
    assert "关于进一步做好保障农民工工资支付工作" not in body


def test_the_draft_prints_the_local_draw_day(office, renshe, world):
    import datetime

    # 01:00 on 2 March in the district is 17:00 on 1 March UTC
    at = datetime.datetime(2026, 3, 1, 17, 0, tzinfo=datetime.UTC)
    spot_check = services.draw(
        title="抽查", seed="1", units=1, population=["gov-luoxi"], items_per_unit=1, actor=office, now=at
    )
    body = services.circular_draft(spot_check)
    assert "于2026年3月2日以随机种子" in body


def test_the_word_prints_the_annex_as_issued(office, renshe, luoxi, world):
    spot_check, item = with_problem(office, renshe)
    item.refresh_from_db()
    rect = services.set_rectification(actor=office, item=item, requirement="建立工资支付台账")
    services.circulate(
        actor=office,
        spot_check=spot_check,
        reference="新欠薪联办通〔2026〕1号",
        body=services.circular_draft(spot_check),
    )
    spot_check.refresh_from_db()
    assert spot_check.circular_annex and "待整改" in spot_check.circular_annex[0][4]
    # after issue: the unit answers, the office accepts, another rectification item is set
    services.answer_rectification(actor=luoxi, rectification=rect, answer="已建立台账")
    services.accept_rectification(actor=office, rectification=rect)
    services.set_rectification(actor=office, item=item, requirement="补发拖欠工资并报送凭证")
    text = _text(spotchecks_documents.circular(spot_check))
    assert "建立工资支付台账" in text and "待整改" in text
    assert "已验收" not in text and "补发拖欠工资并报送凭证" not in text
    assert "印发时未保存" not in text
