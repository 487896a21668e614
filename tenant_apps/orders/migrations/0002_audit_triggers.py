from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("orders", "0001_initial"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "orders_delivery": ["id"],
                "orders_deliveryline": ["id"],
                "orders_expenditure": ["id"],
                "orders_invoice": ["id"],
                "orders_invoiceline": ["id"],
                "orders_order": ["id"],
                "orders_orderline": ["id"],
            },
        ),
    ]
