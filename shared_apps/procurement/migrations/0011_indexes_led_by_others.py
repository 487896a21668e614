from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('procurement', '0010_seat_scores_signed'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_bid_lot_id_c34b8e7f"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_bidline_bid_id_5fb4ed08"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_committeeseat_tender_id_865cde4f"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_contractprice_contract_id_4b468a60"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_criterion_tender_id_c9766a68"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_lot_tender_id_78836ac1"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_qualification_supplier_id_7e342023"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_requisition_school_id_e56e85a1"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_score_seat_id_4909c9e3"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_spendline_school_id_b37eed9c"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_spendline_supplier_id_13fff73c"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_supplierrating_school_id_581921f6"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "procurement_tenderline_lot_id_e048dc06"', reverse_sql=migrations.RunSQL.noop),
    ]
