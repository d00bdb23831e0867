import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The listings' public copies keep no foreign key in the database: a portal host on its own
    database (the file exchange) holds them without the listings."""

    dependencies = [
        ("credit", "0002_public_listing"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publiclisting",
            name="listing",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="credit.listing",
            ),
        ),
    ]
