"""A school's boarding terminals, each with its own key: registered by the logistics director
(the key answered once, only its hash kept, as for the buses' GPS devices), posting riders'
boarding and alighting with it, one at a time or in reports; an unknown, missing or revoked
key, and another school's terminal's key, refused with 401 in the one error shape, nothing
recorded."""

from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Vehicle
from tenant_apps.riders.models import Passage, Terminal
from tests.matrix.riders import make_terminal, started_trip

PASSAGES = "/api/v1/riders/terminal/passages/"
REPORT = "/api/v1/riders/terminal/passages/report/"


def _event(rider: Any, event_id: str, kind: str = "board") -> dict[str, Any]:
    return {
        "trip": rider.trip_id,
        "student_number": rider.student.student_number,
        "kind": kind,
        "method": "card",
        "device_event_id": event_id,
        "occurred_at": timezone.now().isoformat(),
    }


def _posts(client: Any, rider: Any, **key: str) -> list[Any]:
    """An event of `rider` posted alone and in a report, with the headers `key` gives."""
    event = _event(rider, "e-1")
    report = {"trip": event.pop("trip"), "events": [event]}
    return [
        client.post(PASSAGES, _event(rider, "e-1"), **key),
        client.post(REPORT, report, format="json", **key),
    ]


def _refused(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "终端" in response.json()["error"]["message"]
    assert response["WWW-Authenticate"] == "Terminal-Key"


def test_the_director_registers_a_terminal_whose_key_is_shown_once_and_stored_hashed(
    client_for, school_a
):
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    made = director.post("/api/v1/riders/terminals/", {"device": " bus-7 "})
    assert made.status_code == 201, made.json()
    key = made.json()["key"]
    assert made.json()["terminal"]["device"] == "bus-7"
    with tenant_context(school_a):
        terminal = Terminal.objects.get()
        assert terminal.key_hash == Vehicle.key_hash(key) != key
    listed = director.get("/api/v1/riders/terminals/").json()["results"]
    assert [row["device"] for row in listed] == ["bus-7"]
    assert all("key" not in row for row in listed)
    again = director.post("/api/v1/riders/terminals/", {"device": "bus-7"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "terminal_exists")
    blank = director.post("/api/v1/riders/terminals/", {"device": "  "})
    assert blank.status_code == 400


def test_a_terminal_posts_with_its_key_once_per_event(client_for, school_a):
    rider = started_trip(school_a)
    _terminal, key = make_terminal(school_a, "bus-7")
    client = client_for(school_a)
    first = client.post(PASSAGES, _event(rider, "e-1"), HTTP_X_TERMINAL_KEY=key)
    assert first.status_code == 201, first.json()
    assert (first.json()["device"], first.json()["method"]) == ("bus-7", "card")
    assert first.json()["recorded_by"] is None
    again = client.post(PASSAGES, _event(rider, "e-1"), HTTP_X_TERMINAL_KEY=key)
    assert again.status_code == 200
    assert again.json() == first.json()
    off = client.post(PASSAGES, _event(rider, "e-2", "alight"), HTTP_X_TERMINAL_KEY=key)
    assert off.status_code == 201
    bad = client.post(
        PASSAGES, {**_event(rider, "e-3"), "method": "escort"}, HTTP_X_TERMINAL_KEY=key
    )
    assert bad.status_code == 400
    with tenant_context(school_a):
        assert Passage.objects.filter(device="bus-7").count() == 2


def test_a_terminal_reports_many_events_with_its_key(client_for, school_a):
    """The report's events are the terminal's (its device), recorded by no person; one sent
    alone before answers as a duplicate."""
    rider = started_trip(school_a)
    _terminal, key = make_terminal(school_a, "bus-7")
    client = client_for(school_a)
    client.post(PASSAGES, _event(rider, "e-1"), HTTP_X_TERMINAL_KEY=key)
    events = [_event(rider, "e-1"), _event(rider, "e-2", "alight")]
    for event in events:
        del event["trip"]
    report = {"trip": rider.trip_id, "events": events}
    answered = client.post(REPORT, report, format="json", HTTP_X_TERMINAL_KEY=key)
    assert answered.status_code == 200, answered.json()
    rows = answered.json()
    assert [(r["device"], r["code"]) for r in rows] == [
        ("bus-7", "duplicate"),
        ("bus-7", "accepted"),
    ]
    with tenant_context(school_a):
        off = Passage.objects.get(pk=rows[1]["passage"])
        assert (off.device, off.kind, off.recorded_by_id) == ("bus-7", "alight", None)


def test_unknown_missing_and_revoked_keys_are_refused_with_401(client_for, school_a):
    rider = started_trip(school_a)
    terminal, key = make_terminal(school_a)
    client = client_for(school_a)
    for response in [*_posts(client, rider), *_posts(client, rider, HTTP_X_TERMINAL_KEY="nope")]:
        _refused(response)
    director = client_for(school_a, R.LOGISTICS_DIRECTOR)
    revoked = director.post(f"/api/v1/riders/terminals/{terminal.pk}/revoke/")
    assert revoked.status_code == 200, revoked.json()
    assert revoked.json()["revoked_at"] is not None
    for response in _posts(client, rider, HTTP_X_TERMINAL_KEY=key):
        _refused(response)
    twice = director.post(f"/api/v1/riders/terminals/{terminal.pk}/revoke/")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "terminal_revoked")
    listed = director.get("/api/v1/riders/terminals/", {"revoked": "true"}).json()["results"]
    assert [row["id"] for row in listed] == [terminal.pk]
    with tenant_context(school_a):
        assert not Passage.objects.exists()


def test_a_terminal_of_one_school_cannot_post_to_another(client_for, school_a, school_b):
    rider = started_trip(school_b)
    _terminal, key = make_terminal(school_a, "bus-a")
    for response in _posts(client_for(school_b), rider, HTTP_X_TERMINAL_KEY=key):
        _refused(response)
    with tenant_context(school_b):
        assert not Passage.objects.exists()
