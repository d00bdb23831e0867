from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """In-app inbox and the pluggable SMS sender every later app notifies through."""

    name = "anxin.notify"
    label = "notify"
    verbose_name = "消息通知"

    # The inbox is reached from the bell in the header (with the unread count), not the menu.
