"""The logistics director's desk configuration on a school's host: the policy (working hours,
the major-work threshold), the repair teams, the dispatch rules, the monthly scorecards and the
preventive maintenance plans. Those who may read them (the principal, the auditor, the
technicians, the asset keeper) see the lists; the director changes them; the technicians record
meter readings. Pages read through the repair selectors and write through the repair services."""

from datetime import date
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from houqin.exceptions import InvalidInput
from houqin.months import parse_month
from houqin.permissions import restrict
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.selectors import suppliers as procurement
from tenant_apps.assets import selectors as assets
from tenant_apps.repairs import filters, selectors
from tenant_apps.repairs.models import DispatchRule, MaintenancePlan, Scorecard, Team
from tenant_apps.repairs.services import maintenance, scorecards, work
from tenant_apps.repairs.web import forms as f
from tenant_apps.repairs.web.views import SECTION

FORM = "repairs/config_form.html"


class _OnceFormPage(FormPage):
    """A configuration form sent once however often it is submitted."""

    template_name = FORM

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


# The policy --------------------------------------------------------------------------------------


class PolicyPage(Page):
    """The working hours the service-level timers run in and the major-work threshold (the
    defaults while the school has set none)."""

    permission = "repairs.view_policy"
    title = gettext_lazy("Repair policy")
    nav = Nav(SECTION, gettext_lazy("Repair policy"), 50)
    template_name = "repairs/policy.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            policy=selectors.policy_get(), saved=selectors.policy_list().first(), **kwargs
        )


class PolicyEditPage(_OnceFormPage):
    permission = "repairs.add_policy"
    title = gettext_lazy("Change the repair policy")
    form_class = f.PolicyForm

    def get_form_kwargs(self) -> dict[str, Any]:
        policy = selectors.policy_get()
        return {
            "initial": {
                "opens_at": policy.opens_at,
                "closes_at": policy.closes_at,
                "major_work_threshold": policy.major_work_threshold,
            }
        }

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        policy = run(form, lambda: work.policy_set(actor=signed_in(self.request), **data))
        if policy is None:
            return None
        messages.success(self.request, _("The repair policy is saved."))
        return reverse("repairs:policy")


# The teams ---------------------------------------------------------------------------------------


class TeamsPage(Page):
    """The repair teams, with their kind, supplier, technicians and whether they take work."""

    permission = "repairs.view_team"
    title = gettext_lazy("Repair teams")
    nav = Nav(SECTION, gettext_lazy("Repair teams"), 60)
    template_name = "repairs/teams.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = listing(
            self.request,
            selectors.team_list(),
            filters.TeamFilter,
            sorts={"name": _("name")},
            default_sort="name",
        )
        return super().get_context_data(listing=found, **kwargs)


class TeamAddPage(_OnceFormPage):
    permission = "repairs.add_team"
    title = gettext_lazy("Add a repair team")
    form_class = f.TeamForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "suppliers": restrict(procurement.supplier_list(), self.request.user, "view"),
            "technicians": selectors.technician_list(),
        }

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        team = run(
            form,
            lambda: work.team_create(
                name=data["name"],
                kind=data["kind"],
                supplier=data["supplier"],
                members=list(data["members"]),
                actor=signed_in(self.request),
            ),
            field="name",
        )
        if team is None:
            return None
        messages.success(self.request, _("The team %(team)s is added.") % {"team": team.name})
        return reverse("repairs:teams")


