from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("benchapp", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name="meterreading",
            name="note",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
