"""What the page tests share: a browser signed in on a host, a page read, the once-key a form
carries, and the queries a page costs."""

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shared_apps.accounts.models import User
from tenants.models import School
from tenants.routing import school_host


def signed_in(where: School | str, user: User) -> Client:
    """A browser on `where` (a school's host, or a host by name) with `user` signed in."""
    host = school_host(where.code) if isinstance(where, School) else where
    client = Client(SERVER_NAME=host)
    client.force_login(user, backend="houqin.permissions.RoleBackend")
    return client


def page(client: Client, url: str, **params: Any) -> str:
    """The page at `url`, which must answer 200."""
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def once_key(html: str) -> str:
    """The once-key of the form on the page, as a browser sends it back."""
    found = re.search(r'name="once" value="([^"]+)"', html)
    assert found is not None, "no once key on the page"
    return found.group(1)


def queries(client: Client, url: str, **params: Any) -> int:
    """How many queries the page at `url` costs once the signed-in user's token and roles are in
    the cache (a first visit reads them), less setting the schema (which the host decides,
    before the page)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return sum(1 for query in captured if not query["sql"].startswith("SET search_path"))


def form_key(client: Client, url: str) -> str:
    """The once-key of the form on the page at `url`."""
    return once_key(client.get(url).content.decode())
