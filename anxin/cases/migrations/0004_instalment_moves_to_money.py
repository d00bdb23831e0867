"""Instalment belongs to money now (money 0001 took over its table): cases forgets the model's
state only — nothing in the database changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_route_basis_duty_names"),
        ("money", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Instalment")],
            database_operations=[],
        )
    ]
