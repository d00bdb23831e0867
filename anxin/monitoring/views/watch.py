"""The watch list (重点监控, §四(二)(三)): the ledger with its Excel export, an entry's page, and its
actions (confirm, decline, follow-up, plan, exit)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.core import credit_mark
from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.monitoring import selectors, watch
from anxin.monitoring.filters import WatchFilter
from anxin.monitoring.models import Level, WatchEntry, WatchStatus
from anxin.org.models import Unit

WATCH = Ledger(
    title="重点监控台账（§四(二)）",
    filename="重点监控台账",
    page_title="重点监控",
    columns=[
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("等级", "get_level_display", 8),
        Column("状态", lambda e: e.get_status_display() + ("（回访逾期）" if e.is_overdue else ""), 10),
        Column("负责单位", "owner_unit.name", 16),
        Column("回访周期（日）", "followup_days", 10, "int"),
        Column("下次回访", "next_followup_due", 12, "date"),
        Column("最近回访", "last_followup_at", 12, "date"),
        Column("责任主体", "plan_subject", 20),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("企业"),
        Header("等级"),
        Header("状态"),
        Header("负责单位"),
        Header("回访周期（日）", "回访周期"),
        Header("下次回访"),
        Header("责任主体", "预案"),
    ],
    filter_form=WatchFilter,
    select=selectors.watch_list,
    permission="monitoring.view_watchentry",
    export_permission="monitoring.export_alert",
    refusal="您的角色不能导出该台账。",
    template="monitoring/watch_list.html",
    context=credit_mark.ledger_context("enterprise_id"),  # the 失信 mark, one read for the page
    enrich=credit_mark.mark_rows("enterprise_id"),
)
watch_list = ledger_view(WATCH)


@login_required
@permission_required("monitoring.view_watchentry", raise_exception=True)
def watch_detail(request, pk: int):
    entry = get_scoped_or_404(
        WatchEntry.objects.select_related("enterprise", "town", "unit", "owner_unit", "confirmed_by"),
        request.user,
        pk=pk,
    )
    return _watch_page(request, entry)


def _watch_page(request, entry: WatchEntry, *, kept: dict | None = None, error: str = ""):
    """The watch entry's page; after a refused action, with what was typed (``kept``, naming the
    form by its action) and the error beside that form."""
    manage = request.user.has_perm("monitoring.manage_watchentry") and watch.can_manage(request.user, entry)
    context = {
        "kept": kept or {},
        "error": error,
        "page_title": f"重点监控：{entry.enterprise.name}",
        "entry": entry,
        "manage": manage,
        # The town when the risk has fallen below the level at confirmation; else the office only.
        "may_exit": manage and watch.may_exit(request.user, entry),
        "office_decides": entry.status == WatchStatus.ACTIVE and not watch.risk_fallen(entry),
        "entry_level": dict(Level.choices).get(watch.entry_level(entry), ""),
        "owner_choices": watch.owner_choices(entry) if entry.status == WatchStatus.PROPOSED else [],
        "followups": entry.followups.select_related("recorded_by"),
        "events": entry.events.select_related("actor"),
        "today": timezone.localdate(),
    }
    return render(request, "monitoring/watch_detail.html", context)


@login_required
@permission_required("monitoring.manage_watchentry", raise_exception=True)
@require_POST
def watch_act(request, pk: int, action: str):
    entry = get_scoped_or_404(WatchEntry.objects.select_related("enterprise"), request.user, pk=pk)
    post = request.POST
    try:
        if action == "confirm":
            owner = None
            if post.get("owner_unit"):
                owner = Unit.objects.filter(code=post["owner_unit"]).first()
                if owner is None:
                    raise DomainError("请选择有效的负责单位", field="owner_unit")
            watch.watch_confirm(actor=request.user, entry=entry, owner_unit=owner)
            done = "已纳入重点监控。"
        elif action == "decline":
            watch.watch_decline(actor=request.user, entry=entry, reason=post.get("reason", ""))
            done = "已记录不纳入的理由。"
        elif action == "followup":
            try:
                visited = datetime.date.fromisoformat(post.get("visited_on", ""))
            except ValueError:
                raise DomainError("请填写有效的回访日期", field="visited_on") from None
            watch.followup_record(
                actor=request.user,
                entry=entry,
                visited_on=visited,
                wage_status=post.get("wage_status", ""),
                debts=post.get("debts", ""),
                measures=post.get("measures", ""),
                next_step=post.get("next_step", ""),
            )
            done = "已记录回访。"
        elif action == "plan":
            watch.plan_save(
                actor=request.user,
                entry=entry,
                subject=post.get("subject", ""),
                team=post.get("team", ""),
                measures=post.get("measures", ""),
            )
            done = "已保存风险防范预案。"
        elif action == "exit":
            watch.watch_exit(actor=request.user, entry=entry, reason=post.get("reason", ""))
            done = "已退出重点监控。"
        else:
            raise Http404
    except DomainError as exc:
        # Back to the page with what was typed, the error beside its form (nothing was saved).
        entry.refresh_from_db()
        return _watch_page(request, entry, kept={"action": action, **post.dict()}, error=exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您无权执行该操作。")
    else:
        messages.success(request, done)
    return redirect("watch-detail", pk=entry.pk)
