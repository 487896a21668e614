from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
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
    ]
