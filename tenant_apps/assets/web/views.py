"""The property's pages on a school's host: the register (三账一卡's second ledger) with its QR
label sheet, an asset's page with its book value, moves and acts, the buildings and rooms, a
stock-take scanned on a phone room by room and its discrepancies, disposals approved by the
principal, the three-ledger reconciliation, and the home page's panel of what waits."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houqin.permissions import has_perm, restrict
from houqin.web.home import Panel, Waiting
from houqin.web.once import once
from houqin.web.pages import FormPage, Nav, Page, listing, run
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from shared_apps.accounts.selectors import user_list
from tenant_apps.assets import filters, selectors
from tenant_apps.assets.labels import ASSET, ROOM, Label
from tenant_apps.assets.models import (
    Asset,
    Discrepancy,
    Disposal,
    Room,
    StockTake,
)
from tenant_apps.assets.renderers import MAX_LABELS, labels_pdf
from tenant_apps.assets.services import disposals, register, stocktakes
from tenant_apps.assets.web import forms as f
from tenants.selectors import current_school

SECTION = gettext_lazy("Property")
ASSET_SORTS = {
    "number": gettext_lazy("asset number"),
    "name": gettext_lazy("name"),
    "acquired_on": gettext_lazy("acquired on"),
    "cost": gettext_lazy("original cost"),
}


def _rows(request: HttpRequest, queryset: "QuerySet[Any]", action: str = "view") -> Any:
    return restrict(queryset, request.user, action)


def _user(form: forms.Form, field: str) -> tuple[bool, User | None]:
    """The user named in `field` (None when left empty); False first when no one is so named,
    said next to the field."""
    username = form.cleaned_data.get(field, "").strip()
    if not username:
        return True, None
    user = user_list().filter(username=username).first()
    if user is None:
        form.add_error(field, _("No such user."))
        return False, None
    return True, user


def room_label(room: Room) -> str:
    return str(Label(current_school().code, ROOM, str(room.pk)))


# The register ------------------------------------------------------------------------------------


class RegisterPage(Page):
    """The asset register with the API's filters; the QR label sheet of the rows it selects."""

    permission = "assets.view_asset"
    title = gettext_lazy("Asset register")
    nav = Nav(SECTION, gettext_lazy("Asset register"), 10)
    template_name = "assets/register.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _rows(request, selectors.asset_list()),
            filters.RegisterFilter,
            sorts=ASSET_SORTS,
            default_sort="number",
        )
        labels = ""
        if has_perm(request.user, "assets.label_asset"):
            labels = reverse("assets:labels")
            labels = f"{labels}?{found.query}" if found.query else labels
        return self.render_to_response(self.get_context_data(listing=found, labels=labels))


class LabelsPage(Page):
    """The sheet of QR labels (PDF) of the assets the register's filters select, in the order of
    their numbers, to print and stick on them."""

    permission = "assets.label_asset"
    title = gettext_lazy("QR labels")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = filters.RegisterFilter(
            request.GET or None, queryset=_rows(request, selectors.asset_list(), "label")
        )
        if found.is_bound and not found.is_valid():
            messages.error(request, _("The selection is not valid."))
            return HttpResponseRedirect(reverse("assets:register"))
        assets = list(found.qs.order_by("number")[: MAX_LABELS + 1])
        if len(assets) > MAX_LABELS:
            messages.error(
                request,
                _("At most %(max)d labels at once: narrow the selection.") % {"max": MAX_LABELS},
            )
            query = request.GET.urlencode()
            return HttpResponseRedirect(f"{reverse('assets:register')}?{query}")
        code = current_school().code
        sheet = labels_pdf([(str(Label(code, ASSET, a.number)), a.number, a.name) for a in assets])
        response = HttpResponse(sheet, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="labels.pdf"'
        return response


class AssetAddPage(FormPage):
    """Register an asset: fixed or low-value by its class's threshold (the service decides)."""

    permission = "assets.add_asset"
    title = gettext_lazy("Register an asset")
    template_name = "assets/form.html"
    form_class = f.AssetForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"rooms": selectors.room_list()}

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        known, custodian = _user(form, "custodian")
        if not known:
            return None
        data = dict(form.cleaned_data)
        data.pop("custodian")
        data["number"] = data.pop("asset_number")
        asset = run(
            form,
            lambda: register.asset_register(
                custodian=custodian, actor=signed_in(self.request), **data
            ),
        )
        if asset is None:
            return None
        messages.success(self.request, _("%(asset)s is registered.") % {"asset": asset})
        return reverse("assets:asset", args=[asset.pk])


