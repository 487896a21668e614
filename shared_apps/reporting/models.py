"""Statements have no table of their own: they are read from the subsidy tables in the public
schema. `Statement` exists so that the permission `reporting.view_statement` is a real Django
permission, and so that the API can look a statement up by its school's code through the one
restricting selector (a school the caller may not read answers 404, like one that does not
exist)."""

from django.utils.translation import gettext_lazy as _

from tenants.models import School


class Statement(School):
    """A school seen as the subject of monthly statements (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["code"]
