from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_invoice_notes'),
    ]

    # Indexes another index or a unique constraint leads on the same table. The migrations that
    # made them now declare them no more (a schema made from nothing has none to drop); the
    # foreign keys stay as they were.
    operations = [
        migrations.RunSQL('DROP INDEX IF EXISTS "orders_invoice_supplier_id_ca075263"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "orders_invoicenote_invoice_id_9c6a92c4"', reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL('DROP INDEX IF EXISTS "orders_order_supplier_id_767ee7f9"', reverse_sql=migrations.RunSQL.noop),
    ]
