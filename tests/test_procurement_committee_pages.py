"""The evaluation committee's pages and the auditors' procurement pages, through Django's test
client: a member declares and presents their share after the deadline (a wrong passphrase is
refused with the reason and saves nothing; with k−1 shares the page says one more is needed and
nothing about a price is anywhere), scores the opened bids side by side with the price score the
service computes, and signs (refused while scores are missing; final after); the auditors read
every rule's cases linked to the tender, the tender (sealed before the opening, its bids and
reserve prices after, each read logged), and the district's spend with its charts and workbook.
The pages cost the same number of queries whatever their rows."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from houqin.roles import Role
from shared_apps.audit.models import SecurityEvent
from shared_apps.procurement.models import CommitteeSeat, Score, Tender, TenderEvent
from shared_apps.procurement.signals import RULES
from tenants.models import School
from tests.factories import user_with_role
from tests.matrix.supply import make_spend_line
from tests.matrix.supply import make_supplier as make_plain_supplier
from tests.matrix.tenders import (
    PASSPHRASE,
    bid_on,
    close,
    make_supplier,
    opened_tender,
    present,
    published_tender,
    seats,
)
from tests.web import queries, signed_in

pytestmark = pytest.mark.django_db
R = Role


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _tender(prices: tuple[str, ...] = ("9.00", "10.00"), threshold: int = 2) -> Tender:
    """A tender past its deadline with a bid per price on its first lot (one price per line)."""
    tender = published_tender(threshold=threshold)
    lot = tender.lots.order_by("number").first()
    assert lot is not None
    for price in prices:
        bid_on(lot, Decimal(price), supplier=make_supplier())
    close(tender)
    return tender


def _member(district_host: str, seat: CommitteeSeat) -> Client:
    return signed_in(district_host, seat.evaluator.user)


def _declare(client: Client, seat: CommitteeSeat, conflict: str = "no", note: str = "") -> Any:
    return client.post(f"/evaluation/{seat.pk}/declare/", {"conflict": conflict, "note": note})


# The member's seat ------------------------------------------------------------------------------


def test_before_the_deadline_the_seat_waits_and_shows_no_price(district_host: str) -> None:
    tender = published_tender()
    seat = seats(tender)[0]
    client = _member(district_host, seat)
    listing = _text(client.get("/evaluation/"))
    assert tender.number in listing and f'href="/evaluation/{seat.pk}/"' in listing
    page = _text(client.get(f"/evaluation/{seat.pk}/"))
    assert "投标文件在截止时间" in page and "还需 2 份密钥分片才能开标" in page
    assert 'name="passphrase"' not in page and 'name="conflict"' not in page
    assert "100000.00" not in page  # not even the published ceiling: prices wait for the opening
    assert client.get(f"/evaluation/{seat.pk}/scores/").status_code == 404
    # Declaring early is refused with the reason, and saves nothing.
    early = _declare(client, seat)
    assert early.status_code == 400 and "截止时间" in _text(early)
    seat.refresh_from_db()
    assert seat.conflict is None


def test_a_wrong_passphrase_is_refused_with_the_reason_and_saves_nothing(
    district_host: str,
) -> None:
    tender = _tender()
    seat = seats(tender)[0]
    client = _member(district_host, seat)
    assert _declare(client, seat).status_code == 302
    page = _text(client.get(f"/evaluation/{seat.pk}/"))
    assert "您已声明不存在利益冲突" in page and 'name="passphrase"' in page
    wrong = client.post(f"/evaluation/{seat.pk}/present/", {"passphrase": "不是这个口令 0000"})
    assert wrong.status_code == 400
    assert "口令" in _text(wrong) and "不是这个口令" not in _text(wrong)
    seat.refresh_from_db()
    assert seat.presented_at is None
    assert not TenderEvent.objects.filter(kind=TenderEvent.Kind.SHARE_PRESENTED).exists()


def test_k_minus_one_shares_open_nothing_and_the_kth_opens(district_host: str) -> None:
    tender = _tender(threshold=3)
    first, second, third = seats(tender)
    for seat in (first, second):
        client = _member(district_host, seat)
        assert _declare(client, seat).status_code == 302
        sent = client.post(f"/evaluation/{seat.pk}/present/", {"passphrase": PASSPHRASE})
        assert sent.status_code == 302
    waiting = _text(_member(district_host, first).get(f"/evaluation/{first.pk}/"))
    assert "还需 1 份密钥分片才能开标" in waiting and "9.00" not in waiting
    assert _member(district_host, first).get(f"/evaluation/{first.pk}/scores/").status_code == 404
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CLOSED and tender.opened_at is None
    client = _member(district_host, third)
    _declare(client, third)
    assert (
        client.post(f"/evaluation/{third.pk}/present/", {"passphrase": PASSPHRASE}).status_code
        == 302
    )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    assert f'href="/evaluation/{third.pk}/scores/"' in _text(client.get(f"/evaluation/{third.pk}/"))


def test_another_members_seat_is_not_found(district_host: str) -> None:
    tender = _tender()
    mine, theirs = seats(tender)[:2]
    client = _member(district_host, mine)
    assert client.get(f"/evaluation/{theirs.pk}/").status_code == 404
    assert _declare(client, theirs).status_code == 404
    theirs.refresh_from_db()
    assert theirs.conflict is None
    # The buying office, which may act on any seat through the API, sits in none here.
    officer = signed_in(district_host, user_with_role(R.PROCUREMENT_OFFICER))
    assert officer.get(f"/evaluation/{mine.pk}/").status_code == 404


def test_the_home_counts_the_seats_waiting_for_the_member(district_host: str) -> None:
    tender = _tender()
    seat = seats(tender)[0]
    client = _member(district_host, seat)
    home = _text(client.get("/"))
    assert re.search(r'<span class="count">1</span> ?待您处理的评标', home), home[-3000:]
    _declare(client, seat)
    client.post(f"/evaluation/{seat.pk}/present/", {"passphrase": PASSPHRASE})
    assert re.search(r'<span class="count">0</span> ?待您处理的评标', _text(client.get("/")))
    # The buying office sits on no committee: no such panel.
    officer = signed_in(district_host, user_with_role(R.PROCUREMENT_OFFICER))
    assert "待您处理的评标" not in _text(officer.get("/"))


# Scores ---------------------------------------------------------------------------------------


def _opened(district_host: str) -> tuple[Tender, CommitteeSeat, Client]:
    tender = _tender()
    for seat in seats(tender)[1:]:
        present(seat)
    tender.refresh_from_db()
    seat = seats(tender)[0]
    client = _member(district_host, seat)
    assert _declare(client, seat).status_code == 302
    return tender, seat, client


def _fields(page: str) -> list[str]:
    return re.findall(r'name="(score-\d+-\d+)"', page)


def test_the_bids_are_scored_side_by_side_with_the_price_score_computed(
    district_host: str,
) -> None:
    _tender_opened, seat, client = _opened(district_host)
    page = _text(client.get(f"/evaluation/{seat.pk}/scores/"))
    # Each valid bid a column, the lowest total first; the price score is the service's.
    assert re.findall(r"data-price-score>([\d.]+)<", page) == ["40.00", "36.00"]
    assert "质量（权重 30，0–10 分）" in page and "服务（权重 30，0–10 分）" in page
    fields = _fields(page)
    assert len(fields) == 4
    # The read of what was sealed is logged for the auditors.
    assert (
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.SEALED_ITEM_READ)
        .exists()
    )
    # Out of range: refused next to the score, nothing saved.
    bad = client.post(f"/evaluation/{seat.pk}/scores/", {fields[0]: "11"})
    assert bad.status_code == 400 and "10" in _text(bad)
    assert not Score.objects.exists()
    # Half a sheet is saved, but cannot be signed.
    half = client.post(f"/evaluation/{seat.pk}/scores/", {fields[0]: "8", fields[1]: "7.5"})
    assert half.status_code == 302
    refused = client.post(f"/evaluation/{seat.pk}/sign/", follow=True)
    assert "您尚缺 2 项评分" in _text(refused)
    seat.refresh_from_db()
    assert seat.scores_signed_at is None
    whole = dict.fromkeys(fields, "8")
    assert client.post(f"/evaluation/{seat.pk}/scores/", whole).status_code == 302
    signed = client.post(f"/evaluation/{seat.pk}/sign/", follow=True)
    assert "您的评分已签字确认" in _text(signed)
    seat.refresh_from_db()
    assert seat.scores_signed_at is not None
    assert TenderEvent.objects.filter(kind=TenderEvent.Kind.SIGNED, seat=seat).exists()
    # Signed scores are final: the sheet shows them, without inputs; a change is refused.
    after = _text(client.get(f"/evaluation/{seat.pk}/scores/"))
    assert _fields(after) == [] and "评分不可再改" in after
    again = client.post(f"/evaluation/{seat.pk}/scores/", dict.fromkeys(fields, "9"))
    assert again.status_code == 400 and "评分不可再改" in _text(again)
    assert set(Score.objects.values_list("score", flat=True)) == {Decimal("8.00")}


def test_a_member_with_a_conflict_reads_but_does_not_score(district_host: str) -> None:
    tender = _tender()
    for seat in seats(tender)[1:]:
        present(seat)
    seat = seats(tender)[0]
    client = _member(district_host, seat)
    missing = _declare(client, seat, "yes")
    assert missing.status_code == 400 and "利益冲突" in _text(missing)
    assert _declare(client, seat, "yes", "曾在该公司任职").status_code == 302
    page = _text(client.get(f"/evaluation/{seat.pk}/scores/"))
    assert _fields(page) == [] and "签字确认" not in page


# The auditors ---------------------------------------------------------------------------------


def test_the_signals_page_lists_every_rule_with_its_cases_linked(
    district_host: str, school_a: School
) -> None:
    tender = opened_tender()  # one valid bid: a single-bid lot
    make_spend_line(school_a, make_plain_supplier(), order_number="PO-急-001")
    auditor = signed_in(district_host, user_with_role(R.AUDITOR))
    page = _text(auditor.get("/procurement-review/signals/"))
    assert page.count("data-rule=") == len(RULES)
    assert "只有一家有效投标的标段" in page
    assert f'href="/procurement-review/tenders/{tender.pk}/"' in page
    assert "PO-急-001" in page and school_a.name in page and "急用" in page
    # The tender, opened: its bids and reserve prices, each read logged.
    before = (
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.SEALED_ITEM_READ)
        .count()
    )
    opened = _text(auditor.get(f"/procurement-review/tenders/{tender.pk}/"))
    assert "2000.00" in opened and "有效" in opened
    after = (
        SecurityEvent.objects.across_schools()
        .filter(kind=SecurityEvent.Kind.SEALED_ITEM_READ)
        .count()
    )
    assert after == before + 1


def test_a_tender_not_opened_tells_the_auditors_nothing_of_its_bids(district_host: str) -> None:
    tender = _tender()
    auditor = signed_in(district_host, user_with_role(R.AUDITOR))
    page = _text(auditor.get(f"/procurement-review/tenders/{tender.pk}/"))
    assert "开标前投标文件保持密封" in page
    assert "9.00" not in page and "1800.00" not in page


def test_the_spend_page_draws_its_charts_and_links_the_workbook(
    district_host: str, school_a: School, school_b: School
) -> None:
    supplier = make_plain_supplier(name="城东粮油")
    for school, amount in ((school_a, "300.00"), (school_b, "100.00")):
        make_spend_line(
            school,
            supplier,
            ordered_on=date(2025, 3, 10),
            due_on=date(2025, 3, 12),
            amount=Decimal(amount),
            reference_price=Decimal("20.00"),
        )
    auditor = signed_in(district_host, user_with_role(R.AUDITOR))
    page = _text(auditor.get("/procurement-review/spend/", {"month": "2025-03"}))
    assert "2025-03-01 至 2025-03-31 全区采购支出" in page and "400.00" in page
    # The larger school's bar is the whole width, the other's a third of it.
    assert re.findall(r'<rect x="0" y="0" width="([\d.]+)"', page)[:2] == ["100.0", "33.3"]
    assert "城东粮油" in page and "急用" in page
    link = re.search(r'href="(/api/v1/procurement/spend/summary/\?[^"]+)"', page)
    assert link is not None and "format=xlsx" in link.group(1)
    workbook = auditor.get(link.group(1).replace("&amp;", "&"))
    assert workbook.status_code == 200 and workbook["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    bad = auditor.get("/procurement-review/spend/", {"date_from": "2025-03-01"})
    assert bad.status_code == 200 and "请同时填写起止日期" in _text(bad)
    assert "format=xlsx" not in _text(bad)


# Queries --------------------------------------------------------------------------------------


def test_the_pages_cost_the_same_whatever_their_rows(
    district_host: str, school_a: School, school_b: School
) -> None:
    tender, seat, member = _opened(district_host)
    auditor = signed_in(district_host, user_with_role(R.AUDITOR))
    make_spend_line(school_a, make_plain_supplier(), ordered_on=date(2025, 3, 10))
    pages = [
        (member, "/evaluation/"),
        (member, f"/evaluation/{seat.pk}/"),
        (member, f"/evaluation/{seat.pk}/scores/"),
        (auditor, "/procurement-review/signals/"),
        (auditor, f"/procurement-review/tenders/{tender.pk}/"),
        (auditor, "/procurement-review/spend/?month=2025-03"),
    ]
    one = [queries(client, url) for client, url in pages]
    # More seats for the member, more tenders and cases for the auditors, more spend.
    for _ in range(2):
        more = _tender()
        for other in seats(more)[1:]:
            present(other)
        CommitteeSeat.objects.filter(pk=seats(more)[0].pk).update(evaluator=seat.evaluator)
    for school in (school_a, school_b, school_b):
        make_spend_line(school, make_plain_supplier(), ordered_on=date(2025, 3, 11))
    many = [queries(client, url) for client, url in pages]
    assert one == many, (one, many)
    assert one == [3, 5, 12, 16, 17, 7]
