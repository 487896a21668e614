import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0002_school_upkeep'),
        ('tenants', '0007_indexes_led_by_others'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='schoolassetcategory',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.school', verbose_name='school'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "reporting_schoolassetcategory_school_id_a85a7074"',
                    reverse_sql='CREATE INDEX "reporting_schoolassetcategory_school_id_a85a7074" ON "reporting_schoolassetcategory" ("school_id")',
                ),
            ],
        ),
    ]
