"""The OpenAPI schema on each host describes that host's operations, and renders cleanly."""

import pytest

from tests.conftest import HostClient


@pytest.mark.parametrize(
    ("where", "present", "absent"),
    [
        ("district", "/api/v1/schools/", "/api/v1/feedback/"),
        ("school", "/api/v1/feedback/", "/api/v1/schools/"),
    ],
)
def test_schema_lists_the_hosts_own_operations(where, present, absent, school_a, district_host):
    host = district_host if where == "district" else f"{school_a.code}.{district_host}"
    response = HostClient(host).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert present in paths
    assert absent not in paths


def test_swagger_ui_is_served(school_a, district_host):
    assert HostClient(district_host).get("/api/docs/").status_code == 200


def test_computing_a_claim_documents_no_unavailable_canteen(school_a, district_host):
    """Subsidies reads the canteen through its selectors, a dependency it always has: computing a
    claim has no 503 for a canteen that is not there."""
    response = HostClient(f"{school_a.code}.{district_host}").get("/api/schema/?format=json")
    compute = response.json()["paths"]["/api/v1/subsidies/claims/compute/"]["post"]
    assert "201" in compute["responses"]
    assert not any(code.startswith("5") for code in compute["responses"])
