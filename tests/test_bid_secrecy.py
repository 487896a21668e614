"""Bids are secret until the opening (招标投标法 art. 22: before the opening nobody discloses who
bid, or how many did). Generated over every role of the registry on the district host and on a
school's host (the school whose requisition the tender buys for), the tender's committee, another
supplier and the bidders themselves, and over every GET operation of either host's schema that
can mention a bid (procurement's and the audit's), filled with the ids in play: the answers are
the same whether nobody, two suppliers or three have bid, so that none names a bidder, counts the
bids or orders them; each bidder learns of its own bid only. Two of the bidders share a phone, so
that a rule comparing bidders would speak up if it looked before the opening."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from houqin.roles import DISTRICT_ROLES, REGISTRY, Role
from shared_apps.accounts.models import User
from shared_apps.audit.models import Change
from shared_apps.procurement.models import Bid, Tender
from tenants.models import School
from tenants.routing import school_host
from tests.conftest import HostClient
from tests.factories import user_with_role
from tests.matrix.tenders import (
    bid_on,
    close,
    make_supplier,
    opened_tender,
    present,
    published_tender,
    seats,
    supplier_account,
)
from tests.test_admin import admin_client, change_url
from tests.test_tenders import _bid_body

# Where a bid could be mentioned. Other apps' tables never refer to a bid.
MENTIONING = ("/api/v1/procurement/", "/api/v1/audit/")
TRAIL = "/api/v1/audit/changes/"
BIDS = "/api/v1/procurement/bids/"
SHARED_PHONE = "13987650000"
# What differs from one request to the next, whatever happened in between.
VOLATILE = {"request_id", "generated_at"}


def _normalised(body: Any) -> Any:
    """A response body without what differs from one request to the next."""
    if isinstance(body, dict):
        return {k: _normalised(v) for k, v in body.items() if k not in VOLATILE}
    if isinstance(body, list):
        return [_normalised(v) for v in body]
    return body


def _answer(client: HostClient, url: str) -> tuple[int, Any]:
    response = client.get(url)
    assert response.status_code < 500, (url, response.content[:300])
    return response.status_code, _normalised(response.json())


def _get_operations(host: str) -> list[str]:
    paths = HostClient(host).get("/api/schema/?format=json").json()["paths"]
    return sorted(p for p, ops in paths.items() if "get" in ops and p.startswith(MENTIONING))


def _urls(host: str, ids: dict[str, list[Any]]) -> Iterator[str]:
    """Every GET operation of the host that can mention a bid; a detail operation once per id in
    play of its kind (those without any are about no bid), bids' own detail apart."""
    for path in _get_operations(host):
        if "{" not in path:
            yield path
            if path.endswith(("/bids/", "/seats/")):
                yield f"{path}?tender={ids['tender'][0]}"
            continue
        prefix = path.split("{", 1)[0]
        if prefix == "/api/v1/procurement/bids/":
            continue
        for value in ids.get(prefix, []):
            yield path.replace("{id}", str(value))


@pytest.fixture
def scene(school_a: School, district_host: str) -> dict[str, Any]:
    tender = published_tender(school=school_a)
    # An opened tender too: its bids are no secret any more, and stay listed.
    opened = opened_tender(school=school_a)
    contacts: dict[str, dict[str, Any]] = {
        "甲秘密投标粮油有限公司": {"contact_phone": SHARED_PHONE},
        "乙秘密投标食品有限公司": {"contact_phone": f"{SHARED_PHONE[:3]}-{SHARED_PHONE[3:]}"},
        "丙秘密投标配送有限公司": {},
    }
    bidders = {name: make_supplier(name=name, **contact) for name, contact in contacts.items()}
    accounts = {name: supplier_account(supplier) for name, supplier in bidders.items()}
    viewers: dict[str, User] = {
        role.value: user_with_role(role, None if role in DISTRICT_ROLES else school_a)
        for role in sorted(REGISTRY)
    }
    for seat in seats(tender):
        viewers[f"committee member {seat.index}"] = seat.evaluator.user
    viewers["another supplier"] = supplier_account(make_supplier())
    viewers.update({f"bidder {name}": account for name, account in accounts.items()})
    ids = {
        "tender": [tender.pk],
        "/api/v1/procurement/tenders/": [tender.pk],
        "/api/v1/procurement/notices/": [tender.pk],
        "/api/v1/procurement/seats/": [seat.pk for seat in seats(tender)],
        "/api/v1/procurement/suppliers/": [s.pk for s in bidders.values()],
    }
    hosts = (district_host, school_host(school_a.code))
    clients = {
        (label, host): HostClient(host, user) for label, user in viewers.items() for host in hosts
    }
    urls = {host: list(_urls(host, ids)) for host in hosts}
    return {
        "tender": tender,
        "opened": opened,
        "accounts": accounts,
        "clients": clients,
        "urls": urls,
    }


