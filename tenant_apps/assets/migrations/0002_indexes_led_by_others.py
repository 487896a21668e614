from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0001_initial'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "assets_asse_room_id_9b63f2_idx"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "assets_room_building_id_068a5916"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "assets_stocktakescan_stock_take_id_81907b12"', reverse_sql=migrations.RunSQL.noop),
    ]
