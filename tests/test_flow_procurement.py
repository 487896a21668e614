"""Unified procurement end to end, over HTTP, as each person would do it on their own host: two
schools' requisitions, approved by their principals, become one tender; three suppliers bid; before
the opening no role (every role of the registry, on the district host and on a school host), no
bidder and no committee member reads a bid's contents or the reserve price, and no table holds
them in plaintext; the committee opens with k shares, scores, the officer evaluates and another
officer awards; the contract's prices are the winning bid's; both schools order at them (another
price is refused), receive (one delivery short, one with a rejected quantity), the canteen's
inspections are made, a mismatching invoice is refused and the matching one accepted by the
accountant, and paid by the cashier (another accountant); the district's spend
view shows both schools to the fen; every step is in the audit trail under its actor; school B
sees none of school A's orders."""

import base64
import hashlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from Crypto.PublicKey import RSA
from Crypto.Signature import eddsa
from django.utils import timezone

from houqin.roles import DISTRICT_ROLES, REGISTRY
from shared_apps.audit.models import Change
from shared_apps.procurement.models import SpendLine, Tender
from tenants.models import School
from tests.conftest import HostClient
from tests.factories import user_with_role
from tests.matrix import R
from tests.matrix.orders import spend_drained
from tests.matrix.tenders import (
    PASSPHRASE,
    close,
    make_evaluator,
    make_item,
    make_supplier,
    pinned_district_key,
    supplier_account,
)
from tests.test_tenders import _tables_containing

