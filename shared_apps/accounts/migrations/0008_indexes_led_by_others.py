import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_membership_role_escort'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='membership',
                    name='user',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "accounts_membership_user_id_487fb39e"',
                    reverse_sql='CREATE INDEX "accounts_membership_user_id_487fb39e" ON "accounts_membership" ("user_id")',
                ),
            ],
        ),
    ]
