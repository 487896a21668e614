"""API token authentication: `Authorization: Token <key>` (or `Bearer <key>`)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from typing_extensions import override

from houqin import context
from shared_apps.accounts.models import ApiToken
from shared_apps.accounts.selectors import token_for_key
from shared_apps.accounts.services import token_mark_used


class HostTokenAuthentication(authentication.BaseAuthentication):
    """Looks the token up by its hash; an expired or revoked token is refused (401). A token
    identifies its user on any host, but grants only what the user's roles grant there: on a
    school where they hold none, nothing."""

    keywords = ("token", "bearer")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token header.")) from exc
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        context.set_actor(token.user.pk)
        if token.use_to_note(timezone.now()):
            token_mark_used(token=token, actor=token.user)
        return token.user, token

    @override
    def authenticate_header(self, request: Request) -> str:
        return "Token"


class HostTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = HostTokenAuthentication
    name = "tokenAuth"

    @override
    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'API token from POST /api/v1/auth/token/, sent as "Token <key>".',
        }
