"""Actions routed before the duty's name was shown read "职责：区法院（court-green-channel）": the
same words as new ones now — the duty's name and its clause, no code on a Chinese screen."""

import re

from django.db import migrations

OLD = re.compile(r"^职责：.*（([a-z0-9-]+)）$")


def forwards(apps, schema_editor):
    LegalAction = apps.get_model("cases", "LegalAction")
    Duty = apps.get_model("org", "Duty")
    duties = {d.code: d for d in Duty.objects.all()}
    for action in LegalAction.objects.filter(route_basis__startswith="职责："):
        found = OLD.match(action.route_basis)
        duty = duties.get(found.group(1)) if found else None
        if duty is not None:
            action.route_basis = f"职责：{duty.name}（{duty.citation}）"[:200]
            action.save(update_fields=["route_basis"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_documents_and_instalment_marks"),
        ("org", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
