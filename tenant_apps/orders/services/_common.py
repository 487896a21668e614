"""What the writes about a school's orders share: the checks of a request's
lines and the order locked with its lines."""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from houqin.exceptions import Conflict, InvalidInput
from tenant_apps.orders.models import Order, OrderLine

ZERO = Decimal(0)
MAX_LINES = 200


class LineProblems:
    """Problems of the lines of a request, by line, in the shape the API gives for nested
    input: `fields["lines"]` lists one entry per line, empty for a line without problems."""

    def __init__(self, count: int) -> None:
        self.by_line: list[dict[str, list[str]]] = [{} for _line in range(count)]
        self.first: str | None = None

    def add(self, index: int, field: str, message: str) -> None:
        text = _("Line %(number)d: %(problem)s") % {"number": index + 1, "problem": message}
        self.by_line[index].setdefault(field, []).append(text)
        self.first = self.first or text

    def raise_if_any(self, error: type[InvalidInput | Conflict], code: str) -> None:
        if self.first is not None:
            raise error(self.first, code=code, fields={"lines": self.by_line})


def lines_given(lines: Sequence[Any]) -> None:
    if not lines:
        raise InvalidInput(_("List at least one line."), fields={"lines": [_("Empty.")]})
    if len(lines) > MAX_LINES:
        message = _("At most %(max)d lines at once.") % {"max": MAX_LINES}
        raise InvalidInput(message, fields={"lines": [message]})


def locked_order(order: Order, *allowed: str) -> Order:
    locked = Order.objects.select_for_update().select_related("supplier").get(pk=order.pk)
    if locked.status not in allowed:
        raise Conflict(
            _("The order is %(status)s.") % {"status": locked.get_status_display()},
            code=f"order_{locked.status}",
        )
    return locked


def locked_lines(order: Order) -> dict[int, OrderLine]:
    return {
        line.pk: line
        for line in OrderLine.objects.select_for_update().filter(order=order).order_by("pk")
    }
