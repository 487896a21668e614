import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('standards', '0006_recipe_courses_portions'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='mealplanentry',
                    name='plan',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='entries', to='standards.mealplan'),
                ),
                migrations.AlterField(
                    model_name='recipeitem',
                    name='recipe',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='standards.recipe'),
                ),
                migrations.AlterField(
                    model_name='standardfoodgrouptarget',
                    name='target',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='standards.standardtarget'),
                ),
                migrations.AlterField(
                    model_name='standardtarget',
                    name='standard',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='standards.nutritionstandard'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "standards_mealplanentry_plan_id_640e10c8"',
                    reverse_sql='CREATE INDEX "standards_mealplanentry_plan_id_640e10c8" ON "standards_mealplanentry" ("plan_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "standards_recipeitem_recipe_id_5cf3d535"',
                    reverse_sql='CREATE INDEX "standards_recipeitem_recipe_id_5cf3d535" ON "standards_recipeitem" ("recipe_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "standards_standardfoodgrouptarget_target_id_f68ee8f4"',
                    reverse_sql='CREATE INDEX "standards_standardfoodgrouptarget_target_id_f68ee8f4" ON "standards_standardfoodgrouptarget" ("target_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "standards_standardtarget_standard_id_fb76077c"',
                    reverse_sql='CREATE INDEX "standards_standardtarget_standard_id_fb76077c" ON "standards_standardtarget" ("standard_id")',
                ),
            ],
        ),
    ]
