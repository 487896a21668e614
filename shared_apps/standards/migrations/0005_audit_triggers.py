from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("standards", "0004_tolerance_labels_without_percent_sign"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "standards_food": ["id"],
                "standards_mealplan": ["id"],
                "standards_mealplanentry": ["id"],
                "standards_nutritionstandard": ["id"],
                "standards_recipe": ["id"],
                "standards_recipeitem": ["id"],
                "standards_standardfoodgrouptarget": ["id"],
                "standards_standardtarget": ["id"],
            },
        ),
    ]
