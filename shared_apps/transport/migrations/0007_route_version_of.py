"""A route's later versions linked to it by a foreign key, not found by their code.

`Route.version_of` points at the route's FIRST version (the first points at nothing), and
`Route.version` numbers the versions within that family (1 for the first). Pointing at the first
rather than at the previous version keeps every question one flat query: a route's versions are
`pk = first OR version_of = first` (no recursive walk up a chain), the next number is the
family's highest plus one under a lock on the first version's row, "version n of this route" is
unique by a plain constraint on (version_of, version), and the current version on a day is the
highest-numbered one holding that day with its licence approved (each version is a route of its
own with its own licence, since any change of route, stops or times needs a new approval). The
previous version, when a page wants it, is the family's next lower number.

Existing versions were coded `<first's code>/v<n>`: they are linked to the route coded
`<first's code>` with number n. A `/v<n>` route whose first version is gone stays a first
version of its own.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

VERSIONED = re.compile(r"^(?P<code>.+)/v(?P<number>[0-9]+)$")


def link_versions(apps, schema_editor):
    route_model = apps.get_model("transport", "Route")
    firsts = dict(route_model.objects.values_list("code", "pk"))
    for pk, code in route_model.objects.values_list("pk", "code"):
        found = VERSIONED.match(code)
        if found and found["code"] in firsts and int(found["number"]) >= 2:
            route_model.objects.filter(pk=pk).update(
                version_of_id=firsts[found["code"]], version=int(found["number"])
            )
    # The new foreign key's checks are deferred; run them now, before the table is altered again.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0006_school_rural'),
        ('transport', '0006_run_escorts_assigned'),
    ]

    operations = [
        migrations.AddField(
            model_name='route',
            name='version',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='version'),
        ),
        migrations.AddField(
            model_name='route',
            name='version_of',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='later_versions', to='transport.route', verbose_name='version of', db_index=False),
        ),
        migrations.RunPython(link_versions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('version', 1), ('version_of__isnull', True)), models.Q(('version__gte', 2), ('version_of__isnull', False)), _connector='OR'), name='transport_route_version_number'),
        ),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.CheckConstraint(condition=models.Q(('version_of', models.F('pk')), _negated=True), name='transport_route_version_not_itself'),
        ),
        migrations.AddConstraint(
            model_name='route',
            constraint=models.UniqueConstraint(fields=('version_of', 'version'), name='transport_route_version_unique'),
        ),
    ]
