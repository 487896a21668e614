"""The repair desk's pages on a school's host, phone first: any member reports a fault (from a
room's scanned label or by choosing the room) and follows their requests, cancels, confirms and
rates, reopens; the logistics director runs the desk (dispatches, extends deadlines); the
principal approves major work; the technicians work their teams' requests (accept, hand back,
start, photograph and complete). Pages read through the repair selectors and write through the
repair services; the rules are theirs."""

from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.assets import selectors as assets
from tenant_apps.assets.labels import ROOM, label_parse
from tenant_apps.repairs import filters, selectors
from tenant_apps.repairs.models import RepairPhoto, RepairRequest
from tenant_apps.repairs.services import desk, work
from tenant_apps.repairs.web import forms as f
from tenants.selectors import current_school

SECTION = gettext_lazy("Repairs")
DISPATCHES = "repairs.dispatch_repairrequest"
WORKS = "repairs.accept_repairrequest"
S = RepairRequest.Status


def _request_url(repair: RepairRequest) -> str:
    return reverse("repairs:request", kwargs={"pk": repair.pk})


def repairs_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel: for the desk, the requests waiting to be dispatched and those
    overdue; for a technician, the requests with their teams not yet finished."""
    if has_perm(request.user, DISPATCHES):
        counts = selectors.desk_counts()
        board = reverse("repairs:desk")
        return Panel(
            _("Repairs"),
            [
                Waiting(_("Requests to dispatch"), counts.to_dispatch, f"{board}?status=submitted"),
                Waiting(_("Overdue requests"), counts.overdue, f"{board}?overdue=true", warn=True),
            ],
        )
    if has_perm(request.user, WORKS):
        queue = selectors.team_queue(signed_in(request).pk).count()
        return Panel(_("Repairs"), [Waiting(_("Repairs to do"), queue, reverse("repairs:work"))])
    return None


# The requester's pages ---------------------------------------------------------------------------


class ReportPage(FormPage):
    """Report a fault: the room (prefilled from a room's scanned label, `?room=`), the fault,
    how urgent, what is wrong and a photo; then the request's page."""

    permission = "repairs.add_repairrequest"
    title = gettext_lazy("Report a fault")
    nav = Nav(SECTION, gettext_lazy("Report a fault"), 10)
    template_name = "repairs/report.html"
    form_class = f.ReportForm

    def _labelled_room(self) -> int | None:
        text = self.request.GET.get("room", "")
        if not text:
            return None
        label = label_parse(text)
        if label is None or label.kind != ROOM or label.school_code != current_school().code:
            messages.warning(self.request, _("This is not a label of a room of this school."))
            return None
        return int(label.key) if label.key.isdigit() else None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"rooms": assets.room_list()}
        if self.request.method == "GET":
            kwargs["initial"] = {"room": self._labelled_room()}
        return kwargs

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        actor = signed_in(self.request)

        def report() -> RepairRequest:
            repair = desk.request_submit(
                room=data["room"],
                category=data["category"],
                description=data["description"],
                urgency=data["urgency"],
                actor=actor,
            )
            if data["image"] is not None:
                desk.request_photo_add(
                    request=repair,
                    kind=RepairPhoto.Kind.FAULT,
                    upload=data["image"],
                    size=data["image"].size,
                    actor=actor,
                )
            return repair

        repair = run(form, report)
        if repair is None:
            return None
        messages.success(self.request, _("The fault is reported: %(number)s.") % {"number": repair})
        return _request_url(repair)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class MinePage(Page):
    """The caller's own requests, newest first, with their status."""

    permission = "repairs.add_repairrequest"
    title = gettext_lazy("My repair requests")
    nav = Nav(SECTION, gettext_lazy("My requests"), 20)
    template_name = "repairs/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        mine = selectors.request_list().filter(requester=signed_in(self.request))
        found = listing(
            self.request,
            mine,
            filters.RepairDeskFilter,
            sorts={"submitted_at": _("reported at"), "status": _("status")},
            default_sort="-submitted_at",
            per_page=20,
        )
        return super().get_context_data(listing=found, **kwargs)


class _RequestMixin:
    """A page about one request the caller may `verb` here (its id in the URL), else 404."""

    request: HttpRequest
    kwargs: dict[str, Any]
    verb: ClassVar[str] = "view"

    @cached_property
    def repair(self) -> RepairRequest:
        rows = restrict(selectors.request_list(), self.request.user, self.verb)
        return get_object_or_404(rows, pk=self.kwargs["pk"])


