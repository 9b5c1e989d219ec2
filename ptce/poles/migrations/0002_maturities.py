from django.db import migrations

MATURITIES = [
    ("emerging", "Émergent", 1),
    ("consolidating", "En consolidation", 2),
    ("mature", "Mature (capable de changer d'échelle)", 3),
]


def seed(apps, schema_editor):
    Maturity = apps.get_model("poles", "Maturity")
    for code, label, order in MATURITIES:
        Maturity.objects.update_or_create(code=code, defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("poles", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
