"""Unified social credit codes (统一社会信用代码, GB 32100-2015), as suppliers register with."""

import re

from django.utils.translation import gettext as _

from houqin.exceptions import InvalidInput

# 统一社会信用代码 (GB 32100-2015): 17 characters and a check character, drawn from the digits and
# the capital letters without I, O, Z, S and V. Characters 3 to 8 are the administrative
# division code (digits).
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_CODE = re.compile(
    rf"^[{CREDIT_CODE_CHARACTERS}]{{2}}[0-9]{{6}}[{CREDIT_CODE_CHARACTERS}]{{10}}$"
)


def credit_code_check_character(first_17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 are `first_17`."""
    total = sum(
        CREDIT_CODE_CHARACTERS.index(c) * w
        for c, w in zip(first_17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def credit_code_cleaned(value: str) -> str:
    """The code as stored (trimmed, capitals), or InvalidInput saying what is wrong with it."""
    code = (value or "").strip().upper()
    if not _CREDIT_CODE.match(code):
        message = _(
            "A unified social credit code is 18 digits and capital letters (no I, O, S, V or Z), "
            "the 3rd to 8th being digits."
        )
        raise InvalidInput(message, code="invalid_credit_code", fields={"credit_code": [message]})
    if credit_code_check_character(code[:17]) != code[17]:
        message = _("The last character of this unified social credit code does not check.")
        raise InvalidInput(message, code="invalid_credit_code", fields={"credit_code": [message]})
    return code
