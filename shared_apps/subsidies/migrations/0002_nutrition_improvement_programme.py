"""The national nutrition improvement programme (营养改善计划): 5 CNY per eligible student per
school day, no carry-over until the finance officer says otherwise."""

from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Programme = apps.get_model("subsidies", "Programme")
    Programme.objects.get_or_create(
        code="nutrition_improvement",
        defaults={"name": "农村义务教育学生营养改善计划", "daily_rate": Decimal("5.00")},
    )


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
