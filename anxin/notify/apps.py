from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class NotifyConfig(AppConfig):
    """In-app inbox and the pluggable SMS sender every later app notifies through."""

    name = "anxin.notify"
    label = "notify"
    verbose_name = "消息通知"

    # The inbox is reached from the bell in the header (with the unread count), not the menu.
    def ready(self) -> None:
        label = self.label
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        from anxin.notify.exchange import PARTS

        for part in PARTS:
            seam.register(seam.EXCHANGE_PARTS, part, app=label)

    def sweeps(self) -> list[seam.Sweep]:
        from anxin.notify import services

        return [
            seam.Sweep("分发互联网区写下的通知", services.pending_notices_deliver),
            seam.Sweep("补发到期未发的短信", services.sms_send_due, portal=True),
            seam.Sweep("清理已完成的后台任务记录", services.task_results_purge, portal=True),
        ]

    def role_permissions(self) -> dict[str, list[str]]:
        """The outbox is the office's: it sends the notices and answers for them. Numbers are
        masked there, but the texts are district business (enterprise names, deadlines), which
        the three administrators (三员分立) do not read; the system administrator sees the worker's
        health in its journal (deploy/anxin-tasks.service)."""
        from anxin.org.models import Role

        return {Role.OFFICE: ["notify.view_smsmessage", "notify.resend_smsmessage"]}

    def menu(self, user: Any) -> list[dict]:
        if not user.has_perm("notify.view_smsmessage"):
            return []
        return [
            {
                "label": "短信发件箱",
                "group": "settings",
                "url_name": "sms-outbox",
                "icon": "message",
                "order": 85,
            }
        ]
