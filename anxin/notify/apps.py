from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """In-app inbox and the pluggable SMS sender every later app notifies through."""

    name = "anxin.notify"
    label = "notify"
    verbose_name = "消息通知"

    def menu(self, user) -> list[dict]:
        if not user.role:
            return []
        return [{"label": "消息", "url_name": "inbox", "icon": "inbox", "order": 70}]
