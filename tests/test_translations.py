"""The zh-Hans catalogue (locale/zh_Hans/LC_MESSAGES/django.po and its compiled django.mo), in
which Houqin's users read every message: each message the code marks for translation is in it,
translated (never empty, never fuzzy) with the placeholders of its English, and the compiled
catalogue Django loads says the same as the .po. `make messages` regenerates both files."""

import ast
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from tests.test_standards import PYTHON_FORMAT

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = Path("locale", "zh_Hans", "LC_MESSAGES", "django.po")
BRACE_FORMAT = re.compile(r"\{[^{}]*\}")
_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$")


@dataclass
class Entry:
    """One message of a .po file, as gettext's tools read it."""

    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


@dataclass
class Catalogue:
    entries: list[Entry]
    obsolete_lines: list[int]


def read_catalogue(path: Path) -> Catalogue:
    """The messages of a .po file (the header excluded) and the lines of its obsolete ones."""
    entries: list[Entry] = []
    obsolete: list[int] = []
    entry: Entry | None = None
    field_name = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            entry = None
            continue
        if line.startswith("#~"):
            obsolete.append(number)
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(entry, field_name, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {line!r}"
            field_name = match[1]
            _append(entry, field_name, ast.literal_eval(match[2]), first=True)
    return Catalogue([e for e in entries if e.msgid or e.msgctxt], obsolete)


def _append(entry: Entry, name: str, text: str, *, first: bool = False) -> None:
    if name.startswith("msgstr"):
        index = int(name[7:-1]) if name != "msgstr" else 0
        entry.msgstr[index] = ("" if first else entry.msgstr[index]) + text
    else:
        setattr(entry, name, ("" if first else getattr(entry, name)) + text)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return read_catalogue(ROOT / CATALOGUE)


def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete(catalogue: Catalogue) -> None:
    untranslated = [e.msgid for e in catalogue.entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in catalogue.entries if "fuzzy" in e.flags]
    assert catalogue.entries
    assert untranslated == []
    assert fuzzy == []
    assert catalogue.obsolete_lines == []


def _placeholders(pattern: re.Pattern[str], text: str) -> Counter[str]:
    return Counter(m[0] for m in pattern.finditer(text) if m[0] != "%%")


def test_translations_keep_the_placeholders_of_their_english(catalogue: Catalogue) -> None:
    """What the code fills in (%(name)s, %s, {name}) must be in the translation, each as often,
    or the message would fail to format, or lose what it names."""
    changed = {}
    for entry in catalogue.entries:
        for flag, pattern in (
            ("python-format", PYTHON_FORMAT),
            ("python-brace-format", BRACE_FORMAT),
        ):
            if flag not in entry.flags:
                continue
            wanted = _placeholders(pattern, entry.msgid)
            for text in entry.msgstr.values():
                given = _placeholders(pattern, text)
                if given != wanted:
                    changed[entry.msgid] = (sorted(wanted), sorted(given))
    assert changed == {}


def test_the_compiled_catalogue_says_what_the_catalogue_says(catalogue: Catalogue) -> None:
    """Django reads the .mo: each message, asked for in zh-Hans, is the .po's translation (a .mo
    not compiled after the last change would answer in English, or with an older text)."""
    stale = {}
    with translation.override("zh-hans"):
        for entry in catalogue.entries:
            if entry.msgid_plural is not None:
                said = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
            elif entry.msgctxt is not None:
                said = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                said = translation.gettext(entry.msgid)
            if said != entry.msgstr[0]:
                stale[entry.msgid] = said
    assert stale == {}


def test_every_message_of_the_code_is_in_the_catalogue(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make messages` run on a copy of the sources changes no message of the catalogue: none
    is missing (new in the code) and none is left over (gone from the code)."""
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's tools (xgettext, msgmerge) are not installed")
    copy = tmp_path / "houqin"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    extracted = {e.key: e.msgid for e in read_catalogue(copy / CATALOGUE).entries}
    kept = {e.key: e.msgid for e in catalogue.entries}
    missing = sorted(extracted[key] for key in extracted.keys() - kept.keys())
    left_over = sorted(kept[key] for key in kept.keys() - extracted.keys())
    assert (missing, left_over) == ([], [])
