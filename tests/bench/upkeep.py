"""The upkeep benchmarks' data and naive baselines: a school's open repair requests, a register of
fixed assets spread over rooms, a stock-take's scans; and the naive SLA sweep, depreciation and
reconciliation each figure is measured against (bench-only: the app has the set-wise ones).

Imported by `tests.bench.steps` once Django is set up."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from houqin.months import add_months
from shared_apps.accounts.models import User
from tenant_apps.assets import classification
from tenant_apps.assets.labels import ASSET, Label
from tenant_apps.assets.models import Asset, Building, Discrepancy, Room, StockTake, StockTakeScan
from tenant_apps.repairs.models import RepairEvent, RepairRequest, Team
from tenant_apps.repairs.services.timers import AUTO_CONFIRM, TIMERS

S = RepairRequest.Status
OPEN = [S.SUBMITTED, S.ASSIGNED, S.AWAITING_APPROVAL, S.ACCEPTED, S.IN_PROGRESS]
ASSETS_PER_ROOM = 50


def open_requests(count: int, requester: User, now: datetime) -> None:
    """`count` open requests in the current school, in every open status, one in ten with its
    timers run out (overdue), the others due in the days ahead."""
    building = Building.objects.create(code="B1", name="教学楼")
    room = Room.objects.create(building=building, code="101", kind=Room.Kind.TEACHING)
    team = Team.objects.create(name="水电组", kind=Team.Kind.IN_HOUSE)
    rows = []
    for i in range(count):
        status = OPEN[i % len(OPEN)]
        due = now - timedelta(hours=1) if i % 10 == 0 else now + timedelta(days=1 + i % 3)
        rows.append(
            RepairRequest(
                requester=requester,
                room=room,
                category="electric.lighting",
                description=f"灯不亮{i}",
                urgency=RepairRequest.Urgency.GENERAL,
                status=status,
                charged=False,
                team=None if status == S.SUBMITTED else team,
                submitted_at=now - timedelta(days=2),
                classify_due=due,
                accept_due=due if status == S.ASSIGNED else None,
                respond_due=due,
                finish_due=due,
            )
        )
    RepairRequest.objects.bulk_create(rows)


def naive_sweep(now: datetime) -> int:
    """The SLA sweep done request by request: the open requests loaded, then for each one query
    for its escalations and one INSERT per timer run out; work left unconfirmed confirmed one
    save at a time. Returns the escalations made."""
    made = 0
    with transaction.atomic():
        for request in RepairRequest.objects.filter(status__in=OPEN):
            done = set(
                RepairEvent.objects.filter(
                    request=request, kind=RepairEvent.Kind.ESCALATED, round=request.reopened
                ).values_list("stage", flat=True)
            )
            for stage, statuses, due in TIMERS:
                deadline = getattr(request, due)
                if request.status in statuses and deadline and deadline < now and stage not in done:
                    RepairEvent.objects.create(
                        request=request,
                        kind=RepairEvent.Kind.ESCALATED,
                        stage=stage,
                        round=request.reopened,
                        team_id=request.team_id,
                    )
                    made += 1
        for request in RepairRequest.objects.filter(status=S.COMPLETED):
            if request.completed_at and request.completed_at < now - AUTO_CONFIRM:
                request.status = S.CONFIRMED
                request.confirmed_at = now
                request.save(update_fields=["status", "confirmed_at"])
                RepairEvent.objects.create(request=request, kind=RepairEvent.Kind.AUTO_CONFIRMED)
    return made


def register(count: int, month: date) -> None:
    """`count` fixed assets in the current school, ASSETS_PER_ROOM to a room, over every class,
    acquired in the years before `month` (some at the last month of their life)."""
    building = Building.objects.create(code="B9", name="综合楼")
    rooms = Room.objects.bulk_create(
        Room(building=building, code=f"{n:04d}", kind=Room.Kind.TEACHING)
        for n in range(-(-count // ASSETS_PER_ROOM))
    )
    assets = []
    for i in range(count):
        asset_class = classification.CLASSES[i % len(classification.CLASSES)]
        life = asset_class.life_years * 12
        acquired = add_months(month, -(1 + i % life)).replace(day=3)
        assets.append(
            Asset(
                number=f"ZC{i:06d}",
                name=f"资产{i}",
                category=asset_class.code,
                kind=Asset.Kind.FIXED,
                cost=Decimal(3000 + i % 997) + Decimal("0.37"),
                acquired_on=acquired,
                funding=Asset.Funding.FISCAL,
                service_life_months=life,
                depreciation_ends=add_months(acquired.replace(day=1), life),
                room=rooms[i // ASSETS_PER_ROOM],
            )
        )
    Asset.objects.bulk_create(assets, batch_size=5000)


def naive_depreciation(month: date) -> dict[str, Decimal]:
    """The month's depreciation asset by asset: every asset loaded, its amount worked out in
    Python and the asset saved (one UPDATE each, as a register keeping each asset's book value on
    its row would). Rolled back; returns the amounts by category."""
    by_category: defaultdict[str, Decimal] = defaultdict(Decimal)
    with transaction.atomic():
        for asset in Asset.objects.filter(kind=Asset.Kind.FIXED):
            if not (
                asset.acquired_on < month
                and asset.depreciation_ends is not None
                and asset.depreciation_ends >= month
                and (asset.disposed_on is None or asset.disposed_on >= month)
            ):
                continue
            monthly = (asset.cost / asset.service_life_months).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if asset.depreciation_ends == month:
                monthly = asset.cost - monthly * (asset.service_life_months - 1)
            by_category[asset.category] += monthly
            asset.save(update_fields=["depreciation_ends"])
        transaction.set_rollback(True)
    return dict(by_category)


def counted_rooms(count: int) -> list[Room]:
    """The register's first rooms, holding `count` assets between them."""
    return list(
        Room.objects.filter(building__code="B9").order_by("code")[: count // ASSETS_PER_ROOM]
    )


def scans(stock_take: StockTake, rooms: list[Room], school_code: str) -> dict[str, int]:
    """Scans of `rooms` for `stock_take`, one per asset they hold but for 2 % of them not scanned
    (missing) and 2 % scanned in the next room (moved), plus as many labels the register does not
    know (surplus) as there are missing: as many scans as assets. Returns what the reconciliation
    must find, by kind."""
    following = {room.pk: rooms[(n + 1) % len(rooms)].pk for n, room in enumerate(rooms)}
    held = list(Asset.objects.filter(room__in=rooms).order_by("number"))
    rows = []
    expected: Counter[str] = Counter()
    for i, asset in enumerate(held):
        if i % 50 == 0:
            expected[Discrepancy.Kind.MISSING] += 1
            continue
        assert asset.room_id is not None
        room_id = asset.room_id
        if i % 50 == 1:
            room_id = following[room_id]
            expected[Discrepancy.Kind.MOVED] += 1
        label = str(Label(school_code, ASSET, asset.number))
        rows.append(StockTakeScan(stock_take=stock_take, asset=asset, code=label, room_id=room_id))
    for n in range(expected[Discrepancy.Kind.MISSING]):
        label = str(Label(school_code, ASSET, f"WZ{n:06d}"))
        rows.append(StockTakeScan(stock_take=stock_take, code=label, room=rooms[n % len(rooms)]))
        expected[Discrepancy.Kind.SURPLUS] += 1
    StockTakeScan.objects.bulk_create(rows)
    return dict(expected)


def naive_reconcile(stock_take: StockTake) -> dict[str, int]:
    """The reconciliation scan by scan: each scan's asset looked up by its label (one query each)
    and compared with the room it was scanned in; then each asset of the counted rooms checked for
    a scan of its own (one query each); one INSERT per discrepancy. Rolled back; returns the
    discrepancies by kind."""
    found: Counter[str] = Counter()
    rooms = list(stock_take.rooms.all())
    with transaction.atomic():
        for scan in StockTakeScan.objects.filter(stock_take=stock_take):
            number = scan.code.split(":", 3)[3]
            asset = Asset.objects.filter(number=number).first()
            if asset is None or asset.status == Asset.Status.DISPOSED:
                kind = Discrepancy.Kind.SURPLUS
            elif asset.room_id != scan.room_id:
                kind = Discrepancy.Kind.MOVED
            else:
                continue
            Discrepancy.objects.create(
                stock_take=stock_take, kind=kind, asset=asset, code=scan.code, found_in=scan.room
            )
            found[kind] += 1
        held = Asset.objects.exclude(status=Asset.Status.DISPOSED).filter(room__in=rooms)
        for asset in held:
            if not StockTakeScan.objects.filter(stock_take=stock_take, asset=asset).exists():
                Discrepancy.objects.create(
                    stock_take=stock_take, kind=Discrepancy.Kind.MISSING, asset=asset
                )
                found[Discrepancy.Kind.MISSING] += 1
        transaction.set_rollback(True)
    return dict(found)