class RequestPage(_RequestMixin, Page):
    """One request: where and what, its status and deadlines, its photos, its history, and the
    acts open to the caller now."""

    title = gettext_lazy("Repair request")
    template_name = "repairs/request.html"
    shows = RepairRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        repair = self.repair
        user = self.request.user
        own = repair.requester_id == user.pk
        status = repair.status
        acts = {
            "cancel": own and status in (S.SUBMITTED, S.ASSIGNED),
            "confirm": own and status == S.COMPLETED,
            "reopen": own and status in (S.COMPLETED, S.CONFIRMED),
            "photo": (own or has_perm(user, "repairs.photo_repairrequest"))
            and status in selectors.OPEN,
            "dispatch": has_perm(user, DISPATCHES)
            and status in (S.SUBMITTED, S.ASSIGNED, S.ACCEPTED, S.AWAITING_APPROVAL),
            "extend": has_perm(user, "repairs.extend_repairrequest") and status in selectors.OPEN,
            "approve": has_perm(user, "repairs.approve_repairrequest")
            and status == S.AWAITING_APPROVAL,
            "accept": has_perm(user, WORKS) and status == S.ASSIGNED,
            "reject": has_perm(user, "repairs.reject_repairrequest")
            and status in (S.ASSIGNED, S.ACCEPTED),
            "start": has_perm(user, "repairs.start_repairrequest") and status == S.ACCEPTED,
            "complete": has_perm(user, "repairs.complete_repairrequest")
            and status in (S.ACCEPTED, S.IN_PROGRESS),
        }
        photos = list(repair.photos.all())
        return super().get_context_data(
            repair=repair,
            events=selectors.request_events(repair),
            fault_photos=[p for p in photos if p.kind == RepairPhoto.Kind.FAULT],
            done_photos=[p for p in photos if p.kind == RepairPhoto.Kind.COMPLETION],
            acts=acts,
            photo_kind=RepairPhoto.Kind.COMPLETION
            if status in (S.ACCEPTED, S.IN_PROGRESS) and not own
            else RepairPhoto.Kind.FAULT,
            **kwargs,
        )


class _ActPage(_RequestMixin, FormPage):
    """One act on one request: GET shows the request and the act's form, POST runs the service
    and goes back to the request's page, or shows what it refused next to the field."""

    template_name = "repairs/act.html"
    # The button, the question asked before an irreversible act, and what is said once done.
    button: ClassVar[Any] = ""
    confirm: ClassVar[Any] = ""
    done: ClassVar[Any] = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            repair=self.repair, button=self.button, confirm=self.confirm, **kwargs
        )

    def call(self, data: dict[str, Any]) -> RepairRequest:
        raise NotImplementedError

    def act(self, form: forms.Form) -> str | None:
        repair = run(form, lambda: self.call(form.cleaned_data))
        if repair is None:
            return None
        messages.success(self.request, str(self.done))
        return _request_url(repair)


class CancelPage(_ActPage):
    verb = "cancel"
    title = gettext_lazy("Cancel the request")
    form_class = f.ReasonForm
    button = gettext_lazy("Cancel the request")
    done = gettext_lazy("The request is cancelled.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return desk.request_cancel(
            request=self.repair, reason=data["reason"], actor=signed_in(self.request)
        )