class _AssetMixin:
    request: HttpRequest
    kwargs: dict[str, Any]
    action = "view"

    @property
    def asset(self) -> Asset:
        if not hasattr(self, "_asset"):
            rows = _rows(self.request, selectors.asset_list(), self.action)
            self._asset: Asset = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._asset


class AssetPage(_AssetMixin, Page):
    """One asset: its details, book value today, moves and loans, disposals; the keeper's acts."""

    permission = "assets.view_asset"
    shows = Asset
    template_name = "assets/asset.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        asset = self.asset
        today = timezone.localdate()
        return super().get_context_data(
            title=str(asset),
            asset=asset,
            today=today,
            book_value=selectors.book_value(asset, today),
            moves=selectors.moves_of(asset),
            disposals=selectors.disposals_of(asset),
            held=asset.status != Asset.Status.DISPOSED,
            **kwargs,
        )


class AssetMovePage(_AssetMixin, FormPage):
    """A transfer (custodian, room or both), a loan to a borrower until a day, or a return."""

    permission = "assets.move_asset"
    title = gettext_lazy("Move, lend or take back")
    template_name = "assets/asset_form.html"
    form_class = f.MoveForm
    action = "move"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"rooms": selectors.room_list()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(asset=self.asset, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        known, custodian = _user(form, "custodian")
        if not known:
            return None
        data = form.cleaned_data
        moved = run(
            form,
            lambda: register.asset_move(
                asset=self.asset,
                kind=data["kind"],
                custodian=custodian,
                room=data["room"],
                due_back=data["due_back"],
                note=data["note"],
                actor=signed_in(self.request),
            ),
        )
        if moved is None:
            return None
        messages.success(self.request, _("The move is recorded."))
        return reverse("assets:asset", args=[self.asset.pk])


class DisposalRequestPage(_AssetMixin, FormPage):
    """Ask to dispose of an asset, with the reason and the evidence; the principal decides."""

    permission = "assets.add_disposal"
    title = gettext_lazy("Ask for disposal")
    template_name = "assets/asset_form.html"
    form_class = f.DisposalForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(asset=self.asset, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        disposal = run(
            form,
            lambda: disposals.disposal_request(
                asset=self.asset, actor=signed_in(self.request), **form.cleaned_data
            ),
        )
        if disposal is None:
            return None
        messages.success(self.request, _("The disposal waits for the principal's approval."))
        return reverse("assets:disposal", args=[disposal.pk])


# Buildings and rooms -----------------------------------------------------------------------------


class RoomsPage(Page):
    """The school's buildings and rooms, where assets stand and faults are reported."""

    permission = "assets.view_room"
    title = gettext_lazy("Buildings and rooms")
    nav = Nav(SECTION, gettext_lazy("Buildings and rooms"), 20)
    template_name = "assets/rooms.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _rows(request, selectors.room_list()),
            filters.RoomListFilter,
            sorts={"building__code": _("building"), "code": _("room number")},
            default_sort="building__code",
            per_page=50,
        )
        return self.render_to_response(self.get_context_data(listing=found))


class BuildingAddPage(FormPage):
    permission = "assets.add_building"
    title = gettext_lazy("Add a building")
    template_name = "assets/form.html"
    form_class = f.BuildingForm

    def act(self, form: forms.Form) -> str | None:
        building = run(
            form,
            lambda: register.building_create(actor=signed_in(self.request), **form.cleaned_data),
        )
        if building is None:
            return None
        messages.success(self.request, _("%(building)s is added.") % {"building": building})
        return reverse("assets:room-add")


class RoomAddPage(FormPage):
    permission = "assets.add_room"
    title = gettext_lazy("Add a room")
    template_name = "assets/form.html"
    form_class = f.RoomForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"buildings": selectors.building_list()}

    def act(self, form: forms.Form) -> str | None:
        room = run(
            form, lambda: register.room_create(actor=signed_in(self.request), **form.cleaned_data)
        )
        if room is None:
            return None
        messages.success(self.request, _("%(room)s is added.") % {"room": room})
        return reverse("assets:room", args=[room.pk])


