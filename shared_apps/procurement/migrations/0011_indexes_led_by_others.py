import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('procurement', '0010_seat_scores_signed'),
        ('tenants', '0007_indexes_led_by_others'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='bid',
                    name='lot',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='bids', to='procurement.lot'),
                ),
                migrations.AlterField(
                    model_name='bidline',
                    name='bid',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='procurement.bid'),
                ),
                migrations.AlterField(
                    model_name='committeeseat',
                    name='tender',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='seats', to='procurement.tender'),
                ),
                migrations.AlterField(
                    model_name='contractprice',
                    name='contract',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='prices', to='procurement.frameworkcontract'),
                ),
                migrations.AlterField(
                    model_name='criterion',
                    name='tender',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='procurement.tender'),
                ),
                migrations.AlterField(
                    model_name='lot',
                    name='tender',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lots', to='procurement.tender'),
                ),
                migrations.AlterField(
                    model_name='qualification',
                    name='supplier',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='qualifications', to='procurement.supplier'),
                ),
                migrations.AlterField(
                    model_name='requisition',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='requisitions', to='tenants.school'),
                ),
                migrations.AlterField(
                    model_name='score',
                    name='seat',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='procurement.committeeseat'),
                ),
                migrations.AlterField(
                    model_name='spendline',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tenants.school'),
                ),
                migrations.AlterField(
                    model_name='spendline',
                    name='supplier',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.supplier'),
                ),
                migrations.AlterField(
                    model_name='supplierrating',
                    name='school',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='supplier_ratings', to='tenants.school'),
                ),
                migrations.AlterField(
                    model_name='tenderline',
                    name='lot',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='procurement.lot'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "procurement_bid_lot_id_c34b8e7f"',
                    reverse_sql='CREATE INDEX "procurement_bid_lot_id_c34b8e7f" ON "procurement_bid" ("lot_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_bidline_bid_id_5fb4ed08"',
                    reverse_sql='CREATE INDEX "procurement_bidline_bid_id_5fb4ed08" ON "procurement_bidline" ("bid_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_committeeseat_tender_id_865cde4f"',
                    reverse_sql='CREATE INDEX "procurement_committeeseat_tender_id_865cde4f" ON "procurement_committeeseat" ("tender_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_contractprice_contract_id_4b468a60"',
                    reverse_sql='CREATE INDEX "procurement_contractprice_contract_id_4b468a60" ON "procurement_contractprice" ("contract_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_criterion_tender_id_c9766a68"',
                    reverse_sql='CREATE INDEX "procurement_criterion_tender_id_c9766a68" ON "procurement_criterion" ("tender_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_lot_tender_id_78836ac1"',
                    reverse_sql='CREATE INDEX "procurement_lot_tender_id_78836ac1" ON "procurement_lot" ("tender_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_qualification_supplier_id_7e342023"',
                    reverse_sql='CREATE INDEX "procurement_qualification_supplier_id_7e342023" ON "procurement_qualification" ("supplier_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_requisition_school_id_e56e85a1"',
                    reverse_sql='CREATE INDEX "procurement_requisition_school_id_e56e85a1" ON "procurement_requisition" ("school_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_score_seat_id_4909c9e3"',
                    reverse_sql='CREATE INDEX "procurement_score_seat_id_4909c9e3" ON "procurement_score" ("seat_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_spendline_school_id_b37eed9c"',
                    reverse_sql='CREATE INDEX "procurement_spendline_school_id_b37eed9c" ON "procurement_spendline" ("school_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_spendline_supplier_id_13fff73c"',
                    reverse_sql='CREATE INDEX "procurement_spendline_supplier_id_13fff73c" ON "procurement_spendline" ("supplier_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_supplierrating_school_id_581921f6"',
                    reverse_sql='CREATE INDEX "procurement_supplierrating_school_id_581921f6" ON "procurement_supplierrating" ("school_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "procurement_tenderline_lot_id_e048dc06"',
                    reverse_sql='CREATE INDEX "procurement_tenderline_lot_id_e048dc06" ON "procurement_tenderline" ("lot_id")',
                ),
            ],
        ),
    ]
