"""The call-log reader: a CSV of number,direction,started_at,duration_seconds,name as Sightings or Skips."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import EntryKind
from contacts.normalize import normalize_phone
from contacts.text import single_line
from sync.report import Skip, SourceUnreadable
from sync.sightings import NAME_LENGTH, PHONE, YEARS, Address, Item, Sighting, Unusable

CALL_COLUMNS = ("number", "direction", "started_at", "duration_seconds", "name")
REQUIRED_CALL_COLUMNS = ("number", "direction", "started_at")
DIRECTIONS = {
    "in": "in", "incoming": "in", "inbound": "in", "received": "in", "missed": "in",
    "out": "out", "outgoing": "out", "outbound": "out", "dialed": "out", "dialled": "out",
}  # fmt: skip


def _shown(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 40 else value[:40] + "…")


def call_items(path: Path, region: str) -> tuple[int, Iterator[Item]]:
    if not path.exists():
        raise SourceUnreadable(f"{path} does not exist.")
    if path.is_dir():
        raise SourceUnreadable(f"{path} is a folder; sync_calls needs a CSV file.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceUnreadable(f"Cannot read {path}: {error.strerror or error}") from None
    lines = data.splitlines()
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):  # spreadsheet apps' byte-order mark
        lines[0] = lines[0][3:]
    columns, first = _call_columns(lines)
    total = sum(1 for line in lines[first:] if line.strip())
    return total, _calls(lines, first, columns, region)


def _call_columns(lines: list[bytes]) -> tuple[dict[str, int], int]:
    """Column positions from the header row, or the documented order when there is none."""
    try:
        first_row = next(csv.reader([lines[0].decode("utf-8")])) if lines else []
    except UnicodeDecodeError:
        first_row = []
    names = [cell.strip().lower() for cell in first_row]
    if not set(names) & set(CALL_COLUMNS):
        return {name: i for i, name in enumerate(CALL_COLUMNS)}, 0
    missing = [name for name in REQUIRED_CALL_COLUMNS if name not in names]
    if missing:
        raise SourceUnreadable(
            f"The header row lacks the column(s) {', '.join(missing)}; expected {','.join(CALL_COLUMNS)}."
        )
    return {name: names.index(name) for name in CALL_COLUMNS if name in names}, 1


def _calls(lines: list[bytes], first: int, columns: dict[str, int], region: str) -> Iterator[Item]:
    for index in range(first, len(lines)):
        if not lines[index].strip():
            continue
        position = f"line {index + 1}"
        try:
            text = lines[index].decode("utf-8")
        except UnicodeDecodeError:
            yield Skip(position, "undecodable bytes (not UTF-8 text)")
            continue
        try:
            row = next(csv.reader([text]))
            yield [call_sighting(row, columns, region, position)]
        except Unusable as skipped:
            yield Skip(position, str(skipped))
        except csv.Error as error:
            yield Skip(position, f"malformed CSV ({error})")
        except Exception as error:  # as for messages: one row's surprise never stops the sync
            yield Skip(position, f"malformed call ({error.__class__.__name__})")


def call_sighting(row: list[str], columns: dict[str, int], region: str, position: str) -> Sighting:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for name in REQUIRED_CALL_COLUMNS:
        if not cell(name):
            raise Unusable(f"missing {name}")
    number = normalize_phone(cell("number"), region)
    if number is None:
        raise Unusable(f"bad phone number {_shown(cell('number'))}")
    direction = DIRECTIONS.get(cell("direction").lower())
    if direction is None:
        raise Unusable(f"unknown direction {_shown(cell('direction'))} (use in or out)")
    try:
        at = datetime.fromisoformat(cell("started_at"))
    except ValueError:
        raise Unusable(f"unparseable started_at {_shown(cell('started_at'))}") from None
    if at.year not in YEARS:
        raise Unusable(f"started_at {_shown(cell('started_at'))} is out of range")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    duration = None
    if cell("duration_seconds"):
        try:
            duration = int(cell("duration_seconds"))
        except ValueError:
            duration = -1
        if duration < 0:
            raise Unusable(f"bad duration_seconds {_shown(cell('duration_seconds'))}")
    summary = _call_summary(direction, duration)
    key = f"call:{number}@{at.astimezone(UTC).isoformat()}"
    return Sighting(
        Address(PHONE, number),
        single_line(cell("name"), NAME_LENGTH),
        True,
        EntryKind.CALL,
        at,
        direction,
        summary,
        key,
        position,
    )


def _call_summary(direction: str, duration: int | None) -> str:
    """The call as its timeline entry says it: "Incoming call · 2 min 5 s"."""
    if duration is None:
        return _("Incoming call") if direction == "in" else _("Outgoing call")
    summary = _("Incoming call · %(duration)s") if direction == "in" else _("Outgoing call · %(duration)s")
    return summary % {"duration": _duration(duration)}


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}
