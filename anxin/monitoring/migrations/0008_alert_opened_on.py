"""Alert.opened_on: the local (Asia/Shanghai) date an alert opened, indexed, so the cockpit's
30-day trend is a GROUP BY on a column instead of a date function on every row."""

import datetime

from django.db import migrations, models
from django.utils import timezone


def fill(apps, schema_editor):
    Alert = apps.get_model("monitoring", "Alert")
    batch = []
    for alert in Alert.objects.only("pk", "opened_at").iterator(chunk_size=2000):
        alert.opened_on = timezone.localdate(alert.opened_at)
        batch.append(alert)
        if len(batch) >= 2000:
            Alert.objects.bulk_update(batch, ["opened_on"])
            batch = []
    Alert.objects.bulk_update(batch, ["opened_on"])


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0007_scanrun_changed_since")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="opened_on",
            field=models.DateField(
                default=datetime.date(2000, 1, 1), editable=False, verbose_name="生成日期"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="alert",
            name="opened_on",
            field=models.DateField(
                editable=False,
                help_text="生成时间的北京时间日期（驾驶舱趋势按日统计）",
                verbose_name="生成日期",
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(fields=["opened_on"], name="alert_opened_on"),
        ),
    ]
