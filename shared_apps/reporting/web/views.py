"""The district's monthly statement on screen, with its Excel and PDF files from the API (the
same filters: `?month=`); the schools' upkeep (repair desks and property) from the rollup
tables, with its Excel file."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from houqin.permissions import restrict
from houqin.web.pages import Nav, Page, run
from shared_apps.reporting import selectors
from shared_apps.reporting.renderers import status_label
from shared_apps.reporting.web.forms import StatementForm


class DistrictStatementPage(Page):
    permission = "reporting.view_statement"
    title = gettext_lazy("Monthly statement")
    nav = Nav(gettext_lazy("Reports"), gettext_lazy("Monthly statement"), 30)
    template_name = "reporting/district_statement.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = StatementForm(self.request.GET)
        month = (
            run(form, lambda: selectors.month_parse(form.cleaned_data["month"]))
            if form.is_valid()
            else None
        )
        context["form"] = form
        if month is not None:
            statement = selectors.district_statement(month=month)
            api = reverse("statement-district")
            context.update(
                statement=statement,
                rows=[(row, status_label(row.status)) for row in statement.rows],
                statuses=[(status_label(s), n) for s, n in statement.status_counts.items()],
                xlsx=f"{api}?{urlencode({'month': f'{month:%Y-%m}', 'format': 'xlsx'})}",
                pdf=f"{api}?{urlencode({'month': f'{month:%Y-%m}', 'format': 'pdf'})}",
            )
        return context


class UpkeepPage(Page):
    """Every school's repair desk and property, one row each, as the schools' jobs last wrote
    them: open and overdue requests, mean hours to finish, satisfaction, assets held and this
    year's full stock-take; the workbook from the API."""

    permission = "reporting.view_schoolupkeep"
    title = gettext_lazy("Schools' upkeep")
    nav = Nav(gettext_lazy("Reports"), gettext_lazy("Schools' upkeep"), 40)
    template_name = "reporting/upkeep.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            schools=restrict(selectors.upkeep_list(), self.request.user, "view").order_by(
                "school__code"
            ),
            xlsx=f"{reverse('upkeep-school-list')}?{urlencode({'format': 'xlsx'})}",
            **kwargs,
        )
