"""Signals for auditors: patterns in tenders, bids, committees and orders that deserve a look
(a single bid, bids clustered under the ceiling, bidders sharing contacts, orders outside
contracts, prices above the market reference, ...). Each rule is a function registered here that
yields `Signal`s computed from the current rows; the auditors' endpoint lists them all."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Signal:
    rule: str  # the registered rule's code, e.g. "single_bid"
    subject: str  # what it is about, e.g. "tender", "order_line", "supplier"
    subject_id: int
    school_id: int | None  # the school concerned, when one is
    message: str | Promise
    detail: dict[str, Any] = field(default_factory=dict)


Rule = Callable[[], Iterable[Signal]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    """Register a signal rule under `code`."""

    def register(function: Rule) -> Rule:
        assert code not in RULES, f"signal rule {code} registered twice"
        RULES[code] = function
        return function

    return register


def signals(codes: Iterable[str] | None = None) -> Iterator[Signal]:
    """Every signal of the registered rules (or of `codes` only)."""
    for code in codes if codes is not None else sorted(RULES):
        yield from RULES[code]()
