"""Outlook CSV exports (Outlook for Windows, Outlook.com, and Google's "Outlook CSV") as PersonRecords.

Columns read: Name or First/Middle/Last Name, Company, Job Title (Outlook's "Title" is Mr./Ms.),
E-mail Address, E-mail 2 Address, E-mail 3 Address, every phone column, Categories and Notes.
Outlook gives emails no home/work label and marks none as preferred, and neither do we; its
"Primary Phone" is the preferred number. Phones come in a fixed order, the ones people call first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contacts.formats.csvrows import SEVERAL, RowReader, read_csv, split_labels
from contacts.formats.detect import Sniffed
from contacts.formats.records import PersonRecord, Problem

_EMAILS = ("e-mail address", "e-mail 2 address", "e-mail 3 address")
# (column, label); "primary phone" is the one Outlook was told to call first.
_PHONES = (
    ("primary phone", ""),
    ("mobile phone", "mobile"),
    ("business phone", "work"),
    ("business phone 2", "work"),
    ("home phone", "home"),
    ("home phone 2", "home"),
    ("company main phone", "main"),
    ("other phone", "other"),
    ("assistant's phone", "assistant"),
    ("callback", "callback"),
    ("car phone", "car"),
    ("radio phone", "radio"),
    ("isdn", "ISDN"),
    ("tty/tdd phone", "TTY/TDD"),
    ("pager", "pager"),
    ("business fax", "work fax"),
    ("home fax", "home fax"),
    ("other fax", "fax"),
    ("telex", "telex"),
)
# Outlook separates categories with semicolons; Google's Outlook CSV uses " ::: ".
_CATEGORIES = re.compile(r"\s*(?:;|:::)\s*")


def read_outlook(data: bytes, sniffed: Sniffed | None = None) -> Iterator[PersonRecord | Problem]:
    return read_csv(data, sniffed, _row_reader)


def _row_reader(header: list[str]) -> RowReader:
    emails = [column for column in _EMAILS if column in header]
    phones = [(column, label) for column, label in _PHONES if column in header]

    def person(row: dict[str, str], line: int) -> PersonRecord:
        def cell(*columns: str) -> str:
            return next((row[c] for c in columns if row.get(c, "").strip()), "")

        given, middle, family = cell("first name"), cell("middle name"), cell("last name")
        return PersonRecord(
            name=cell("name", "display name", "full name") or " ".join(" ".join((given, middle, family)).split()),
            given_name=given,
            family_name=family,
            emails=[(value, "", False) for column in emails for value in SEVERAL.split(row.get(column, ""))],
            phones=[
                (value, label, column == "primary phone")
                for column, label in phones
                for value in SEVERAL.split(row.get(column, ""))
            ],
            company=cell("company"),
            title=cell("job title"),
            labels=split_labels(cell("categories"), _CATEGORIES),
            note=cell("notes"),
            line=line,
        )

    return person
