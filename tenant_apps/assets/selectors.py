"""Reads about a school's property, in the school's schema: rooms and assets, book values by
straight-line depreciation, stock-takes and their discrepancies, disposals, and the three-ledger
reconciliation (三账一卡)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum

from houqin.money import ZERO
from houqin.months import add_months
from tenant_apps.assets import classification
from tenant_apps.assets.models import (
    Asset,
    AssetMove,
    Building,
    DepreciationRun,
    Discrepancy,
    Disposal,
    LedgerBalance,
    Room,
    StockTake,
    StockTakeScan,
)

FEN = Decimal("0.01")


def building_list() -> QuerySet[Building]:
    return Building.objects.all()


def room_list() -> QuerySet[Room]:
    return Room.objects.select_related("building")


def room_get(pk: int) -> Room | None:
    return room_list().filter(pk=pk).first()


def asset_list() -> QuerySet[Asset]:
    return Asset.objects.select_related("custodian", "room__building")


def asset_get(pk: int) -> Asset | None:
    return asset_list().filter(pk=pk).first()


def asset_move_list() -> QuerySet[AssetMove]:
    return AssetMove.objects.select_related(
        "asset", "from_custodian", "to_custodian", "from_room", "to_room", "moved_by"
    )


def depreciation_run_list() -> QuerySet[DepreciationRun]:
    return DepreciationRun.objects.all()


def stock_take_list() -> QuerySet[StockTake]:
    """Newest first, ordered here: a query that groups (the scans' count) leaves the model's
    default ordering out."""
    return (
        StockTake.objects.prefetch_related("rooms")
        .annotate(scanned=Count("scans", distinct=True))
        .order_by("-started_at", "-id")
    )


def discrepancy_list() -> QuerySet[Discrepancy]:
    return Discrepancy.objects.select_related("asset", "found_in__building", "assignee")


def disposal_list() -> QuerySet[Disposal]:
    return Disposal.objects.select_related("asset", "requested_by", "approved_by", "confirmed_by")


def ledger_balance_list() -> QuerySet[LedgerBalance]:
    return LedgerBalance.objects.all()


# Depreciation ------------------------------------------------------------------------------------


def months_depreciated(asset: Asset, on: date) -> int:
    """Months of depreciation an asset has taken by the end of `on`'s month: from the month after
    it was acquired (当月增加当月不提), up to its service life."""
    if asset.kind != Asset.Kind.FIXED:
        return 0
    first = add_months(asset.acquired_on.replace(day=1), 1)
    elapsed = (on.year - first.year) * 12 + on.month - first.month + 1
    return max(0, min(elapsed, asset.service_life_months))


def monthly_depreciation(asset: Asset) -> Decimal:
    return Decimal(asset.cost / asset.service_life_months).quantize(FEN, rounding=ROUND_HALF_UP)


def book_value(asset: Asset, on: date) -> Decimal:
    """The asset's book value at the end of `on`: its cost less straight-line depreciation by
    category life; a low-value item's is its cost; nothing once its life is over or it was
    disposed of by then."""
    if asset.disposed_on is not None and asset.disposed_on <= on:
        return ZERO
    months = months_depreciated(asset, on)
    if months >= asset.service_life_months and asset.kind == Asset.Kind.FIXED:
        return ZERO
    return Decimal(asset.cost) - monthly_depreciation(asset) * months


# Three ledgers and a card ------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryReconciliation:
    """One category in the three-ledger reconciliation: the finance ledger's balance (None when
    the accountant recorded none), the register's total of fixed assets held, the total on the
    custodians' cards, and the register's assets no custodian answers for."""

    category: str
    ledger: Decimal | None
    ledger_as_of: date | None
    register: Decimal
    cards: Decimal
    without_custodian: list[str]

    @property
    def agrees(self) -> bool:
        return self.ledger == self.register == self.cards


def reconciliation(on: date) -> list[CategoryReconciliation]:
    """The finance ledger (its latest balance on or before `on`), the asset register and the
    custodians' cards, per category of fixed assets: three queries."""
    held = Asset.objects.filter(kind=Asset.Kind.FIXED, acquired_on__lte=on).exclude(
        disposed_on__lte=on
    )
    register: dict[str, Decimal] = defaultdict(lambda: ZERO)
    cards: dict[str, Decimal] = defaultdict(lambda: ZERO)
    loose: dict[str, list[str]] = defaultdict(list)
    for category, has_custodian, total, numbers in _held_totals(held):
        register[category] += total
        if has_custodian:
            cards[category] += total
        else:
            loose[category].extend(numbers)
    ledger: dict[str, tuple[Decimal, date]] = {}
    for balance in LedgerBalance.objects.filter(as_of__lte=on).order_by("category", "-as_of"):
        ledger.setdefault(balance.category, (balance.amount, balance.as_of))
    categories = sorted(set(register) | set(ledger))
    return [
        CategoryReconciliation(
            category=category,
            ledger=ledger[category][0] if category in ledger else None,
            ledger_as_of=ledger[category][1] if category in ledger else None,
            register=register[category],
            cards=cards[category],
            without_custodian=sorted(loose[category]),
        )
        for category in categories
    ]