class TeamEditPage(FormPage):
    """Change a team's technicians, or stand it down (its rules then route nothing)."""

    permission = "repairs.change_team"
    title = gettext_lazy("Change a repair team")
    template_name = FORM
    form_class = f.TeamEditForm

    @cached_property
    def team(self) -> Team:
        return get_object_or_404(selectors.team_list(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "technicians": selectors.technician_list(),
            "initial": {"members": list(self.team.members.all()), "active": self.team.active},
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(subject=self.team.name, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        team = run(
            form,
            lambda: work.team_update(
                team=self.team,
                members=list(data["members"]),
                active=data["active"],
                actor=signed_in(self.request),
            ),
        )
        if team is None:
            return None
        messages.success(self.request, _("The team %(team)s is saved.") % {"team": team.name})
        return reverse("repairs:teams")


# The dispatch rules ------------------------------------------------------------------------------


class RulesPage(Page):
    """Where the desk sends requests: a fault or fault group, in a building or anywhere, to a
    team (the most specific rule wins)."""

    permission = "repairs.view_dispatchrule"
    title = gettext_lazy("Dispatch rules")
    nav = Nav(SECTION, gettext_lazy("Dispatch rules"), 70)
    template_name = "repairs/rules.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = listing(
            self.request,
            selectors.rule_list(),
            filters.RuleFilter,
            sorts={"category": _("fault or group")},
            default_sort="category",
            per_page=50,
        )
        return super().get_context_data(listing=found, **kwargs)


class RuleAddPage(_OnceFormPage):
    permission = "repairs.add_dispatchrule"
    title = gettext_lazy("Add a dispatch rule")
    form_class = f.RuleForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "buildings": assets.building_list(),
            "teams": selectors.team_list().filter(active=True),
        }

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        rule = run(
            form,
            lambda: work.rule_create(
                category=data["category"],
                building=data["building"],
                team=data["team"],
                actor=signed_in(self.request),
            ),
            field="category",
        )
        if rule is None:
            return None
        messages.success(self.request, _("The dispatch rule is added."))
        return reverse("repairs:rules")


class RuleDeletePage(_OnceFormPage):
    permission = "repairs.delete_dispatchrule"
    title = gettext_lazy("Delete a dispatch rule")
    form_class = f.ConfirmDeleteForm

    @cached_property
    def rule(self) -> DispatchRule:
        return get_object_or_404(selectors.rule_list(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rule = self.rule
        where = rule.building.name if rule.building else _("anywhere")
        subject = f"{rule.get_category_display()} · {where} → {rule.team.name}"
        return super().get_context_data(
            subject=subject, button=_("Delete the rule"), danger=True, **kwargs
        )

    def act(self, form: forms.Form) -> str | None:
        rule = self.rule
        run(form, lambda: work.rule_delete(rule=rule, actor=signed_in(self.request)))
        if form.errors:
            return None
        messages.success(self.request, _("The dispatch rule is deleted."))
        return reverse("repairs:rules")


# The scorecards ----------------------------------------------------------------------------------


class ScorecardsPage(Page):
    """The monthly scorecards of the teams and providers, by month and team, with the grade and
    whether the score fed the supplier's monthly rating."""

    permission = "repairs.view_scorecard"
    title = gettext_lazy("Scorecards")
    nav = Nav(SECTION, gettext_lazy("Scorecards"), 80)
    template_name = "repairs/scorecards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = listing(
            self.request,
            selectors.scorecard_list(),
            filters.ScorecardFilter,
            sorts={"month": _("month"), "total": pgettext("scorecard", "total")},
            default_sort="-month",
        )
        return super().get_context_data(listing=found, **kwargs)


class ScorecardAddPage(_OnceFormPage):
    """Score a team for a month that has ended: the department's score; the requests, the
    on-time share and the ratings are counted by the service."""

    permission = "repairs.add_scorecard"
    title = gettext_lazy("Record a scorecard")
    form_class = f.ScorecardForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"teams": selectors.team_list()}

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data

        def record() -> Scorecard:
            try:
                month: date = parse_month(data["month"])
            except ValueError:
                message = _("A month, YYYY-MM.")
                raise InvalidInput(message, fields={"month": [message]}) from None
            return scorecards.scorecard_record(
                team=data["team"],
                month=month,
                department_score=data["department_score"],
                note=data["note"],
                actor=signed_in(self.request),
            )

        scorecard = run(form, record, field="team")
        if scorecard is None:
            return None
        messages.success(
            self.request,
            _("%(team)s scores %(total)s: %(grade)s.")
            % {
                "team": scorecard.team.name,
                "total": scorecard.total,
                "grade": scorecard.get_grade_display(),
            },
        )
        return reverse("repairs:scorecards")


# The maintenance plans ---------------------------------------------------------------------------


class PlansPage(Page):
    """The preventive maintenance plans: what, for which asset or category, by which team, how
    often, and when (or at what reading) work is next due."""

    permission = "repairs.view_maintenanceplan"
    title = gettext_lazy("Maintenance plans")
    nav = Nav(SECTION, gettext_lazy("Maintenance plans"), 90)
    template_name = "repairs/plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = listing(
            self.request,
            selectors.plan_list(),
            filters.MaintenancePlanFilter,
            sorts={"name": _("name"), "next_due": _("next due")},
            default_sort="name",
        )
        return super().get_context_data(listing=found, **kwargs)


class PlanAddPage(_OnceFormPage):
    permission = "repairs.add_maintenanceplan"
    title = gettext_lazy("Add a maintenance plan")
    form_class = f.PlanForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"assets": assets.asset_list(), "teams": selectors.team_list().filter(active=True)}

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        plan = run(
            form,
            lambda: maintenance.plan_create(actor=signed_in(self.request), **data),
            field="name",
        )
        if plan is None:
            return None
        messages.success(self.request, _("The plan %(plan)s is added.") % {"plan": plan.name})
        return reverse("repairs:plans")


class MeterPage(_OnceFormPage):
    """Record a meter plan's reading: reaching the mark raises its work orders."""

    permission = "repairs.meter_maintenanceplan"
    title = gettext_lazy("Record a meter reading")
    form_class = f.MeterForm

    @cached_property
    def plan(self) -> MaintenancePlan:
        return get_object_or_404(selectors.plan_list(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(subject=self.plan.name, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        plan = run(
            form,
            lambda: maintenance.plan_meter_record(
                plan=self.plan,
                reading=form.cleaned_data["reading"],
                actor=signed_in(self.request),
            ),
        )
        if plan is None:
            return None
        messages.success(self.request, _("The reading is recorded."))
        return reverse("repairs:plans")
