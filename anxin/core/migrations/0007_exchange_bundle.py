import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_form_once"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExchangeBundle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[
                            ("reports", "门户→内网（反映和门户上的操作）"),
                            ("status", "内网→门户（办理状态和门户读的副本）"),
                        ],
                        max_length=8,
                        verbose_name="方向",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("export", "导出"), ("import", "导入")],
                        max_length=6,
                        verbose_name="导出/导入",
                    ),
                ),
                ("sequence", models.PositiveIntegerField(verbose_name="序号")),
                ("sha256", models.CharField(max_length=64, verbose_name="文件 SHA-256")),
                ("file_name", models.CharField(max_length=200, verbose_name="文件名")),
                ("source_host", models.CharField(max_length=100, verbose_name="导出主机")),
                ("created_at", models.DateTimeField(verbose_name="包的生成时间")),
                (
                    "done_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="本机导出/导入时间"),
                ),
                ("counts", models.JSONField(default=dict, verbose_name="各部分条数")),
                ("applied", models.JSONField(blank=True, default=dict, verbose_name="导入时实际写入")),
                ("marks", models.JSONField(blank=True, default=dict, verbose_name="下次导出的起点")),
                (
                    "acknowledges",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="内网已导入的反映包序号"),
                ),
                ("command", models.CharField(max_length=300, verbose_name="命令")),
            ],
            options={
                "verbose_name": "跨区摆渡文件包",
                "verbose_name_plural": "跨区摆渡文件包",
                "ordering": ["-done_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("direction", "kind", "sequence"),
                        name="exchange_bundle_once",
                        violation_error_message="该方向的该序号已导出或导入过",
                    )
                ],
            },
        ),
    ]
