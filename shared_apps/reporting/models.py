"""The district's reports. Statements have no table of their own: they are read from the
subsidy tables in the public schema. `Statement` exists so that the permission
`reporting.view_statement` is a real Django permission, and so that the API can look a
statement up by its school's code through the one restricting selector (a school the caller
may not read answers 404, like one that does not exist). The schools' upkeep figures (repairs,
assets) are rollup tables the schools' jobs write, so that the district reads them without
visiting every school's schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from houqin.money import money
from houqin.tenancy import SchoolOwnedQuerySet
from tenants.models import School


class Statement(School):
    """A school seen as the subject of monthly statements (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["code"]


class SchoolUpkeep(models.Model):
    """A school's repair desk and property as the district reads them, without visiting the
    school's schema: written by the school's own jobs (its repairs' sweep, its assets' figures)."""

    school = models.OneToOneField(
        "tenants.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    open_requests = models.PositiveIntegerField(_("open repair requests"), default=0)
    overdue_requests = models.PositiveIntegerField(_("overdue"), default=0)
    completed_30_days = models.PositiveIntegerField(_("finished in 30 days"), default=0)
    mean_hours_to_finish = models.DecimalField(
        _("mean hours to finish"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    satisfaction = models.DecimalField(
        _("mean rating (1–5)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    repairs_updated_at = models.DateTimeField(_("repairs as of"), null=True, blank=True)
    assets = models.PositiveIntegerField(_("assets held"), default=0)
    assets_cost = money(_("their cost"), default=0)
    full_count_closed_at = models.DateTimeField(
        _("this year's full stock-take closed at"), null=True, blank=True
    )
    assets_updated_at = models.DateTimeField(_("assets as of"), null=True, blank=True)

    school_field = "school"
    objects = SchoolOwnedQuerySet["SchoolUpkeep"].as_manager()

    class Meta:
        verbose_name = _("school upkeep figures")
        verbose_name_plural = _("school upkeep figures")
        ordering = ["school__code"]

    def __str__(self) -> str:
        return f"{self.school_id}"


class SchoolAssetCategory(models.Model):
    """A school's assets held in one category and kind, with their cost, as the district reads
    them (written with the school's `SchoolUpkeep`)."""

    school = models.ForeignKey(
        "tenants.School",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=9)
    kind = models.CharField(_("kind"), max_length=9)
    count = models.PositiveIntegerField(_("assets"))
    cost = money(_("cost"))

    school_field = "school"
    objects = SchoolOwnedQuerySet["SchoolAssetCategory"].as_manager()

    class Meta:
        verbose_name = _("school assets by category")
        verbose_name_plural = _("school assets by category")
        ordering = ["school__code", "category", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "category", "kind"], name="reporting_asset_category_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.category} {self.kind}"
