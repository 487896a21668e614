"""The load benchmark's floor: a minimal Django + DRF application serving the same rows as Houqin
from the same database, with no tenancy and no custom middleware. Settings, URLs and WSGI
application in one module (`DJANGO_SETTINGS_MODULE=tests.bench.floor`, served by the same
gunicorn as Houqin: `gunicorn -c deploy/gunicorn.conf.py tests.bench.floor:application`).

Every request is authenticated by the same SHA-256 token look-up as Houqin's (the hash of the
key, in the same table), and reads or writes one school's rows (BENCH_SCHOOL's schema first on
the search path, for the whole connection): whatever the Host, as a single-tenant deployment
would. The district list reads the same schools' table."""

import hashlib
import os
from typing import Any

import environ

env = environ.Env()
SCHEMA = f"s_{os.environ.get('BENCH_SCHOOL', 's00001')}"

SECRET_KEY = "houqin-floor-benchmark-key-not-for-any-real-use"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# BENCH_FLOOR=orm: the same application written with models, DRF's generic views and model
# serializers, as one usually writes Django + DRF (tests/bench/floor_orm.py).
ORM = os.environ.get("BENCH_FLOOR") == "orm"
ROOT_URLCONF = "tests.bench.floor_orm" if ORM else "tests.bench.floor"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"]
MIDDLEWARE: list[str] = []
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["NAME"] = env.str("BENCH_DATABASE", default="houqin_bench")
DATABASES["default"]["CONN_MAX_AGE"] = 600
# Added to the URL's options, not in their place: the embedded server's socket is one of them.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c search_path={SCHEMA},public"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
PAGE_SIZE = 20

# After the settings: DRF reads them when imported, and Django takes them as they are then.
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework import authentication, exceptions, serializers  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[int, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Token "):
            raise exceptions.NotAuthenticated()
        # Houqin's look-up (accounts.models.hash_token_key), which this application, having
        # none of Houqin's apps, cannot import.
        user_id = self.user_id(hashlib.sha256(header.removeprefix("Token ").encode()).hexdigest())
        if user_id is None:
            raise exceptions.AuthenticationFailed()
        return user_id, header

    def user_id(self, key_hash: str) -> int | None:
        """The user of the live token whose key has this hash."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT user_id FROM public.accounts_apitoken WHERE key_hash = %s"
                " AND revoked_at IS NULL AND expires_at > now()",
                [key_hash],
            )
            row = cursor.fetchone()
        return None if row is None else int(row[0])


class FloorView(APIView):
    authentication_classes = [TokenAuthentication]


class FeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField()
    author = serializers.CharField()
    responded_by = serializers.CharField(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class SchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


FEEDBACK = (
    "SELECT f.id, f.category, f.subject, f.body, f.status, f.response, a.username AS author,"
    " r.username AS responded_by, f.responded_at, f.due_at, f.created_at"
    " FROM feedback_feedback f JOIN public.accounts_user a ON a.id = f.author_id"
    " LEFT JOIN public.accounts_user r ON r.id = f.responded_by_id"
)


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])


class FeedbackList(FloorView):
    def get(self, request: Request) -> Response:  # noqa: ARG002 (DRF's signature)
        rows = _rows(FEEDBACK + " ORDER BY f.id DESC LIMIT %s", [PAGE_SIZE])
        results = FeedbackSerializer(rows, many=True).data
        return Response({"count": _count("feedback_feedback"), "results": results})

    def post(self, request: Request) -> Response:
        data: dict[str, str] = dict(request.data)
        author: int = request.user  # type: ignore[assignment] # the authenticator's user id
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO feedback_feedback (author_id, category, subject, body, status,"
                " response, due_at, created_at) VALUES (%s, %s, %s, %s, 'open', '',"
                " now() + interval '7 days', now()) RETURNING id",
                [
                    author,
                    data["category"],
                    data["subject"],
                    data["body"],
                ],
            )
            created = cursor.fetchone()[0]
        row = _rows(FEEDBACK + " WHERE f.id = %s", [created])[0]
        return Response(FeedbackSerializer(row).data, status=201)


class FeedbackDetail(FloorView):
    def get(self, request: Request, pk: int) -> Response:  # noqa: ARG002 (DRF's signature)
        rows = _rows(FEEDBACK + " WHERE f.id = %s", [pk])
        if not rows:
            raise exceptions.NotFound()
        return Response(FeedbackSerializer(rows[0]).data)


class SchoolList(FloorView):
    def get(self, request: Request) -> Response:  # noqa: ARG002 (DRF's signature)
        rows = _rows(
            "SELECT id, code, name, kind FROM public.tenants_school ORDER BY code LIMIT %s",
            [PAGE_SIZE],
        )
        results = SchoolSerializer(rows, many=True).data
        return Response({"count": _count("public.tenants_school"), "results": results})


urlpatterns = [
    path("api/v1/feedback/", FeedbackList.as_view()),
    path("api/v1/feedback/<int:pk>/", FeedbackDetail.as_view()),
    path("api/v1/schools/", SchoolList.as_view()),
]

if os.environ.get("DJANGO_SETTINGS_MODULE") == "tests.bench.floor":
    application = get_wsgi_application()
