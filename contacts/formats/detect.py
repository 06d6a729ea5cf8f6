"""Which contact format a file is in, and its text, decided from the bytes themselves.

`sniff` looks at the byte-order mark and the first line: a vCard starts with BEGIN:VCARD,
and a CSV file is told apart by its header (Google's "E-mail 1 - Label", Outlook's
"E-mail Address", our own "name"). Text is UTF-8 with or without a byte-order mark, or
UTF-16/UTF-32 with one; anything else is refused with the line and byte that cannot be read,
because guessing a Windows code page silently turns "Müller" into "MÃ¼ller".

`text_lines` then decodes the file a chunk at a time, so a reader never holds a second,
decoded copy of it.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from contacts.formats.records import FormatError, Problem
from contacts.text import single_line


class Format(StrEnum):
    OURS = "ours"
    GOOGLE = "google"
    GOOGLE_LEGACY = "google-legacy"
    OUTLOOK = "outlook"
    VCARD = "vcard"

    @property
    def label(self) -> str:
        return _FORMAT_LABELS[self]


_FORMAT_LABELS = {
    Format.OURS: "our CSV",
    Format.GOOGLE: "Google Contacts CSV",
    Format.GOOGLE_LEGACY: "Google Contacts CSV (older format)",
    Format.OUTLOOK: "Outlook CSV",
    Format.VCARD: "vCard",
}

_BOMS = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_NOT_CSV = (
    (b"PK\x03\x04", "a spreadsheet workbook (.xlsx) or another zip file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls) or another Office file"),
)
_CHUNK = 1 << 16
_LINE_END = re.compile(r"\r\n|\r|\n")
# What a line of the unknown file looks like in a message: enough to recognise it.
_SHOWN = 120


@dataclass(frozen=True)
class Sniffed:
    format: Format | None  # None: a file read as a format its caller named, not one recognised
    encoding: str
    start: int  # bytes of byte-order mark before the text
    delimiter: str = ","


class NotText(Exception):
    """Bytes that are not text in the file's encoding, at `line`."""

    def __init__(self, line: int, byte: int, encoding: str):
        super().__init__(f"line {line}: byte 0x{byte:02x}")
        self.problem = Problem(line, _not_text_message(byte, encoding))


def _not_text_message(byte: int, encoding: str) -> str:
    if encoding == "utf-8":
        return (
            f"the file is not UTF-8 text (byte 0x{byte:02x} cannot be read); "
            'export or save it again as UTF-8 (in Excel: "CSV UTF-8")'
        )
    return f"the file is not valid {encoding.upper()} text (byte 0x{byte:02x} cannot be read)"


def encoding_of(data: bytes) -> tuple[str, int]:
    """The codec for `data` and the length of its byte-order mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    # UTF-16 without a mark: every other byte of mostly-ASCII text is zero.
    sample = data[:1024]
    if len(sample) >= 8:
        half = len(sample) // 2
        even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
        if odd_zeros > 0.9 * half and even_zeros == 0:
            return "utf-16-le", 0
        if even_zeros > 0.9 * half and odd_zeros == 0:
            return "utf-16-be", 0
    return "utf-8", 0


def text_lines(data: bytes, encoding: str, start: int = 0) -> Iterator[str]:
    """The file's lines with their line endings (CR LF, LF or CR), decoded a chunk at a time.

    Raises NotText, with the line it is on, at the first byte that cannot be decoded.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)[start:]
    line, held, parts = 1, "", []  # parts: the start of a line whose end has not arrived yet
    for offset in range(0, len(view), _CHUNK):
        final, bad = offset + _CHUNK >= len(view), None
        try:
            text = held + decoder.decode(view[offset : offset + _CHUNK], final)
        except UnicodeDecodeError as error:
            # The lines before the bad byte are still the file's: give them, then stop.
            text, bad = held + error.object[: error.start].decode(encoding, errors="replace"), error.object[error.start]
        held = ""
        if not final and bad is None and text.endswith("\r"):
            text, held = text[:-1], "\r"  # perhaps the first half of a CR LF split between chunks
        done = 0
        for end in _LINE_END.finditer(text):
            parts.append(text[done : end.end()])
            yield "".join(parts)
            parts.clear()
            line += 1
            done = end.end()
        if done < len(text):
            parts.append(text[done:])
        if bad is not None:
            raise NotText(line, bad, encoding)
    if parts:
        yield "".join(parts)


def _header_format(cells: list[str]) -> Format | None:
    columns = {single_line(cell).casefold() for cell in cells}
    numbered = {re.sub(r"^(?:e-?mail|phone) \d+ - (label|type|value)$", r"\1", c) for c in columns}
    if "label" in numbered or columns & {"labels", "organization name", "file as", "phonetic first name"}:
        return Format.GOOGLE
    legacy = {"given name", "family name", "additional name", "group membership", "organization 1 - name"}
    if "type" in numbered or columns & legacy:
        return Format.GOOGLE_LEGACY
    if "value" in numbered:
        return Format.GOOGLE
    outlook = {"e-mail address", "e-mail 2 address", "business phone", "mobile phone", "home phone", "job title"}
    if columns & outlook:
        return Format.OUTLOOK
    if "name" in columns:
        return Format.OURS
    return None


def _csv_format(line: str) -> tuple[Format, str] | None:
    found = None
    # Spreadsheets in many European languages save "CSV" with semicolons.
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([line], delimiter=delimiter), [])
        fmt = _header_format(cells)
        if fmt not in (None, Format.OURS):
            return fmt, delimiter
        found = found or (fmt and (fmt, delimiter))
    return found


def sniff(data: bytes) -> Sniffed:
    """The format, encoding and CSV delimiter of `data`; raises FormatError when it is none we read."""
    for signature, what in _NOT_CSV:
        if data.startswith(signature):
            raise FormatError([Problem(1, f"this is {what}, not a CSV or vCard file; export the contacts as CSV")])
    encoding, start = encoding_of(data)
    first, number = "", 0
    try:
        for line in text_lines(data, encoding, start):
            number += 1
            if line.strip():
                first = line.rstrip("\r\n")
                break
    except NotText as error:
        raise FormatError([error.problem]) from None
    if not first:
        raise FormatError([Problem(1, "the file is empty")])
    if first.strip().upper().startswith("BEGIN:VCARD"):
        return Sniffed(Format.VCARD, encoding, start)
    if found := _csv_format(first):
        return Sniffed(found[0], encoding, start, found[1])
    first = single_line(first)  # it goes into a message: no terminal escapes, no NUL
    shown = first if len(first) <= _SHOWN else first[:_SHOWN] + "…"
    raise FormatError(
        [
            Problem(
                number,
                f'this is not a contact file we know; its first line is "{shown}". We read our own CSV '
                "(a header with name, email, phone, ...), Google Contacts and Outlook CSV exports, "
                "and vCard (.vcf) files",
            )
        ]
    )


def detect_format(data: bytes) -> Format:
    return sniff(data).format


def layout(data: bytes) -> Sniffed:
    """The encoding and delimiter for reading `data` as a format the caller already chose.

    Unlike `sniff`, it never refuses: an empty file then reads as nothing, and bytes that are
    not text are the reader's Problem, on their line.
    """
    try:
        return sniff(data)
    except FormatError:
        encoding, start = encoding_of(data)
        return Sniffed(None, encoding, start)
