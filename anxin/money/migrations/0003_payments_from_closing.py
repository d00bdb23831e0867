"""Every case's typed "已支付金额" (Case.amount_paid, set when it closed) becomes a Payment entry of
source "结案登记": paid on the day the case closed, recorded by who closed it (the system account
when nobody is recorded). Backwards, each case's amount_paid is the sum of its entries again (cases
0005, which drops the column, is unapplied first)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.db.models import Sum
from django.utils import timezone

SYSTEM_USERNAME = "system"  # anxin.core.audit.SYSTEM_USERNAME, frozen here


def _system_user(apps):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User.objects.create(
            username=SYSTEM_USERNAME, first_name="系统", full_name="系统", password=make_password(None)
        )
    return user


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Payment = apps.get_model("money", "Payment")
    system = None
    rows = []
    for case in Case.objects.exclude(amount_paid=0).order_by("pk").iterator():
        when = case.closed_at or case.updated_at
        recorded_by_id = case.closed_by_id
        if recorded_by_id is None:
            system = system or _system_user(apps)
            recorded_by_id = system.pk
        rows.append(
            Payment(
                case_id=case.pk,
                amount=case.amount_paid,
                paid_on=timezone.localtime(when).date(),
                source="closing",
                recorded_by_id=recorded_by_id,
                recorded_at=when,
            )
        )
    Payment.objects.bulk_create(rows, batch_size=500)


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Payment = apps.get_model("money", "Payment")
    given = dict(
        Payment.objects.filter(reverses__isnull=True)
        .values("case_id")
        .annotate(t=Sum("amount"))
        .values_list("case_id", "t")
    )
    taken = dict(
        Payment.objects.filter(reverses__isnull=False)
        .values("case_id")
        .annotate(t=Sum("amount"))
        .values_list("case_id", "t")
    )
    for case_id in set(given) | set(taken):
        Case.objects.filter(pk=case_id).update(
            amount_paid=max(0, given.get(case_id, 0) - taken.get(case_id, 0))
        )
    Payment.objects.filter(reverses__isnull=False).delete()
    Payment.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("money", "0002_payment"),
        ("cases", "0004_instalment_moves_to_money"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
