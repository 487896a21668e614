"""The student register, subsidy eligibility and the staff list of one school.

Students are shown with the national ID number masked, to everyone. The clear number is read
one student at a time through `national-id/` (permission people.unmask_student), or in an export
asked for with `unmasked=true` by a caller holding that permission; each such read is recorded
as a security event before the number leaves the server. Finding a student by number is a read
of the number too: `lookup/` (the same permission; a POST, so that the number is in no URL and
no access log), each look-up a security event, a few per hour per user and school. No list
filters, searches or orders by the number or its hash.
"""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api.renderers import XLSX, CsvRenderer, FileFormats, XlsxRenderer
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput, NotPermitted
from houqin.imports import refuse_faulty
from houqin.permissions import has_perm
from shared_apps.accounts.actors import signed_in
from shared_apps.accounts.models import User
from tenant_apps.people import register, selectors
from tenant_apps.people.api import serializers as s
from tenant_apps.people.filters import (
    ClassTeacherFilter,
    StaffMemberFilter,
    StudentFilter,
    SubsidyEligibilityFilter,
)
from tenant_apps.people.models import ClassTeacher, StaffMember, Student, SubsidyEligibility
from tenant_apps.people.services.classes import class_teacher_assign, class_teacher_remove
from tenant_apps.people.services.eligibility import (
    subsidy_eligibility_create,
    subsidy_eligibility_update,
)
from tenant_apps.people.services.importing import students_import
from tenant_apps.people.services.staff import staff_member_create, staff_member_update
from tenant_apps.people.services.students import (
    UNMASK_PERMISSION,
    student_create,
    student_national_id_lookup,
    student_national_id_reveal,
    student_national_ids_reveal,
    student_update,
)


def _query_flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    parsed = register.BOOLEANS.get(value.strip().lower())
    if parsed is None:
        message = _("Write true or false.")
        raise InvalidInput(message, fields={name: [message]})
    return parsed


class StudentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, FileFormats, RestrictedViewSet
):
    model = Student
    serializer_class = s.StudentSerializer
    filterset_class = StudentFilter
    ordering_fields = ["id", "student_number", "name", "grade", "class_name", "enrolled_on"]
    action_verbs = {
        "national_id": "unmask",
        "lookup": "unmask",
        "import_students": "import",
        "export": "view",
    }
    query_parameters = {"export": ("unmasked",)}

    def safely_get_queryset(self) -> Any:
        return selectors.student_list()

    @extend_schema(request=s.StudentCreateSerializer, responses={201: s.StudentSerializer})
    def create(self, request: Request) -> Response:
        data = s.StudentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        student = student_create(actor=signed_in(request), **data.validated_data)
        return Response(s.StudentSerializer(student).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StudentUpdateSerializer, responses=s.StudentSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        student: Student = self.get_object()
        data = s.StudentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        student = student_update(student=student, actor=signed_in(request), **data.validated_data)
        return Response(s.StudentSerializer(student).data)

    @extend_schema(request=None, responses=s.StudentNationalIdSerializer)
    @action(detail=True, methods=["get"], url_path="national-id")
    def national_id(self, request: Request, pk: str | None = None) -> Response:
        """The student's national ID number unmasked. Every call is recorded as a security
        event (personal data read), with who, when, from where and which student."""
        student: Student = self.get_object()
        number = student_national_id_reveal(
            student=student, actor=signed_in(request), request=request
        )
        body = {
            "student_id": student.pk,
            "student_number": student.student_number,
            "national_id": number,
        }
        return Response(body, headers={"Cache-Control": "no-store"})

    @extend_schema(request=s.StudentLookupSerializer, responses=s.StudentLookupResultSerializer)
    @action(detail=False, methods=["post"])
    def lookup(self, request: Request) -> Response:
        """The student whose national ID number this is, masked as the register shows them
        (none, or one). The number goes in the body, never in the URL. Every look-up is
        recorded as a security event (personal data read) with the students found; a user may
        make a few per hour in a school, then 429."""
        data = s.StudentLookupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = student_national_id_lookup(
            number=data.validated_data["national_id"], actor=signed_in(request), request=request
        ).students()
        body = {"count": len(found), "results": s.StudentSerializer(found, many=True).data}
        return Response(body, headers={"Cache-Control": "no-store"})

    @extend_schema(
        request={"multipart/form-data": s.StudentImportSerializer},
        responses=s.StudentImportReportSerializer,
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], url_path="import")
    def import_students(self, request: Request) -> Response:
        """Create and update students from a .csv (UTF-8 or GBK) or .xlsx register, upserting
        by student number. All or nothing: 200 with a per-row report when every row was saved;
        400 with the rows in error (fields.rows) when any row is wrong, and then nothing is
        saved."""
        data = s.StudentImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        rows = register.read_student_rows(upload, upload.name)
        report = students_import(
            rows=rows,
            actor=signed_in(request),
            dry_run=data.validated_data["dry_run"],
            request=request,
        )
        refuse_faulty(report)
        return Response(report.as_dict())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "csv", "xlsx"],
                description="json (the default), csv (UTF-8 with BOM) or xlsx.",
            ),
            OpenApiParameter(
                "unmasked",
                OpenApiTypes.BOOL,
                description="Include national ID numbers unmasked (needs people.unmask_student; "
                "recorded as one security event with the count).",
            ),
        ],
        responses={
            (200, "application/json"): s.StudentExportSerializer,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX): OpenApiTypes.BINARY,
        },
        filters=True,
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[JSONRenderer, CsvRenderer, XlsxRenderer],
        pagination_class=None,
    )
    def export(self, request: Request) -> Response:
        """The register (filtered as the list is) as one file, or as JSON, without pages."""
        unmasked = _query_flag(request, "unmasked")
        if unmasked and not has_perm(request.user, UNMASK_PERMISSION):
            raise NotPermitted(_("You may not read national ID numbers unmasked."))
        students = list(self.filter_queryset(self.get_queryset()))
        today = timezone.localdate()
        current = selectors.current_programmes(students, today)
        ids: dict[int, str] = {}
        if unmasked:
            ids = student_national_ids_reveal(
                students=students, actor=signed_in(request), request=request
            )
        fmt = request.accepted_renderer.format
        if fmt == "json":
            rows = []
            for student in students:
                row = dict(s.StudentSerializer(student).data)
                row["national_id"] = ids.get(student.pk)
                row["subsidies"] = current.get(student.pk, [])
                rows.append(row)
            return Response({"count": len(rows), "results": rows}, headers=_no_store(unmasked))
        names = {
            pk: [register.PROGRAMME_NAMES.get(p, p) for p in programmes]  # type: ignore[call-overload]
            for pk, programmes in current.items()
        }
        table = register.export_table(students, ids, names)
        content = register.to_csv(table) if fmt == "csv" else register.to_xlsx(table)
        filename = f"students-{today.isoformat()}.{fmt}"
        headers = {
            "Content-Disposition": f'attachment; filename="{filename}"',
            **_no_store(unmasked),
        }
        return Response(content, headers=headers)


