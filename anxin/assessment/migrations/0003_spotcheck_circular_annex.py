"""The circular's annex as issued (fix S3): the rows printed in the Word are those saved when the
circular was issued, not the rectification items as they stand at download time. Rounds circulated
before this have none (the Word then prints the current rows and says so)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_scoring_bigint_amounts"),
    ]

    operations = [
        migrations.AddField(
            model_name="spotcheck",
            name="circular_annex",
            field=models.JSONField(
                blank=True,
                help_text="印发通报时保存的抽查事项及整改情况一览表：每行 [被抽查单位, 检查事项, 检查结果, 检查发现, 整改要求]",
                null=True,
                verbose_name="通报附件一览表（印发时）",
            ),
        ),
    ]
