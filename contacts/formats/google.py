"""Google Contacts CSV exports, the current one and the older one, as PersonRecords.

Current export: First Name, Middle Name, Last Name, ..., Organization Name, Organization Title,
Notes, Labels, E-mail 1 - Label, E-mail 1 - Value, Phone 1 - Label, Phone 1 - Value, ...
Older export: Name, Given Name, Additional Name, Family Name, ..., Notes, Group Membership,
E-mail 1 - Type, E-mail 1 - Value, ..., Organization 1 - Name, Organization 1 - Title.

Google joins several values of one field with " ::: " in one cell, and marks the primary one
with a star on its label ("* Work", or "* " alone in the older export): a starred cell's first
value is the preferred one. Addresses, birthdays, websites and other columns are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contacts.formats.csvrows import SEVERAL, RowReader, read_csv, split_labels
from contacts.formats.detect import Sniffed
from contacts.formats.records import PersonRecord, Problem

_NUMBERED = re.compile(r"(e-?mail|phone) (\d+) - (label|type|value)")


def read_google(data: bytes, sniffed: Sniffed | None = None) -> Iterator[PersonRecord | Problem]:
    return read_csv(data, sniffed, _row_reader)


def _numbered_columns(header: list[str], kind: str) -> list[tuple[str, str]]:
    """(label column, value column) for "E-mail 1", "E-mail 2", ... in number order."""
    slots: dict[int, dict[str, str]] = {}
    for column in header:
        if (match := _NUMBERED.fullmatch(column)) and match.group(1).replace("-", "") == kind:
            part = "value" if match.group(3) == "value" else "label"
            slots.setdefault(int(match.group(2)), {})[part] = column
    return [(slot.get("label", ""), slot["value"]) for _, slot in sorted(slots.items()) if "value" in slot]


def _entries(row: dict[str, str], columns: list[tuple[str, str]]) -> list[tuple[str, str, bool]]:
    entries = []
    for label_column, value_column in columns:
        labels = SEVERAL.split(row.get(label_column, ""))
        for i, value in enumerate(SEVERAL.split(row.get(value_column, ""))):
            label = labels[min(i, len(labels) - 1)].strip()
            # Only the value the star stood next to is the preferred one.
            starred = i < len(labels) and label.startswith("*")
            entries.append((value, label.lstrip("*"), starred))
    return entries


def _row_reader(header: list[str]) -> RowReader:
    emails, phones = _numbered_columns(header, "email"), _numbered_columns(header, "phone")

    def person(row: dict[str, str], line: int) -> PersonRecord:
        def cell(*columns: str) -> str:
            return next((row[c] for c in columns if row.get(c, "").strip()), "")

        given, family = cell("first name", "given name"), cell("last name", "family name")
        middle = cell("middle name", "additional name")
        return PersonRecord(
            name=cell("name") or " ".join(" ".join((given, middle, family)).split()) or cell("file as", "nickname"),
            given_name=given,
            family_name=family,
            emails=_entries(row, emails),
            phones=_entries(row, phones),
            company=cell("organization name", "organization 1 - name"),
            title=cell("organization title", "organization 1 - title"),
            labels=split_labels(cell("labels", "group membership")),
            note=cell("notes"),
            line=line,
        )

    return person
