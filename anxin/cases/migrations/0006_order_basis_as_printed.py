"""Orders to pay recorded before the notice printed the recorded legal basis: their notices printed a
fixed basis by document; that text becomes the order's recorded basis, so the notice prints the same
words as before and the record says what was served. Orders with a basis keep it."""

from django.db import migrations

ORDER_BASIS = {
    "payment_notice": "《保障农民工工资支付条例》第五十五条、《劳动保障监察条例》第二十六条和《江苏省工资支付条例》",
    "rectification": "《劳动保障监察条例》第十八条、第二十六条",
}


def fill(apps, schema_editor):
    LegalAction = apps.get_model("cases", "LegalAction")
    for document, basis in ORDER_BASIS.items():
        LegalAction.objects.filter(kind="order", basis="", document=document).update(basis=basis)
    LegalAction.objects.filter(kind="order", basis="", document="").update(
        basis=ORDER_BASIS["payment_notice"]
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_amount_paid_moves_to_money")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
