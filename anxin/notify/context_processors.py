"""The unread count shown on the inbox bell in the header."""

from django.http import HttpRequest

from anxin.notify.models import Notification


def inbox(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {}
    return {"inbox_unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count()}
