from django.db import migrations

from shared_apps.audit.operations import AuditTriggers


class Migration(migrations.Migration):
    """The audit trail's triggers on this app's tables, with what the trail redacts from each."""

    dependencies = [("procurement", "0005_tender_evaluated_by"), ("audit", "0002_trail_triggers")]

    operations = [
        AuditTriggers(
            {
                "procurement_award": ["id"],
                "procurement_bid": ["id", "sealed"],
                "procurement_bidline": ["id"],
                "procurement_catalogueitem": ["id"],
                "procurement_committeeseat": ["id", "sealed_share"],
                "procurement_contractprice": ["id"],
                "procurement_criterion": ["id"],
                "procurement_evaluator": ["id", "locked_private_key", "public_key"],
                "procurement_frameworkcontract": ["id"],
                "procurement_lot": ["id", "sealed_reserve"],
                "procurement_presentedshare": ["id", "share"],
                "procurement_qualification": ["id"],
                "procurement_requisition": ["id"],
                "procurement_requisitionline": ["id"],
                "procurement_score": ["id"],
                "procurement_spendline": ["id"],
                "procurement_supplier": ["id"],
                "procurement_supplierevent": ["id"],
                "procurement_supplierrating": ["id"],
                "procurement_supplieruser": ["id"],
                "procurement_tender": ["id", "key_signature", "public_key", "sealed_private_key"],
                "procurement_tenderevent": ["id"],
                "procurement_tenderline": ["id"],
                "procurement_tenderlinesource": ["id"],
            },
        ),
    ]
