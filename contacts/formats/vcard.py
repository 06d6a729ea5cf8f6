"""vCard files (2.1, 3.0 and 4.0, many cards in one file) as PersonRecords, and records as vCard 4.0.

Reading: the file is cut into cards at BEGIN:VCARD / END:VCARD, folded lines are joined, each
property goes through vobject's content-line parser (name, `item1.` group, parameters with
their quoting, value) and 2.1's quoted-printable is decoded with its CHARSET. vobject's
ContentLine objects are not built (they cost ten times the parsing), and values are unescaped
here, not by vobject, whose text decoding keeps only the part before an unescaped comma:
2.1 cards never escape commas ("NOTE:Tuesdays, Thursdays").

A card that cannot be read (a line that is not NAME:value, quoted-printable that is not its
CHARSET, a card cut off before END:VCARD) is a Problem with its card number and line, and the
other cards are still read: the file does not fail here. The importer, which is all-or-nothing,
refuses a file with any problem; CardDAV sync can skip the one card and report it.

Read: FN (else N, else NICKNAME), N's given and family names, the first ORG (without its
units), TITLE, every EMAIL and TEL with its label (an `item1.X-ABLabel` wins over TYPE) and
preference (TYPE=pref in 2.1/3.0, PREF=1 in 4.0), CATEGORIES, NOTE and UID.
"""

from __future__ import annotations

import quopri
import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple
from urllib.parse import unquote

from vobject.base import ParseError, parseLine

from contacts.formats.detect import NotText, Sniffed, layout, text_lines
from contacts.formats.records import PersonRecord, Problem
from contacts.text import single_line

# TYPE values that say how an address is used, not whose it is.
_NOT_LABELS = {"pref", "voice", "internet", "x400", "msg", "text"}


def read_vcard(data: bytes, sniffed: Sniffed | None = None) -> Iterator[PersonRecord | Problem]:
    sniffed = sniffed or layout(data)
    try:
        for card in _cards(text_lines(data, sniffed.encoding, sniffed.start)):
            yield card if isinstance(card, Problem) else _read_card(*card)
    except NotText as error:
        yield error.problem


def _cards(lines: Iterable[str]) -> Iterator[tuple[int, int, list[str]] | Problem]:
    """(card number, line it starts on, its lines), or a Problem for a card that never ends.

    A BEGIN:VCARD inside a card means the card before it was cut off; 2.1's nested AGENT
    cards, which would also look like that, are long out of use.
    """
    number, card, stray = 0, None, None
    for line_number, line in enumerate(lines, start=1):
        # A folded line (" END:VCARD" in the middle of a long note) is never a card's edge.
        word = "" if line[:1] in (" ", "\t") or len(line) > 40 else line.strip().upper()
        if word == "BEGIN:VCARD":
            if card:
                yield Problem(
                    card[1],
                    f"card {card[0]} has no END:VCARD before the next card (line {line_number}); it was not read",
                )
            number += 1
            card = (number, line_number, [line])
        elif card:
            card[2].append(line)
            if word == "END:VCARD":
                yield card
                card = None
        elif stray is None and single_line(line):
            stray = line_number
            yield Problem(line_number, "this text is outside any card (BEGIN:VCARD ... END:VCARD) and was not read")
        if card:
            stray = None
    if card:
        yield Problem(card[1], f"card {card[0]} has no END:VCARD: the file may be cut off; the card was not read")


class _Property(NamedTuple):
    name: str
    group: str
    params: dict[str, list[str]]
    singletons: list[str]  # 2.1's bare parameters: TEL;CELL;PREF
    value: str


class _Unreadable(Exception):
    """Why one property of a card cannot be read."""


def _read_card(number: int, start: int, lines: list[str]) -> PersonRecord | Problem:
    properties = []
    for text, line in _logical_lines(lines, start):
        try:
            properties.append(_property(text))
        except _Unreadable as error:
            return Problem(line, f"card {number}: line {line} cannot be read ({error}); the card was not read")
    return _record(properties, number, start)