def _held_totals(held: QuerySet[Asset]) -> list[tuple[str, bool, Decimal, list[str]]]:
    with_custodian = held.filter(custodian__isnull=False)
    rows: list[tuple[str, bool, Decimal, list[str]]] = [
        (row["category"], True, row["total"], [])
        for row in with_custodian.values("category").annotate(total=Sum("cost")).order_by()
    ]
    loose: dict[str, tuple[Decimal, list[str]]] = {}
    for category, number, cost in held.filter(custodian__isnull=True).values_list(
        "category", "number", "cost"
    ):
        total, numbers = loose.get(category, (ZERO, []))
        loose[category] = (total + cost, [*numbers, number])
    rows += [(category, False, total, numbers) for category, (total, numbers) in loose.items()]
    return rows


# The district's figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTotals:
    category: str
    kind: str
    count: int
    cost: Decimal


def totals_by_category() -> list[CategoryTotals]:
    """The assets held (not disposed) by category and kind, with their cost: one query."""
    rows = (
        Asset.objects.exclude(status=Asset.Status.DISPOSED)
        .values("category", "kind")
        .annotate(count=Count("id"), cost=Sum("cost"))
        .order_by("category", "kind")
    )
    return [CategoryTotals(r["category"], r["kind"], r["count"], r["cost"]) for r in rows]


def last_full_count(year: int) -> StockTake | None:
    """The school's full stock-take closed in `year`, the latest, if any."""
    return (
        StockTake.objects.filter(full=True, status=StockTake.Status.CLOSED, closed_at__year=year)
        .order_by("-closed_at")
        .first()
    )


def category_name(code: str) -> str:
    return str(classification.BY_CODE[code].name)


# The pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomProgress:
    """One room of a stock-take under way: the assets the register holds there, the labels
    scanned there, and how many of those are the room's own."""

    room: Room
    expected: int
    scanned: int
    in_place: int


def stock_take_progress(stock_take: StockTake) -> list[RoomProgress]:
    """Per counted room (every room of a full count), scanned against expected: three queries."""
    rooms = room_list() if stock_take.full else room_list().filter(pk__in=stock_take.rooms.all())
    held = (
        Asset.objects.exclude(status=Asset.Status.DISPOSED)
        .filter(room__isnull=False)
        .values("room")
        .annotate(n=Count("id"))
        .order_by()
    )
    expected = {row["room"]: row["n"] for row in held}
    scanned: dict[int, int] = defaultdict(int)
    in_place: dict[int, int] = defaultdict(int)
    for room_id, asset_room in stock_take.scans.values_list("room_id", "asset__room_id"):
        scanned[room_id] += 1
        in_place[room_id] += asset_room == room_id
    return [
        RoomProgress(room, expected.get(room.pk, 0), scanned[room.pk], in_place[room.pk])
        for room in rooms
    ]


def stock_take_open() -> StockTake | None:
    """The count under way, if any (one at a time)."""
    return stock_take_list().filter(status=StockTake.Status.OPEN).first()


def scans_latest(stock_take: StockTake, room: Room, limit: int = 10) -> list[StockTakeScan]:
    """The labels scanned last in `room` in this count, the latest first."""
    scans = stock_take.scans.filter(room=room).select_related("asset__room__building")
    return list(scans.order_by("-id")[:limit])


def moves_of(asset: Asset) -> QuerySet[AssetMove]:
    """An asset's moves and loans, the latest first."""
    return asset_move_list().filter(asset=asset)


def disposals_of(asset: Asset) -> QuerySet[Disposal]:
    return disposal_list().filter(asset=asset)


def room_assets(room: Room) -> QuerySet[Asset]:
    return asset_list().filter(room=room).exclude(status=Asset.Status.DISPOSED)
