"""Boarding's pages on a school's host (phone first: the dorm manager walks the corridors):
rooms and beds with their occupancy, tonight's roll call, leaves to decide; and the principal's
boarding money per term (fees, refunds, the boarders' living allowance). The class teacher's
class (its boarders and their roll call, their leave), and room changes: asked for by the pupil
or the class teacher, reviewed by the dorm manager, approved by the logistics director."""

from collections.abc import Callable
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from tenant_apps.dorms import selectors
from tenant_apps.dorms.models import Leave, RoomChange
from tenant_apps.dorms.services import leave as leaves
from tenant_apps.dorms.services import room_changes
from tenant_apps.dorms.web import forms as f
from tenant_apps.people import selectors as people
from tenant_apps.people.models import Student
from tenants.selectors import current_school

SECTION = gettext_lazy("Boarding")


class RoomsPage(Page):
    """Every room, its sex and stage, its beds in service and how many are taken tonight."""

    permission = "dorms.view_room"
    title = gettext_lazy("Rooms and beds")
    nav = Nav(SECTION, gettext_lazy("Rooms and beds"), 10)
    template_name = "dorms/rooms.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rooms = selectors.room_list(on=timezone.localdate())
        return super().get_context_data(rooms=rooms, **kwargs)


class RollCallPage(Page):
    """The last roll call taken, the missing boarders first."""

    permission = "dorms.view_rollcall"
    title = gettext_lazy("Tonight's roll call")
    nav = Nav(SECTION, gettext_lazy("Tonight's roll call"), 20)
    template_name = "dorms/roll_call.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        roll_call = selectors.roll_call_list().first()
        return super().get_context_data(roll_call=roll_call, **kwargs)


class LeavesPage(Page):
    """Leaves waiting for a decision, then the latest decided."""

    permission = "dorms.view_leave"
    title = gettext_lazy("Leave")
    nav = Nav(SECTION, gettext_lazy("Leave"), 30)
    template_name = "dorms/leaves.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = selectors.leave_list().select_related("student")
        return super().get_context_data(
            waiting=rows.filter(status=Leave.Status.REQUESTED),
            decided=rows.exclude(status=Leave.Status.REQUESTED)[:20],
            **kwargs,
        )


class MoneyPage(Page):
    """Per term: the boarding fees charged and refunded, the boarders' living allowance claimed
    and paid; then the refunds still to pay back, the overdue first."""

    permission = "dorms.view_feecharge"
    title = gettext_lazy("Fees and allowance")
    nav = Nav(SECTION, gettext_lazy("Fees and allowance"), 40)
    template_name = "dorms/money.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        school = current_school()
        today = timezone.localdate()
        refunds = (
            selectors.fee_list()
            .filter(refund__gt=0, refunded_on__isnull=True)
            .order_by("refund_due", "id")
        )
        return super().get_context_data(
            terms=selectors.term_money(school_id=school.pk),
            refunds=refunds,
            overdue={fee.pk for fee in selectors.refunds_overdue(today)},
            rural=school.rural,
            **kwargs,
        )


