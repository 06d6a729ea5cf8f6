"""Text from outside, on its way in (to the database) and on its way out (to a terminal).

One definition of "control character" for the whole app: C0 controls other than tab, line
feed and carriage return, DEL, C1 controls, and lone surrogates. PostgreSQL cannot store
NUL at all (SQLite can, which hides the bug), no database can store a lone surrogate (it
is not UTF-8), and the rest are invisible garbage in a name or a subject.

Two ways in, on purpose:
- Where a person is there to fix the text (a form, the search box, the CSV file they are
  importing, a command's arguments), it is refused with a clear message naming the
  character (`control_character`), and nothing changes.
- Where nobody can be asked (mail and call logs synced from elsewhere), it is cleaned
  (`single_line`), so one stray byte in a header never costs the interaction.

Single-line fields (names, subjects, titles) also turn tabs and line breaks into spaces.

On the way out, `for_terminal` takes escape sequences, other control characters and the
bidirectional formatting characters (which can make a line read as something else) out
of anything a management command prints that came from a file or a user.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")

# ESC followed by a CSI, OSC, DCS/SOS/PM/APC string or a two-character sequence: all of it goes,
# so no "[2J" is left behind to puzzle the reader.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)"
)
_TERMINAL_SPACES = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
# Every other C0/C1 control, and the bidirectional marks, embeddings, overrides and isolates.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def control_character(text: str) -> str | None:
    """The first control character in `text`, as "U+0000", or None when there is none."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def single_line(text: str, max_length: int | None = None) -> str:
    """Text for a one-line field: control characters dropped, whitespace runs made one space."""
    # Controls first, so "a \x00 b" becomes "a b", not "a  b": cleaning twice changes nothing.
    text = _WHITESPACE.sub(" ", _CONTROL.sub("", text)).strip()
    return text[:max_length] if max_length is not None else text


def multi_line(text: str) -> str:
    """Text for a field that keeps its line breaks (a note): control characters dropped, lines trimmed."""
    lines = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def refuse_control_characters(value: str) -> None:
    """A form field validator: the same rule as the import and the search."""
    found = control_character(value)
    if found:
        raise ValidationError(
            _("This cannot contain control characters (%(character)s)."),
            code="control_character",
            params={"character": found},
        )


def for_terminal(text: str) -> str:
    """`text` safe to print: no escape sequences, controls or bidirectional formatting characters.

    Tabs and line breaks become spaces, so one value cannot pose as several lines of output.
    """
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    return _TERMINAL_UNSAFE.sub("", _TERMINAL_SPACES.sub(" ", text))


def as_number(text: str) -> int | None:
    """A whole number as the database can store it: ASCII digits only, at most 18 of them."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
