import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='asset',
            name='assets_asse_room_id_9b63f2_idx',
        ),
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='room',
                    name='building',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='rooms', to='assets.building'),
                ),
                migrations.AlterField(
                    model_name='stocktakescan',
                    name='stock_take',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='scans', to='assets.stocktake'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "assets_room_building_id_068a5916"',
                    reverse_sql='CREATE INDEX "assets_room_building_id_068a5916" ON "assets_room" ("building_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "assets_stocktakescan_stock_take_id_81907b12"',
                    reverse_sql='CREATE INDEX "assets_stocktakescan_stock_take_id_81907b12" ON "assets_stocktakescan" ("stock_take_id")',
                ),
            ],
        ),
    ]
