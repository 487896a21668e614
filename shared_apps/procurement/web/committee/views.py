"""The evaluation committee's pages (评标委员会), on the district host, for the members of the
district's pool of experts: the tenders they sit on; after the deadline, their declaration of
interests and their share of the tender key, presented with their passphrase (the page says how
many shares are still needed, and shows no price before the opening); once opened, the valid
bids of each lot side by side, scored on the tender's criteria, the price score computed by the
service, and their score sheet signed. A member acts in their own seats only, whatever else
they may do; the same services and selectors as the API."""

from functools import cached_property
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.exceptions import ServiceError
from houqin.permissions import restrict, roles_of
from houqin.roles import allows, allows_own, grants_of
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, run
from shared_apps.accounts.actors import signed_in
from shared_apps.procurement.models import CommitteeSeat, Criterion, Lot, Tender
from shared_apps.procurement.selectors import tenders as selectors
from shared_apps.procurement.services import evaluation, opening
from shared_apps.procurement.web.committee.forms import (
    DeclareForm,
    PresentForm,
    ScoresForm,
    SignForm,
    score_field,
)

SECTION = gettext_lazy("Evaluation committee")
PERMISSION = "procurement.present_committeeseat"
# A tender whose bids are still sealed: the members present their shares.
SEALED = (Tender.Status.PUBLISHED, Tender.Status.CLOSED)


def _member(request: HttpRequest) -> bool:
    """Whether the caller may act in committee seats: their own (a member's `:own` grant), or
    any (which here means none but their own)."""
    grants = grants_of(roles_of(request.user))
    return allows(grants, PERMISSION) or allows_own(grants, PERMISSION)


class _MemberPage(Page):
    permission = PERMISSION

    @classmethod
    def allowed(cls, request: HttpRequest) -> bool:
        return _member(request)


def _seats(request: HttpRequest) -> Any:
    """The caller's own seats (an officer who may act on any seat acts in none of them here)."""
    return restrict(selectors.member_seat_list(member=signed_in(request)), request.user, "present")


class SeatListPage(_MemberPage):
    """The tenders the member sits on, with what each waits for."""

    title = gettext_lazy("My committees")
    nav = Nav(SECTION, gettext_lazy("My committees"), 10)
    template_name = "procurement/committee/seat_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        seats = list(_seats(self.request))
        return super().get_context_data(rows=[(seat, _waiting(seat)) for seat in seats], **kwargs)


def _still_needed(seat: CommitteeSeat) -> int:
    return max(seat.tender.threshold - seat.presented, 0)  # type: ignore[attr-defined]


def _waiting(seat: CommitteeSeat) -> str:
    """What the seat waits for from its member, in a few words ("" when nothing)."""
    tender = seat.tender
    if tender.status in SEALED and selectors.deadline_passed(tender):
        if seat.conflict is None:
            return _("Declare your interests")
        if seat.presented_at is None:
            return _("Present your share")
    opened = tender.status == Tender.Status.OPENED
    if opened and seat.conflict is False and seat.scores_signed_at is None:
        return _("Score the bids and sign")
    return ""


class _SeatPage(_MemberPage):
    """A page about one of the caller's seats."""

    template_name = "procurement/committee/seat.html"

    @cached_property
    def seat(self) -> CommitteeSeat:
        seat: CommitteeSeat = get_object_or_404(_seats(self.request), pk=self.kwargs["pk"])
        return seat

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        seat = self.seat
        tender = seat.tender
        passed = selectors.deadline_passed(tender)
        sealed = tender.status in SEALED
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"{tender.number} {tender.title}",
            seat=seat,
            tender=tender,
            lots=Lot.objects.filter(tender=tender).order_by("number"),
            criteria=Criterion.objects.filter(tender=tender).order_by("pk"),
            still_needed=_still_needed(seat),
            deadline_passed=passed,
            sealed=sealed,
            opened=tender.status in selectors.OPENED_STATUSES,
        )
        opened = tender.status == Tender.Status.OPENED
        if ((sealed and passed) or opened) and seat.conflict is None:
            context.setdefault("declare_form", DeclareForm())
        if sealed and passed and seat.conflict is not None and seat.presented_at is None:
            context.setdefault("present_form", PresentForm())
        return context


class SeatPage(_SeatPage):
    """One tender the member sits on: its lots, criteria and deadline; the declaration and the
    share to present once the deadline has passed; how many shares the opening still needs."""


class _SeatAct(_SeatPage):
    """An act on the seat, posted from the seat's page: done, back there; refused, the seat's
    page again with the form saying why."""

    http_method_names = ["post"]
    form_class: ClassVar[type[forms.Form]]
    form_name: ClassVar[str]
    success: ClassVar[Any]

    def act(self, data: dict[str, Any]) -> object:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form_class(request.POST)
        if form.is_valid() and run(form, lambda: self.act(form.cleaned_data)) is not None:
            messages.success(request, self.success)
            return _back(self.seat)
        context = self.get_context_data(**{self.form_name: form})
        return self.render_to_response(context, status=400)