class LeaveDecidePage(FormPage):
    permission = "dorms.approve_leave"
    title = gettext_lazy("Decide a leave")
    form_class = f.DecideForm
    template_name = "dorms/decide.html"

    @cached_property
    def leave(self) -> Leave:
        return get_object_or_404(
            selectors.leave_list().select_related("student"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(leave=self.leave, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        leave = self.leave
        approve = form.cleaned_data["approve"]
        decided = run(
            form,
            lambda: leaves.leave_decide(
                leave=leave, approve=approve, actor=signed_in(self.request)
            ),
        )
        if decided is None:
            return None
        messages.success(self.request, _("The leave is decided."))
        return reverse("dorms:leaves")


def _class_pupils(request: HttpRequest) -> list[Student]:
    """The boarders of the classes the signed-in user is class teacher of, today."""
    user_id = signed_in(request).pk
    _roll_call, rows = selectors.class_boarders(user_id=user_id, on=timezone.localdate())
    return sorted((row.student for row in rows), key=lambda pupil: pupil.name)


def _pupil(pupils: list[Student], pk: int | None) -> Student | None:
    return next((pupil for pupil in pupils if pupil.pk == pk), None)


class MyClassPage(Page):
    """The class teacher's (a member of the staff named class teacher for this school year):
    their class's boarders and how the last roll call found them, then their pupils' leave."""

    permission = "dorms.add_leave"
    title = gettext_lazy("My class's boarders")
    nav = Nav(SECTION, gettext_lazy("My class"), 5)
    template_name = "dorms/my_class.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        user_id = signed_in(self.request).pk
        roll_call, rows = selectors.class_boarders(user_id=user_id, on=today)
        pupils = [row.student for row in rows]
        leaves_of_pupils = (
            selectors.leave_list().filter(student__in=pupils).select_related("student")[:20]
        )
        return super().get_context_data(
            classes=people.classes_taught(user_id=user_id, on=today),
            roll_call=roll_call,
            rows=rows,
            leaves=leaves_of_pupils,
            **kwargs,
        )


class ClassLeavePage(FormPage):
    """A class teacher asks for leave for a boarder of their class (the dorm manager decides)."""

    permission = "dorms.add_leave"
    title = gettext_lazy("Ask for a pupil's leave")
    form_class = f.LeaveAskForm
    template_name = "dorms/form.html"

    @cached_property
    def pupils(self) -> list[Student]:
        return _class_pupils(self.request)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"pupils": self.pupils}

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        values = dict(form.cleaned_data)
        student = _pupil(self.pupils, values.pop("student"))
        assert student is not None
        asked = run(
            form,
            lambda: leaves.leave_request(student=student, actor=signed_in(self.request), **values),
        )
        if asked is None:
            return None
        messages.success(self.request, _("The leave is asked for."))
        return reverse("dorms:my-class")


class RoomChangeAskPage(FormPage):
    """A pupil asks to change rooms, for themselves; a class teacher for a boarder of their
    class. Each follows what they asked for."""

    permission = "dorms.add_roomchange"
    title = gettext_lazy("Ask for a room change")
    nav = Nav(SECTION, gettext_lazy("Ask for a room change"), 6)
    form_class = f.RoomChangeAskForm
    template_name = "dorms/room_change_ask.html"

    @cached_property
    def own(self) -> Student | None:
        return people.student_of(user_id=signed_in(self.request).pk)

    @cached_property
    def pupils(self) -> list[Student] | None:
        return None if self.own is not None else _class_pupils(self.request)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"pupils": self.pupils}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        asked = selectors.room_change_list().filter(requested_by=signed_in(self.request))[:20]
        return super().get_context_data(own=self.own, asked=asked, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        student = self.own
        if self.pupils is not None:
            student = _pupil(self.pupils, form.cleaned_data["student"])
        asked = run(
            form,
            lambda: room_changes.room_change_request(
                student=student,
                reason=form.cleaned_data["reason"],
                actor=signed_in(self.request),
            ),
        )
        if asked is None:
            return None
        messages.success(self.request, _("The room change is asked for."))
        return reverse("dorms:room-change-ask")


class RoomChangesPage(Page):
    """Room changes waiting for the dorm manager's review, then for the logistics director's
    approval, then the latest decided."""

    permission = "dorms.view_roomchange"
    title = gettext_lazy("Room changes")
    nav = Nav(SECTION, gettext_lazy("Room changes"), 35)
    template_name = "dorms/room_changes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        rows = selectors.room_change_list()
        status = RoomChange.Status
        return super().get_context_data(
            requested=rows.filter(status=status.REQUESTED),
            reviewed=rows.filter(status=status.REVIEWED),
            decided=rows.filter(status__in=(status.APPROVED, status.REFUSED))[:20],
            **kwargs,
        )


class _RoomChangeStep(FormPage):
    template_name = "dorms/room_change_step.html"

    @cached_property
    def room_change(self) -> RoomChange:
        return get_object_or_404(selectors.room_change_list(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(room_change=self.room_change, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def done(self, form: forms.Form, call: Callable[[], RoomChange]) -> str | None:
        if run(form, call) is None:
            return None
        messages.success(self.request, _("The room change is decided."))
        return reverse("dorms:room-changes")


class RoomChangeReviewPage(_RoomChangeStep):
    """The dorm manager's review: the bed and the day of the move, or why not."""

    permission = "dorms.review_roomchange"
    title = gettext_lazy("Review a room change")
    form_class = f.RoomChangeReviewForm

    def get_form_kwargs(self) -> dict[str, Any]:
        beds = selectors.bed_list().filter(
            in_service=True, room__sex=self.room_change.student.gender
        )
        return {"beds": beds.select_related("room__floor__building")}

    def act(self, form: forms.Form) -> str | None:
        values = form.cleaned_data
        return self.done(
            form,
            lambda: room_changes.room_change_review(
                room_change=self.room_change,
                approve=values["approve"],
                bed=values["bed"],
                move_on=values["move_on"],
                refusal=values["refusal"],
                actor=signed_in(self.request),
            ),
        )


class RoomChangeDecidePage(_RoomChangeStep):
    """The logistics director's approval (the allocation moves), or why not."""

    permission = "dorms.approve_roomchange"
    title = gettext_lazy("Approve a room change")
    form_class = f.RoomChangeDecideForm

    def act(self, form: forms.Form) -> str | None:
        values = form.cleaned_data
        return self.done(
            form,
            lambda: room_changes.room_change_decide(
                room_change=self.room_change,
                approve=values["approve"],
                refusal=values["refusal"],
                actor=signed_in(self.request),
            ),
        )
