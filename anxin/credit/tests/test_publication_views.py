"""The screens of the publication: who gets what (200/403), the review buttons only for 人社局 and the
office, the refusals on the page, the ledgers' filters, exports and query bounds, the Word and Excel
of a batch, the enterprise's section and the overview card."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from anxin.credit.models import EntryStatus, PublicationEvent
from anxin.credit.services import publication as services
from anxin.credit.tests.factories_publication import at, gathered, wage_case
from anxin.registry.tests.factories import EnterpriseFactory

D = datetime.date
Q2, Q3 = D(2026, 4, 1), D(2026, 7, 1)
NOW = D(2026, 10, 20)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(at(NOW), tick=False) as traveller:
        yield traveller


@pytest.fixture
def lists(renshe):
    """Q3 published (a 罗溪 and a 薛家 enterprise kept, another 罗溪 one removed) and Q2 a draft."""
    a = wage_case(
        D(2026, 7, 10), renshe, enterprise=EnterpriseFactory(name="甲建筑有限公司", legal_rep="王五")
    )
    b = wage_case(D(2026, 8, 10), renshe, enterprise=EnterpriseFactory(name="乙劳务有限公司", town="xuejia"))
    c = wage_case(D(2026, 9, 10), renshe, enterprise=EnterpriseFactory(name="丙装饰有限公司"))
    d = wage_case(D(2026, 5, 10), renshe, enterprise=EnterpriseFactory(name="丁机械有限公司", town="xuejia"))
    q3 = gathered(renshe, Q3, on=D(2026, 10, 10))
    with time_machine.travel(at(D(2026, 10, 10)), tick=False):
        for case in (a.case, b.case):
            services.entry_keep(actor=renshe, entry=q3.entries.get(case=case))
        services.entry_discard(actor=renshe, entry=q3.entries.get(case=c.case), reason="已全额清偿")
        services.batch_publish(actor=renshe, batch=q3)
    q2 = gathered(renshe, Q2, on=D(2026, 10, 11))
    q3.refresh_from_db()
    return {"q3": q3, "q2": q2, "a": a.case, "b": b.case, "c": c.case, "d": d.case}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("office", 200),
        ("renshe", 200),
        ("chengjian", 200),
        ("luoxi", 200),
        ("xuejia", 200),
        ("caizheng", 200),
        ("leader", 200),
        (None, 302),
    ],
)
def test_who_opens_the_ledger_and_a_batch(request, login, lists, clock, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    client = login(user)
    assert client.get(reverse("credit-publication-list")).status_code == status
    assert client.get(reverse("credit-publication-batch", args=[lists["q2"].pk])).status_code == status
    assert client.get(reverse("credit-publication-entries")).status_code == status


@pytest.mark.parametrize("persona", ["office", "renshe"])
def test_renshe_and_the_office_see_the_review_buttons(request, login, lists, clock, persona):
    html = (
        login(request.getfixturevalue(persona))
        .get(reverse("credit-publication-batch", args=[lists["q2"].pk]))
        .content.decode()
    )
    entry = lists["q2"].entries.get()
    assert (
        f'data-testid="entry-keep-{entry.pk}"' in html and f'data-testid="entry-discard-{entry.pk}"' in html
    )
    assert 'data-testid="batch-publish"' in html and "data-confirm" in html
    assert (
        'data-testid="publication-gather-form"'
        in login(request.getfixturevalue(persona)).get(reverse("credit-publication-list")).content.decode()
    )


@pytest.mark.parametrize("persona", ["chengjian", "xuejia", "caizheng"])
def test_other_units_read_without_buttons_and_are_refused_on_post(request, login, lists, clock, persona):
    client = login(request.getfixturevalue(persona))
    entry = lists["q2"].entries.get()
    html = client.get(reverse("credit-publication-batch", args=[lists["q2"].pk])).content.decode()
    assert "entry-keep-" not in html and "batch-publish" not in html and "entry-withdraw-" not in html
    assert "publication-gather-form" not in client.get(reverse("credit-publication-list")).content.decode()
    act = reverse("credit-publication-entry-act", args=[entry.pk, "keep"])
    assert client.post(act).status_code == (403 if persona == "xuejia" else 404)  # 丁 is in 薛家
    public = lists["q3"].entries.get(case=lists["a"])
    withdraw = reverse("credit-publication-entry-act", args=[public.pk, "withdraw"])
    assert client.post(withdraw, {"reason": "x"}).status_code == 403
    assert client.post(reverse("credit-publication-publish", args=[lists["q2"].pk])).status_code == 403
    assert client.post(reverse("credit-publication-gather"), {"period": "2026-07-01"}).status_code == 403
    assert client.get(reverse("credit-publication-entry-edit", args=[public.pk])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_a_town_reads_a_drafts_entries_of_its_own_enterprises_and_everything_published(
    login, lists, clock, luoxi
):
    client = login(luoxi)
    q2 = client.get(reverse("credit-publication-batch", args=[lists["q2"].pk])).content.decode()
    assert "丁机械有限公司" not in q2 and "另有 1 条" in q2  # 薛家's draft entry
    q3 = client.get(reverse("credit-publication-batch", args=[lists["q3"].pk])).content.decode()
    assert "甲建筑有限公司" in q3 and "乙劳务有限公司" in q3 and "丙装饰有限公司" in q3
    assert (
        client.get(reverse("credit-publication-entry-edit", args=[lists["q2"].entries.get().pk])).status_code
        == 404
    )


def test_a_town_neither_exports_nor_reads_the_history_of_another_towns_draft_entry(
    login, lists, clock, renshe, luoxi
):
    draft = lists["q2"]
    services.entry_edit(actor=renshe, entry=draft.entries.get(), legal_rep="丁某（复核后修改）")
    services.entry_keep(actor=renshe, entry=draft.entries.get())
    client = login(luoxi)
    page = client.get(reverse("credit-publication-batch", args=[draft.pk])).content.decode()
    assert "丁机械有限公司" not in page  # nor in the history's review lines
    word = client.get(reverse("credit-publication-word", args=[draft.pk]))
    assert word.status_code == 200
    with zipfile.ZipFile(io.BytesIO(word.content)) as docx:
        assert "丁机械有限公司" not in docx.read("word/document.xml").decode()
    excel = client.get(reverse("credit-publication-excel", args=[draft.pk]))
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert not any("丁机械有限公司" in c for c in cells)
    office_page = login(renshe).get(reverse("credit-publication-batch", args=[draft.pk])).content.decode()
    assert "丁机械有限公司" in office_page


def test_review_through_the_page(login, lists, clock, renshe):
    client = login(renshe)
    entry = lists["q2"].entries.get()
    page = reverse("credit-publication-batch", args=[lists["q2"].pk])
    answer = client.post(reverse("credit-publication-entry-act", args=[entry.pk, "discard"]), {"reason": ""})
    assert answer.status_code == 400 and "删除须写明理由" in answer.content.decode()
    answer = client.post(reverse("credit-publication-publish", args=[lists["q2"].pk]))
    assert answer.status_code == 400 and "尚有 1 条未经审核" in answer.content.decode()
    answer = client.post(reverse("credit-publication-entry-act", args=[entry.pk, "keep"]), {"note": "属实"})
    assert answer.status_code == 302 and answer["Location"].startswith(page)
    assert client.post(reverse("credit-publication-publish", args=[lists["q2"].pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PUBLISHED and entry.published_on == NOW
    html = client.get(page).content.decode()
    assert "审核保留" in html and "公布" in html and 'data-testid="batch-events"' in html
    assert f'data-testid="entry-withdraw-{entry.pk}"' in html
    assert (
        client.post(reverse("credit-publication-entry-act", args=[entry.pk, "nonsense"])).status_code == 404
    )


def test_withdraw_through_the_page(login, lists, clock, renshe):
    entry = lists["q3"].entries.get(case=lists["a"])
    client = login(renshe)
    url = reverse("credit-publication-entry-act", args=[entry.pk, "withdraw"])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "信用修复"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.WITHDRAWN
    assert "甲建筑有限公司" not in login(None).get(reverse("portal-violations")).content.decode()


def test_editing_an_entry(login, lists, clock, renshe):
    entry = lists["q2"].entries.get()
    client = login(renshe)
    url = reverse("credit-publication-entry-edit", args=[entry.pk])
    form = client.get(url)
    assert form.status_code == 200 and entry.facts in form.content.decode()
    data = {n: getattr(entry, n) for n in ("name", "address", "legal_rep", "facts", "handling")}
    bad = client.post(url, {**data, "legal_rep": "丁某 32041119800101001X"})
    assert bad.status_code == 400 and "身份证号码" in bad.content.decode()
    good = client.post(url, {**data, "handling": entry.handling + "（已补充）", "reason": "补充"})
    assert good.status_code == 302
    assert PublicationEvent.objects.filter(entry=entry, action="edit").count() == 1
    published = lists["q3"].entries.get(case=lists["a"])
    closed = client.get(reverse("credit-publication-entry-edit", args=[published.pk]))
    assert closed.status_code == 302


def test_gathering_on_demand_through_the_ledger(login, renshe, clock):
    wage_case(D(2026, 8, 1), renshe)
    answer = login(renshe).post(reverse("credit-publication-gather"), {"period": "2026-07-01"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("/credit/publication/")
    refused = login(renshe).post(reverse("credit-publication-gather"), {"period": "2026-10-01"}, follow=True)
    assert "请选择已结束的统计期" in refused.content.decode()


def test_the_ledgers_filter_export_and_read_a_bounded_number_of_queries(
    login, lists, clock, office, django_assert_max_num_queries
):
    client = login(office)
    with django_assert_max_num_queries(20):
        html = client.get(reverse("credit-publication-list")).content.decode()
    assert "XB-GB-2026-Q3" in html and "XB-GB-2026-Q2" in html
    only = client.get(reverse("credit-publication-list") + "?status=published").content.decode()
    assert "XB-GB-2026-Q3" in only and "XB-GB-2026-Q2" not in only
    by_name = client.get(reverse("credit-publication-list") + "?q=丁机械").content.decode()
    assert "XB-GB-2026-Q2" in by_name and "XB-GB-2026-Q3" not in by_name
    with django_assert_max_num_queries(20):
        entries = client.get(reverse("credit-publication-entries") + "?status=published").content.decode()
    assert "甲建筑有限公司" in entries and "丙装饰有限公司" not in entries
    with django_assert_max_num_queries(40):
        assert client.get(reverse("credit-publication-batch", args=[lists["q3"].pk])).status_code == 200
    export = client.get(reverse("credit-publication-list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    assert any("XB-GB-2026-Q3" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_the_batch_exports_hold_the_recorded_facts(login, lists, clock, office, auditor):
    q3 = lists["q3"]
    kept = q3.entries.get(case=lists["a"])
    word = login(office).get(reverse("credit-publication-word", args=[q3.pk]))
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(word.content)) as archive:
        text = archive.read("word/document.xml").decode()
    assert "甲建筑有限公司" in text and kept.uscc in text and "王五" in text
    assert "新人社监〔2026〕7号" in text and "2026年第3季度" in text
    assert "丙装饰有限公司" not in text  # removed: not published
    assert "2027年10月9日" in text  # the last day, from the batch
    excel = login(office).get(reverse("credit-publication-excel", args=[q3.pk]))
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert any(kept.facts == c for c in cells) and any(kept.handling == c for c in cells)
    assert not any("丙装饰有限公司" in c for c in cells)
    # The auditor reads but does not export.
    assert login(auditor).get(reverse("credit-publication-word", args=[q3.pk])).status_code == 403


def test_the_enterprise_tab_and_the_overview(login, lists, clock, office, luoxi):
    enterprise = lists["a"].enterprise
    html = (
        login(luoxi)
        .get(reverse("enterprise-detail", args=[enterprise.uscc]) + "?tab=credit")
        .content.decode()
    )
    assert 'data-testid="credit-publication-section"' in html and "XB-GB-2026-Q3" in html
    assert 'data-testid="publication-public-now"' in html
    overview = login(office).get(reverse("credit-overview")).content.decode()
    assert 'data-testid="credit-publication-card"' in overview and "XB-GB-2026-Q2" in overview
    assert 'data-testid="publication-public-count">2<' in overview
