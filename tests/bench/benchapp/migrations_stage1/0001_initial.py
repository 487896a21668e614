from django.db import migrations, models

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    initial = True
    dependencies = [("audit", "0002_trail_triggers")]
    operations = [
        migrations.CreateModel(
            name="MeterReading",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("meter", models.CharField(max_length=32)),
                ("value", models.DecimalField(decimal_places=2, max_digits=12)),
                ("read_at", models.DateTimeField()),
            ],
        ),
        AuditTriggers({"benchapp_meterreading": ["id"]}),
    ]