class RoomPage(Page):
    """A room: its label, its assets (for those who read the register), and where to report a
    fault in it."""

    permission = "assets.view_room"
    shows = Room
    template_name = "assets/room.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        room = get_object_or_404(_rows(request, selectors.room_list()), pk=kwargs["pk"])
        label = room_label(room)
        assets = (
            _rows(request, selectors.room_assets(room))
            if has_perm(request.user, "assets.view_asset")
            else None
        )
        context = self.get_context_data(
            title=str(room), room=room, label=label, assets=assets, report=label
        )
        return self.render_to_response(context)


# Stock-takes -------------------------------------------------------------------------------------


class StockTakesPage(Page):
    permission = "assets.view_stocktake"
    title = gettext_lazy("Stock-takes")
    nav = Nav(SECTION, gettext_lazy("Stock-takes"), 30)
    template_name = "assets/stock_takes.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _rows(request, selectors.stock_take_list()),
            filters.StockTakeFilter,
            sorts={"started_at": _("started at")},
            default_sort="-started_at",
        )
        return self.render_to_response(self.get_context_data(listing=found))


class StockTakeStartPage(FormPage):
    """Start a count: some rooms, or every room (the annual full count); one at a time."""

    permission = "assets.add_stocktake"
    title = gettext_lazy("Start a stock-take")
    template_name = "assets/form.html"
    form_class = f.StockTakeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"rooms": selectors.room_list()}

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        data = form.cleaned_data
        stock_take = run(
            form,
            lambda: stocktakes.stock_take_start(
                name=data["name"],
                full=data["full"],
                rooms=list(data["rooms"]),
                actor=signed_in(self.request),
            ),
        )
        if stock_take is None:
            return None
        return reverse("assets:scan", args=[stock_take.pk])


class _StockTakeMixin:
    request: HttpRequest
    kwargs: dict[str, Any]
    action = "view"

    @property
    def stock_take(self) -> StockTake:
        if not hasattr(self, "_stock_take"):
            rows = _rows(self.request, selectors.stock_take_list(), self.action)
            self._stock_take: StockTake = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._stock_take


class StockTakePage(_StockTakeMixin, Page):
    """A count: scanned against expected per room while it runs; what it found once closed."""

    permission = "assets.view_stocktake"
    shows = StockTake
    template_name = "assets/stock_take.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stock_take = self.stock_take
        context = self.get_context_data(
            title=stock_take.name,
            stock_take=stock_take,
            progress=selectors.stock_take_progress(stock_take),
            discrepancies=_rows(request, selectors.discrepancy_list()).filter(
                stock_take=stock_take
            ),
        )
        return self.render_to_response(context)


class ScanPage(_StockTakeMixin, FormPage):
    """A phone in a room: each label scanned (the scanner types it and presses Enter) or typed is
    recorded at once, and the room stays chosen for the next."""

    permission = "assets.scan_stocktake"
    title = gettext_lazy("Scan labels")
    template_name = "assets/scan.html"
    form_class = f.ScanForm
    action = "scan"

    def rooms(self) -> QuerySet[Room]:
        stock_take = self.stock_take
        rooms = selectors.room_list()
        return rooms if stock_take.full else rooms.filter(pk__in=stock_take.rooms.all())

    def get_form_kwargs(self) -> dict[str, Any]:
        room = self.request.GET.get("room", "")
        return {"rooms": self.rooms(), "initial": {"room": room} if room.isdigit() else {}}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs["form"]
        room = form["room"].value()
        chosen = self.rooms().filter(pk=room).first() if str(room).isdigit() else None
        chosen = chosen or self.rooms().first()
        return super().get_context_data(
            stock_take=self.stock_take,
            room=chosen,
            progress=selectors.stock_take_progress(self.stock_take),
            latest=selectors.scans_latest(self.stock_take, chosen) if chosen else [],
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        room: Room = form.cleaned_data["room"]
        scan = run(
            form,
            lambda: stocktakes.stock_take_scan(
                stock_take=self.stock_take,
                code=form.cleaned_data["code"],
                room=room,
                actor=signed_in(self.request),
            ),
        )
        if scan is None:
            return None
        asset = scan.asset
        if asset is None or asset.status == Asset.Status.DISPOSED:
            messages.warning(
                self.request,
                _("%(code)s is not held in the register: surplus.") % {"code": scan.code},
            )
        elif asset.room_id != room.pk:
            messages.warning(
                self.request,
                _("%(asset)s found in another room: the register has it in %(place)s.")
                % {"asset": asset, "place": asset.room or _("no room")},
            )
        else:
            messages.success(self.request, _("%(asset)s is in place.") % {"asset": asset})
        return f"{reverse('assets:scan', args=[self.stock_take.pk])}?room={room.pk}"


class StockTakeClosePage(_StockTakeMixin, FormPage):
    """Close the count and reconcile it with the register: its discrepancies are listed."""

    permission = "assets.close_stocktake"
    title = gettext_lazy("Close the stock-take")
    template_name = "assets/stock_take_close.html"
    form_class = f.ConfirmForm
    action = "close"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        stock_take = self.stock_take
        return super().get_context_data(
            stock_take=stock_take,
            progress=selectors.stock_take_progress(stock_take),
            **kwargs,
        )

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        closed = run(
            form,
            lambda: stocktakes.stock_take_close(
                stock_take=self.stock_take, actor=signed_in(self.request)
            ),
        )
        if closed is None:
            return None
        messages.success(self.request, _("The stock-take is closed."))
        return f"{reverse('assets:discrepancies')}?stock_take={closed.pk}&status=open"


class DiscrepanciesPage(Page):
    permission = "assets.view_discrepancy"
    title = gettext_lazy("Discrepancies")
    nav = Nav(SECTION, gettext_lazy("Discrepancies"), 40)
    template_name = "assets/discrepancies.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _rows(request, selectors.discrepancy_list()),
            filters.DiscrepancyListFilter,
            sorts={"id": _("stock-take")},
            default_sort="-id",
        )
        return self.render_to_response(self.get_context_data(listing=found))


