"""Routes every host serves: sign-in, the caller, the API schema and docs, health, admin."""

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from houqin.admin import site
from houqin.health import healthz
from shared_apps.accounts.api.views import MeView, TokenView

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
]

outside_api: list[URLPattern | URLResolver] = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz", healthz, name="healthz"),
    path("admin/", site.urls),
]
