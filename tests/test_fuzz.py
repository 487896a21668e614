"""Schema fuzzing: schemathesis generates requests, valid and invalid, for every operation of
each host's OpenAPI schema and sends each one as several roles and anonymously. No server
errors, and every response, errors included, conforms to the schema (status, content type,
body). The bounded run here is part of `make test`; `make fuzz` runs long (FUZZ_EXAMPLES)."""

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from houqin.roles import DISTRICT_ROLES, Role
from tenants.models import School
from tenants.routing import school_host
from tests.factories import token_for, user_with_role

# Untraced by coverage: the generated requests run through code the other suites cover (0.05
# points more when traced) and tracing would add most of a minute to the run.
pytestmark = pytest.mark.no_cover

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(db: Any) -> Iterator[WSGIHandler]:
    """The real WSGI handler, minus what Django's test client also removes: closing the
    connection around each request, which would end the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _callers(host: str, roles: list[Role], school: School | None) -> list[dict[str, str]]:
    callers = [{"Host": host}]
    for role in roles:
        user = user_with_role(role, None if role in DISTRICT_ROLES else school)
        callers.append({"Host": host, "Authorization": f"Token {token_for(user)}"})
    return callers


def _fuzz(app: WSGIHandler, callers: list[dict[str, str]]) -> int:
    """Fuzz every operation of the schema served at callers' host; returns the requests sent."""
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", app, headers={"Host": callers[0]["Host"]}
    )
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal sent
                for headers in callers:
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                    sent += 1

            # An operation without inputs has no invalid variant to generate.
            with contextlib.suppress(Unsatisfiable):
                run()
    return sent


@pytest.mark.slow
def test_school_api_fuzzed(wsgi_app: WSGIHandler, school_a: School) -> None:
    callers = _callers(
        school_host(school_a.code), [Role.PRINCIPAL, Role.STAFF, Role.AUDITOR], school_a
    )
    sent = _fuzz(wsgi_app, callers)
    print(f"fuzz requests sent: {sent}")
    assert sent > 0


@pytest.mark.slow
def test_district_api_fuzzed(wsgi_app: WSGIHandler) -> None:
    callers = _callers("localhost", [Role.DISTRICT_ADMIN, Role.AUDITOR], None)
    sent = _fuzz(wsgi_app, callers)
    print(f"fuzz requests sent: {sent}")
    assert sent > 0
