"""The monthly observations: the ledger (监测数据台账, §四(二)) with its Excel export, and their
import from a spreadsheet (check, confirm, template)."""

from __future__ import annotations

from django.urls import reverse

from anxin.core import credit_mark
from anxin.core.importviews import ImportScreen
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.monitoring import selectors, services
from anxin.monitoring.forms import ObservationFilter, ObservationImportForm
from anxin.monitoring.importing import observation_import, observation_template
from anxin.monitoring.models import Indicator, IndicatorKind


def _indicator(observation) -> str:
    """The indicator's name, with the unit its count is in (``用电量（千瓦时）``)."""
    indicator = observation.indicator
    if indicator.kind == IndicatorKind.COUNT and indicator.unit:
        return f"{indicator.name}（{indicator.unit}）"
    return indicator.name


OBSERVATIONS = Ledger(
    title="监测数据台账（§四(二)）",
    filename="监测数据台账",
    page_title="监测数据台账",
    columns=[
        Column("月份", "month", 9, "date", num_format="yyyy-mm"),
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("指标", _indicator, 18),
        # One typed column per kind of indicator, so that Excel can add the figures up.
        Column("数值", lambda o: o.value if o.indicator.kind == IndicatorKind.COUNT else None, 10, "int"),
        Column(
            "金额（元）", lambda o: o.value if o.indicator.kind == IndicatorKind.MONEY else None, 14, "money"
        ),
        Column("是/否", lambda o: o.value_display if o.indicator.kind == IndicatorKind.FLAG else "", 8),
        Column("报送渠道", "indicator.channel.name", 14),
        Column("报送人", "recorded_by.display_name", 14),
        Column("报送时间", "recorded_at", 17, "datetime"),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("月份"),
        Header("企业"),
        Header("指标"),
        Header("数值", css="text-end"),
        Header("报送渠道", css="d-none d-lg-table-cell"),
        Header("报送人", "报送", "d-none d-md-table-cell"),
    ],
    filter_form=ObservationFilter,
    select=selectors.observation_list,  # every monthly value in scope, who reported it and when
    permission="monitoring.view_observation",
    export_permission="monitoring.export_alert",
    refusal="您的角色不能导出监测数据台账。",
    template="monitoring/observation_list.html",
    partial="monitoring/_observation_table.html",
    context=credit_mark.ledger_context(  # the 失信 mark, one read for the page
        "enterprise_id",
        then=lambda request, _context: {
            "may_import": request.user.has_perm("monitoring.import_observation")
            and services.reports_any(request.user)
        },
    ),
    enrich=credit_mark.mark_rows("enterprise_id"),
)
observation_list = ledger_view(OBSERVATIONS)


IMPORT_SESSION_KEY = "monitoring_import_pending"


class ObservationImport(ImportScreen):
    """Choose the indicator, upload → dry-run preview with every error → confirm → write all rows
    or none; the enterprises concerned are re-assessed."""

    key = IMPORT_SESSION_KEY
    permission = "monitoring.import_observation"
    form_class = ObservationImportForm
    template = "monitoring/observation_import.html"
    page_title = "导入监测数据"
    url_name = "observation-import"
    sample_filename = "监测数据导入模板.xlsx"
    stale = "导入未执行："
    importer = staticmethod(observation_import)
    sample = staticmethod(observation_template)

    def options(self, form):
        return {"indicator": form.cleaned_data["indicator"]}

    def keep(self, options):
        return {"indicator": options["indicator"].pk}

    def restore(self, request, pending):
        return {"indicator": Indicator.objects.filter(pk=pending["indicator"]).first()}

    def finished(self, result, options):
        message = (
            f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，无变化 {result.unchanged} 条；"
            "相关企业已重新评估。"
        )
        return message, reverse("observation-import")


observation_import_view, observation_import_confirm, observation_import_template = ObservationImport().views()
