"""The auditors' pages, on the district host: the trail as people read it, searchable, with
every row's history; the security events (sign-ins kept apart from the rest); findings with their
rectification deadlines. Auditors read everything and write only findings."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, get_tenant_model

from houqin.permissions import has_perm, restrict
from houqin.web.frame import address, object_path
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.audit import selectors, services
from shared_apps.audit.filters import (
    OTHERS,
    SIGN_INS,
    ChangeFilter,
    FindingFilter,
    SecurityPageFilter,
    TrailPageFilter,
)
from shared_apps.audit.models import Change, Finding, SecurityEvent
from shared_apps.audit.selectors import Entry
from shared_apps.audit.web.forms import FindingFollowUpForm, FindingForm

SECTION = gettext_lazy("Audit")
TRAIL_SORTS = {"occurred_at": gettext_lazy("When")}
FINDING_SORTS = {
    "rectify_by": gettext_lazy("Rectify by"),
    "created_at": gettext_lazy("Recorded"),
    "severity": gettext_lazy("Severity"),
}
# The words of a security event's detail, as people read them.
DETAIL_LABELS = {
    "school": gettext_lazy("school"),
    "via": gettext_lazy("through"),
    "count": gettext_lazy("numbers read"),
    "compared": gettext_lazy("numbers compared"),
    "student_id": gettext_lazy("student"),
    "student_number": gettext_lazy("student number"),
    "student_ids": gettext_lazy("students"),
    "outcome": gettext_lazy("outcome"),
    "token_id": gettext_lazy("API token"),
    "owner_id": gettext_lazy("token of user"),
    "expires_at": gettext_lazy("expires at"),
}
DETAIL_VALUES = {
    "api": gettext_lazy("the API"),
    "export": gettext_lazy("an export"),
    "import": gettext_lazy("an import"),
    "lookup": gettext_lazy("a look-up by number"),
    "page": gettext_lazy("a page"),
    "found": gettext_lazy("found"),
    "not_found": gettext_lazy("not found"),
    "refused": gettext_lazy("refused"),
}


@dataclass(frozen=True)
class Row:
    """A trail entry and where it leads: the row's own page, when there is one, and its
    history."""

    entry: Entry
    link: str | None
    history: str


def _history_path(change: Change) -> str:
    kwargs = {"schema": change.schema_name, "table": change.table_name, "row_id": change.row_id}
    return reverse("audit:history", kwargs=kwargs)


def _link(request: HttpRequest, entry: Entry) -> str | None:
    """The page of the row the entry names, when it has one: here for the district's rows, on
    its school's host for a school's."""
    change = entry.change
    if entry.model is None or change.operation == Change.Operation.DELETE:
        return None
    if change.schema_name == get_public_schema_name():
        return object_path(request, entry.model, change.row_id, settings.PUBLIC_SCHEMA_URLCONF)
    path = object_path(request, entry.model, change.row_id, settings.ROOT_URLCONF)
    if path is None or not entry.place.host:
        return None
    return address(request, entry.place.host, path)


def _rows(request: HttpRequest, changes: list[Change]) -> list[Row]:
    entries = selectors.trail_entries(changes)
    return [Row(entry, _link(request, entry), _history_path(entry.change)) for entry in entries]


def _trail(request: HttpRequest) -> QuerySet[Change]:
    return restrict(selectors.record_changes(), request.user, "view")


class TrailPage(Page):
    """Who did what, where and when: every school's on the district host, the school's on its
    own; searchable by school, person, kind of record and day."""

    permission = "audit.view_change"
    title = gettext_lazy("Audit trail")
    nav = Nav(SECTION, gettext_lazy("Audit trail"), 10)
    template_name = "audit/trail.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _trail(request),
            TrailPageFilter,
            sorts=TRAIL_SORTS,
            default_sort="-occurred_at",
        )
        narrowed = {
            name: request.GET[name] for name in ("request_id", "actor_id") if request.GET.get(name)
        }
        context = self.get_context_data(
            listing=found, rows=_rows(request, list(found.page)), narrowed=narrowed
        )
        return self.render_to_response(context)


class HistoryPage(Page):
    """Every change of one record, newest first."""

    permission = "audit.view_change"
    title = gettext_lazy("History")
    template_name = "audit/history.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        changes = restrict(
            selectors.object_history(
                schema_name=kwargs["schema"], table_name=kwargs["table"], row_id=kwargs["row_id"]
            ),
            request.user,
            "view",
        )
        found = listing(
            request, changes, ChangeFilter, sorts=TRAIL_SORTS, default_sort="-occurred_at"
        )
        rows = _rows(request, list(found.page))
        if not rows:
            raise Http404
        latest = rows[0]
        context = self.get_context_data(
            listing=found,
            rows=rows,
            latest=latest,
            title=_("History of %(what)s %(title)s")
            % {"what": latest.entry.what, "title": latest.entry.title},
        )
        return self.render_to_response(context)


class SecurityPage(Page):
    """Sign-ins, failed sign-ins and sign-outs, apart from the other security events (tokens,
    reads of personal data, reads of what a tender kept sealed)."""

    permission = "audit.view_securityevent"
    title = gettext_lazy("Security events")
    nav = Nav(SECTION, gettext_lazy("Sign-ins and security"), 20)
    template_name = "audit/security.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        events = restrict(selectors.security_event_list(), request.user, "view")
        found = listing(
            request, events, SecurityPageFilter, sorts=TRAIL_SORTS, default_sort="-occurred_at"
        )
        entries = selectors.security_entries(list(found.page))
        context = self.get_context_data(
            listing=found,
            events=[(entry, _detail(entry.event)) for entry in entries],
            group=request.GET.get("group", ""),
            groups=(SIGN_INS, OTHERS),
            failed=SecurityEvent.Kind.LOGIN_FAILED,
        )
        return self.render_to_response(context)


def _detail(event: SecurityEvent) -> list[tuple[str, str]]:
    shown = []
    for key, value in event.detail.items():
        if isinstance(value, list):
            text = "、".join(str(item) for item in value) or "—"
        else:
            text = str(DETAIL_VALUES.get(value, value)) if isinstance(value, str) else str(value)
        shown.append((str(DETAIL_LABELS.get(key, key)), text))
    return shown


# Findings -----------------------------------------------------------------------------------------


def _findings(request: HttpRequest, action: str = "view") -> QuerySet[Finding]:
    return restrict(selectors.finding_list(), request.user, action).select_related("created_by")


def _schools() -> QuerySet[Any]:
    """The schools a finding may be about."""
    return get_tenant_model().objects.exclude(schema_name=get_public_schema_name()).order_by("name")


class FindingListPage(Page):
    permission = "audit.view_finding"
    title = gettext_lazy("Findings")
    nav = Nav(SECTION, gettext_lazy("Findings"), 30)
    template_name = "audit/finding_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _findings(request),
            FindingFilter,
            sorts=FINDING_SORTS,
            default_sort="rectify_by",
        )
        context = self.get_context_data(
            listing=found,
            may_add=has_perm(request.user, "audit.add_finding"),
            today=timezone.localdate(),
        )
        return self.render_to_response(context)


class FindingCreatePage(FormPage):
    permission = "audit.add_finding"
    title = gettext_lazy("Record a finding")
    nav = Nav(SECTION, gettext_lazy("Record a finding"), 40)
    template_name = "audit/finding_form.html"
    form_class = FindingForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"schools": _schools()}

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: Any) -> str | None:
        data = form.cleaned_data
        finding = run(
            form,
            lambda: services.finding_create(
                school=data["school"],
                title=data["title"],
                body=data["body"],
                severity=data["severity"],
                rectify_by=data["rectify_by"],
                actor=self.request.user,
            ),
        )
        if finding is None:
            return None
        messages.success(self.request, _("The finding is recorded."))
        return reverse("audit:finding", kwargs={"pk": finding.pk})


class FindingPage(Page):
    permission = "audit.view_finding"
    shows = Finding
    template_name = "audit/finding.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = get_object_or_404(_findings(request), pk=kwargs["pk"])
        follow_up = None
        if has_perm(request.user, "audit.change_finding"):
            follow_up = FindingFollowUpForm(
                initial={
                    "status": finding.status,
                    "severity": finding.severity,
                    "rectify_by": finding.rectify_by,
                }
            )
        context = self.get_context_data(
            finding=finding,
            title=finding.title,
            follow_up=follow_up,
            today=timezone.localdate(),
        )
        return self.render_to_response(context)


class FindingFollowUpPage(FormPage):
    """The finding's page's follow-up form posts here: its status, severity and deadline."""

    permission = "audit.change_finding"
    title = gettext_lazy("Follow a finding up")
    template_name = "audit/finding_follow_up.html"
    form_class = FindingFollowUpForm

    def finding(self) -> Finding:
        return get_object_or_404(_findings(self.request, "change"), pk=self.kwargs["pk"])

    def get_form(self, data: Any = None, files: Any = None) -> Any:
        finding = self.finding()
        initial = {
            "status": finding.status,
            "severity": finding.severity,
            "rectify_by": finding.rectify_by,
        }
        return self.form_class(data, files, initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(finding=self.finding(), **kwargs)

    def act(self, form: Any) -> str | None:
        finding = self.finding()
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        run(
            form,
            lambda: services.finding_update(finding=finding, actor=self.request.user, **changes),
        )
        if form.errors:
            return None
        messages.success(self.request, _("The finding is updated."))
        return reverse("audit:finding", kwargs={"pk": finding.pk})


def findings_panel(request: HttpRequest) -> Panel | None:
    """For auditors: findings whose rectification is due (past its deadline or within a week),
    and those still open."""
    if not has_perm(request.user, "audit.change_finding"):
        return None
    findings = reverse("audit:findings")
    return Panel(
        _("Findings"),
        [
            Waiting(
                _("Findings due for rectification"),
                selectors.findings_due().here().count(),
                f"{findings}?due=true",
                warn=True,
            ),
            Waiting(
                _("Open findings"),
                selectors.finding_list().here().filter(status=Finding.Status.OPEN).count(),
                f"{findings}?status={Finding.Status.OPEN}",
            ),
        ],
    )
