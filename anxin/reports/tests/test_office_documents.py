"""The Word documents print what was recorded: the title, 文号 and day once issued, the body as
edited (edit the body and the Word changes), the data snapshot's figures and annexes; GB/T 9704
fonts; the download is logged as an export."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from anxin.core.gongwen import BODY_FONT, fonts_used
from anxin.core.models import SecurityEvent
from anxin.reports import office_documents
from anxin.reports.services import office as services
from anxin.reports.tests.factories_office import AFTER, composed, issued

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER, tick=False):
        yield


def test_editing_the_body_changes_the_word(office):
    document = composed(office)
    before = _text(office_documents.build(document))
    assert document.body["overall"].splitlines()[0] in before
    services.document_save(
        actor=office, document=document, body={**document.body, "advice": "建议加大对建筑领域的巡查力度"}
    )
    document.refresh_from_db()
    after = _text(office_documents.build(document))
    assert "建议加大对建筑领域的巡查力度" in after and "建议加大对建筑领域的巡查力度" not in before
    assert "四、下步建议" in after and "尚未印发" in after


def test_the_issued_circular_prints_its_reference_day_and_annexes(office, office_director):
    document = issued(office, office_director, "circular", reference="新欠薪联办〔2026〕21号")
    content = office_documents.build(document)
    text = _text(content)
    assert document.title in text and "新欠薪联办〔2026〕21号" in text
    assert "2026年12月8日" in text and "各成员单位：" in text
    assert "各成员单位定期报告报送情况" in text and "各成员单位宣传活动情况" in text
    assert "区罗溪镇" in text or "罗溪镇" in text
    assert "尚未印发" not in text
    assert BODY_FONT in fonts_used(content)["eastAsia"]


def test_the_analysis_prints_its_data(office, office_director):
    document = issued(office, office_director, "analysis")
    text = _text(office_documents.build(document))
    assert "区委、区政府主要领导和分管领导：" in text
    for title in (
        "分镇（街道）主要数据",
        "分条线（部门）主要数据",
        "分行业（企业类型）情况",
        "近6期主要数据走势",
        "本期即时报告",
    ):
        assert title in text, title
    assert document.data["district"]["signals_received"]["label"] in text


def test_the_download_is_logged(login, office):
    document = composed(office)
    response = login(office).get(reverse("reports-office-word", args=[document.pk]))
    assert response.status_code == 200
    assert SecurityEvent.objects.filter(kind="export", summary__contains=document.title).exists()
