import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0006_school_rural'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='schoolmigration',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='migrations', to='tenants.school', verbose_name='school'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "tenants_schoolmigration_school_id_3d0b10ee"',
                    reverse_sql='CREATE INDEX "tenants_schoolmigration_school_id_3d0b10ee" ON "tenants_schoolmigration" ("school_id")',
                ),
            ],
        ),
    ]
