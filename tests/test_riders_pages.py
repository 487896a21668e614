"""The school buses' pages on a school's host with Django's test client: the escort's run (its
alarm banner live while someone is on board, gone once the run is closed, which then shows its
outcome), the logistics director's day and seat chart."""

from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.accounts.models import User
from shared_apps.transport.models import Run
from tenant_apps.riders import services
from tenant_apps.riders.models import CHECK_ITEMS, Alarm, Passage, Trip
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.riders import (
    board,
    check_all,
    escort_on,
    make_escort,
    make_rider,
    started_trip,
)
from tests.matrix.transport import make_licence, make_run
from tests.web import page, signed_in

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _run(school: School, escort: User) -> tuple[Any, str]:
    rider = started_trip(school, escort)
    return rider, f"/buses/{rider.trip_id}/"


def test_the_alarm_banner_goes_once_everyone_is_off_and_the_closed_run_shows_its_outcome(
    school_a: School,
) -> None:
    escort = make_escort(school_a)
    rider, url = _run(school_a, escort)
    board(school_a, rider)
    client = signed_in(school_a, escort)
    refused = client.post(f"{url}close/")
    assert refused.status_code == 302
    html = page(client, url)
    assert 'role="alert"' in html and "仍在车上" in html
    with tenant_context(school_a):
        assert Alarm.objects.filter(trip=rider.trip_id).count() == 1

    # Ticked off in place: the riders' card comes back without the banner.
    ticked = client.post(f"{url}passage/", {"rider": rider.pk, "kind": "alight"}, headers=HTMX)
    assert ticked.status_code == 200
    assert 'id="riders"' in ticked.content.decode()
    assert 'role="alert"' not in ticked.content.decode()
    # Nobody on board, the run still open: no banner on the page either.
    assert 'role="alert"' not in page(client, url)

    closed = client.post(f"{url}close/")
    assert closed.status_code == 302
    html = page(client, url)
    assert 'role="alert"' not in html
    outcome = html[html.index('id="outcome"') :]
    assert "结束：学生全部下车" in outcome[: outcome.index("</p>")]
    assert "1 条报警" in outcome[: outcome.index("</p>")]
    with tenant_context(school_a):
        # The alarm itself stays on the school's list.
        assert Alarm.objects.filter(trip=rider.trip_id).count() == 1
        assert Passage.objects.filter(trip=rider.trip_id).count() == 2


def test_the_director_reads_the_days_runs_alarms_and_a_seat_chart(school_a: School) -> None:
    escort = make_escort(school_a)
    rider = make_rider(
        school_a, make_run(make_licence(schools=[school_a]), day=timezone.localdate())
    )
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    check_all(school_a, rider.trip)
    with tenant_context(school_a):
        services.trip_start(trip=rider.trip, actor=SETUP)
    board(school_a, rider)
    with tenant_context(school_a):
        services.trip_close(trip=rider.trip, actor=SETUP)
    director = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    html = page(director, "/buses/")
    alarms = html[html.index('id="alarms"') : html.index('id="runs"')]
    assert "1 人仍在车上" in alarms
    assert f"/buses/{rider.trip_id}/chart/" in html
    chart = page(director, f"/buses/{rider.trip_id}/chart/")
    assert rider.student.name in chart
    # An escort sees their own runs, no alarms list and no seat charts.
    other = make_escort(school_a)
    theirs = started_trip(school_a, other)
    mine = page(signed_in(school_a, escort), "/buses/")
    assert f"/buses/{rider.trip_id}/" in mine and f"/buses/{theirs.trip_id}/" not in mine
    assert 'id="alarms"' not in mine and "/chart/" not in mine
    assert signed_in(school_a, escort).get(f"/buses/{theirs.trip_id}/").status_code == 404


def test_the_check_and_the_start_say_what_they_refuse(school_a: School) -> None:
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    client = signed_in(school_a, escort)
    # Not on the run: not found.
    assert client.get(f"/buses/{rider.trip_id}/").status_code == 404
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    url = f"/buses/{rider.trip_id}/"
    html = page(client, url)
    assert 'name="count"' in html and f"{url}start/" in html
    no_count = client.post(f"{url}check/", {"brakes": "on"}, follow=True)
    assert "请清点车上人数" in no_count.content.decode()
    over = client.post(f"{url}check/", {"head_count": "on", "count": "99"}, follow=True)
    assert "核载" in over.content.decode()
    refused = client.post(f"{url}start/", follow=True)
    assert "出车前检查未完成" in refused.content.decode()
    everything = {item: "on" for item in CHECK_ITEMS} | {"count": "1"}
    saved = client.post(f"{url}check/", everything, follow=True)
    assert "检查结果已保存" in saved.content.decode()
    started = client.post(f"{url}start/", follow=True)
    assert "已发车" in started.content.decode()
    with tenant_context(school_a):
        assert Trip.objects.get(pk=rider.trip_id).status == Trip.Status.STARTED


def test_ticks_without_htmx_and_bad_ticks_are_said_on_the_runs_page(school_a: School) -> None:
    escort = make_escort(school_a)
    rider, url = _run(school_a, escort)
    stranger = make_rider(school_a)
    client = signed_in(school_a, escort)
    bad = client.post(f"{url}passage/", {"rider": "x", "kind": "board"}, follow=True)
    assert "请选择学生" in bad.content.decode()
    elsewhere = client.post(f"{url}passage/", {"rider": stranger.pk, "kind": "board"}, follow=True)
    assert "不在本班次" in elsewhere.content.decode()
    off_first = client.post(
        f"{url}passage/", {"rider": rider.pk, "kind": "alight"}, headers=HTMX
    ).content.decode()
    assert "尚未上车" in off_first and 'id="riders"' in off_first
    on = client.post(f"{url}passage/", {"rider": rider.pk, "kind": "board"})
    assert on.status_code == 302
    client.post(f"{url}passage/", {"rider": rider.pk, "kind": "alight"})
    closed = client.post(f"{url}close/", follow=True)
    assert "本班次已结束" in closed.content.decode()
    again = client.post(f"{url}close/", follow=True)
    assert "本班次已结束。" in again.content.decode()
    with tenant_context(school_a):
        assert Passage.objects.filter(trip=rider.trip_id).count() == 2
