"""The canteen of one school: its calendar (terms, holidays, make-up days), menus, meal sessions,
real-name servings, food-safety records and alerts. Views parse input and call services; the rules
live in services/."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from houqin.api import deprecation
from houqin.api.fields import CORRECTION_REASON_HELP
from houqin.api.idempotency import IDEMPOTENCY_KEY, idempotent
from houqin.api.viewsets import RestrictedViewSet
from houqin.exceptions import InvalidInput
from houqin.imports import refuse_faulty
from houqin.permissions import restrict
from shared_apps.accounts.actors import signed_in
from tenant_apps.canteen import filters as f
from tenant_apps.canteen import selectors
from tenant_apps.canteen.api import serializers as s
from tenant_apps.canteen.models import (
    AccompaniedMeal,
    CalendarDay,
    ColdStorageReading,
    DailyClose,
    FoodSample,
    InboundInspection,
    MealSession,
    Menu,
    MenuItem,
    SchoolTerm,
    Serving,
)
from tenant_apps.canteen.services.calendar import (
    calendar_day_delete,
    holiday_add,
    make_up_day_add,
    school_term_add,
    school_term_delete,
)
from tenant_apps.canteen.services.food_safety import (
    accompanied_meal_record,
    cold_reading_record,
    inspection_record,
    sample_discard,
    sample_record,
)
from tenant_apps.canteen.services.importing import servings_import
from tenant_apps.canteen.services.menus import (
    OwnItemInput,
    menu_adopt_plan,
    menu_create_own,
    menu_update_own,
)
from tenant_apps.canteen.services.servings import (
    meal_session_open,
    meal_session_update,
    servings_record,
)
from tenant_apps.canteen.terminal import read_swipes

# The longest period one alerts request covers.
MAX_ALERT_DAYS = 366
CORRECTION_REASON = OpenApiParameter(
    "correction_reason", OpenApiTypes.STR, description=CORRECTION_REASON_HELP
)


class _CorrectableDestroy(mixins.DestroyModelMixin, RestrictedViewSet):
    """A removal that may change a closed month: its reason as a query parameter."""

    query_parameters = {"destroy": ("correction_reason",)}

    def correction_reason(self) -> str:
        return self.request.query_params.get("correction_reason", "")

    @extend_schema(parameters=[CORRECTION_REASON])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)


def _session_for(request: Request, session_id: int, field: str = "session") -> MealSession:
    """A meal session of this school the caller may see, or a 400 naming the field."""
    sessions: QuerySet[MealSession] = restrict(MealSession.objects.all(), request.user, "view")
    session = sessions.filter(pk=session_id).first()
    if session is None:
        raise InvalidInput(_("No such meal session."), fields={field: [_("Not found.")]})
    return session


class SchoolTermViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _CorrectableDestroy):
    """The school's terms (学期): every member reads them; the logistics director and the canteen
    manager record and remove them."""

    model = SchoolTerm
    serializer_class = s.SchoolTermSerializer
    filterset_class = f.SchoolTermFilter
    ordering_fields = ["id", "start_date"]

    def safely_get_queryset(self) -> Any:
        return selectors.term_list()

    @extend_schema(
        request=s.SchoolTermCreateSerializer,
        responses={201: s.SchoolTermSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.SchoolTermCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        term = school_term_add(actor=signed_in(request), **data.validated_data)
        return Response(s.SchoolTermSerializer(term).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: SchoolTerm) -> None:
        school_term_delete(
            term=instance,
            actor=signed_in(self.request),
            correction_reason=self.correction_reason(),
        )


class _CalendarDayViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _CorrectableDestroy):
    model = CalendarDay
    serializer_class = s.CalendarDaySerializer
    filterset_class = f.CalendarDayFilter
    ordering_fields = ["id", "date"]
    kind: ClassVar[str]
    # The service that adds a day of this kind.
    add: ClassVar[Callable[..., CalendarDay]]

    def safely_get_queryset(self) -> Any:
        return selectors.calendar_day_list(kind=self.kind)

    @extend_schema(
        request=s.CalendarDayCreateSerializer,
        responses={201: s.CalendarDaySerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.CalendarDayCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        day = self.add(actor=signed_in(request), **data.validated_data)
        return Response(s.CalendarDaySerializer(day).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CalendarDay) -> None:
        calendar_day_delete(
            day=instance,
            actor=signed_in(self.request),
            correction_reason=self.correction_reason(),
        )


class HolidayViewSet(_CalendarDayViewSet):
    """The holidays (节假日) inside the school's terms: days without classes or meals."""

    kind = CalendarDay.Kind.HOLIDAY
    add = staticmethod(holiday_add)


class MakeUpDayViewSet(_CalendarDayViewSet):
    """The Saturdays and Sundays of the school's terms worked as school days (调休上班)."""

    kind = CalendarDay.Kind.MAKE_UP_DAY
    add = staticmethod(make_up_day_add)


class MenuViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = Menu
    serializer_class = s.MenuSerializer
    filterset_class = f.MenuFilter
    ordering_fields = ["id", "start_date"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"adopt": "add"}

    def safely_get_queryset(self) -> Any:
        return selectors.menu_list().prefetch_related(
            Prefetch("items", queryset=MenuItem.objects.order_by("date", "meal", "id"))
        )

    @extend_schema(
        request=s.MenuCreateSerializer,
        responses={201: s.MenuSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.MenuCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        menu = menu_create_own(
            start_date=values["start_date"],
            end_date=values["end_date"],
            age_band=values["age_band"],
            title=values["title"],
            items=[OwnItemInput(**item) for item in values["items"]],
            actor=signed_in(request),
        )
        return Response(s.MenuSerializer(menu).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MenuUpdateSerializer, responses=s.MenuSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Replace the dishes of the school's own menu and check it again; refused (409) for a
        menu adopted from a district plan, a withdrawn one, or one already served from."""
        menu: Menu = self.get_object()
        data = s.MenuUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        menu_update_own(
            menu=menu,
            title=values.get("title"),
            items=[OwnItemInput(**item) for item in values["items"]],
            actor=signed_in(request),
        )
        return Response(s.MenuSerializer(self.get_object()).data)

    @extend_schema(
        request=s.MenuAdoptSerializer,
        responses={201: s.MenuSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def adopt(self, request: Request) -> Response:
        data = s.MenuAdoptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        menu = menu_adopt_plan(plan_id=data.validated_data["plan"], actor=signed_in(request))
        return Response(s.MenuSerializer(menu).data, status=status.HTTP_201_CREATED)


class MealSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, RestrictedViewSet):
    model = MealSession
    serializer_class = s.MealSessionSerializer
    filterset_class = f.MealSessionFilter
    ordering_fields = ["id", "date"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    action_verbs = {"servings": "change", "import_servings": "change"}

    def safely_get_queryset(self) -> Any:
        return selectors.meal_session_list()

    @extend_schema(
        request=s.MealSessionCreateSerializer,
        responses={201: s.MealSessionSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.MealSessionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        menu = None
        if "menu" in values:
            menu = (
                restrict(Menu.objects.all(), request.user, "view")
                .filter(pk=values.pop("menu"))
                .first()
            )
            if menu is None:
                raise InvalidInput(_("No such menu."), fields={"menu": [_("Not found.")]})
        session = meal_session_open(menu=menu, actor=signed_in(request), **values)
        session.serving_count = 0  # type: ignore[attr-defined]
        return Response(s.MealSessionSerializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MealSessionUpdateSerializer, responses=s.MealSessionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        session: MealSession = self.get_object()
        data = s.MealSessionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meal_session_update(session=session, actor=signed_in(request), **data.validated_data)
        return Response(s.MealSessionSerializer(self.get_object()).data)

    @extend_schema(
        request=s.ServingsRecordSerializer,
        responses={201: s.ServingsResultSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def servings(self, request: Request, pk: str | None = None) -> Response:
        session: MealSession = self.get_object()
        data = s.ServingsRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = servings_record(
            session=session,
            actor=signed_in(request),
            source=data.validated_data["source"],
            student_ids=data.validated_data.get("student_ids"),
            student_numbers=data.validated_data.get("student_numbers"),
            correction_reason=data.validated_data["correction_reason"],
        )
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.ServingsImportSerializer},
        responses=s.ServingsImportReportSerializer,
    )
    @action(
        detail=True, methods=["post"], parser_classes=[MultiPartParser], url_path="servings/import"
    )
    def import_servings(self, request: Request, pk: str | None = None) -> Response:
        """Record the students a card terminal's export lists as eating this meal (source:
        card). All or nothing: 200 with a per-row report (a student already recorded, or swiped
        twice, is reported and recorded once); 400 with the rows in error (fields.rows) when any
        row is wrong, and then nothing is recorded."""
        session: MealSession = self.get_object()
        data = s.ServingsImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        report = servings_import(
            session=session, swipes=read_swipes(upload, upload.name), actor=signed_in(request)
        )
        refuse_faulty(report)
        return Response(report.as_dict())


class ServingViewSet(mixins.ListModelMixin, RestrictedViewSet):
    model = Serving
    serializer_class = s.ServingSerializer
    filterset_class = f.ServingFilter
    ordering_fields = ["id", "recorded_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.serving_list()


class AccompaniedMealViewSet(mixins.ListModelMixin, RestrictedViewSet):
    model = AccompaniedMeal
    serializer_class = s.AccompaniedMealSerializer
    filterset_class = f.AccompaniedMealFilter
    ordering_fields = ["id", "created_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.accompanied_meal_list()

    @extend_schema(
        request=s.AccompaniedMealCreateSerializer,
        responses={201: s.AccompaniedMealSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.AccompaniedMealCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meal = accompanied_meal_record(
            session=_session_for(request, data.validated_data["session"]),
            actor=signed_in(request),
            comments=data.validated_data["comments"],
        )
        return Response(s.AccompaniedMealSerializer(meal).data, status=status.HTTP_201_CREATED)


class FoodSampleViewSet(mixins.ListModelMixin, RestrictedViewSet):
    model = FoodSample
    serializer_class = s.FoodSampleSerializer
    filterset_class = f.FoodSampleFilter
    ordering_fields = ["id", "taken_at"]
    action_verbs = {"discard": "discard"}

    def safely_get_queryset(self) -> Any:
        return selectors.food_sample_list()

    @extend_schema(
        request=s.FoodSampleCreateSerializer,
        responses={201: s.FoodSampleSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.FoodSampleCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        session = _session_for(request, values.pop("session"))
        sample = sample_record(session=session, actor=signed_in(request), **values)
        return Response(s.FoodSampleSerializer(sample).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.FoodSampleSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def discard(self, request: Request, pk: str | None = None) -> Response:
        """Record that the sample was thrown away: refused before its keeping time has passed
        (48 hours by default) and when it was already discarded."""
        sample = sample_discard(sample=self.get_object(), actor=signed_in(request))
        return Response(s.FoodSampleSerializer(sample).data)


class InboundInspectionViewSet(mixins.ListModelMixin, RestrictedViewSet):
    model = InboundInspection
    serializer_class = s.InboundInspectionSerializer
    filterset_class = f.InboundInspectionFilter
    ordering_fields = ["id", "received_on", "keep_until"]

    def safely_get_queryset(self) -> Any:
        return selectors.inbound_inspection_list()

    @extend_schema(
        request=s.InboundInspectionCreateSerializer,
        responses={201: s.InboundInspectionSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.InboundInspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection = inspection_record(actor=signed_in(request), **data.validated_data)
        return Response(
            s.InboundInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED
        )


class ColdStorageReadingViewSet(mixins.ListModelMixin, RestrictedViewSet):
    model = ColdStorageReading
    serializer_class = s.ColdStorageReadingSerializer
    filterset_class = f.ColdStorageReadingFilter
    ordering_fields = ["id", "measured_at"]

    def safely_get_queryset(self) -> Any:
        return selectors.cold_reading_list()

    @extend_schema(
        request=s.ColdStorageReadingCreateSerializer,
        responses={201: s.ColdStorageReadingSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = s.ColdStorageReadingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading = cold_reading_record(actor=signed_in(request), **data.validated_data)
        return Response(
            s.ColdStorageReadingSerializer(reading).data, status=status.HTTP_201_CREATED
        )


class AlertViewSet(RestrictedViewSet):
    """Meals with no sample, cold readings out of range, meals costing less than the subsidy
    pays (克扣), for a period (the last 30 days unless `date_from`/`date_to`, or the older
    `start`/`end`, say otherwise)."""

    model = MealSession
    serializer_class = s.AlertSerializer
    filter_backends: list[Any] = []

    @extend_schema(
        parameters=[
            s.AlertQuerySerializer,
            *(
                OpenApiParameter(name, OpenApiTypes.DATE, deprecated=True, description=said)
                for name, said in (("start", "Read as date_from."), ("end", "Read as date_to."))
            ),
        ],
        responses=s.AlertSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = s.AlertQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        given = query.validated_data
        for name in ("start", "end"):
            if name in given:
                deprecation.used(name)
        end_name = "date_to" if "date_to" in given else "end"
        start_name = "date_from" if "date_from" in given else "start"
        end = given.get(end_name) or timezone.localdate()
        if end.year < 1900 or end.year > 2200:
            raise InvalidInput(_("Out of range."), fields={end_name: [str(end)]})
        start = given.get(start_name) or end - timedelta(days=30)
        if start > end or (end - start).days > MAX_ALERT_DAYS:
            raise InvalidInput(
                _("Choose a period of at most %d days, start before end.") % MAX_ALERT_DAYS,
                fields={start_name: [str(start)], end_name: [str(end)]},
            )
        alerts = selectors.alert_list(start=start, end=end)
        page = self.paginate_queryset(alerts)
        return self.get_paginated_response(s.AlertSerializer(page, many=True).data)


class DailyCloseViewSet(mixins.ListModelMixin, RestrictedViewSet):
    """The days closed by the nightly job, with the alerts each one found."""

    model = DailyClose
    serializer_class = s.DailyCloseSerializer
    filterset_class = f.DailyCloseFilter
    ordering_fields = ["id", "date"]

    def safely_get_queryset(self) -> Any:
        return selectors.daily_close_list()