class _DiscrepancyPage(FormPage):
    template_name = "assets/discrepancy_form.html"
    action = "view"

    @property
    def discrepancy(self) -> Discrepancy:
        if not hasattr(self, "_discrepancy"):
            rows = _rows(self.request, selectors.discrepancy_list(), self.action)
            self._discrepancy: Discrepancy = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._discrepancy

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(discrepancy=self.discrepancy, **kwargs)

    def done(self) -> str:
        stock_take = self.discrepancy.stock_take_id
        return f"{reverse('assets:discrepancies')}?stock_take={stock_take}&status=open"


class DiscrepancyAssignPage(_DiscrepancyPage):
    permission = "assets.assign_discrepancy"
    title = gettext_lazy("Assign a discrepancy")
    form_class = f.AssignForm
    action = "assign"

    def act(self, form: forms.Form) -> str | None:
        known, assignee = _user(form, "username")
        if not known or assignee is None:
            return None
        done = run(
            form,
            lambda: stocktakes.discrepancy_assign(
                discrepancy=self.discrepancy, assignee=assignee, actor=signed_in(self.request)
            ),
        )
        return None if done is None else self.done()


class DiscrepancyResolvePage(_DiscrepancyPage):
    permission = "assets.resolve_discrepancy"
    title = gettext_lazy("Resolve a discrepancy")
    form_class = f.ResolveForm
    action = "resolve"

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(
            form,
            lambda: stocktakes.discrepancy_resolve(
                discrepancy=self.discrepancy, actor=signed_in(self.request), **form.cleaned_data
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("The discrepancy is resolved."))
        return self.done()


# Disposals ---------------------------------------------------------------------------------------


class DisposalsPage(Page):
    permission = "assets.view_disposal"
    title = gettext_lazy("Disposals")
    nav = Nav(SECTION, gettext_lazy("Disposals"), 50)
    template_name = "assets/disposals.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        found = listing(
            request,
            _rows(request, selectors.disposal_list()),
            filters.DisposalListFilter,
            sorts={"requested_at": _("requested at")},
            default_sort="-requested_at",
        )
        return self.render_to_response(self.get_context_data(listing=found))


class _DisposalMixin:
    request: HttpRequest
    kwargs: dict[str, Any]
    action = "view"

    @property
    def disposal(self) -> Disposal:
        if not hasattr(self, "_disposal"):
            rows = _rows(self.request, selectors.disposal_list(), self.action)
            self._disposal: Disposal = get_object_or_404(rows, pk=self.kwargs["pk"])
        return self._disposal