def _no_store(unmasked: bool) -> dict[str, str]:
    return {"Cache-Control": "no-store"} if unmasked else {}


class SubsidyEligibilityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet
):
    model = SubsidyEligibility
    serializer_class = s.SubsidyEligibilitySerializer
    filterset_class = SubsidyEligibilityFilter
    ordering_fields = ["id", "valid_from", "valid_to"]

    def safely_get_queryset(self) -> Any:
        return selectors.subsidy_eligibility_list()

    @extend_schema(
        request=s.SubsidyEligibilityCreateSerializer,
        responses={201: s.SubsidyEligibilitySerializer},
    )
    def create(self, request: Request) -> Response:
        data = s.SubsidyEligibilityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        student = selectors.student_get(student_id=values.pop("student"))
        if student is None:
            message = _("No such student in this school.")
            raise InvalidInput(message, code="unknown_student", fields={"student": [message]})
        eligibility = subsidy_eligibility_create(
            student=student, actor=signed_in(request), **values
        )
        return Response(
            s.SubsidyEligibilitySerializer(eligibility).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.SubsidyEligibilityUpdateSerializer, responses=s.SubsidyEligibilitySerializer
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        eligibility: SubsidyEligibility = self.get_object()
        data = s.SubsidyEligibilityUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        eligibility = subsidy_eligibility_update(
            eligibility=eligibility, actor=signed_in(request), **data.validated_data
        )
        return Response(s.SubsidyEligibilitySerializer(eligibility).data)


def _user_named(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(_("No such user."), fields={"username": [_("No such user.")]})
    return user


class StaffMemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = StaffMember
    serializer_class = s.StaffMemberSerializer
    filterset_class = StaffMemberFilter
    ordering_fields = ["id", "name", "position", "hired_on"]

    def safely_get_queryset(self) -> Any:
        return selectors.staff_member_list()

    @extend_schema(request=s.StaffMemberCreateSerializer, responses={201: s.StaffMemberSerializer})
    def create(self, request: Request) -> Response:
        data = s.StaffMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = _user_named(values.pop("username"))
        staff_member = staff_member_create(actor=signed_in(request), user=user, **values)
        return Response(s.StaffMemberSerializer(staff_member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StaffMemberUpdateSerializer, responses=s.StaffMemberSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        staff_member: StaffMember = self.get_object()
        data = s.StaffMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "username" in values:
            values["user"] = _user_named(values.pop("username"))
        staff_member = staff_member_update(
            staff_member=staff_member, actor=signed_in(request), **values
        )
        return Response(s.StaffMemberSerializer(staff_member).data)


class ClassTeacherViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, RestrictedViewSet
):
    """Who is the class teacher of which class, per school year (named by the logistics
    director). What a class teacher may do for their pupils follows from this row."""

    model = ClassTeacher
    serializer_class = s.ClassTeacherSerializer
    filterset_class = ClassTeacherFilter
    ordering_fields = ["id", "school_year", "grade", "class_name"]

    def safely_get_queryset(self) -> Any:
        return selectors.class_teacher_list()

    @extend_schema(
        request=s.ClassTeacherCreateSerializer, responses={201: s.ClassTeacherSerializer}
    )
    def create(self, request: Request) -> Response:
        data = s.ClassTeacherCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = _user_named(values.pop("username"))
        assert user is not None
        made = class_teacher_assign(actor=signed_in(request), user=user, **values)
        return Response(s.ClassTeacherSerializer(made).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ClassTeacher) -> None:
        class_teacher_remove(class_teacher=instance, actor=signed_in(self.request))