def _property(text: str) -> _Property:
    try:
        name, raw_params, value, group = parseLine(text)
    except ParseError:
        raise _Unreadable("it is not NAME:value") from None
    params: dict[str, list[str]] = {}
    singletons = []
    for param in raw_params:
        if len(param) == 1:
            singletons.append(param[0])
        else:
            params.setdefault(param[0].upper(), []).extend(param[1:])
    encodings = {v.upper() for v in params.get("ENCODING", []) + singletons}
    if "QUOTED-PRINTABLE" in encodings:
        charset = next(iter(params.get("CHARSET", [])), "UTF-8")
        try:
            value = quopri.decodestring(value.encode("utf-8")).decode(charset)
        except LookupError:
            raise _Unreadable(f"its character set {charset} is not one we know") from None
        except UnicodeDecodeError:
            raise _Unreadable(f"its quoted-printable text is not {charset}") from None
    return _Property(name.upper(), group or "", params, singletons, value)


def _logical_lines(lines: list[str], start: int) -> Iterator[tuple[str, int]]:
    """A card's properties with folded lines joined, and the file line each starts on.

    (vobject's own joiner counts CR LF files' lines twice.) A line starting with a space or
    tab continues the previous one; in 2.1, a quoted-printable value ending in "=" continues
    on the next line, kept with its line break for the quoted-printable decoder to remove.
    """
    quoted_printable = any(line.strip().upper() == "VERSION:2.1" for line in lines)
    text, at, soft_break = None, start, False
    for offset, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if soft_break:
            text += "\n" + line
        elif text is not None and line[:1] in (" ", "\t"):
            text += line[1:]
        else:
            if text and text.strip():
                yield text, at
            text, at = line, start + offset
        soft_break = quoted_printable and text.endswith("=") and "quoted-printable" in text.split(":", 1)[0].casefold()
    if text and text.strip():
        yield text, at


def _record(properties, number: int, start: int) -> PersonRecord:
    by_name: dict[str, list] = {}
    for prop in properties:
        by_name.setdefault(prop.name, []).append(prop)
    group_labels = {prop.group.casefold(): _unescape(prop.value) for prop in by_name.get("X-ABLABEL", []) if prop.group}

    def first(name: str) -> str:
        return next((value for prop in by_name.get(name, []) if (value := _unescape(prop.value).strip())), "")

    def label(prop, from_types) -> str:
        grouped = group_labels.get(prop.group.casefold(), "").strip()
        return grouped or from_types(_types(prop))

    # N's parts are separated by ";" and each part's several values by ",".
    n = _split(next((p.value for p in by_name.get("N", [])), ""), ";", unescape=False) + [""] * 5
    family, given, additional = (" ".join(_split(part, ",")) for part in n[:3])
    org = next((_split(p.value, ";")[0] for p in by_name.get("ORG", []) if p.value.strip()), "")
    return PersonRecord(
        name=first("FN") or " ".join(" ".join((given, additional, family)).split()) or first("NICKNAME"),
        given_name=given,
        family_name=family,
        emails=[(_email(p.value), label(p, _email_label), _preferred(p)) for p in by_name.get("EMAIL", [])],
        phones=[(_tel(p), label(p, _phone_label), _preferred(p)) for p in by_name.get("TEL", [])],
        company=org,
        title=first("TITLE"),
        labels=[label for p in by_name.get("CATEGORIES", []) for label in _split(p.value, ",")],
        note="\n".join(value for p in by_name.get("NOTE", []) if (value := _unescape(p.value).strip())),
        uid=first("UID"),
        line=start,
        card=number,
    )


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_UNESCAPE = {"n": "\n", "N": "\n", "\\": "\\", ",": ",", ";": ";"}


def _unescape(value: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), value)


