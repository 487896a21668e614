import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('canteen', '0004_audit_triggers'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='serving',
            name='canteen_serving_student',
        ),
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='accompaniedmeal',
                    name='session',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='accompanied_meals', to='canteen.mealsession'),
                ),
                migrations.AlterField(
                    model_name='menuitem',
                    name='menu',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='canteen.menu'),
                ),
                migrations.AlterField(
                    model_name='serving',
                    name='session',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='servings', to='canteen.mealsession'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "canteen_accompaniedmeal_session_id_3c3e2ab4"',
                    reverse_sql='CREATE INDEX "canteen_accompaniedmeal_session_id_3c3e2ab4" ON "canteen_accompaniedmeal" ("session_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "canteen_menuitem_menu_id_97c95060"',
                    reverse_sql='CREATE INDEX "canteen_menuitem_menu_id_97c95060" ON "canteen_menuitem" ("menu_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "canteen_serving_session_id_41161bf6"',
                    reverse_sql='CREATE INDEX "canteen_serving_session_id_41161bf6" ON "canteen_serving" ("session_id")',
                ),
            ],
        ),
    ]
