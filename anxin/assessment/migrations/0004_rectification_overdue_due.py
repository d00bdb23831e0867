"""The deadline a rectification item had when it first went overdue (fix S5): returning an answer now
sets a new deadline, so the measure counts by this. Filled for existing items from what the old rule
counted: escalated, or answered after the deadline."""

from django.db import migrations, models
from django.utils import timezone


def backfill(apps, schema_editor):
    Rectification = apps.get_model("assessment", "Rectification")
    for rect in Rectification.objects.filter(overdue_due__isnull=True).iterator():
        late = rect.escalated_at is not None or (
            rect.answered_at is not None and timezone.localdate(rect.answered_at) > rect.due
        )
        if late:
            Rectification.objects.filter(pk=rect.pk).update(overdue_due=rect.due)


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0003_spotcheck_circular_annex"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectification",
            name="overdue_due",
            field=models.DateField(
                blank=True,
                help_text="第一次逾期（逾期报联席办或期满后才报送）时的整改期限；退回重新整改另定期限后不变",
                null=True,
                verbose_name="逾期时的整改期限",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
