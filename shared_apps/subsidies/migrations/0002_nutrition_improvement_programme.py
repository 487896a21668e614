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


def delete(apps, schema_editor):
    """The foreign keys refuse while a budget or a claim is under the programme."""
    if schema_editor.connection.schema_name != "public":
        return
    schema_editor.execute(
        "DELETE FROM subsidies_programme WHERE code = %s", ["nutrition_improvement"]
    )


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]

    operations = [migrations.RunPython(create, delete)]