class ConfirmPage(_ActPage):
    verb = "confirm"
    title = gettext_lazy("Confirm and rate the repair")
    form_class = f.ConfirmForm
    button = gettext_lazy("Confirm the repair")
    confirm = gettext_lazy("Confirm the fault is repaired? This cannot be undone.")
    done = gettext_lazy("Thank you: the repair is confirmed.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return desk.request_confirm(
            request=self.repair,
            rating=data["rating"],
            comment=data["comment"],
            actor=signed_in(self.request),
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class ReopenPage(_ActPage):
    verb = "reopen"
    title = gettext_lazy("The fault came back")
    form_class = f.ReasonForm
    button = gettext_lazy("Reopen the request")
    done = gettext_lazy("The request is back with its team.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return desk.request_reopen(
            request=self.repair, reason=data["reason"], actor=signed_in(self.request)
        )


class PhotoPage(_ActPage):
    """Add a photo: of the fault, or (the team) of the finished work."""

    verb = "photo"
    title = gettext_lazy("Add a photo")
    form_class = f.PhotoForm
    button = gettext_lazy("Add the photo")
    done = gettext_lazy("The photo is added.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kind = self.request.GET.get("kind", RepairPhoto.Kind.FAULT)
        return {"initial": {"kind": kind}}

    def call(self, data: dict[str, Any]) -> RepairRequest:
        desk.request_photo_add(
            request=self.repair,
            kind=data["kind"],
            upload=data["image"],
            size=data["image"].size,
            actor=signed_in(self.request),
        )
        return self.repair


class AssetRepairsPage(Page):
    """An asset's repair history: every request naming it, and what its finished repairs
    cost."""

    permission = "repairs.view_repairrequest"
    title = gettext_lazy("Repair history")
    template_name = "repairs/asset.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        asset = get_object_or_404(assets.asset_list(), pk=self.kwargs["pk"])
        history = list(selectors.requests_of_asset(asset.pk))
        return super().get_context_data(
            asset=asset,
            history=history,
            total=sum((repair.cost for repair in history), Decimal(0)),
            **kwargs,
        )


# The desk ----------------------------------------------------------------------------------------


class DeskPage(Page):
    """Every request of the school, with the board's filters, sorted and paged."""

    permission = DISPATCHES
    title = gettext_lazy("Repair desk")
    nav = Nav(SECTION, gettext_lazy("Repair desk"), 30)
    template_name = "repairs/desk.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = listing(
            self.request,
            restrict(selectors.request_list(), self.request.user, "view"),
            filters.RepairDeskFilter,
            sorts={
                "submitted_at": _("reported at"),
                "finish_due": _("finish due"),
                "status": _("status"),
            },
            default_sort="-submitted_at",
        )
        return super().get_context_data(listing=found, **kwargs)


class DispatchPage(_ActPage):
    """Send the request to a team (and one of its technicians), or transfer it."""

    permission = DISPATCHES
    title = gettext_lazy("Dispatch")
    form_class = f.DispatchForm
    button = gettext_lazy("Dispatch")
    confirm = gettext_lazy("Send the request to this team?")
    done = gettext_lazy("The request is with the team.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            "teams": selectors.team_list().filter(active=True),
            "technicians": selectors.technician_list(),
        }

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_dispatch(
            request=self.repair,
            team=data["team"],
            technician=data["technician"],
            note=data["note"],
            actor=signed_in(self.request),
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class ExtendPage(_ActPage):
    permission = "repairs.extend_repairrequest"
    title = gettext_lazy("Extend the deadline")
    form_class = f.ExtendForm
    button = gettext_lazy("Extend")
    done = gettext_lazy("The deadline is extended.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"initial": {"finish_due": self.repair.finish_due}}

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_extend(
            request=self.repair,
            finish_due=data["finish_due"],
            reason=data["reason"],
            actor=signed_in(self.request),
        )


class ApprovePage(_ActPage):
    """The principal's written approval of major work."""

    permission = "repairs.approve_repairrequest"
    title = gettext_lazy("Approve major work")
    form_class = f.ApproveForm
    button = gettext_lazy("Approve")
    confirm = gettext_lazy("Approve this major work? This cannot be undone.")
    done = gettext_lazy("The major work is approved.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_approve(
            request=self.repair, approval=data["approval"], actor=signed_in(self.request)
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


# The technicians ---------------------------------------------------------------------------------


class WorkPage(Page):
    """The requests with the caller's teams not yet finished, the most pressing first."""

    permission = WORKS
    title = gettext_lazy("My repair work")
    nav = Nav(SECTION, gettext_lazy("Repair work"), 40)
    template_name = "repairs/work.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        queue = selectors.team_queue(signed_in(self.request).pk).order_by("finish_due", "pk")
        return super().get_context_data(requests=queue, **kwargs)


class AcceptPage(_ActPage):
    permission = WORKS
    title = gettext_lazy("Accept the request")
    form_class = f.AcceptForm
    button = gettext_lazy("Accept")
    done = gettext_lazy("Accepted: the request is the team's.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_accept(
            request=self.repair,
            estimated_cost=data["estimated_cost"],
            actor=signed_in(self.request),
        )


class RejectPage(_ActPage):
    permission = "repairs.reject_repairrequest"
    title = gettext_lazy("Hand the request back")
    form_class = f.ReasonForm
    button = gettext_lazy("Hand back")
    done = gettext_lazy("The request is back at the desk.")

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_reject(
            request=self.repair, reason=data["reason"], actor=signed_in(self.request)
        )


class StartPage(_ActPage):
    permission = "repairs.start_repairrequest"
    title = gettext_lazy("Start the work")
    form_class = f.StartForm
    button = gettext_lazy("I am on site")
    done = gettext_lazy("The work has started.")

    def call(self, data: dict[str, Any]) -> RepairRequest:  # noqa: ARG002 (nothing typed)
        return work.request_start(request=self.repair, actor=signed_in(self.request))


class CompletePage(_ActPage):
    """Finish: what was done, the labour and the materials (a photo of the finished work
    first)."""

    permission = "repairs.complete_repairrequest"
    title = gettext_lazy("Complete the repair")
    template_name = "repairs/complete.html"
    form_class = f.CompleteForm
    button = gettext_lazy("Complete")
    confirm = gettext_lazy("Record the repair as finished? This cannot be undone.")
    done = gettext_lazy("The repair is completed: the requester is asked to confirm it.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.get("form")
        rows = []
        if form is not None:
            rows = [
                [form[f"m{row}_{name}"] for name in f.CompleteForm.ROW]
                for row in range(f.MATERIAL_ROWS)
            ]
        done_photo = any(
            photo.kind == RepairPhoto.Kind.COMPLETION for photo in self.repair.photos.all()
        )
        return super().get_context_data(rows=rows, done_photo=done_photo, **kwargs)

    def call(self, data: dict[str, Any]) -> RepairRequest:
        return work.request_complete(
            request=self.repair,
            note=data["note"],
            labour_cost=data["labour_cost"],
            materials=[work.MaterialInput(**row) for row in data["materials"]],
            actor=signed_in(self.request),
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)
