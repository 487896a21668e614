"""The load benchmark's second floor: the floor's application (tests/bench/floor.py: the same
settings, token, rows and answers, no tenancy, no middleware) written as a Django + DRF
application usually is: models over the same tables (unmanaged), DRF's generic views, model
serializers and page-number pagination, the token read through the ORM. Served with
`BENCH_FLOOR=orm`, which makes this module the floor's URL conf.

tests/bench/floor.py reads its rows with hand-written SQL; the difference between the two floors
is what the ORM and DRF's generic machinery cost a request, which Houqin pays as every Django
application does."""

# The floor's models are only serialized, never shown: no `__str__`. Their managers are declared
# (`objects`): the type checker's Django plugin knows only the installed apps' models.
# ruff: noqa: DJ008

from datetime import timedelta
from typing import Any

from django.db import models
from django.urls import path
from django.utils import timezone
from rest_framework import generics, pagination, serializers

from tests.bench import floor


class User(models.Model):
    username = models.CharField(max_length=150)
    display_name = models.CharField(max_length=100)

    class Meta:
        app_label = "floor"
        managed = False
        db_table = "accounts_user"


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.DO_NOTHING)
    key_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True)

    objects: "models.Manager[ApiToken]" = models.Manager()

    class Meta:
        app_label = "floor"
        managed = False
        db_table = "accounts_apitoken"


class School(models.Model):
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32)

    objects: "models.Manager[School]" = models.Manager()

    class Meta:
        app_label = "floor"
        managed = False
        db_table = "tenants_school"


def _due_at() -> Any:
    return timezone.now() + timedelta(days=7)


class Feedback(models.Model):
    author = models.ForeignKey(User, on_delete=models.DO_NOTHING, related_name="+")
    category = models.CharField(max_length=16)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=12, default="open")
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(User, on_delete=models.DO_NOTHING, null=True, related_name="+")
    responded_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(default=_due_at)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: "models.Manager[Feedback]" = models.Manager()

    class Meta:
        app_label = "floor"
        managed = False
        db_table = "feedback_feedback"


class TokenAuthentication(floor.TokenAuthentication):
    def user_id(self, key_hash: str) -> int | None:
        live = ApiToken.objects.filter(
            key_hash=key_hash, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        return live.values_list("user_id", flat=True).first()


class Page(pagination.PageNumberPagination):
    page_size = floor.PAGE_SIZE
    page_size_query_param = "page_size"


class PersonSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    author = PersonSerializer(read_only=True)
    responded_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Feedback
        # The SQL floor's answer, field for field.
        fields = list(floor.FeedbackSerializer._declared_fields)
        read_only_fields = ["status", "response", "responded_at", "due_at", "created_at"]


class SchoolSerializer(serializers.ModelSerializer[School]):
    class Meta:
        model = School
        fields = ["id", "code", "name", "kind"]


class FeedbackList(generics.ListCreateAPIView[Feedback]):
    authentication_classes = [TokenAuthentication]
    queryset = Feedback.objects.select_related("author", "responded_by").order_by("-id")
    serializer_class = FeedbackSerializer
    pagination_class = Page

    def perform_create(self, serializer: FeedbackSerializer) -> None:  # type: ignore[override]
        serializer.save(author_id=self.request.user)


class FeedbackDetail(generics.RetrieveAPIView[Feedback]):
    authentication_classes = [TokenAuthentication]
    queryset = FeedbackList.queryset
    serializer_class = FeedbackSerializer


class SchoolList(generics.ListAPIView[School]):
    authentication_classes = [TokenAuthentication]
    queryset = School.objects.order_by("code")
    serializer_class = SchoolSerializer
    pagination_class = Page


urlpatterns = [
    path("api/v1/feedback/", FeedbackList.as_view()),
    path("api/v1/feedback/<int:pk>/", FeedbackDetail.as_view()),
    path("api/v1/schools/", SchoolList.as_view()),
]
