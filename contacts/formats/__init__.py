"""The contact files people bring, read into one neutral record, and that record written as vCard.

    from contacts.formats import FormatError, read_people

    try:
        fmt, items = read_people(data)  # detected from the bytes: Google, Outlook or vCard
    except FormatError as error:  # not text, empty, or no format we know: nothing was read
        report(error.problems)
    for item in items:  # streamed, in file order: a PersonRecord or a Problem (line, message)
        ...

Readers report every problem and go on where they can; the caller decides what a problem
means (the importer, all-or-nothing, refuses the file; CardDAV sync can skip one card).
Our own CSV is detected (Format.OURS) but read by contacts.importing, which also knows
stages and assignees; read_people refuses it rather than read it in part.
"""

from collections.abc import Callable, Iterator

from contacts.formats.detect import Format, Sniffed, detect_format, sniff
from contacts.formats.google import read_google
from contacts.formats.outlook import read_outlook
from contacts.formats.records import Entry, FormatError, PersonRecord, Problem
from contacts.formats.vcard import format_card, read_vcard, write_vcard

Reader = Callable[[bytes, Sniffed | None], Iterator[PersonRecord | Problem]]

READERS: dict[Format, Reader] = {
    Format.GOOGLE: read_google,
    Format.GOOGLE_LEGACY: read_google,
    Format.OUTLOOK: read_outlook,
    Format.VCARD: read_vcard,
}


def read_people(data: bytes) -> tuple[Format, Iterator[PersonRecord | Problem]]:
    """The file's format and its records and problems; raises FormatError when it cannot be read."""
    sniffed = sniff(data)
    if sniffed.format not in READERS:
        raise ValueError(f"{sniffed.format.label} is read by contacts.importing, not by contacts.formats")
    return sniffed.format, READERS[sniffed.format](data, sniffed)


__all__ = [
    "Entry",
    "Format",
    "FormatError",
    "PersonRecord",
    "Problem",
    "READERS",
    "detect_format",
    "format_card",
    "read_people",
    "write_vcard",
]
