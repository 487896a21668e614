from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('canteen', '0004_audit_triggers'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "canteen_serving_student"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "canteen_accompaniedmeal_session_id_3c3e2ab4"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "canteen_menuitem_menu_id_97c95060"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "canteen_serving_session_id_41161bf6"', reverse_sql=migrations.RunSQL.noop),
    ]
