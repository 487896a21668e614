"""The school-bus boarding benchmark: a morning peak across the district's schools, each riding a
bus of its own (the telemetry benchmark's fleet) with 50 riders, a guardian each, boarding ten at
each of five stops and getting off at school: 100 events a school. Each bus's card terminal
reports the pupils who boarded at a stop (ten events) and, at school, those who got off (fifty),
and sends its first report twice (an answer it missed). Recorded through the report service
(`passages_record`: the trip locked and what its rules read in one round trip, the events and
the guardians' notices written in one statement, the notices queued for delivery in one message
as in production) by two processes, as
two gunicorn workers would take the terminals' requests, the schools' reports interleaved as the
morning goes; against the single-event service, one event a transaction as the per-event
endpoint records them (its student and stop looked up as the endpoint does), over a few schools
and scaled.

The service, not the API view: the request path (token, host to school, parsing) is what the
load benchmarks measure; here the school's recording work is what is timed."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, connections
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.db import RECONNECT_EVERY
from houqin.door import SystemActor
from shared_apps.transport.models import Run, Seat, Stop, Vehicle
from tenant_apps.dorms.models import Guardian
from tenant_apps.notices.models import Notice
from tenant_apps.people.models import Student
from tenant_apps.riders import services
from tenant_apps.riders.models import Passage, Rider, Trip
from tenants.models import School
from tests.bench.transport import DAY, build_fleet

TERMINAL = SystemActor("bench.terminal")
TAG = "乘"
RIDERS = 50
BOARDING_STOPS = (1, 3, 5, 7, 9)
START = datetime.time(7)


@dataclass(frozen=True)
class Report:
    """One terminal's report: when it is sent, to which school's trip, its events."""

    at: datetime.datetime
    school: School
    trip: int
    events: list[services.PassageEvent]


def build(schools: list[School]) -> list[list[Report]]:
    """A bus on a run for each school (56 seats, 54 for pupils), its 50 riders seated through
    their seats in the ledger, each with a guardian, the trip under way (an INSERT a table and
    school, reconnecting every RECONNECT_EVERY schools); each school's reports of the morning,
    school by school. The fleet's plates and codes carry the number of buses before it, so that
    a database's schools can be measured a span at a time, or again."""
    fleet = build_fleet(len(schools), tag=f"{TAG}{Vehicle.objects.count()}")
    Vehicle.objects.filter(pk__in=[v.pk for v in fleet]).update(rated_load=56)
    ours = Run.objects.filter(vehicle__in=fleet)
    ours.update(capacity=54, seats_taken=RIDERS)
    runs = list(ours.order_by("pk").values_list("pk", "route_id"))
    stops: dict[int, dict[int, int]] = {}
    for route_id, order, pk in Stop.objects.filter(route__runs__in=ours).values_list(
        "route_id", "order", "pk"
    ):
        stops.setdefault(route_id, {})[order] = pk
    start = timezone.make_aware(datetime.datetime.combine(DAY, START))
    made: list[list[Report]] = []
    for built, (school, (run_id, route_id)) in enumerate(zip(schools, runs, strict=True), 1):
        own = [stops[route_id][BOARDING_STOPS[r % len(BOARDING_STOPS)]] for r in range(RIDERS)]
        seats = Seat.objects.bulk_create(
            Seat(run_id=run_id, school=school, student_ref=r + 1, number=r + 1, stop_id=own[r])
            for r in range(RIDERS)
        )
        with tenant_context(school):
            students = Student.objects.bulk_create(
                Student(
                    student_number=f"R{r:03d}",
                    name=f"乘车学生{r}",
                    gender="male" if r % 2 else "female",
                    grade=r % 6 + 1,
                    class_name="1班",
                )
                for r in range(RIDERS)
            )
            Guardian.objects.bulk_create(
                Guardian(student=s, name="家长", phone=f"139{school.pk:04d}{r:04d}")
                for r, s in enumerate(students)
            )
            trip = Trip.objects.create(run_ref=run_id, status=Trip.Status.STARTED, started_at=start)
            Rider.objects.bulk_create(
                Rider(trip=trip, student=s, stop_ref=own[r], seat=r + 1, seat_ref=seats[r].pk)
                for r, s in enumerate(students)
            )
        made.append(list(_morning(school, trip.pk, own, start)))
        if built % RECONNECT_EVERY == 0:
            connection.close()
    return made


def _morning(
    school: School, trip: int, own: list[int], start: datetime.datetime
) -> Iterator[Report]:
    """The terminal's reports: the boardings at each stop, the first report again after the
    second, the alightings at school."""
    device = f"bus-{school.pk}"
    boarded = []
    for k, order in enumerate(BOARDING_STOPS):
        at = start + datetime.timedelta(minutes=5 * order)
        events = [
            services.PassageEvent(
                f"R{r:03d}",
                "board",
                at + datetime.timedelta(seconds=r),
                "card",
                device,
                f"b{r}",
                own[r],
            )
            for r in range(k, RIDERS, len(BOARDING_STOPS))
        ]
        boarded.append(Report(at, school, trip, events))
        yield boarded[-1]
        if k == 1:
            yield Report(at + datetime.timedelta(seconds=30), school, trip, boarded[0].events)
    at = start + datetime.timedelta(minutes=60)
    yield Report(
        at,
        school,
        trip,
        [
            services.PassageEvent(f"R{r:03d}", "alight", at, "card", device, f"a{r}")
            for r in range(RIDERS)
        ],
    )


def _in_time(mornings: list[list[Report]]) -> list[Report]:
    """The schools' reports in the order they are sent (a school's all taken by one process)."""
    return sorted((one for morning in mornings for one in morning), key=lambda r: r.at)


def report(mornings: list[list[Report]], _unused: int = 0) -> tuple[int, int]:
    """The schools' reports through the report service in the order they are sent; events
    sent and events accepted."""
    sent = accepted = 0
    for one in _in_time(mornings):
        with tenant_context(one.school):
            rows = services.passages_record(
                trip=Trip(pk=one.trip), events=one.events, actor=TERMINAL
            )
        sent += len(rows)
        accepted += sum(row.code == services.ACCEPTED for row in rows)
    connections.close_all()
    return sent, accepted


def naive(mornings: list[list[Report]], _unused: int = 0) -> tuple[int, int]:
    """The same reports' events one by one through the single-event service, each in its own
    transaction, its student and stop looked up first as the per-event endpoint does."""
    sent = accepted = 0
    for one in _in_time(mornings):
        with tenant_context(one.school):
            for event in one.events:
                recorded = services.passage_record(
                    trip=Trip(pk=one.trip),
                    student=Student.objects.get(student_number=event.student_number),
                    kind=event.kind,
                    occurred_at=event.occurred_at,
                    stop=None if event.stop is None else Stop.objects.get(pk=event.stop),
                    method=event.method,
                    device=event.device,
                    device_event_id=event.device_event_id,
                    actor=TERMINAL,
                )
                sent += 1
                accepted += recorded.made
    connections.close_all()
    return sent, accepted


def forget(schools: list[School]) -> None:
    """The schools' passages and notices removed (before the baseline records them again)."""
    for school in schools:
        with tenant_context(school):
            Notice.objects.all().delete()
            Passage.objects.all().delete()


def recorded(schools: list[School]) -> tuple[int, int]:
    """Passages and notices in the schools' schemas."""
    passages = notices = 0
    for school in schools:
        with tenant_context(school):
            passages += Passage.objects.count()
            notices += Notice.objects.count()
        if school.pk % RECONNECT_EVERY == 0:
            connection.close()
    return passages, notices
