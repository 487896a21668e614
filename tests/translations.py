"""What a rendered page asked the zh-Hans catalogue for and did not find."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import translation
from django.utils.translation import trans_real

# Words that read the same in Chinese text.
SAME_IN_CHINESE = frozenset({"Excel", "PDF", "CSV", "ID", "English"})


@contextmanager
def untranslated() -> Iterator[set[str]]:
    """The msgids looked up in zh-Hans within the block that have no translation."""
    missing: set[str] = set()
    original_gettext = trans_real.gettext
    original_ngettext = trans_real.ngettext
    original_pgettext = trans_real.pgettext

    def _note(message: str, result: str) -> None:
        if (
            translation.get_language() == "zh-hans"
            and result == message
            and any("a" <= c.lower() <= "z" for c in message)
            and message not in SAME_IN_CHINESE
        ):
            missing.add(message)

    def gettext(message: str) -> str:
        result = original_gettext(message)
        _note(message, result)
        return result

    def ngettext(singular: str, plural: str, number: int) -> str:
        result = original_ngettext(singular, plural, number)
        _note(singular if number == 1 else plural, result)
        return result

    def pgettext(context: str, message: str) -> str:
        result = original_pgettext(context, message)
        _note(message, result)
        return result

    # django.utils.translation looks these up once and keeps them on its `_trans`.
    trans: Any = translation._trans  # type: ignore[attr-defined]
    patches: list[Any] = [
        mock.patch.object(trans, "gettext", gettext),
        mock.patch.object(trans, "ngettext", ngettext),
        mock.patch.object(trans, "pgettext", pgettext),
    ]
    for patch in patches:
        patch.start()
    try:
        yield missing
    finally:
        for patch in reversed(patches):
            patch.stop()
