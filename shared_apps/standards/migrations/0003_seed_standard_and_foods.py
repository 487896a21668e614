"""Seed: the WS/T 554-2017 targets and the common foods of data/ (see data/README.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from shared_apps.standards.importing import check_rows, read_food_rows
    from shared_apps.standards.seed import FOODS_FILE, load_standard

    load_standard(
        apps.get_model("standards", "NutritionStandard"),
        apps.get_model("standards", "StandardTarget"),
        apps.get_model("standards", "StandardFoodGroupTarget"),
    )
    food_model = apps.get_model("standards", "Food")
    with open(FOODS_FILE, "rb") as f:
        checked = check_rows(read_food_rows(f, FOODS_FILE.name, max_rows=None))
    faulty = [row.as_dict() for row in checked if row.failed]
    if faulty:
        raise ValueError(f"data/foods.csv has faulty rows: {faulty}")
    present = set(food_model.objects.values_list("code", flat=True))
    food_model.objects.bulk_create(
        food_model(**row.cleaned) for row in checked if row.key not in present
    )


class Migration(migrations.Migration):
    dependencies = [("standards", "0002_published_plans_frozen")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
