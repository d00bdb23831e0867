"""Background tasks of notify (django-tasks): each one a thin call of a service."""

from __future__ import annotations

from django_tasks import task


@task()
def sms_deliver(message_id: int) -> str:
    """Hand one queued SMS to the gateway (``services.sms_attempt``); returns what became of it."""
    from anxin.notify import services

    return services.sms_attempt(message_id=message_id)
