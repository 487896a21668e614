import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_invoice_notes'),
        ('procurement', '0011_indexes_led_by_others'),
    ]

    operations = [
        # The foreign key's own index goes; the key and its checks stay as they were (Django
        # would drop the key and make it again, reading every row of the table).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='invoice',
                    name='supplier',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.supplier'),
                ),
                migrations.AlterField(
                    model_name='invoicenote',
                    name='invoice',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='notes', to='orders.invoice'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='supplier',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='procurement.supplier'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "orders_invoice_supplier_id_ca075263"',
                    reverse_sql='CREATE INDEX "orders_invoice_supplier_id_ca075263" ON "orders_invoice" ("supplier_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "orders_invoicenote_invoice_id_9c6a92c4"',
                    reverse_sql='CREATE INDEX "orders_invoicenote_invoice_id_9c6a92c4" ON "orders_invoicenote" ("invoice_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "orders_order_supplier_id_767ee7f9"',
                    reverse_sql='CREATE INDEX "orders_order_supplier_id_767ee7f9" ON "orders_order" ("supplier_id")',
                ),
            ],
        ),
    ]