API = "/api/v1/procurement"
D = Decimal
RESERVE = "10876.54"
# Unit prices per bag of rice, bag of flour and drum of oil, by bidder; the first wins.
PRICES = [
    {"rice": "121.75", "flour": "107.25", "oil": "228.60"},
    {"rice": "125.75", "flour": "110.25", "oil": "232.20"},
    {"rice": "127.85", "flour": "113.25", "oil": "241.40"},
]
# 60 bags of rice, 16 of flour, 4 drums of oil.
TOTALS = ["9935.40", "10237.80", "10448.60"]
# What must be nowhere before the opening: every price as offered and as sealed (zero-padded to
# fifteen characters), the bids' totals and the reserve price.
SECRETS = [
    *(price for bid in PRICES for price in bid.values()),
    *(price.rjust(15, "0") for bid in PRICES for price in bid.values()),
    *TOTALS,
    RESERVE,
    RESERVE.rjust(15, "0"),
]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _raise(client: HostClient, lines: dict[Any, str], note: str) -> int:
    needed_by = (timezone.localdate() + timedelta(days=20)).isoformat()
    raised = _ok(
        client.post(
            f"{API}/requisitions/",
            {
                "note": note,
                "lines": [
                    {"item": item.code, "quantity": quantity, "needed_by": needed_by}
                    for item, quantity in lines.items()
                ],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"requisition-{client.host}",
        ),
        201,
    )
    assert raised["status"] == "pending"
    return int(raised["id"])


def _notice_key_checks(notice: dict[str, Any]) -> str:
    """What a bidder's client does before bidding: check the district's signature of the tender
    key's fingerprint (with the district's key, pinned beforehand) and the fingerprint against
    the key itself. Returns the fingerprint the bid names."""
    district = eddsa.import_public_key(base64.b64decode(notice["district_key"]))
    statement = (
        f"houqin tender key v1\n{notice['id']}\n{notice['number']}\n{notice['key_fingerprint']}\n"
    )
    eddsa.new(district, "rfc8032").verify(
        statement.encode(), base64.b64decode(notice["key_signature"])
    )
    der = RSA.import_key(notice["public_key"]).export_key(format="DER")
    assert hashlib.sha256(der).hexdigest() == notice["key_fingerprint"]
    return str(notice["key_fingerprint"])


def _nothing_sealed_is_readable(
    clients: list[HostClient], tender: int, bids: list[str], requisition: int
) -> None:
    paths = [
        f"{API}/tenders/",
        f"{API}/tenders/{tender}/",
        f"{API}/tenders/{tender}/bids/",
        f"{API}/tenders/{tender}/evaluation/",
        f"{API}/notices/",
        f"{API}/notices/{tender}/",
        f"{API}/bids/",
        *(f"{API}/bids/{bid}/" for bid in bids),
        f"{API}/seats/",
        f"{API}/signals/",
        f"{API}/requisitions/",
        f"{API}/requisitions/{requisition}/",
        f"{API}/contracts/",
        f"{API}/spend/summary/",
        "/api/v1/orders/",
        "/api/v1/audit/changes/?page_size=500",
        "/api/v1/audit/security-events/?page_size=500",
    ]
    for client in clients:
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, (path, response.content)
            seen = response.content.decode()
            leaked = [text for text in SECRETS if text in seen]
            assert not leaked, (client.host, client.user, path, leaked)


def test_requisitions_to_payment_sealed_until_opened_and_audited(
    client_for: Any, school_a: School, school_b: School
) -> None:
    # What the centre keeps: the catalogue, three suppliers with accounts and licences, and a
    # pool of three evaluators whose keys are locked under PASSPHRASE.
    items = {
        "rice": make_item(name="大米", unit="袋", reference_price=D("130.00")),
        "flour": make_item(name="面粉", unit="袋", reference_price=D("115.00")),
        "oil": make_item(name="食用油", unit="桶", reference_price=D("236.00")),
    }
    companies = [make_supplier() for _ in PRICES]
    bidders = [client_for(None, supplier_account(company)) for company in companies]
    members = [make_evaluator() for _ in range(3)]
    committee = [client_for(None, member.user) for member in members]
    officer = client_for(None, R.PROCUREMENT_OFFICER)

    # Each school raises its requisition on its own host; its principal approves it.
    canteen_a = client_for(school_a, R.CANTEEN_MANAGER)
    director_b = client_for(school_b, R.LOGISTICS_DIRECTOR)
    principal_a = client_for(school_a, R.PRINCIPAL)
    principal_b = client_for(school_b, R.PRINCIPAL)
    raised_a = _raise(canteen_a, {items["rice"]: "24", items["oil"]: "4"}, "城关一小下月用粮油")
    raised_b = _raise(director_b, {items["rice"]: "36", items["flour"]: "16"}, "红星中学下月用粮")
    for principal, raised in ((principal_a, raised_a), (principal_b, raised_b)):
        approved = _ok(principal.post(f"{API}/requisitions/{raised}/approve/"))
        assert approved["status"] == "approved"

    # The officer makes one tender of both, publishes it and seals its reserve price.
    listed = _ok(officer.get(f"{API}/requisitions/?page_size=500"))
    assert {raised_a, raised_b} <= {row["id"] for row in listed["results"]}
    tender = _ok(
        officer.post(
            f"{API}/tenders/",
            {
                "title": "城关片区中小学粮油集中采购",
                "requisitions": [raised_a, raised_b],
                "deadline": (timezone.now() + timedelta(days=1)).isoformat(),
                "price_weight": 50,
                "criteria": [
                    {"name": "质量与资质", "weight": 30, "max_score": 10},
                    {"name": "配送与服务", "weight": 20, "max_score": 10},
                ],
                "committee": [member.pk for member in members],
                "threshold": 2,
                "ceilings": {"food": "11600.00"},
                "contract_months": 12,
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="tender-1",
        ),
        201,
    )
    (lot,) = tender["lots"]
    assert lot["category"] == "food"
    assert {line["item"]: line["quantity"] for line in lot["lines"]} == {
        items["rice"].code: "60.000",
        items["flour"].code: "16.000",
        items["oil"].code: "4.000",
    }
    assert _ok(officer.post(f"{API}/tenders/{tender['id']}/publish/"))["status"] == "published"
    reserved = officer.post(
        f"{API}/tenders/{tender['id']}/reserve/",
        {"reserve_prices": [{"lot": lot["id"], "amount": RESERVE}]},
        format="json",
    )
    assert _ok(reserved)["lots"][0]["reserve_sealed"] is True

    # Three suppliers read the notice, check its key against the district's pinned key, and bid
    # before the deadline.
    bids = []
    for bidder, prices in zip(bidders, PRICES, strict=True):
        notice = _ok(bidder.get(f"{API}/notices/{tender['id']}/"))
        assert notice["district_key"] == pinned_district_key()
        fingerprint = _notice_key_checks(notice)
        code_of = {item.code: name for name, item in items.items()}
        lines = notice["lots"][0]["lines"]
        bid = _ok(
            bidder.post(
                f"{API}/bids/",
                {
                    "lot": lot["id"],
                    "lines": [
                        {"line": line["id"], "unit_price": prices[code_of[line["item"]]]}
                        for line in lines
                    ],
                    "delivery_terms": "每周一、三、五早7点前送达",
                    "quality_statement": "附产品检验合格报告",
                    "key_fingerprint": fingerprint,
                },
                format="json",
            ),
            201,
        )
        assert (bid["status"], bid["key_fingerprint"]) == ("sealed", fingerprint)
        bids.append(bid["id"])

    # Before the opening: every role of the registry, on the district host and on school A's,
    # the bidders and the committee read nothing of a bid or of the reserve price, and no table
    # of the database (the audit trail included) holds one.
    clients = []
    for role in sorted(REGISTRY):
        user = user_with_role(role, None if role in DISTRICT_ROLES else school_a)
        clients += [client_for(None, user), client_for(school_a, user)]
    clients += bidders + committee
    _nothing_sealed_is_readable(clients, tender["id"], bids, raised_a)
    assert _tables_containing(SECRETS) == []
    sealed = officer.get(f"{API}/tenders/{tender['id']}/bids/")
    assert sealed.status_code == 409 and sealed.json()["error"]["code"] == "sealed"

    # The deadline passes; every member declares no conflict, and two of three shares open it.
    close(Tender.objects.get(pk=tender["id"]))
    seats = {row["evaluator"]: row["id"] for row in _ok(officer.get(f"{API}/seats/"))["results"]}
    for member, client in zip(members, committee, strict=True):
        declared = client.post(
            f"{API}/seats/{seats[member.pk]}/declare/", {"conflict": False, "note": "无"}
        )
        assert _ok(declared)["conflict"] is False
    presented = [
        _ok(client.post(f"{API}/seats/{seats[member.pk]}/present/", {"passphrase": PASSPHRASE}))
        for member, client in zip(members[:2], committee[:2], strict=True)
    ]
    assert [seat["tender_status"] for seat in presented] == ["closed", "opened"]
    # Opened, the plaintext rows hold what was sealed (the search above would have found it).
    assert ("procurement_lot", RESERVE) in _tables_containing([RESERVE])
    opened = _ok(officer.get(f"{API}/tenders/{tender['id']}/bids/"))
    assert opened[0]["reserve_price"] == RESERVE
    assert {bid["total"] for bid in opened[0]["bids"]} == set(TOTALS)

    # Every member scores every bid; the officer evaluates, another awards the recommendation.
    criteria = [c["id"] for c in tender["criteria"]]
    given = {bids[0]: (9, 8), bids[1]: (8, 8), bids[2]: (7, 7)}
    for client in committee:
        body = {
            "scores": [
                {"bid": bid, "criterion": criterion, "score": str(score)}
                for bid, scores in given.items()
                for criterion, score in zip(criteria, scores, strict=True)
            ]
        }
        _ok(client.post(f"{API}/tenders/{tender['id']}/scores/", body, format="json"))
    evaluated = _ok(officer.post(f"{API}/tenders/{tender['id']}/evaluate/"))
    assert evaluated["status"] == "evaluated"
    ranked = _ok(officer.get(f"{API}/tenders/{tender['id']}/evaluation/"))
    assert ranked[0]["recommended_bid"] == bids[0]
    # Price 50 + quality 27 + 16 against 50 x 9935.40 / 10237.80 + 40.
    assert [(b["id"], b["score"]) for b in ranked[0]["bids"]] == [
        (bids[0], "93.00"),
        (bids[1], "88.52"),
        (bids[2], "82.54"),
    ]
    awarding = client_for(None, R.PROCUREMENT_OFFICER)
    award = _ok(
        awarding.post(f"{API}/tenders/{tender['id']}/award/", {"lot": lot["id"]}, format="json"),
        201,
    )
    assert (award["bid"], award["tender_status"]) == (bids[0], "awarded")

    # The contract, as a school reads it: the winning bid's prices.
    (contract,) = _ok(canteen_a.get(f"{API}/contracts/"))["results"]
    assert (contract["number"], contract["supplier"]) == (award["contract"], companies[0].pk)
    names = {item.pk: name for name, item in items.items()}
    assert {names[p["item"]]: p["unit_price"] for p in contract["prices"]} == PRICES[0]

    # Both schools order at the contract's prices; another price is refused and saves nothing.
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    dearer = canteen_a.post(
        "/api/v1/orders/",
        {
            "contract": contract["id"],
            "due_on": due,
            "lines": [{"item": items["rice"].pk, "quantity": "12", "unit_price": "125.75"}],
        },
        format="json",
    )
    assert dearer.status_code == 400 and dearer.json()["error"]["code"] == "invalid_lines"
    assert _ok(canteen_a.get("/api/v1/orders/"))["count"] == 0
    order_a = _order(canteen_a, contract["id"], due, {items["rice"]: "12", items["oil"]: "2"})
    order_b = _order(director_b, contract["id"], due, {items["rice"]: "18", items["flour"]: "8"})
    assert (order_a["amount"], order_b["amount"]) == ("1918.20", "3049.50")

    # They receive: school A's oil comes short, school B rejects a wet bag of rice. The canteen's
    # inbound inspection of the food is made with each delivery.
    canteen_b = client_for(school_b, R.CANTEEN_MANAGER)
    line = _lines(order_a)
    delivery_a = _deliver(
        canteen_a,
        order_a,
        [
            {"line": line[items["rice"].pk], "quantity": "12"},
            {"line": line[items["oil"].pk], "quantity": "1"},
        ],
    )
    line = _lines(order_b)
    delivery_b = _deliver(
        canteen_b,
        order_b,
        [
            {
                "line": line[items["rice"].pk],
                "quantity": "18",
                "rejected": "1",
                "rejection_reason": "受潮结块，当场退回",
            },
            {"line": line[items["flour"].pk], "quantity": "8"},
        ],
    )
    for client, delivery in ((canteen_a, delivery_a), (canteen_b, delivery_b)):
        (inspection,) = _ok(client.get("/api/v1/inspections/"))["results"]
        assert inspection["id"] == delivery["inspection"]
        assert inspection["supplier_name"] == companies[0].name
        assert inspection["certificates"] == ["营业执照", "食品经营许可证"]
    rice = next(row for row in inspection["lines"] if row["item"] == "大米")
    assert (rice["quantity"], rice["accepted"], rice["rejected"]) == ("18.000", "17.000", "1.000")
    statuses = [
        _ok(c.get(f"/api/v1/orders/{o['id']}/"))["status"]
        for c, o in ((canteen_a, order_a), (canteen_b, order_b))
    ]
    assert statuses == ["partly_delivered", "partly_delivered"]

    # The accountants record the supplier's invoices: a mismatch is refused and saves nothing,
    # the invoice that matches the order and what was accepted records the expenditure.
    accountant_a = client_for(school_a, R.ACCOUNTANT)
    accountant_b = client_for(school_b, R.ACCOUNTANT)
    line = _lines(order_a)
    mismatches = [
        # Oil at another price than ordered.
        [{"line": line[items["oil"].pk], "quantity": "1", "unit_price": "232.20"}],
        # Both drums of oil, when one was accepted.
        [{"line": line[items["oil"].pk], "quantity": "2", "unit_price": "228.60"}],
    ]
    for lines in mismatches:
        refused = accountant_a.post(
            f"/api/v1/orders/{order_a['id']}/invoices/",
            {"number": "25532000000000000001", "issued_on": _today(), "lines": lines},
            format="json",
        )
        assert refused.status_code == 400, refused.content
        assert refused.json()["error"]["code"] == "invoice_mismatch"
    invoice_a = _invoice(
        accountant_a,
        order_a,
        "25532000000000000001",
        [
            {"line": line[items["rice"].pk], "quantity": "12", "unit_price": "121.75"},
            {"line": line[items["oil"].pk], "quantity": "1", "unit_price": "228.60"},
        ],
        "1689.60",
    )
    line = _lines(order_b)
    rice_b = {"line": line[items["rice"].pk], "quantity": "17", "unit_price": "121.75"}
    flour_b = {"line": line[items["flour"].pk], "quantity": "8", "unit_price": "107.25"}
    wrong_total = accountant_b.post(
        f"/api/v1/orders/{order_b['id']}/invoices/",
        {
            "number": "25532000000000000002",
            "issued_on": _today(),
            "lines": [rice_b, flour_b],
            "amount": "3049.50",
        },
        format="json",
    )
    assert wrong_total.status_code == 400
    assert wrong_total.json()["error"]["code"] == "invoice_mismatch"
    invoice_b = _invoice(
        accountant_b, order_b, "25532000000000000002", [rice_b, flour_b], "2927.75"
    )

    # Each school's cashier pays, once.
    cashier_a = client_for(school_a, R.ACCOUNTANT)
    cashier_b = client_for(school_b, R.ACCOUNTANT)
    for cashier, invoice in ((cashier_a, invoice_a), (cashier_b, invoice_b)):
        assert _ok(cashier.get("/api/v1/invoices/"))["count"] == 1
        expenditure = invoice["expenditure"]
        pay = {"paid_on": _today(), "reference": f"YHZZ-{invoice['number'][-4:]}"}
        path = f"/api/v1/expenditures/{expenditure['id']}/pay/"
        paid = _ok(cashier.post(path, pay, format="json"))
        assert (paid["status"], paid["amount"]) == ("paid", invoice["amount"])
        again = cashier.post(path, pay, format="json")
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_paid"

    # The district's spend view, once the schools' spend outboxes are drained (a worker does it
    # on commit): each school's orders and invoices, to the fen.
    assert spend_drained(school_a) and spend_drained(school_b)
    month = timezone.localdate().strftime("%Y-%m")
    spend = _ok(officer.get(f"{API}/spend/summary/", {"month": month}))
    by_school = {row["key"]: row["figures"] for row in spend["by_school"]}
    assert {code: (f["amount"], f["invoiced"]) for code, f in by_school.items()} == {
        school_a.code: ("1918.20", "1689.60"),
        school_b.code: ("3049.50", "2927.75"),
    }
    assert (spend["totals"]["amount"], spend["totals"]["invoiced"]) == ("4967.70", "4617.35")
    # Against the market reference: 30 bags of rice at 8.25 less, 2 drums of oil at 7.40 less
    # and 8 bags of flour at 7.75 less.
    assert spend["totals"]["savings"] == "324.30"

    # Every step is in the trail under the person who took it.
    steps = [
        ("public", "procurement_requisition", "INSERT", canteen_a),
        ("public", "procurement_requisition", "INSERT", director_b),
        ("public", "procurement_requisition", "UPDATE", principal_a),
        ("public", "procurement_requisition", "UPDATE", principal_b),
        ("public", "procurement_tender", "INSERT", officer),
        ("public", "procurement_lot", "UPDATE", officer),
        *(("public", "procurement_bid", "INSERT", bidder) for bidder in bidders),
        *(("public", "procurement_committeeseat", "UPDATE", member) for member in committee),
        *(("public", "procurement_presentedshare", "INSERT", member) for member in committee[:2]),
        *(("public", "procurement_score", "INSERT", member) for member in committee),
        ("public", "procurement_award", "INSERT", awarding),
        ("public", "procurement_frameworkcontract", "INSERT", awarding),
        (school_a.schema_name, "orders_order", "INSERT", canteen_a),
        (school_b.schema_name, "orders_order", "INSERT", director_b),
        (school_a.schema_name, "orders_delivery", "INSERT", canteen_a),
        (school_b.schema_name, "orders_delivery", "INSERT", canteen_b),
        (school_a.schema_name, "canteen_inboundinspection", "INSERT", canteen_a),
        (school_b.schema_name, "canteen_inboundinspection", "INSERT", canteen_b),
        (school_a.schema_name, "orders_invoice", "INSERT", accountant_a),
        (school_b.schema_name, "orders_invoice", "INSERT", accountant_b),
        (school_a.schema_name, "orders_expenditure", "UPDATE", cashier_a),
        (school_b.schema_name, "orders_expenditure", "UPDATE", cashier_b),
        (school_a.schema_name, "orders_spendoutbox", "INSERT", canteen_a),
        (school_b.schema_name, "orders_spendoutbox", "INSERT", accountant_b),
    ]
    for schema, table, operation, client in steps:
        assert client.user is not None
        assert (
            Change.objects.across_schools()
            .filter(
                schema_name=schema, table_name=table, operation=operation, actor_id=client.user.pk
            )
            .exists()
        ), (schema, table, operation, client.user.username)
    # The district's spend lines are written by the drain, which acts for no one.
    spend_lines = SpendLine.objects.across_schools().filter(school__in=[school_a, school_b])
    spend_writes = Change.objects.across_schools().filter(
        schema_name="public",
        table_name="procurement_spendline",
        row_id__in=[str(pk) for pk in spend_lines.values_list("pk", flat=True)],
    )
    assert spend_writes.exists()
    assert not spend_writes.exclude(actor_id=None).exists()

    # School B's people see none of school A's orders, deliveries, invoices or requisitions.
    accountant_b_sees = accountant_b.get(f"/api/v1/expenditures/{invoice_a['expenditure']['id']}/")
    assert accountant_b_sees.status_code == 404
    for path in (
        f"/api/v1/orders/{order_a['id']}/",
        f"/api/v1/deliveries/{delivery_a['id']}/",
        f"/api/v1/invoices/{invoice_a['id']}/",
        f"{API}/requisitions/{raised_a}/",
    ):
        assert director_b.get(path).status_code == 404, path
    assert [row["id"] for row in _ok(director_b.get("/api/v1/orders/"))["results"]] == [
        order_b["id"]
    ]
    (inspection,) = _ok(canteen_b.get("/api/v1/inspections/"))["results"]
    assert inspection["id"] == delivery_b["inspection"]
    paying = accountant_b.post(
        f"/api/v1/expenditures/{invoice_a['expenditure']['id']}/pay/",
        {"paid_on": _today(), "reference": "YHZZ-0000"},
        format="json",
    )
    assert paying.status_code == 404


def _today() -> str:
    return timezone.localdate().isoformat()


def _order(client: HostClient, contract: int, due: str, lines: dict[Any, str]) -> Any:
    placed = _ok(
        client.post(
            "/api/v1/orders/",
            {
                "contract": contract,
                "due_on": due,
                "lines": [{"item": item.pk, "quantity": q} for item, q in lines.items()],
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"order-{client.host}",
        ),
        201,
    )
    assert placed["outside_contract"] is False
    return placed


def _lines(order: Any) -> dict[int, int]:
    """The order's line ids by catalogue item id."""
    return {line["item"]: line["id"] for line in order["lines"]}


def _deliver(client: HostClient, order: Any, lines: list[dict[str, Any]]) -> Any:
    return _ok(
        client.post(
            f"/api/v1/orders/{order['id']}/deliveries/",
            {
                "lines": lines,
                "batch": f"LY-{order['number']}",
                "certificates": ["营业执照", "食品经营许可证"],
                "shelf_life_until": (timezone.localdate() + timedelta(days=180)).isoformat(),
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"delivery-{order['number']}",
        ),
        201,
    )


def _invoice(
    client: HostClient, order: Any, number: str, lines: list[dict[str, Any]], amount: str
) -> Any:
    invoice = _ok(
        client.post(
            f"/api/v1/orders/{order['id']}/invoices/",
            {"number": number, "issued_on": _today(), "lines": lines, "amount": amount},
            format="json",
            HTTP_IDEMPOTENCY_KEY=f"invoice-{number}",
        ),
        201,
    )
    assert (invoice["amount"], invoice["expenditure"]["status"]) == (amount, "unpaid")
    return invoice