def _split(value: str, separator: str, *, unescape: bool = True) -> list[str]:
    """`value` cut at each unescaped `separator`, each part unescaped unless told not to."""
    parts, current, i = [], [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            current.append(value[i : i + 2])
            i += 2
            continue
        if value[i] == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(value[i])
        i += 1
    parts.append("".join(current))
    return [_unescape(part) for part in parts] if unescape else parts


def _types(prop) -> list[str]:
    # 2.1 writes bare parameters (TEL;CELL;PREF), 3.0 repeats TYPE, 4.0 may quote a list.
    values = [v for raw in prop.params.get("TYPE", []) for v in raw.split(",")] + prop.singletons
    return [v.strip().casefold().removeprefix("x-") for v in values if v.strip()]


def _preferred(prop) -> bool:
    return "pref" in _types(prop) or any(value.strip() == "1" for value in prop.params.get("PREF", []))


def _phone_label(types: list[str]) -> str:
    kinds = [t for t in types if t not in _NOT_LABELS]
    if {"cell", "mobile", "iphone"} & set(kinds):
        return "mobile"
    if "fax" in kinds:
        return "work fax" if "work" in kinds else "home fax" if "home" in kinds else "fax"
    for word in ("pager", "main", "work", "home", "other"):
        if word in kinds:
            return word
    return kinds[0] if kinds else ""


def _email_label(types: list[str]) -> str:
    kinds = [t for t in types if t not in _NOT_LABELS]
    return next((word for word in ("work", "home", "other") if word in kinds), kinds[0] if kinds else "")


def _email(value: str) -> str:
    value = _unescape(value).strip()
    return value[len("mailto:") :] if value[:7].casefold() == "mailto:" else value


def _tel(prop) -> str:
    value = prop.value.strip()
    as_text = any(v.casefold() == "text" for v in prop.params.get("VALUE", []))
    if as_text or value[:4].casefold() != "tel:":
        return _unescape(value)
    number, *parameters = value[4:].split(";")
    extension = next((p.split("=", 1)[1] for p in parameters if p.casefold().startswith("ext=")), "")
    return f"{unquote(number)} ext. {extension}" if extension else unquote(number)


# ------------------------------------------------------------------------------------------
# Writing vCard 4.0 (RFC 6350)

_EMAIL_TYPES = {"work": "work", "home": "home"}
_PHONE_TYPES = {
    "mobile": "cell",
    "work": "work",
    "home": "home",
    "fax": "fax",
    "work fax": "work,fax",
    "home fax": "home,fax",
    "pager": "pager",
}
# A number a tel: URI can carry as it is (RFC 3966 global number: no spaces), and its extension.
_GLOBAL_NUMBER = re.compile(r"(\+[\d\-.()]*\d[\d\-.()]*)(?: ext\. (\d+))?")
_LINE_OCTETS = 75


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def _fold(line: str) -> str:
    """`line` in pieces of at most 75 octets, each continuation starting with a space,
    never splitting a UTF-8 character."""
    pieces, size = [], 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > _LINE_OCTETS:
            pieces.append("\r\n ")
            size = 1
        pieces.append(char)
        size += octets
    return "".join(pieces)


def format_card(record: PersonRecord) -> str:
    """One record as a vCard 4.0 card, CRLF line endings, folded at 75 octets.

    A label with a vCard TYPE is written as TYPE (mobile → cell, work fax → work,fax); any
    other label ("other", "main", "Father") as an item group with X-ABLabel, as Apple's and
    Google's own vCard exports write their custom labels.
    """
    lines = ["BEGIN:VCARD", "VERSION:4.0"]
    if record.uid:
        lines.append(f"UID:{_escape(record.uid)}")
    lines.append(f"FN:{_escape(record.name)}")
    if record.given_name or record.family_name:
        lines.append(f"N:{_escape(record.family_name)};{_escape(record.given_name)};;;")
    if record.company:
        lines.append(f"ORG:{_escape(record.company)}")
    if record.title:
        lines.append(f"TITLE:{_escape(record.title)}")
    groups = 0

    def entry_lines(name: str, entry, types: dict[str, str], value: str, value_type: str = "") -> list[str]:
        nonlocal groups
        params = value_type + (f";TYPE={types[entry.label]}" if entry.label in types else "")
        params += ";PREF=1" if entry.preferred else ""
        if not entry.label or entry.label in types:
            return [f"{name}{params}:{value}"]
        groups += 1
        return [f"item{groups}.{name}{params}:{value}", f"item{groups}.X-ABLabel:{_escape(entry.label)}"]

    for entry in record.emails:
        lines += entry_lines("EMAIL", entry, _EMAIL_TYPES, _escape(entry.value))
    for entry in record.phones:
        if number := _GLOBAL_NUMBER.fullmatch(entry.value):
            uri = f"tel:{number.group(1)}" + (f";ext={number.group(2)}" if number.group(2) else "")
            lines += entry_lines("TEL", entry, _PHONE_TYPES, uri, ";VALUE=uri")
        else:
            lines += entry_lines("TEL", entry, _PHONE_TYPES, _escape(entry.value), ";VALUE=text")
    if record.labels:
        lines.append("CATEGORIES:" + ",".join(_escape(label) for label in record.labels))
    if record.note:
        lines.append(f"NOTE:{_escape(record.note)}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)


def write_vcard(records: Iterable[PersonRecord]) -> str:
    """Records as one vCard 4.0 file; `format_card` gives one card at a time for streaming."""
    return "".join(format_card(record) for record in records)
