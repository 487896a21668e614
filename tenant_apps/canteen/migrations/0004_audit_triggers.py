from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("canteen", "0003_school_calendar"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "canteen_accompaniedmeal": ["id"],
                "canteen_calendarday": ["id"],
                "canteen_coldstoragereading": ["id"],
                "canteen_dailyclose": ["id"],
                "canteen_foodsample": ["id"],
                "canteen_inboundinspection": ["id"],
                "canteen_mealsession": ["id"],
                "canteen_menu": ["id"],
                "canteen_menuitem": ["id"],
                "canteen_schoolterm": ["id"],
                "canteen_serving": ["id"],
            },
        ),
    ]
