"""Every generated document, read back (python-docx): it prints what was recorded — the legal basis
the officer typed, the amounts, the deadline, the enterprise, the workers — the issuer's full name
from the district file, and the GB/T 9704 font names (Noto CJK as the named fallback)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from docx import Document

from anxin.cases import actions, documents
from anxin.cases.models import LegalAction
from anxin.cases.tests.factories import open_case, referral
from anxin.core.gongwen import BODY_FONT, TITLE_FONT, fonts_used

HRSS = "常州市新北区人力资源和社会保障局"
OFFICE = "常州市新北区预防和解决企业欠薪问题联席会议办公室"
POLICE = "常州市公安局新北分局"
PROCURATORATE = "常州市新北区人民检察院"


def text_of(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def assert_gongwen(content: bytes, issuer: str) -> None:
    """The red header and the 落款 are the issuer's full name; the fonts are GB/T 9704's by name,
    each with its Noto CJK alternate in the font table."""
    document = Document(io.BytesIO(content))
    assert document.paragraphs[0].text == issuer
    assert str(document.paragraphs[0].runs[0].font.color.rgb) == "C00000"
    assert any(p.text.startswith(issuer + "\n") for p in document.paragraphs)  # signature over the date
    fonts = fonts_used(content)
    assert fonts["eastAsia"] == {TITLE_FONT, BODY_FONT} == {"方正小标宋简体", "仿宋_GB2312"}
    assert fonts["altName"] == {(TITLE_FONT, "Noto Serif CJK SC"), (BODY_FONT, "Noto Serif CJK SC")}


@pytest.fixture
def worker_case(world, office):
    """A case opened on a worker's own portal report (name and amount registered)."""
    from anxin.intake import services as intake

    report = intake.portal_submit(
        facts={
            "employer_name": world.luoxi_factory.name, "employer_uscc": world.luoxi_factory.uscc,
            "summary": "三个月工资没发", "reporter_name": "王小二", "reporter_phone": "13912345678",
            "amount": 850_000, "workers": 1,
        },
        town=world.luoxi_factory.town, photos=[], ip="10.0.0.9",
    )  # fmt: skip
    assert report.enterprise_id == world.luoxi_factory.pk
    return open_case(world.luoxi_factory, actor=office, signals=[report])


@pytest.mark.parametrize(
    ("document", "title"),
    [("payment_notice", "限期支付工资通知书"), ("rectification", "劳动保障监察责令改正指令书")],
)
def test_the_order_notice_prints_the_basis_amount_deadline_enterprise_and_workers_recorded(
    worker_case, renshe, document, title
):
    pay_by = timezone.localdate() + datetime.timedelta(days=9)
    order = actions.action_request(
        actor=renshe, case=worker_case, kind="order", amount=3_456_700, workers=7, pay_by=pay_by,
        reference="新人社监〔2026〕21号", document=document, basis="《江苏省工资支付条例》第三十一条（测试录入）",
    )  # fmt: skip
    content = documents.order_notice(order)
    text = text_of(content)
    assert_gongwen(content, HRSS)
    assert title in text and "新人社监〔2026〕21号" in text
    assert "根据《江苏省工资支付条例》第三十一条（测试录入）的规定" in text
    assert "第五十五条" not in text and "第十八条" not in text  # no basis of its own
    assert "34,567.00 元" in text and "7 " in text
    assert f"于{pay_by.year}年{pay_by.month}月{pay_by.day}日前" in text
    enterprise = worker_case.enterprise
    assert enterprise.name in text and enterprise.uscc in text
    assert f"法定代表人：{enterprise.legal_rep}" in text and f"住所：{enterprise.address}" in text
    assert "百分之五十以上百分之一百以下" in text  # compensation.min/max_percent in force that day
    assert "附件：欠薪劳动者名单（据登记）" in text and "王小二" in text and "8,500.00" in text


def test_changing_the_recorded_basis_changes_the_notice(worker_case, renshe):
    order = actions.action_request(
        actor=renshe, case=worker_case, kind="order", amount=1_000_000, workers=2,
        pay_by=timezone.localdate() + datetime.timedelta(days=5), basis="依据甲",
    )  # fmt: skip
    first = text_of(documents.order_notice(order))
    LegalAction.objects.filter(pk=order.pk).update(basis="依据乙")
    order.refresh_from_db()
    second = text_of(documents.order_notice(order))
    assert "根据依据甲的规定" in first and "依据乙" not in first
    assert "根据依据乙的规定" in second and "依据甲" not in second


def test_an_order_with_no_basis_typed_records_the_default_and_prints_it(worker_case, renshe):
    order = actions.action_request(
        actor=renshe, case=worker_case, kind="order", amount=1_000_000, workers=2,
        pay_by=timezone.localdate() + datetime.timedelta(days=5), document="rectification",
    )  # fmt: skip
    assert order.basis == actions.ORDER_BASIS["rectification"]
    assert f"根据{order.basis}的规定" in text_of(documents.order_notice(order))


def test_the_compensation_range_is_the_parameter_in_force(worker_case, renshe, office):
    from anxin.core.services import policy_parameter_set

    policy_parameter_set(
        actor=office, code="compensation.min_percent", value="60", effective_from=timezone.localdate(),
        note="测试", ip="127.0.0.1",
    )  # fmt: skip
    order = actions.action_request(
        actor=renshe, case=worker_case, kind="order", amount=1_000_000, workers=2,
        pay_by=timezone.localdate() + datetime.timedelta(days=5),
    )  # fmt: skip
    assert "百分之六十以上百分之一百以下" in text_of(documents.order_notice(order))


def test_the_referral_letter_names_the_police_the_copy_the_order_the_workers_and_the_evidence(
    worker_case, renshe, office
):
    from anxin.cases.actions import document_attach
    from anxin.intake.tests.factories import png

    order, made = referral(worker_case, renshe)
    document_attach(
        actor=renshe, case=worker_case, action=order, kind="service", title="送达回证（签收）", name="s.png",
        content=png(),
    )  # fmt: skip
    content = documents.referral_letter(made)
    text = text_of(content)
    assert_gongwen(content, HRSS)
    assert "涉嫌犯罪案件移送书" in text and f"{POLICE}：" in text and f"抄送：{PROCURATORATE}（备案）" in text
    assert f"根据{made.basis}的规定" in text and "120,000.00 元" in text and "12 名劳动者" in text
    assert "新人社监〔2026〕1号" in text and "该单位逾期仍未支付" in text
    assert "移送证据材料清单" in text and "送达回证（签收）" in text
    assert "王小二" in text  # the worker list annex
    assert any(line in text for line in made.conditions["lines"])


def test_the_referral_evidence_says_when_the_proof_of_service_is_missing(worker_case, renshe):
    _order, made = referral(worker_case, renshe)
    assert "限期支付工资通知书送达回证：未上传" in documents.referral_evidence(made)


def test_the_case_summary_is_issued_by_the_office_by_full_name(worker_case):
    content = documents.case_summary(worker_case)
    assert_gongwen(content, OFFICE)
    assert worker_case.number in text_of(content)
    pdf = documents.case_summary_pdf(worker_case)
    assert pdf.startswith(b"%PDF")


def test_chinese_numbers_read_as_in_a_document():
    assert [documents.chinese_number(n) for n in (5, 10, 15, 50, 100, 105, 120, 1000)] == [
        "五", "十", "十五", "五十", "一百", "一百零五", "一百二十", "一千",
    ]  # fmt: skip
