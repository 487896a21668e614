"""The school-bus safety pages on a school's host: the escort reports an incident from their
run's page and ticks its steps (htmx answers the steps in place, a refusal said above them),
the director reads the incidents with the minutes each step took and closes one, records a
drill (the semester's warning goes) and a training (the escort is no longer due)."""

import datetime

from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.roles import Role as R
from shared_apps.transport.models import Run
from tenant_apps.canteen.models import SchoolTerm
from tenant_apps.riders.models import Drill, Incident, Training
from tests.factories import user_with_role
from tests.matrix.riders import escort_on, make_escort, make_incident, make_rider
from tests.web import form_key, page, queries, signed_in


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_escort_reports_an_incident_from_their_run_and_ticks_its_steps(school_a):
    escort = make_escort(school_a)
    rider = make_rider(school_a)
    escort_on(school_a, Run.objects.get(pk=rider.trip.run_ref), escort)
    client = signed_in(school_a, escort)
    assert "报告突发事件" in page(client, f"/buses/{rider.trip_id}/")
    url = f"/buses/{rider.trip_id}/incident/"
    happened = timezone.now() - datetime.timedelta(minutes=20)
    reported = client.post(
        url,
        {
            "once": form_key(client, url),
            "kind": "medical",
            "occurred_at": _local(happened),
            "description": "一名学生晕车呕吐",
        },
    )
    assert reported.status_code == 302
    with tenant_context(school_a):
        incident = Incident.objects.get(trip=rider.trip)
    assert reported["Location"] == f"/buses/incidents/{incident.pk}/"
    html = page(client, reported["Location"])
    assert "登记：已报警" in html

    step = f"/buses/incidents/{incident.pk}/step/"
    ticked = client.post(
        step,
        {
            "step": "police_called",
            "police_called-step": "police_called",
            "police_called-at": _local(timezone.now()),
        },
        HTTP_HX_REQUEST="true",
    )
    assert ticked.status_code == 200
    fragment = ticked.content.decode()
    assert fragment.startswith('<section class="card" id="steps">')
    assert "事发后" in fragment
    assert "登记：已报警" not in fragment
    later = _local(timezone.now() + datetime.timedelta(hours=2))
    refused = client.post(
        step,
        {"step": "evacuated", "evacuated-step": "evacuated", "evacuated-at": later},
        HTTP_HX_REQUEST="true",
    )
    assert "不能晚于现在" in refused.content.decode()
    with tenant_context(school_a):
        saved = Incident.objects.get(pk=incident.pk)
        assert saved.police_called_by == escort
        assert saved.evacuated_at is None
    # Not the escort's to close.
    assert (
        client.post(f"/buses/incidents/{incident.pk}/close/", {"summary": "x"}).status_code == 404
    )


def test_the_incidents_list_shows_the_minutes_each_step_took_in_constant_queries(school_a):
    make_incident(school_a, steps_done=True)
    client = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    html = page(client, "/buses/incidents/")
    assert "分钟" in html and "已结案" not in html
    one = queries(client, "/buses/incidents/")
    make_incident(school_a, steps_done=True)
    make_incident(school_a)
    assert queries(client, "/buses/incidents/") == one
    today = timezone.localdate().isoformat()
    assert "没有符合条件的事件" in page(
        client, "/buses/incidents/", occurred_from="2020-01-01", occurred_to="2020-01-31"
    )
    assert "车辆故障" in page(client, "/buses/incidents/", occurred_from=today, occurred_to=today)


def test_the_director_closes_an_incident_with_its_summary(school_a):
    incident = make_incident(school_a, steps_done=True)
    client = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    url = f"/buses/incidents/{incident.pk}/"
    assert "处置总结" in page(client, url)
    closed = client.post(f"{url}close/", {"summary": "换乘备用车，无人受伤"})
    assert closed.status_code == 302
    html = page(client, url)
    assert "换乘备用车，无人受伤" in html
    assert 'id="close"' not in html
    with tenant_context(school_a):
        assert Incident.objects.get(pk=incident.pk).closed_at is not None


def test_the_drills_page_warns_until_the_semester_has_a_drill(school_a):
    today = timezone.localdate()
    with tenant_context(school_a):
        SchoolTerm.objects.all().delete()
        SchoolTerm.objects.create(
            school_year=today.year,
            name="本学期",
            start_date=today - datetime.timedelta(days=30),
            end_date=today + datetime.timedelta(days=60),
        )
    client = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    assert 'id="drill-due"' in page(client, "/buses/drills/")
    added = client.post(
        "/buses/drills/add/",
        {
            "once": form_key(client, "/buses/drills/add/"),
            "day": today.isoformat(),
            "kind": "evacuation",
            "participants": "28",
        },
    )
    assert added.status_code == 302
    html = page(client, "/buses/drills/")
    assert 'id="drill-due"' not in html
    assert "疏散" in html
    with tenant_context(school_a):
        assert Drill.objects.get().participants == 28


def test_the_training_page_lists_who_is_due_until_trained(school_a):
    escort = make_escort(school_a)
    client = signed_in(school_a, user_with_role(R.LOGISTICS_DIRECTOR, school_a))
    name = escort.display_name or escort.username
    assert name in page(client, "/buses/training/")
    url = "/buses/training/add/"
    refused = client.post(
        url,
        {
            "once": form_key(client, url),
            "day": timezone.localdate().isoformat(),
            "topic": "急救",
            "hours": "2",
            "trainer": "校医",
        },
    )
    assert refused.status_code == 400
    assert "请选择受训的驾驶人或照管人员" in refused.content.decode()
    added = client.post(
        url,
        {
            "once": form_key(client, url),
            "day": timezone.localdate().isoformat(),
            "user": escort.pk,
            "topic": "急救",
            "hours": "2",
            "trainer": "校医",
        },
    )
    assert added.status_code == 302
    html = page(client, "/buses/training/")
    due = html.split('id="untrained"')[1].split("</section>")[0] if 'id="untrained"' in html else ""
    assert name not in due
    with tenant_context(school_a):
        assert Training.objects.get().user == escort
