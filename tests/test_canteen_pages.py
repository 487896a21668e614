"""The canteen manager's pages on a school's host, through Django's test client: the district's
plans adopted, a meal opened, servings recorded from a class roster, a card and a terminal's
file, samples, accompanied meals, temperatures, inspections (from an order's delivery too), the
alerts and the home page's panel; each checked in the database and on the page."""

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from houqin.imports import RowStatus
from houqin.roles import Role
from houqin.tables import csv_bytes
from shared_apps.accounts.models import User
from shared_apps.procurement.models import Category
from shared_apps.standards import services as standards
from shared_apps.standards.models import MealPlan
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    ColdStorageReading,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    MenuItem,
    Serving,
)
from tenant_apps.canteen.services.importing import servings_import
from tenant_apps.canteen.services.servings import servings_record
from tenant_apps.canteen.terminal import Swipe
from tenant_apps.orders.models import Order
from tenant_apps.people.models import Student
from tenants.models import School
from tests.factories import SETUP, user_with_role
from tests.matrix.canteen import recipe
from tests.matrix.orders import make_order
from tests.matrix.supply import make_contract, make_item
from tests.web import once_key, page, queries, signed_in

pytestmark = pytest.mark.django_db

# A Wednesday; the week is 2025-03-10 … 03-14, the next begins on 03-17.
TODAY = datetime.date(2025, 3, 12)
MONDAY = datetime.date(2025, 3, 10)
NEXT_MONDAY = datetime.date(2025, 3, 17)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """The clock's day stands on TODAY (for the pages and the services' "not in the future")."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> datetime.date:
        return TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY


@pytest.fixture
def manager(school_a: School) -> User:
    return user_with_role(Role.CANTEEN_MANAGER, school_a)


def pupils(school: School, count: int, *, class_name: str = "2班") -> list[Student]:
    with tenant_context(school):
        return [
            Student.objects.create(
                student_number=f"K{class_name[0]}{i:03d}",
                name=f"学生{class_name}{i}",
                gender=Student.Gender.MALE,
                grade=3,
                class_name=class_name,
            )
            for i in range(count)
        ]


def lunch(school: School, day: datetime.date = TODAY, **values: Any) -> MealSession:
    with tenant_context(school):
        return MealSession.objects.create(
            date=day, meal="lunch", ingredient_cost=Decimal("300.00"), **values
        )


def published_plan(week: datetime.date) -> MealPlan:
    dish = recipe(week.toordinal())
    plan = standards.plan_create(
        week_start=week,
        age_band="9-11",
        title="春季第三周",
        entries=[standards.EntryInput(weekday=day, meal="lunch", recipe=dish.pk) for day in (1, 2)],
        actor=SETUP,
    )
    return standards.plan_publish(plan=plan, actor=SETUP)


# The district's plans ----------------------------------------------------------------------------


def test_the_manager_sees_next_weeks_plan_and_adopts_it_once(school_a, manager, today):
    plan = published_plan(NEXT_MONDAY)
    client = signed_in(school_a, manager)
    html = page(client, "/canteen/plans/")
    assert "春季第三周" in html and "番茄炒蛋盖饭" in html
    assert "未采用" in html and "<details" in html
    key = once_key(html)
    first = client.post("/canteen/plans/", {"plan": plan.pk, "once": key})
    again = client.post("/canteen/plans/", {"plan": plan.pk, "once": key})
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    with tenant_context(school_a):
        menu = Menu.objects.get(status=Menu.Status.ACTIVE)
        assert (menu.plan_id, menu.start_date) == (plan.pk, NEXT_MONDAY)
        assert MenuItem.objects.filter(menu=menu).count() == 2
    assert first["Location"] == f"/canteen/menus/{menu.pk}/"
    shown = page(client, first["Location"])
    assert "番茄炒蛋盖饭" in shown and "区级营养配餐方案" in shown
    assert "本校该周菜单" in page(client, "/canteen/plans/")


def test_adopting_a_plan_twice_is_refused_with_the_reason(school_a, manager, today):
    plan = published_plan(NEXT_MONDAY)
    client = signed_in(school_a, manager)
    client.post("/canteen/plans/", {"plan": plan.pk})
    refused = client.post("/canteen/plans/", {"plan": plan.pk})
    assert refused.status_code == 400
    assert "该配餐方案已是当前执行的菜单" in refused.content.decode()


def test_the_home_page_counts_what_waits_for_the_canteen(school_a, manager, today):
    published_plan(NEXT_MONDAY)
    session = lunch(school_a)
    with tenant_context(school_a):
        ColdStorageReading.objects.create(
            unit="1号冷藏柜",
            unit_type="refrigerator",
            temperature_c=Decimal("9.0"),
            measured_at=timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(7))),
            out_of_range=True,
        )
    html = page(signed_in(school_a, manager), "/")
    assert "食堂今日" in html
    counts = {
        label.strip(): int(n)
        for n, label in re.findall(r'<span class="count">(\d+)</span>([^<]+)</a>', html)
    }
    assert counts["未留样的餐次"] == 1
    assert counts["无领导陪餐的餐次"] == 1
    assert counts["冷链温度超标"] == 1
    assert counts["下周待采用的食谱"] == 1
    assert counts["待开餐"] == 0
    assert session.pk


def test_the_panel_is_only_for_those_who_run_the_canteen(school_a, today):
    html = page(signed_in(school_a, user_with_role(Role.STAFF, school_a)), "/")
    assert "食堂今日" not in html


def test_a_principal_is_shown_the_meals_to_accompany(school_a, today):
    lunch(school_a)
    html = page(signed_in(school_a, user_with_role(Role.PRINCIPAL, school_a)), "/")
    assert "无领导陪餐的餐次" in html and "待开餐" not in html


# A meal ------------------------------------------------------------------------------------------


def test_a_meal_is_opened_from_the_menu_in_force_once(school_a, manager, today):
    with tenant_context(school_a):
        menu = Menu.objects.create(
            start_date=MONDAY,
            end_date=MONDAY + datetime.timedelta(days=4),
            age_band="9-11",
            origin=Menu.Origin.OWN,
        )
        MenuItem.objects.create(
            menu=menu, date=TODAY, meal="lunch", recipe_id=1, recipe_name="红烧鸡块"
        )
    client = signed_in(school_a, manager)
    today_page = page(client, "/canteen/")
    assert "红烧鸡块" in today_page and "尚未开餐" in today_page
    form = page(client, "/canteen/meals/open/", meal="lunch")
    data = {
        "day": TODAY.isoformat(),
        "meal": "lunch",
        "menu": menu.pk,
        "ingredient_cost": "420.50",
        "once": once_key(form),
    }
    first = client.post("/canteen/meals/open/", data)
    again = client.post("/canteen/meals/open/", data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    with tenant_context(school_a):
        session = MealSession.objects.get(date=TODAY, meal="lunch")
    assert session.menu_id == menu.pk and session.ingredient_cost == Decimal("420.50")
    html = page(client, first["Location"])
    assert "红烧鸡块" in html and "¥420.50" in html


def test_opening_a_meal_on_a_weekend_is_refused_next_to_the_form(school_a, manager, today):
    client = signed_in(school_a, manager)
    refused = client.post(
        "/canteen/meals/open/", {"day": "2025-03-15", "meal": "lunch", "ingredient_cost": "0"}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "2025-03-15 不是在校日" in html
    assert 'value="2025-03-15"' in html  # what was typed is kept


def test_a_class_roster_records_the_ticked_and_then_the_whole_class(school_a, manager, today):
    students = pupils(school_a, 4)
    pupils(school_a, 2, class_name="5班")
    session = lunch(school_a)
    client = signed_in(school_a, manager)
    url = f"/canteen/meals/{session.pk}/roster/"
    classes = page(client, url)
    assert "3年级 2班" in classes and "3年级 5班" in classes
    roster = page(client, url, grade=3, **{"class": "2班"})
    assert all(student.name in roster for student in students)
    assert 'data-check-all="roster"' in roster
    ticked = client.post(f"{url}?grade=3&class=2班", {"student": [students[0].pk, students[1].pk]})
    assert ticked.status_code == 302
    whole = client.post(f"{url}?grade=3&class=2班", {"whole_class": "1"})
    assert whole.status_code == 302
    with tenant_context(school_a):
        served = Serving.objects.filter(session=session)
        assert sorted(served.values_list("student_id", flat=True)) == sorted(s.pk for s in students)
        assert set(served.values_list("source", flat=True)) == {"class_list"}
    again = page(client, url, grade=3, **{"class": "2班"})
    assert again.count("checked disabled") == 4


def test_a_card_number_typed_or_scanned_records_one_serving(school_a, manager, today):
    student = pupils(school_a, 1)[0]
    session = lunch(school_a)
    client = signed_in(school_a, manager)
    url = f"/canteen/meals/{session.pk}/card/"
    recorded = client.post(url, {"card": f" {student.student_number} ", "once": "k1" * 12})
    assert recorded.status_code == 302 and recorded["Location"] == url
    html = page(client, url)
    assert f"已记录：{student.name}" in html
    unknown = client.post(url, {"card": "NOBODY"})
    assert unknown.status_code == 400
    assert "NOBODY" in unknown.content.decode()
    with tenant_context(school_a):
        assert Serving.objects.filter(session=session, source="card").count() == 1


def _upload(rows: list[list[str]]) -> SimpleUploadedFile:
    return SimpleUploadedFile("刷卡记录.csv", csv_bytes(rows), content_type="text/csv")


def test_a_terminal_file_with_a_bad_row_records_nothing_and_says_why(school_a, manager, today):
    students = pupils(school_a, 3)
    session = lunch(school_a)
    client = signed_in(school_a, manager)
    rows = [
        ["卡号", "姓名", "刷卡时间"],
        [students[0].student_number, students[0].name, "2025-03-12 11:31:02"],
        ["K9999", "", "2025-03-12 11:32:00"],
        [students[1].student_number, "别人", "2025/3/11 11:33"],
    ]
    response = client.post(f"/canteen/meals/{session.pk}/import/", {"file": _upload(rows)})
    assert response.status_code == 400
    html = response.content.decode()
    assert "未导入任何记录" in html
    assert "本校没有学号为 K9999 的学生" in html
    assert "不是 别人" in html and "2025-03-11" in html
    with tenant_context(school_a):
        assert not Serving.objects.filter(session=session).exists()


def test_a_clean_terminal_file_is_recorded_with_a_report_per_row(school_a, manager, today):
    students = pupils(school_a, 3)
    session = lunch(school_a)
    with tenant_context(school_a):
        servings_record(session=session, source="manual", student_ids=[students[2].pk], actor=SETUP)
    client = signed_in(school_a, manager)
    rows = [
        ["学号", "刷卡时间"],
        [students[0].student_number, "11:31"],
        [students[1].student_number, "2025-03-12 11:32"],
        [students[0].student_number, "11:40"],
        [students[2].student_number, ""],
    ]
    response = client.post(f"/canteen/meals/{session.pk}/import/", {"file": _upload(rows)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已导入" in html and "第 2 行已刷过卡" in html
    with tenant_context(school_a):
        served = Serving.objects.filter(session=session)
        assert served.count() == 3
        assert served.filter(source="card").count() == 2


def test_a_file_that_is_no_terminal_export_is_refused_whole(school_a, manager, today):
    session = lunch(school_a)
    client = signed_in(school_a, manager)
    wrong = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client.post(f"/canteen/meals/{session.pk}/import/", {"file": wrong})
    assert response.status_code == 400
    assert ".csv" in response.content.decode()


def test_the_import_service_reports_every_row(school_a, today):
    students = pupils(school_a, 2)
    session = lunch(school_a)
    with tenant_context(school_a):
        report = servings_import(
            session=session,
            swipes=[
                Swipe(2, students[0].student_number),
                Swipe(3, students[0].student_number),
                Swipe(4, ""),
                Swipe(5, students[1].student_number, time="yesterday"),
            ],
            actor=SETUP,
        )
        assert not Serving.objects.exists()
    statuses = [row.status for row in report.rows]
    assert statuses == [RowStatus.CREATED, RowStatus.EXISTS, RowStatus.ERROR, RowStatus.ERROR]
    assert report.rows[2].reasons == ["required_student_number"]
    assert report.rows[3].reasons == ["unreadable_time"]
    assert not report.saved


# Food safety -------------------------------------------------------------------------------------


def test_a_sample_and_an_accompanied_meal_are_recorded(school_a, manager, today):
    session = lunch(school_a)
    principal = user_with_role(Role.PRINCIPAL, school_a)
    client = signed_in(school_a, manager)
    taken = timezone.localtime().replace(second=0, microsecond=0)
    form = page(client, f"/canteen/meals/{session.pk}/sample/")
    light = client.post(
        f"/canteen/meals/{session.pk}/sample/",
        {"dish": "红烧鸡块", "weight": "100", "taken": f"{taken:%Y-%m-%dT%H:%M}"},
    )
    assert light.status_code == 400 and "125" in light.content.decode()
    kept = client.post(
        f"/canteen/meals/{session.pk}/sample/",
        {
            "dish": "红烧鸡块",
            "weight": "150",
            "taken": f"{taken:%Y-%m-%dT%H:%M}",
            "once": once_key(form),
        },
    )
    assert kept.status_code == 302
    leader = signed_in(school_a, principal)
    assert (
        leader.post(f"/canteen/meals/{session.pk}/accompany/", {"comments": "咸淡适中"}).status_code
        == 302
    )
    with tenant_context(school_a):
        sample = FoodSample.objects.get(session=session)
        assert sample.weight_g == Decimal("150.0")
        assert sample.kept_until - sample.taken_at == datetime.timedelta(hours=48)
        assert AccompaniedMeal.objects.get(session=session).leader == principal
    html = page(client, f"/canteen/meals/{session.pk}/")
    assert "红烧鸡块" in html and "咸淡适中" in html
    assert "尚未留样" not in html and "尚无领导陪餐" not in html


def test_a_sample_past_its_time_is_discarded_once(school_a, manager, today):
    session = lunch(school_a)
    taken = timezone.now() - datetime.timedelta(days=3)
    with tenant_context(school_a):
        sample = FoodSample.objects.create(
            session=session,
            dish="清炒时蔬",
            taken_at=taken,
            kept_until=taken + datetime.timedelta(hours=48),
        )
    client = signed_in(school_a, manager)
    listed = page(client, "/canteen/samples/")
    assert f"/canteen/samples/{sample.pk}/discard/" in listed
    url = f"/canteen/samples/{sample.pk}/discard/"
    form = page(client, url)
    assert "data-confirm" in form
    done = client.post(url, {"once": once_key(form)})
    assert done.status_code == 302 and done["Location"] == "/canteen/samples/"
    with tenant_context(school_a):
        assert FoodSample.objects.get(pk=sample.pk).discarded_at is not None


def test_a_temperature_out_of_range_is_flagged(school_a, manager, today):
    client = signed_in(school_a, manager)
    done = client.post(
        "/canteen/temperatures/add/",
        {"unit": "1号冷藏柜", "unit_type": "refrigerator", "temperature": "11.5"},
    )
    assert done.status_code == 302
    html = page(client, done["Location"])
    assert "超出范围" in html and "1号冷藏柜" in html
    with tenant_context(school_a):
        assert ColdStorageReading.objects.get().out_of_range


def test_an_inspection_outside_an_order_parses_its_lines(school_a, manager, today):
    client = signed_in(school_a, manager)
    data = {
        "supplier_name": "城东农贸市场",
        "batch": "20250312-01",
        "received": TODAY.isoformat(),
        "shelf_life_until": "2025-03-19",
        "certificates": ["营业执照"],
        "other_certificates": "摊位登记证，农残检测单",
        "lines": "青菜 20 kg\n鸡蛋 300 个",
        "accepted": "on",
    }
    bad = client.post("/canteen/inspections/add/", {**data, "lines": "青菜 很多"})
    assert bad.status_code == 400 and "第 1 行" in bad.content.decode()
    assert client.post("/canteen/inspections/add/", data).status_code == 302
    with tenant_context(school_a):
        inspection = InboundInspection.objects.get()
    assert inspection.certificates == ["营业执照", "摊位登记证", "农残检测单"]
    assert inspection.lines == [
        {"item": "青菜", "quantity": "20", "unit": "kg"},
        {"item": "鸡蛋", "quantity": "300", "unit": "个"},
    ]


def food_order(school: School, quantity: Decimal = Decimal("10")) -> Order:
    rice = make_item(Category.FOOD, name="大米")
    contract = make_contract(prices=[(rice, Decimal("4.60"))], category=Category.FOOD)
    return make_order(school, contract, quantity=quantity)


def test_receiving_an_orders_food_makes_its_inspection(school_a, manager, today):
    order = food_order(school_a)
    with tenant_context(school_a):
        line = Order.objects.get(pk=order.pk).lines.get()
    client = signed_in(school_a, manager)
    assert order.number in page(client, "/orders/due/")
    url = f"/orders/{order.pk}/deliver/"
    form = page(client, url)
    assert "data-confirm" in form
    data = {
        "received_on": TODAY.isoformat(),
        f"received_{line.pk}": "10",
        f"rejected_{line.pk}": "1",
        f"reason_{line.pk}": "破损",
        "batch": "B-7",
        "certificates": ["营业执照", "检验检疫合格证明"],
        "shelf_life_until": "2025-09-01",
        "once": once_key(form),
    }
    received = client.post(url, data)
    assert received.status_code == 302, received.content[:400]
    with tenant_context(school_a):
        inspection = InboundInspection.objects.get()
        assert Order.objects.get(pk=order.pk).status == Order.Status.PARTLY_DELIVERED
    assert inspection.batch == "B-7" and "破损" in inspection.note
    assert "B-7" in page(client, received["Location"])


def test_a_food_delivery_without_its_papers_is_refused_next_to_the_fields(school_a, manager, today):
    order = food_order(school_a)
    with tenant_context(school_a):
        line = Order.objects.get(pk=order.pk).lines.get()
    refused = signed_in(school_a, manager).post(
        f"/orders/{order.pk}/deliver/",
        {"received_on": TODAY.isoformat(), f"received_{line.pk}": "1"},
    )
    assert refused.status_code == 400
    assert 'class="field invalid"' in refused.content.decode()
    with tenant_context(school_a):
        assert not InboundInspection.objects.exists()


def test_the_alerts_name_what_is_missing(school_a, manager, today):
    lunch(school_a)
    html = page(signed_in(school_a, manager), "/canteen/alerts/", days=7)
    assert "未留样" in html and "无领导陪餐" in html


def test_those_who_only_read_see_no_write_controls(school_a, today):
    session = lunch(school_a)
    auditor = user_with_role(Role.AUDITOR, None)
    html = page(signed_in(school_a, auditor), f"/canteen/meals/{session.pk}/")
    assert "<form" not in html.split("<main", 1)[1]
    assert "/roster/" not in html and "/sample/" not in html


# Speed: a list's queries do not grow with its rows ------------------------------------------------


@pytest.mark.parametrize("url", ["/canteen/meals/", "/canteen/samples/", "/canteen/"])
def test_a_list_costs_the_same_queries_for_one_row_or_many(school_a, manager, today, url):
    client = signed_in(school_a, manager)
    students = pupils(school_a, 3)

    def meal_on(day: datetime.date) -> None:
        session = lunch(school_a, day)
        with tenant_context(school_a):
            servings_record(
                session=session, source="card", student_ids=[s.pk for s in students], actor=SETUP
            )
            FoodSample.objects.create(
                session=session,
                dish="米饭",
                taken_at=timezone.now(),
                kept_until=timezone.now() + datetime.timedelta(hours=48),
            )

    meal_on(TODAY)
    queries(client, url)  # the session's and the roles' first reads
    one = queries(client, url)
    earlier = (TODAY - datetime.timedelta(days=back) for back in range(1, 12))
    for day in [day for day in earlier if day.isoweekday() <= 5][:7]:
        meal_on(day)
    assert queries(client, url) == one
