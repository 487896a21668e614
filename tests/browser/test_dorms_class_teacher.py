"""On the demo's boarding school, on phones (390×844): the logistics director reads the class
teachers (the demo's, of the class of last night's absent pupil), names a member of the staff
class teacher of another class and ends it again; the class teacher sees their class's boarders
with the roll call (the absent one marked), asks leave for a pupil and a room change for another;
a pupil asks for their own room change; the dorm manager approves the leave and reviews the
teacher's room change, naming a free bed; the logistics director approves it and the pupil
sleeps in that bed from today. Every page checked by axe-core."""

from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from shared_apps.accounts.models import User
from tenant_apps.dorms.models import Allocation, Bed, RollCall, RollCallEntry, RoomChange
from tenant_apps.dorms.selectors import current
from tenant_apps.people.models import ClassTeacher, Student
from tenant_apps.people.services.classes import student_account_link
from tenants.models import School
from tests.browser.conftest import SignIn, Site, check_accessibility, screenshot
from tests.factories import SETUP

SCHOOL = "3101010002"
TEACHER = f"class_teacher.{SCHOOL}"
PUPIL = f"student.{SCHOOL}"


def _the_absent_pupil() -> Student:
    """Last night's absent pupil, whose class the demo's class teacher teaches."""
    with tenant_context(School.objects.get(code=SCHOOL)):
        roll_call = RollCall.objects.first()
        assert roll_call is not None
        return RollCallEntry.objects.get(
            roll_call=roll_call, status=RollCallEntry.Status.ABSENT
        ).student


def _names_and_ends_a_class_teacher(director: Page, site: Site, absent: Student) -> None:
    """The director names the staff member class teacher of a class with none, and ends it."""
    staff = User.objects.get(username=f"staff.{SCHOOL}")
    director.goto(site.url(SCHOOL, "/people/class-teachers/"))
    check_accessibility(director)
    expect(director.get_by_role("heading", level=1)).to_have_text("班主任")
    expect(director.get_by_role("row").filter(has_text=absent.class_name)).to_contain_text(TEACHER)
    director.get_by_role("link", name="任命班主任").click()
    check_accessibility(director)
    director.get_by_label("班主任", exact=True).select_option(value=str(staff.pk))
    director.get_by_label("年级", exact=True).select_option(value=str(absent.grade))
    director.get_by_label("班级", exact=True).fill("实验班")
    director.get_by_role("button", name="保存").click()
    expect(director.get_by_role("status")).to_contain_text("已任命班主任")
    named = director.get_by_role("row").filter(has_text="实验班")
    expect(named).to_contain_text(staff.username)
    screenshot(director, "people-class-teachers")
    named.get_by_role("link", name="结束").click()
    check_accessibility(director)
    director.get_by_role("button", name="结束任职").click()
    expect(director.get_by_role("status")).to_contain_text("不再担任该班班主任")
    expect(director.get_by_role("row").filter(has_text="实验班")).to_have_count(0)
    with tenant_context(School.objects.get(code=SCHOOL)):
        assert not ClassTeacher.objects.filter(user=staff).exists()


def _a_boarder_of_the_class(absent: Student) -> tuple[Student, Bed]:
    """Another boarder of the class, and a free bed of a room for their sex and stage."""
    with tenant_context(School.objects.get(code=SCHOOL)):
        today = timezone.localdate()
        housed = Allocation.objects.filter(current(today)).select_related("bed__room")
        free = Bed.objects.filter(in_service=True).exclude(pk__in=housed.values("bed_id"))
        stays = housed.filter(
            student__grade=absent.grade, student__class_name=absent.class_name
        ).exclude(student=absent)
        for stay in stays.select_related("student").order_by("student__student_number"):
            room = stay.bed.room
            bed = free.filter(room__sex=room.sex, room__stage=room.stage).order_by("pk").first()
            if bed is not None:
                return stay.student, bed
    raise AssertionError("no boarder of the class has a free bed to move to")


def _the_pupils_own_account(absent: Student) -> None:
    with tenant_context(School.objects.get(code=SCHOOL)):
        account = User.objects.get(username=PUPIL)
        if not Student.objects.filter(user=account).exists():
            student_account_link(student=absent, user=account, actor=SETUP)


