"""Reads about a school's repair desk, in the school's schema: requests with their timers, the
board of overdue ones, teams, rules, scorecards, maintenance plans, and the school's figures."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from shared_apps.accounts.models import User
from tenant_apps.repairs.models import (
    DispatchRule,
    MaintenancePlan,
    Policy,
    RepairEvent,
    RepairPhoto,
    RepairRequest,
    Scorecard,
    Team,
)

S = RepairRequest.Status
OPEN = [S.SUBMITTED, S.ASSIGNED, S.AWAITING_APPROVAL, S.ACCEPTED, S.IN_PROGRESS]
DONE = [S.COMPLETED, S.CONFIRMED]


@dataclass(frozen=True)
class PolicyValues:
    opens_at: time
    closes_at: time
    major_work_threshold: Decimal


def policy_get() -> PolicyValues:
    """The school's repair policy, or the settings' defaults while it has set none."""
    policy = Policy.objects.first()
    if policy is not None:
        return PolicyValues(policy.opens_at, policy.closes_at, policy.major_work_threshold)
    opens, closes = settings.REPAIRS_WORKING_HOURS
    return PolicyValues(
        time.fromisoformat(opens),
        time.fromisoformat(closes),
        Decimal(str(settings.REPAIRS_MAJOR_WORK_THRESHOLD)),
    )


def policy_list() -> QuerySet[Policy]:
    return Policy.objects.all()


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("supplier").prefetch_related("members")


def rule_list() -> QuerySet[DispatchRule]:
    return DispatchRule.objects.select_related("team", "building")


def overdue_q(now: datetime) -> Q:
    """Open requests one of whose timers has run out."""
    return Q(status__in=OPEN) & (
        Q(finish_due__lt=now)
        | Q(status=S.SUBMITTED, classify_due__lt=now)
        | Q(status=S.ASSIGNED, accept_due__lt=now)
        | Q(
            status__in=[S.SUBMITTED, S.ASSIGNED, S.AWAITING_APPROVAL, S.ACCEPTED],
            respond_due__lt=now,
        )
    )


def request_list() -> QuerySet[RepairRequest]:
    """Requests with their place, team, technician and photos."""
    return RepairRequest.objects.select_related(
        "requester", "room__building", "asset", "team", "technician", "approved_by"
    ).prefetch_related("photos", "materials")


def requests_of_asset(asset_id: int) -> QuerySet[RepairRequest]:
    """The repair requests naming an asset, newest first: its repair history."""
    return request_list().filter(asset_id=asset_id).order_by("-submitted_at", "-pk")


def photo_list() -> QuerySet[RepairPhoto]:
    return RepairPhoto.objects.select_related("request")


def scorecard_list() -> QuerySet[Scorecard]:
    return Scorecard.objects.select_related("team")


def plan_list() -> QuerySet[MaintenancePlan]:
    return MaintenancePlan.objects.select_related("asset", "team")


def rule_for(category: str, building_id: int) -> DispatchRule | None:
    """The most specific rule for a fault in a building: the fault before its group, the
    building before anywhere."""
    group = category.split(".", 1)[0]
    rules = rule_list().filter(
        Q(category__in=[category, group]),
        Q(building_id=building_id) | Q(building__isnull=True),
        team__active=True,
    )
    ranked = sorted(rules, key=lambda r: (r.category != category, r.building_id is None))
    return ranked[0] if ranked else None


@dataclass(frozen=True)
class RepairFigures:
    """What the district reads of a school's repair desk."""

    open_requests: int
    overdue_requests: int
    completed_30_days: int
    mean_hours_to_finish: Decimal | None
    satisfaction: Decimal | None


def figures(now: datetime | None = None) -> RepairFigures:
    """The school's open and overdue requests now, and over the last 30 days the requests
    finished, their mean time from report to finish and their mean rating (two queries)."""
    now = now or timezone.now()
    counts = RepairRequest.objects.aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=overdue_q(now)),
    )
    recent = RepairRequest.objects.filter(
        status__in=DONE, completed_at__gte=now - timedelta(days=30)
    ).aggregate(
        done=Count("id"),
        mean=Avg(
            ExpressionWrapper(F("completed_at") - F("submitted_at"), output_field=DurationField())
        ),
        rating=Avg("rating"),
    )
    mean = recent["mean"]
    return RepairFigures(
        open_requests=counts["open"],
        overdue_requests=counts["overdue"],
        completed_30_days=recent["done"],
        mean_hours_to_finish=None
        if mean is None
        else Decimal(mean.total_seconds() / 3600).quantize(Decimal("0.1")),
        satisfaction=None
        if recent["rating"] is None
        else Decimal(recent["rating"]).quantize(Decimal("0.01")),
    )


def team_queue(user_id: int) -> QuerySet[RepairRequest]:
    """The requests with a technician's teams (or named to them) that are not finished: their
    work to accept, start and complete."""
    return (
        request_list()
        .filter(
            Q(team__members=user_id) | Q(technician=user_id),
            status__in=[S.ASSIGNED, S.AWAITING_APPROVAL, S.ACCEPTED, S.IN_PROGRESS],
        )
        .distinct()
    )


def request_events(request: RepairRequest) -> QuerySet[RepairEvent]:
    """A request's history, oldest first, with who acted and the team."""
    return RepairEvent.objects.filter(request=request).select_related("actor", "team")


def technician_list() -> QuerySet[User]:
    """The technicians of the school's active teams, for naming one when dispatching."""
    return User.objects.filter(pk__in=Team.objects.filter(active=True).values("members")).order_by(
        "username"
    )


@dataclass(frozen=True)
class DeskCounts:
    """What waits at the desk: requests to dispatch, and open ones with a timer run out."""

    to_dispatch: int
    overdue: int


def desk_counts(now: datetime | None = None) -> DeskCounts:
    counts = RepairRequest.objects.aggregate(
        to_dispatch=Count("id", filter=Q(status=S.SUBMITTED)),
        overdue=Count("id", filter=overdue_q(now or timezone.now())),
    )
    return DeskCounts(counts["to_dispatch"], counts["overdue"])