def _snapshot(scene: dict[str, Any]) -> dict[tuple[str, str, str], tuple[int, Any]]:
    return {
        (label, host, url): _answer(client, url)
        for (label, host), client in scene["clients"].items()
        for url in scene["urls"][host]
    }


def _seen_by(snapshot: dict[tuple[str, str, str], Any], label: str) -> dict[Any, Any]:
    return {key: value for key, value in snapshot.items() if key[0] == label}


def _differences(before: dict[Any, Any], after: dict[Any, Any]) -> list[Any]:
    return [key[1:] for key in before if before[key] != after[key]]


@pytest.mark.slow
def test_before_the_opening_nobody_learns_who_bid_how_many_or_in_what_order(
    scene: dict[str, Any],
) -> None:
    tender: Tender = scene["tender"]
    lot = tender.lots.get()
    accounts: dict[str, User] = scene["accounts"]
    first, second, third = accounts
    labels = {label for label, _host in scene["clients"]}

    nobody = _snapshot(scene)
    bid_on(lot, actor=accounts[first])
    bid_on(lot, actor=accounts[second])
    two = _snapshot(scene)
    bid_on(lot, actor=accounts[third])
    three = _snapshot(scene)

    for label in sorted(labels - {f"bidder {name}" for name in accounts}):
        before, after_two, after_three = (_seen_by(s, label) for s in (nobody, two, three))
        assert _differences(before, after_two) == [], f"{label} learns that two bid"
        assert _differences(after_two, after_three) == [], f"{label} learns that a third bid"
    # A bidder learns nothing of the others: of those bidding after it, or before it.
    for name in (first, second):
        label = f"bidder {name}"
        assert _differences(_seen_by(two, label), _seen_by(three, label)) == [], label
    label = f"bidder {third}"
    assert _differences(_seen_by(nobody, label), _seen_by(two, label)) == [], label

    # Each bidder reads its own bid, named by a random id; anyone else's, like one that does not
    # exist, is not found.
    bids = {name: Bid.objects.get(lot=lot, supplier__users__user=a) for name, a in accounts.items()}
    assert all(uuid.UUID(str(b.public_id)).version == 4 for b in bids.values())
    for (label, host), client in scene["clients"].items():
        missing = _answer(client, f"/api/v1/procurement/bids/{uuid.uuid4()}/")
        for name, bid in bids.items():
            answer = _answer(client, f"/api/v1/procurement/bids/{bid.public_id}/")
            if label == f"bidder {name}" and host == "localhost":
                assert answer[0] == 200 and answer[1]["id"] == str(bid.public_id)
            else:
                assert answer == missing, (label, host, name)
    own = scene["clients"][(f"bidder {first}", "localhost")].get("/api/v1/procurement/bids/")
    assert [row["id"] for row in own.json()["results"]] == [str(bids[first].public_id)]


def test_once_opened_the_bids_are_listed_with_their_bidders(scene: dict[str, Any]) -> None:
    opened: Tender = scene["opened"]
    officer = next(
        client
        for (label, _host), client in scene["clients"].items()
        if label == "procurement_officer"
    )
    listed = officer.get(f"/api/v1/procurement/bids/?tender={opened.pk}").json()["results"]
    bid = Bid.objects.select_related("supplier").get(lot__tender=opened)
    assert [(row["id"], row["supplier_name"]) for row in listed] == [
        (str(bid.public_id), bid.supplier.name)
    ]
    (lot,) = officer.get(f"/api/v1/procurement/tenders/{opened.pk}/").json()["lots"]
    assert lot["bid_count"] == 1


def test_the_auditors_change_list_shows_no_bid_before_the_opening(client_for: Any) -> None:
    tender = published_tender()
    bid = bid_on(tender.lots.get())
    rows = client_for(None, Role.AUDITOR).get(f"{TRAIL}?table_name=procurement_bid&page_size=500")
    assert str(bid.pk) not in {row["row_id"] for row in rows.json()["results"]}


