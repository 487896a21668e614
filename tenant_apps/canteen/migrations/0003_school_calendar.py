"""The school calendar: terms, holidays and make-up days. The holidays a school recorded before
(one table of weekdays without classes) are kept as the calendar's holidays, outside any term until
a term covering them is recorded; before a school's first term the old rule still holds, so the
days they take away stay taken away."""

import django.contrib.postgres.constraints
import django.db.models.deletion
import tenant_apps.canteen.models
from django.db import migrations, models


def keep_holidays(apps, schema_editor):
    Holiday = apps.get_model("canteen", "Holiday")
    CalendarDay = apps.get_model("canteen", "CalendarDay")
    CalendarDay.objects.bulk_create(
        CalendarDay(date=holiday.date, kind="holiday", name=holiday.name)
        for holiday in Holiday.objects.order_by("date")
    )


def restore_holidays(apps, schema_editor):
    Holiday = apps.get_model("canteen", "Holiday")
    CalendarDay = apps.get_model("canteen", "CalendarDay")
    Holiday.objects.bulk_create(
        Holiday(date=day.date, name=day.name or "-")
        for day in CalendarDay.objects.filter(kind="holiday").order_by("date")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('canteen', '0002_daily_close'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True, verbose_name='date')),
                ('kind', models.CharField(choices=[('holiday', 'holiday'), ('make_up_day', 'make-up working day')], max_length=11, verbose_name='kind')),
                ('name', models.CharField(blank=True, max_length=100, verbose_name='name')),
            ],
            options={
                'verbose_name': 'calendar day',
                'verbose_name_plural': 'calendar days',
                'ordering': ['date'],
            },
        ),
        migrations.CreateModel(
            name='SchoolTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('school_year', models.PositiveSmallIntegerField(verbose_name='school year (the year it begins)')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('start_date', models.DateField(verbose_name='first day')),
                ('end_date', models.DateField(verbose_name='last day')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'term',
                'verbose_name_plural': 'terms',
                'ordering': ['start_date'],
                'constraints': [models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='canteen_term_dates_ordered'), django.contrib.postgres.constraints.ExclusionConstraint(expressions=[(tenant_apps.canteen.models.DateRange('start_date', 'end_date'), '&&')], name='canteen_term_no_overlap'), models.UniqueConstraint(fields=('school_year', 'name'), name='canteen_term_name_once_a_year')],
            },
        ),
        migrations.AddField(
            model_name='calendarday',
            name='term',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='days', to='canteen.schoolterm'),
        ),
        migrations.AddConstraint(
            model_name='calendarday',
            constraint=models.CheckConstraint(condition=models.Q(('kind', 'holiday'), models.Q(('date__week_day__in', [1, 7]), ('kind', 'make_up_day'), ('term__isnull', False)), _connector='OR'), name='canteen_calendarday_make_up_on_a_weekend_in_a_term'),
        ),
        migrations.RunPython(keep_holidays, restore_holidays),
        migrations.DeleteModel(
            name='Holiday',
        ),
    ]
