"""The demo's school-bus escorts at work on today's runs: in the primary school, its escort on
both runs, the first run checked, started, every rider on and off at their stop and closed, the
second still to check (for the escort's phone); in the nine-year school, its escort on the first
run, one rider not recorded getting off, so the close is refused and the school's alarm raised,
the guardian told on the console; its director ticked an item of the second run's check, with
no escort of the school on it: an escort swap raised. The primary school also held an evacuation
drill on its bus today, and closed yesterday's breakdown with every step timed (the director's
incident work is no escort's act: no swap raised). A second run finds the escorts and adds
nothing."""

import datetime

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django_tenants.utils import tenant_context

from demo_district.users import acting_as, demo_user
from shared_apps.accounts.models import User
from shared_apps.transport.models import Run, Stop
from tenant_apps.dorms.services.nights import guardian_add
from tenant_apps.riders import selectors, services
from tenant_apps.riders.models import CheckItem, Drill, Escort, Incident, Passage, Trip
from tenants.models import School

PRIMARY = "3101010001"
NINE_YEAR = "3101010003"


def seed_riders() -> None:
    runs = list(
        Run.objects.filter(
            route__code__in=("XC-01", "XC-02"), period__startswith__date=timezone.localdate()
        ).order_by("route__code")
    )
    if not runs:
        return
    for code, worked, left_on_board in ((PRIMARY, runs, 0), (NINE_YEAR, runs[:1], 1)):
        school = School.objects.get(code=code)
        with tenant_context(school):
            if Escort.objects.exists():
                continue
            escort = demo_user("escort", code)
            director = demo_user("logistics_director", code)
            with acting_as(director):
                for run in worked:
                    services.escort_assign(run=run, user=escort, actor=director)
                trip = Trip.objects.get(run_ref=worked[0].pk)
                first = selectors.trip_riders(trip).first()
                if first is not None:
                    guardian_add(
                        student=first.student, name="监护人", phone="13900000000", actor=director
                    )
            _work(trip, worked[0], escort, left_on_board)
            if left_on_board:
                _escort_swap(Trip.objects.get(run_ref=runs[1].pk), director)
            if code == PRIMARY:
                _safety(worked[0], director)


def _work(trip: Trip, run: Run, escort: User, left_on_board: int) -> None:
    """The escort's run: checked, started, every rider on at their stop and off at the school
    (but `left_on_board` of them), then closed (refused if someone is left)."""
    with acting_as(escort):
        riders = list(selectors.trip_riders(trip))
        for item in CheckItem.Item:
            services.check_tick(
                trip=trip,
                item=item,
                passed=True,
                count=len(riders) if item == CheckItem.Item.HEAD_COUNT else None,
                actor=escort,
            )
        services.trip_start(trip=trip, actor=escort)
        period: DateTimeTZRange = run.period
        school_stop = Stop.objects.filter(route=run.route_id).order_by("-order").first()
        for n, rider in enumerate(riders):
            services.passage_record(
                trip=trip,
                student=rider.student,
                kind=Passage.Kind.BOARD,
                occurred_at=period.lower + datetime.timedelta(minutes=5 + n),
                method=Passage.Method.FACE,
                device=f"bus-{run.vehicle_id}",
                device_event_id=f"{run.pk}-{rider.pk}-on",
                actor=escort,
            )
        for rider in riders[left_on_board:]:
            services.passage_record(
                trip=trip,
                student=rider.student,
                kind=Passage.Kind.ALIGHT,
                occurred_at=period.upper - datetime.timedelta(minutes=5),
                stop=school_stop,
                actor=escort,
            )
        services.trip_close(trip=trip, actor=escort)


def _escort_swap(trip: Trip, director: User) -> None:
    """The director ticks the brakes of a run the school put no escort on: someone not its
    escort doing an escort's act, an escort swap raised to the school."""
    with acting_as(director):
        services.check_tick(
            trip=trip, item=CheckItem.Item.BRAKES, passed=True, note="主任代查", actor=director
        )


def _safety(run: Run, director: User) -> None:
    """An evacuation drill on the run's bus today, and yesterday's breakdown on it, every step
    done within the half hour and closed with a summary."""
    with acting_as(director):
        services.drill_record(
            day=timezone.localdate(),
            kind=Drill.Kind.EVACUATION,
            participants=32,
            notes="全体乘车学生60秒内有序下车",
            vehicle=run.vehicle,
            actor=director,
        )
        happened = timezone.now() - datetime.timedelta(days=1)
        incident = services.incident_report(
            kind=Incident.Kind.BREAKDOWN,
            occurred_at=happened,
            description="放学途中发动机故障，停靠安全地带",
            vehicle=run.vehicle,
            actor=director,
        )
        for minutes, step in zip((3, 8, 12, 25), Incident.Step, strict=True):
            incident = services.incident_step(
                incident=incident,
                step=step,
                at=happened + datetime.timedelta(minutes=minutes),
                actor=director,
            )
        services.incident_close(
            incident=incident, summary="学生由备用车送达，无人受伤；车辆送修。", actor=director
        )
