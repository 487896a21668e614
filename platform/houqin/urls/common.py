"""Routes every host serves: the front door, the caller and their tokens, the API schema and
docs, health, admin."""

from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from houqin.admin import site
from houqin.health import healthz
from shared_apps.accounts.api.views import MeTokenListView, MeTokenRevokeView, MeView, TokenView

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    path("me/tokens/", MeTokenListView.as_view(), name="me-token-list"),
    path("me/tokens/<int:pk>/revoke/", MeTokenRevokeView.as_view(), name="me-token-revoke"),
]


def front_door() -> list[URLPattern | URLResolver]:
    """Sign-in, sign-out, password change and the hand-over between hosts; the language switch;
    the favicon browsers ask for at the root."""
    return [
        path("", include("shared_apps.accounts.web.urls")),
        path("i18n/setlang/", set_language, name="set_language"),
        path("favicon.ico", RedirectView.as_view(url="/static/houqin/favicon.svg", permanent=True)),
    ]


def outside_api(urlconf: str) -> list[URLPattern | URLResolver]:
    """The schema (of the host's own urlconf), its docs, health and the admin."""
    return [
        path("api/schema/", SpectacularAPIView.as_view(urlconf=urlconf), name="schema"),
        path(
            "api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"
        ),
        path("healthz", healthz, name="healthz"),
        path("admin/", site.urls),
    ]