class DeclarePage(_SeatAct):
    """The member's declaration of interests."""

    form_class = DeclareForm
    form_name = "declare_form"
    success = gettext_lazy("Your declaration is recorded.")

    def act(self, data: dict[str, Any]) -> object:
        return opening.seat_declare(
            seat=self.seat,
            conflict=data["conflict"],
            note=data["note"],
            actor=signed_in(self.request),
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)


class PresentPage(_SeatAct):
    """The member's share, presented with their passphrase (no once-key: the form's record
    would keep a hash of the passphrase; a share is presented once by nature)."""

    form_class = PresentForm
    form_name = "present_form"
    success = gettext_lazy("Your share is presented.")

    def act(self, data: dict[str, Any]) -> object:
        return opening.share_present(
            seat=self.seat, passphrase=data["passphrase"], actor=signed_in(self.request)
        )


def _back(seat: CommitteeSeat, name: str = "evaluation:seat") -> HttpResponse:
    return HttpResponseRedirect(reverse(name, args=[seat.pk]))


class ScoresPage(_MemberPage, FormPage):
    """Once the tender is opened: each lot's valid bids side by side (supplier, total, the price
    score the service computes), the member's score of each on each criterion (its weight and
    highest score beside it), saved as often as needed until signed. Each read of the opened
    bids is logged for the auditors, as the API's are."""

    template_name = "procurement/committee/scores.html"
    form_class = ScoresForm

    @cached_property
    def seat(self) -> CommitteeSeat:
        seat: CommitteeSeat = get_object_or_404(_seats(self.request), pk=self.kwargs["pk"])
        if seat.tender.status not in selectors.OPENED_STATUSES:
            raise Http404
        return seat

    @cached_property
    def lots(self) -> list[Lot]:
        return list(selectors.score_sheet(seat=self.seat))

    @cached_property
    def criteria(self) -> list[Criterion]:
        return list(Criterion.objects.filter(tender_id=self.seat.tender_id).order_by("pk"))

    def get_form(self, data: Any = None, files: Any = None) -> forms.Form:
        return ScoresForm(data, files, lots=self.lots, criteria=self.criteria)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        seat = self.seat
        tender = seat.tender
        form = kwargs["form"]
        sheets = []
        for lot in self.lots:
            bids = lot.valid  # type: ignore[attr-defined]
            priced = selectors.price_scores(bids, tender.price_weight)
            rows = [
                (criterion, [form[score_field(bid.pk, criterion.pk)] for bid in bids])
                for criterion in self.criteria
            ]
            sheets.append((lot, [(bid, priced[bid.pk]) for bid in bids], rows))
        opening.sealed_read_record(
            request=self.request,
            tender=tender,
            bids=[bid.public_id for lot in self.lots for bid in lot.valid],  # type: ignore[attr-defined]
            reserve_prices=[],
            actor=signed_in(self.request),
        )
        can_score = tender.status == Tender.Status.OPENED and seat.conflict is False
        return super().get_context_data(
            title=f"{tender.number} {tender.title}",
            seat=seat,
            tender=tender,
            sheets=sheets,
            criteria=self.criteria,
            quality_weight=sum(c.weight for c in self.criteria),
            can_score=can_score and seat.scores_signed_at is None,
            sign_form=SignForm() if can_score and seat.scores_signed_at is None else None,
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        given = [
            evaluation.GivenScore(bid.pk, criterion.pk, value)
            for lot in self.lots
            for bid in lot.valid  # type: ignore[attr-defined]
            for criterion in self.criteria
            if (value := form.cleaned_data[score_field(bid.pk, criterion.pk)]) is not None
        ]
        done = run(
            form,
            lambda: evaluation.scores_record(
                tender=self.seat.tender, scores=given, actor=signed_in(self.request)
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("Your scores are saved."))
        return reverse("evaluation:scores", args=[self.seat.pk])


class SignPage(_SeatPage):
    """The member signs their whole score sheet, posted from the score page."""

    http_method_names = ["post"]

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            evaluation.scores_sign(tender=self.seat.tender, actor=signed_in(request))
        except ServiceError as refused:
            messages.error(request, refused.message)
            return _back(self.seat, "evaluation:scores")
        messages.success(request, _("Your scores are signed."))
        return _back(self.seat, "evaluation:scores")


def committee_panel(request: HttpRequest) -> Panel | None:
    """On the district host, for a member of the pool (their own seats; the buying office, which
    may act on any seat, sits in none): the seats waiting for them."""
    if not allows_own(grants_of(roles_of(request.user)), PERMISSION):
        return None
    waiting = sum(1 for seat in _seats(request) if _waiting(seat))
    return Panel(
        SECTION,
        [Waiting(_("Committees waiting for you"), waiting, reverse("evaluation:seats"))],
    )
