"""The neutral record that every contact format is read into and written from.

The readers (Google and Outlook CSV, vCard) turn a file into `PersonRecord`s and `Problem`s;
the importer, the export and CardDAV sync work with records, never with a format's columns.
A record cleans its own text when it is made, so every reader and the writer see the same
values whichever file they came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from contacts.text import multi_line, single_line


class Entry(NamedTuple):
    """One email address or phone number, its label ("work", "mobile", or the file's own word)
    and whether the file marked it as the preferred one."""

    value: str
    label: str = ""
    preferred: bool = False


@dataclass(frozen=True)
class Problem:
    """Why part of a file could not be read, and the line it is on (first line = 1)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class FormatError(Exception):
    """The file cannot be read at all (not text, empty, or no format we know); nothing was read."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# C0 controls but tab, line feed and carriage return; DEL; C1 controls.


# The words the formats use for the same kind of address, in one vocabulary.
# A label not listed here is the file's own word ("Father", "Google Voice") and is kept as it is.
_LABELS = {
    "mobile": "mobile",
    "cell": "mobile",
    "cellular": "mobile",
    "iphone": "mobile",
    "work": "work",
    "business": "work",
    "office": "work",
    "home": "home",
    "personal": "home",
    "main": "main",
    "other": "other",
    "fax": "fax",
    "other fax": "fax",
    "work fax": "work fax",
    "workfax": "work fax",
    "business fax": "work fax",
    "home fax": "home fax",
    "homefax": "home fax",
    "pager": "pager",
    # vCard's and Google's words that say nothing about whose address it is.
    "internet": "",
    "voice": "",
    "pref": "",
    "x400": "",
}
# Apple writes its standard labels as `_$!<Other>!$_`.
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")


def canonical_label(text: str) -> str:
    text = single_line(text)
    if apple := _APPLE_LABEL.fullmatch(text):
        text = apple.group(1)
    return _LABELS.get(text.casefold(), text)


def _same_email(value: str) -> str:
    return value.casefold()


def _same_phone(value: str) -> str:
    # "+91 80139 11111" and "+918013911111" in one card are one number written twice.
    return re.sub(r"[\s().\-/]", "", value).casefold()


def _entries(items, same) -> tuple[Entry, ...]:
    """Clean entries, without blanks, each value once (the first label; preferred if any copy was)."""
    kept: dict[str, Entry] = {}
    for item in items:
        entry = Entry(*item)
        value = single_line(entry.value)
        if not value:
            continue
        key = same(value)
        if key in kept:
            kept[key] = kept[key]._replace(preferred=kept[key].preferred or bool(entry.preferred))
        else:
            kept[key] = Entry(value, canonical_label(entry.label), bool(entry.preferred))
    return tuple(kept.values())


@dataclass(frozen=True)
class PersonRecord:
    """One person as a file describes them.

    `name` is the display name; when the file gives none, it is made from the given and family
    names, and it stays empty only when the file names the person nowhere (the importer decides
    what that means). `line` is the line the row or card starts on and `card` the card's number
    in a vCard file: they locate the record for messages and take no part in equality.
    """

    name: str = ""
    given_name: str = ""
    family_name: str = ""
    emails: tuple[Entry, ...] = ()
    phones: tuple[Entry, ...] = ()
    company: str = ""
    title: str = ""
    labels: tuple[str, ...] = ()
    note: str = ""
    uid: str = ""
    line: int = field(default=0, compare=False)
    card: int | None = field(default=None, compare=False)

    def __post_init__(self):
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("given_name", "family_name", "company", "title", "uid"):
            put(name, single_line(getattr(self, name)))
        put("name", single_line(self.name) or " ".join(part for part in (self.given_name, self.family_name) if part))
        put("note", multi_line(self.note))
        put("emails", _entries(self.emails, _same_email))
        put("phones", _entries(self.phones, _same_phone))
        labels = {}
        for label in map(single_line, self.labels):
            if label:
                labels.setdefault(label.casefold(), label)
        put("labels", tuple(labels.values()))