def test_the_class_teacher_and_a_room_change_on_phones(sign_in: SignIn, site: Site) -> None:
    absent = _the_absent_pupil()
    pupil, free = _a_boarder_of_the_class(absent)
    director = sign_in(f"logistics_director.{SCHOOL}", SCHOOL, phone=True)
    _names_and_ends_a_class_teacher(director, site, absent)

    teacher = sign_in(TEACHER, SCHOOL, phone=True)
    teacher.goto(site.url(SCHOOL, "/dorms/my-class/"))
    check_accessibility(teacher)
    expect(teacher.get_by_role("heading", level=1)).to_have_text("本班住宿生")
    expect(
        teacher.get_by_role("row").filter(has_text=absent.name).locator(".badge.bad")
    ).to_have_text("未归")
    screenshot(teacher, "dorms-my-class")

    teacher.get_by_role("link", name="为学生请假").click()
    check_accessibility(teacher)
    teacher.get_by_label("学生", exact=True).select_option(value=str(absent.pk))
    teacher.get_by_label("原因", exact=True).fill("回家看病")
    teacher.get_by_label("起", exact=True).fill("2030-03-01T08:00")
    teacher.get_by_label("止", exact=True).fill("2030-03-02T18:00")
    teacher.get_by_role("button", name="保存").click()
    expect(teacher.get_by_role("status")).to_contain_text("请假申请已提交")
    expect(teacher.get_by_text("回家看病")).to_be_visible()

    teacher.get_by_role("link", name="申请调宿").click()
    check_accessibility(teacher)
    teacher.get_by_label("学生", exact=True).select_option(value=str(pupil.pk))
    teacher.get_by_label("理由", exact=True).fill("与室友作息不同")
    teacher.get_by_role("button", name="提交").click()
    expect(teacher.get_by_role("status")).to_contain_text("调宿申请已提交")
    expect(teacher.get_by_text("与室友作息不同")).to_be_visible()

    _the_pupils_own_account(absent)
    own = sign_in(PUPIL, SCHOOL, phone=True)
    own.goto(site.url(SCHOOL, "/dorms/room-changes/ask/"))
    check_accessibility(own)
    expect(own.get_by_text(absent.name).first).to_be_visible()
    own.get_by_label("理由", exact=True).fill("想离洗漱间近一些")
    own.get_by_role("button", name="提交").click()
    expect(own.get_by_role("status")).to_contain_text("调宿申请已提交")
    screenshot(own, "dorms-room-change-ask")

    manager = sign_in(f"dorm_manager.{SCHOOL}", SCHOOL, phone=True)
    manager.goto(site.url(SCHOOL, "/dorms/leaves/"))
    manager.get_by_role("listitem").filter(has_text="回家看病").get_by_role(
        "link", name="审批", exact=True
    ).click()
    manager.get_by_label("决定", exact=True).select_option(label="批准")
    manager.get_by_role("button", name="保存").click()
    expect(manager.get_by_role("status")).to_contain_text("请假已处理")

    manager.goto(site.url(SCHOOL, "/dorms/room-changes/"))
    check_accessibility(manager)
    manager.get_by_role("listitem").filter(has_text="与室友作息不同").get_by_role(
        "link", name="审核", exact=True
    ).click()
    check_accessibility(manager)
    manager.get_by_label("决定", exact=True).select_option(label="同意并报批")
    manager.get_by_label("床位", exact=True).select_option(value=str(free.pk))
    manager.get_by_role("button", name="保存").click()
    expect(manager.get_by_role("status")).to_contain_text("调宿申请已处理")
    screenshot(manager, "dorms-room-changes")

    director.goto(site.url(SCHOOL, "/dorms/room-changes/"))
    check_accessibility(director)
    director.get_by_role("listitem").filter(has_text="与室友作息不同").get_by_role(
        "link", name="审批", exact=True
    ).click()
    check_accessibility(director)
    director.get_by_label("决定", exact=True).select_option(label="批准")
    director.get_by_role("button", name="保存").click()
    expect(director.get_by_role("status")).to_contain_text("调宿申请已处理")

    with tenant_context(School.objects.get(code=SCHOOL)):
        change = RoomChange.objects.get(student=pupil, reason="与室友作息不同")
        assert change.status == RoomChange.Status.APPROVED
        stay = Allocation.objects.get(current(timezone.localdate()), student=pupil)
        assert (stay.bed_id, stay.start_date) == (free.pk, timezone.localdate())
