"""The payment schedules of legal actions move from cases to money with their rows.

The model's state moves (cases 0004 forgets it, this migration declares it with the table it has,
``cases_instalment``), then the table is renamed to ``money_instalment``. No row is copied: the
table itself changes owner. The content type moves too, so the audit log's history of each
instalment (django-auditlog rows point at it) stays with it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def content_type_to_money(apps, schema_editor):
    _move_content_type(apps, schema_editor, "cases", "money")


def content_type_to_cases(apps, schema_editor):
    _move_content_type(apps, schema_editor, "money", "cases")


def _move_content_type(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    if types.filter(app_label=new, model="instalment").exists():
        return  # already there (created by an earlier run): leave both as they are
    types.filter(app_label=old, model="instalment").update(app_label=new)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0003_route_basis_duty_names"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Instalment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("due_on", models.DateField(verbose_name="应付日期")),
                        ("amount", models.BigIntegerField(verbose_name="金额（分）")),
                        ("paid_on", models.DateField(blank=True, null=True, verbose_name="实付日期")),
                        ("paid_note", models.CharField(blank=True, max_length=200, verbose_name="履行说明")),
                        ("reminded_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("missed_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "action",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="instalments",
                                to="cases.legalaction",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "分期履行",
                        "verbose_name_plural": "分期履行",
                        "ordering": ["due_on", "pk"],
                        "db_table": "cases_instalment",
                    },
                ),
                migrations.AddConstraint(
                    model_name="instalment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)),
                        name="case_instalment_amount_positive",
                        violation_error_message="金额须大于零",
                    ),
                ),
            ],
            database_operations=[],
        ),
        # cases_instalment → money_instalment (the default name of money's model)
        migrations.AlterModelTable(name="instalment", table=None),
        migrations.RunPython(content_type_to_money, content_type_to_cases),
    ]
