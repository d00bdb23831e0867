"""Notify's part of the file exchange across the zone boundary (anxin/core/exchange.py): the notices
a portal host on its own database held (``PendingNotice``) go inside with its reports bundle, where
the tick delivers them (``pending_notices_deliver``) as it delivers a shared-database portal's.

The units are named by code (the ids of the two databases need not agree; both load the same
district file). A notice is handed over once: the export deletes what it put in the bundle, in the
bundle's own transaction, and nothing else; a notice to users (never written on the portal host)
stops the export with the reason rather than vanish."""

from __future__ import annotations

import datetime

from anxin.core import seam
from anxin.core.exchange import ExchangeRefused, LoadContext, RowError, flag, hold, items, moment, text
from anxin.notify.models import PendingNotice
from anxin.org.models import Unit


def notices_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    hold(PendingNotice)
    notices = list(PendingNotice.objects.order_by("pk"))
    to_users = [n for n in notices if n.user_ids]
    if to_users:
        # The portal host reads no account, so no notice it writes names users; one that does
        # cannot be carried (the ids differ inside) and must not vanish: the operator decides.
        raise ExchangeRefused(
            f"门户主机上有 {len(to_users)} 条发给具体账户的待分发通知（如 #{to_users[0].pk}“{to_users[0].subject[:40]}”），"
            "账户 id 在内网不同，无法摆渡。请核对后在管理后台删除或改为发给单位，再导出"
        )
    codes = dict(Unit.objects.values_list("pk", "code"))
    rows = [
        {
            "units": [codes[u] for u in n.unit_ids if u in codes],
            "subject": n.subject,
            "body": n.body,
            "url": n.url,
            "topic": n.topic,
            "sms": n.sms,
            "about": n.about,
            "created_at": n.created_at.isoformat(),
        }
        for n in notices
        if n.unit_ids
    ]
    # Only what went into the bundle (a notice to no unit goes nowhere, inside as here).
    PendingNotice.objects.filter(pk__in=[n.pk for n in notices if n.unit_ids]).delete()
    return seam.ExportedPart(rows)


def notices_load(rows: list[dict], *, context: LoadContext) -> int:
    units = dict(Unit.objects.values_list("code", "pk"))
    held = []
    for index, row in enumerate(rows):
        record = f"第 {index + 1} 条待分发通知"
        codes = items(row, "units", record=record)
        if not codes or not all(isinstance(c, str) for c in codes):
            raise RowError(record, "units", "应为单位代码的列表")
        unknown = [c for c in codes if c not in units]
        if unknown:
            raise RowError(
                record, "units", f"本机没有代码为“{unknown[0]}”的单位（两边的区配置文件是否一致？）"
            )
        moment(row, "created_at", record=record)
        # No notice the portal host writes sends a text message (those of a rating or material
        # are written here, by the services): its flag is read, never honoured.
        flag(row, "sms", record=record)
        url = text(row, "url", record=record, most=300)
        if url and not (url.startswith("/") and not url.startswith("//") and "\\" not in url):
            # A link in an officer's inbox: a path on this site, never an address elsewhere.
            raise RowError(record, "url", "应为本站的相对路径（以 / 开头）")
        held.append(
            PendingNotice(
                unit_ids=sorted(units[c] for c in codes),
                subject=text(row, "subject", record=record, blank=False, most=200),
                body=text(row, "body", record=record),
                url=url,
                topic=text(row, "topic", record=record, most=40),
                sms=False,
                about=text(row, "about", record=record, most=100),
            )
        )
    PendingNotice.objects.bulk_create(held)
    return len(held)


PARTS = (seam.ExchangePart("notify.notices", "reports", notices_export, notices_load),)
