from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('standards', '0006_recipe_courses_portions'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "standards_mealplanentry_plan_id_640e10c8"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "standards_recipeitem_recipe_id_5cf3d535"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "standards_standardfoodgrouptarget_target_id_f68ee8f4"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "standards_standardtarget_standard_id_fb76077c"', reverse_sql=migrations.RunSQL.noop),
    ]
