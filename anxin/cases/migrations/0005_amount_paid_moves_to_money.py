"""What has been paid on a case is money's ledger now (money 0003 moved every amount_paid into a
Payment entry): the column goes, and the amounts check keeps its amount_claimed part."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_instalment_moves_to_money"),
        ("money", "0003_payments_from_closing"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="case", name="case_amounts_not_negative"),
        migrations.RemoveField(model_name="case", name="amount_paid"),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount_claimed__gte", 0)),
                name="case_amount_claimed_not_negative",
                violation_error_message="金额不能为负数",
            ),
        ),
    ]
