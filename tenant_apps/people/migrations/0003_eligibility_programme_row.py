"""Eligibility refers to the district's programme row, not to a code the code base lists: a
programme the finance officer creates is one schools can record eligibility for. The periods
keep their programme (matched by code), and one exclusion constraint keeps the periods of one
student in one programme apart, whatever the programme."""

import django.contrib.postgres.constraints
import django.db.models.deletion
from django.db import migrations, models

import tenant_apps.people.models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_audit_triggers"),
        ("subsidies", "0006_closed_months"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="subsidyeligibility",
            name="people_eligibility_no_overlap_nutrition_improvement",
        ),
        migrations.RemoveConstraint(
            model_name="subsidyeligibility",
            name="people_eligibility_no_overlap_boarding_living",
        ),
        migrations.AddField(
            model_name="subsidyeligibility",
            name="programme_row",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="subsidies.programme",
            ),
        ),
        migrations.RunSQL(
            "UPDATE people_subsidyeligibility AS e SET programme_row_id = p.id "
            "FROM subsidies_programme AS p WHERE p.code = e.programme",
            "UPDATE people_subsidyeligibility AS e SET programme = p.code "
            "FROM subsidies_programme AS p WHERE p.id = e.programme_row_id",
        ),
        migrations.AlterModelOptions(
            name="subsidyeligibility",
            options={
                "ordering": ["student_id", "programme_id", "valid_from"],
                "verbose_name": "subsidy eligibility",
                "verbose_name_plural": "subsidy eligibility",
            },
        ),
        migrations.RemoveField(model_name="subsidyeligibility", name="programme"),
        migrations.RenameField(
            model_name="subsidyeligibility", old_name="programme_row", new_name="programme"
        ),
        migrations.AlterField(
            model_name="subsidyeligibility",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="subsidies.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AddConstraint(
            model_name="subsidyeligibility",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    (tenant_apps.people.models.SingleValueRange("student"), "&&"),
                    (tenant_apps.people.models.SingleValueRange("programme"), "&&"),
                    (
                        tenant_apps.people.models.DateRange(
                            "valid_from", "valid_to", models.Value("[]")
                        ),
                        "&&",
                    ),
                ],
                name="people_eligibility_no_overlap",
            ),
        ),
    ]
