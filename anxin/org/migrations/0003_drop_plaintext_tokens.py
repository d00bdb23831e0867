"""The API tokens of rest_framework.authtoken were stored in plain text; django-rest-knox replaced it
(issue #13). Its table, with every old key readable, is dropped, and its migration records with it
(so that the app could be installed again cleanly). Old tokens stop working: issue new ones with
``manage.py issue_token``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("org", "0002_one_time_password")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            "DELETE FROM django_migrations WHERE app = 'authtoken'", reverse_sql=migrations.RunSQL.noop
        ),
    ]