class DisposalPage(_DisposalMixin, Page):
    """A disposal: the asset, the reason and evidence, its book value, and who decided what."""

    permission = "assets.view_disposal"
    shows = Disposal
    template_name = "assets/disposal.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        disposal = self.disposal
        waiting = disposal.status in (Disposal.Status.REQUESTED, Disposal.Status.APPROVED)
        context = self.get_context_data(
            title=str(disposal.asset),
            disposal=disposal,
            may_approve=disposal.status == Disposal.Status.REQUESTED
            and has_perm(request.user, "assets.approve_disposal"),
            may_reject=waiting and has_perm(request.user, "assets.reject_disposal"),
        )
        return self.render_to_response(context)


class DisposalApprovePage(_DisposalMixin, FormPage):
    """The principal's approval: the asset is disposed of, or waits for the district above its
    threshold."""

    permission = "assets.approve_disposal"
    title = gettext_lazy("Approve the disposal")
    template_name = "assets/disposal_decide.html"
    form_class = f.ConfirmForm
    action = "approve"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        confirm = _(
            "Approve the disposal? The asset leaves the register’s assets in use; this cannot be "
            "undone."
        )
        return super().get_context_data(disposal=self.disposal, confirm=confirm, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(
            form,
            lambda: disposals.disposal_approve(
                disposal=self.disposal, actor=signed_in(self.request)
            ),
        )
        if done is None:
            return None
        if done.status == Disposal.Status.APPROVED:
            messages.info(self.request, _("Approved: it waits for the district's confirmation."))
        else:
            messages.success(self.request, _("Approved: the asset is disposed of."))
        return reverse("assets:disposal", args=[done.pk])


class DisposalRejectPage(_DisposalMixin, FormPage):
    permission = "assets.reject_disposal"
    title = gettext_lazy("Reject the disposal")
    template_name = "assets/disposal_decide.html"
    form_class = f.RejectForm
    action = "reject"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(disposal=self.disposal, **kwargs)

    @once
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return super().post(request, *args, **kwargs)

    def act(self, form: forms.Form) -> str | None:
        done = run(
            form,
            lambda: disposals.disposal_reject(
                disposal=self.disposal,
                reason=form.cleaned_data["reason"],
                actor=signed_in(self.request),
            ),
        )
        if done is None:
            return None
        messages.success(self.request, _("The disposal is rejected."))
        return reverse("assets:disposal", args=[done.pk])


# Three ledgers and a card ------------------------------------------------------------------------


class ReconciliationPage(Page):
    """三账一卡 on a day: per category, the finance ledger, the register and the custodians'
    cards, where they disagree, and the assets no custodian answers for."""

    permission = "assets.view_ledgerbalance"
    title = gettext_lazy("Three ledgers and a card")
    nav = Nav(SECTION, gettext_lazy("Reconciliation"), 60)
    template_name = "assets/reconciliation.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = f.ReconciliationForm(request.GET or None)
        valid = form.is_valid() if form.is_bound else True
        on = (form.cleaned_data.get("on") if form.is_bound and valid else None) or (
            timezone.localdate()
        )
        rows = [
            {"row": row, "name": selectors.category_name(row.category)}
            for row in selectors.reconciliation(on)
        ]
        context = self.get_context_data(form=form, on=on, rows=rows)
        return self.render_to_response(context, status=200 if valid else 400)


# The home page -----------------------------------------------------------------------------------


def assets_waiting(request: HttpRequest) -> Panel | None:
    """The home page's panel: for the asset keeper, the count under way and the discrepancies
    still open; for the principal, the disposals waiting for the approval."""
    items: list[Waiting] = []
    if has_perm(request.user, "assets.scan_stocktake"):
        under_way = selectors.stock_take_open()
        if under_way is not None:
            items.append(
                Waiting(
                    _("Stock-take under way: %(name)s") % {"name": under_way.name},
                    1,
                    reverse("assets:scan", args=[under_way.pk]),
                )
            )
        items.append(
            Waiting(
                _("Open discrepancies"),
                selectors.discrepancy_list().filter(status=Discrepancy.Status.OPEN).count(),
                f"{reverse('assets:discrepancies')}?status=open",
                warn=True,
            )
        )
    if has_perm(request.user, "assets.approve_disposal"):
        items.append(
            Waiting(
                _("Disposals waiting for your approval"),
                selectors.disposal_list().filter(status=Disposal.Status.REQUESTED).count(),
                f"{reverse('assets:disposals')}?status=requested",
            )
        )
    return Panel(_("Property"), items) if items else None