def _trail(client: HostClient, **params: Any) -> list[dict[str, Any]]:
    """Every row of the auditor's change list, over all its pages."""
    response = client.get(TRAIL, {**params, "page_size": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    rows: list[dict[str, Any]] = body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
    return rows


def test_what_bidders_write_before_the_opening_reaches_the_trail_only_once_it_is_opened(
    client_for: Any,
) -> None:
    tender = published_tender()
    lot = tender.lots.get()
    first, second = (client_for(None, supplier_account(make_supplier())) for _ in range(2))
    auditor = client_for(None, Role.AUDITOR)
    before = _trail(auditor)

    # Submitted, replaced; submitted, withdrawn (with an Idempotency-Key, as a client retrying
    # would send it).
    kept = first.post(BIDS, _bid_body(lot, "9.90"), format="json")
    assert kept.status_code == 201, kept.content
    assert first.post(BIDS, _bid_body(lot, "9.50"), format="json").status_code == 201
    gone = second.post(BIDS, _bid_body(lot, "9.70"), format="json")
    assert gone.status_code == 201, gone.content
    withdrawn = second.post(f"{BIDS}{gone.json()['id']}/withdraw/", HTTP_IDEMPOTENCY_KEY="wd-1")
    assert withdrawn.status_code == 200, withdrawn.content

    # The auditor's trail is row for row what it was, and so is its count.
    assert _trail(auditor) == before
    bids = {
        name: Bid.objects.get(public_id=answer.json()["id"])
        for name, answer in (("kept", kept), ("gone", gone))
    }
    recorded = Change.objects.across_schools().filter(table_name="procurement_bid")
    for bid in bids.values():
        row = recorded.filter(row_id=str(bid.pk)).first()
        assert row is not None  # recorded all the same
        assert auditor.get(f"{TRAIL}{row.pk}/").status_code == 404

    close(tender)
    for seat in seats(tender)[: tender.threshold]:
        present(seat)
    # Opened: each bid's whole history, as recorded, the opening's own writes included.
    operations = {}
    for name, bid in bids.items():
        listed = _trail(auditor, table_name="procurement_bid", row_id=str(bid.pk))
        expected = recorded.filter(row_id=str(bid.pk)).order_by("-id")
        assert [row["id"] for row in listed] == list(expected.values_list("pk", flat=True))
        assert auditor.get(f"{TRAIL}{listed[-1]['id']}/").json()["actor_id"] == bid.submitted_by_id
        operations[name] = [row["operation"] for row in listed]
    # Inserted, replaced, opened; inserted, withdrawn (a withdrawn bid is not opened).
    assert operations == {"kept": ["UPDATE", "UPDATE", "INSERT"], "gone": ["UPDATE", "INSERT"]}


def test_the_auditors_admin_shows_no_bid_before_the_opening(db: Any, district_host: str) -> None:
    tender = published_tender()
    bid = bid_on(tender.lots.get())
    row = Change.objects.across_schools().get(table_name="procurement_bid", row_id=str(bid.pk))
    browser = admin_client(district_host, user_with_role(Role.AUDITOR))

    def listed() -> tuple[set[int], set[str]]:
        """The rows the trail's admin page lists for the bid, and the tables its filter offers."""
        page = browser.get("/admin/audit/change/", {"table_name": "procurement_bid"})
        assert page.status_code == 200
        changes = page.context["cl"]
        tables = next(f for f in changes.filter_specs if f.field_path == "table_name")
        return {c.pk for c in changes.result_list}, set(tables.lookup_choices)

    rows, tables = listed()
    assert row.pk not in rows and "procurement_bid" not in tables
    missing = browser.get(
        change_url(Change(pk=Change.objects.across_schools().order_by("-id")[0].pk + 1000))
    )
    sealed = browser.get(change_url(row))
    assert (sealed.status_code, sealed.get("Location")) == (
        missing.status_code,
        missing.get("Location"),
    )
    assert sealed.status_code != 200

    close(tender)
    for seat in seats(tender)[: tender.threshold]:
        present(seat)
    rows, tables = listed()
    assert row.pk in rows and "procurement_bid" in tables
    assert browser.get(change_url(row)).status_code == 200
