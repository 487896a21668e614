"""The school buses' pages on a school's host with Django's test client: the escort's run (its
alarm banner live while someone is on board, gone once the run is closed, which then shows its
outcome), the logistics director's day and seat chart."""

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.accounts.models import User
from tenant_apps.riders.models import Alarm, Passage
from tenants.models import School
from tests.matrix.riders import board, make_escort, started_trip
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
