"""An advance stores the day after which, unrepaid, it is reported (DESIGN rule 5). Advances already
paid out get it from their payment date and the parameter's current value (180 days by default)."""

import datetime

from django.db import migrations, models


def fill(apps, schema_editor):
    Advance = apps.get_model("money", "Advance")
    PolicyParameter = apps.get_model("core", "PolicyParameter")
    row = PolicyParameter.objects.filter(code="fund.repay_alert_days").order_by("-effective_from").first()
    days = int(row.value) if row is not None else 180
    for advance in Advance.objects.filter(status="approved", paid_on__isnull=False):
        advance.repay_due_on = advance.paid_on + datetime.timedelta(days=days)
        advance.repay_due_basis = f"拨付日起 {days} 天（fund.repay_alert_days，迁移时补记）"
        advance.save(update_fields=["repay_due_on", "repay_due_basis"])


class Migration(migrations.Migration):
    dependencies = [
        ("money", "0004_claims_ledger_funds"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="advance",
            name="repay_due_basis",
            field=models.CharField(blank=True, max_length=300, verbose_name="提示日期依据"),
        ),
        migrations.AddField(
            model_name="advance",
            name="repay_due_on",
            field=models.DateField(blank=True, db_index=True, null=True, verbose_name="归还提示日期"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
