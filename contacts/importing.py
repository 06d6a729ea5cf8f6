"""Import people from a CSV file: every row is checked before anything is written.

`check_csv` turns the file into unsaved contacts or raises `ImportFailed` with every
problem it found, each with its line number; `save_people` writes them in one go.
The archive rule comes from the model's blockers, so an import can never archive
someone the app itself would refuse to archive.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import (
    STAGE_LABELS,
    Contact,
    EntryKind,
    LabelSet,
    Stage,
    TimelineEntry,
    Workspace,
    parse_stage,
)
from contacts.normalize import normalize_email, normalize_phone
from contacts.rules import ARCHIVE_BLOCKERS, reasons
from contacts.text import control_character, for_terminal, single_line

COLUMNS = ("name", "email", "phone", "company", "title", "stage", "assignee", "archived")
TEXT_COLUMNS = ("name", "email", "phone", "company", "title")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
# A file full of mistakes should not bury the terminal; the first ones show the pattern.
MAX_PROBLEMS_SHOWN = 50
# People (and timeline entries) per INSERT when saving.
SAVE_BATCH = 500
# Called with (done, total) as an import goes: the command's progress bar.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems

    def report(self) -> str:
        """One line per problem, safe to print: names in problems come from files and users."""
        lines = [for_terminal(str(p)) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more")
        return "\n".join(lines)


def _stage_hint() -> str:
    standard = ", ".join(STAGE_LABELS[LabelSet.STANDARD][s] for s in Stage if s)
    standard_labels = set(STAGE_LABELS[LabelSet.STANDARD].values())
    real_estate = ", ".join(
        label for s, label in STAGE_LABELS[LabelSet.REAL_ESTATE].items() if s and label not in standard_labels
    )
    return f"use {standard} (or {real_estate}), or leave it blank"


def decode(data: bytes) -> str:
    try:
        # utf-8-sig: spreadsheet apps put a byte-order mark in front of "CSV UTF-8" files.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFailed(
            [Problem(line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it as CSV UTF-8")]
        ) from None


def _broken_file(error: csv.Error, line: int) -> ImportFailed:
    """The file stops being CSV on `line` (where the row starts); nothing after it can be trusted."""
    message = str(error)
    if message.startswith("field larger than field limit"):
        # Usually a quote left open: the rest of the file then reads as one value.
        message = f'a value is longer than {csv.field_size_limit():,} characters; is a closing quote (") missing?'
    elif message == "unexpected end of data":
        message = 'a quote (") opened on this line is never closed'
    else:
        message = f"malformed CSV: {message}"
    return ImportFailed([Problem(line, message)])


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for every non-blank row, after checking the header.

    Strict, so a quote left open is an error on its line rather than the rest of the file
    silently read as one value.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _broken_file(error, 1) from None
    if header is None:
        raise ImportFailed([Problem(1, "the file is empty; it needs a header row starting with 'name'")])
    columns = [c.strip().lower() for c in header]
    problems = []
    if "name" not in columns:
        problems.append(Problem(1, "the header has no 'name' column, which is required"))
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        problems.append(
            Problem(1, f"unknown column(s) {', '.join(repr(c) for c in unknown)}; the columns are {', '.join(COLUMNS)}")
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1 and c in COLUMNS})
    if repeated:
        problems.append(Problem(1, f"column(s) {', '.join(repr(c) for c in repeated)} appear more than once"))
    if problems:
        raise ImportFailed(problems)

    rows = []
    previous_end = reader.line_num
    while True:
        # A quoted value may span lines; report the line the row starts on.
        try:
            cells = next(reader, None)
        except csv.Error as error:
            raise _broken_file(error, previous_end + 1) from None
        if cells is None:
            break
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            rows.append((line, {"__too_many__": f"{len(cells)} values but the header has {len(columns)} columns"}))
            continue
        # Missing trailing cells count as blank, as spreadsheets often drop them.
        rows.append((line, {c: cells[i].strip() if i < len(cells) else "" for i, c in enumerate(columns)}))
    return rows


class _Members:
    """Assignee lookups by username, case-insensitive, telling "not a member" from "no such user"."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.by_name = {m.user.get_username().casefold(): m.user for m in workspace.memberships.select_related("user")}

    def find(self, username: str):
        user = self.by_name.get(username.casefold())
        if user is not None:
            return user, None
        exists = get_user_model().objects.filter(username__iexact=username).exists()
        if exists:
            return None, f"assignee {username!r} is not a member of {self.workspace}"
        return None, f"unknown assignee {username!r} (no such user)"


def _check_row(row: dict[str, str], workspace: Workspace, members: _Members) -> tuple[Contact | None, list[str]]:
    """The unsaved contact for one row, or the reasons it is bad."""
    if "__too_many__" in row:
        return None, [row["__too_many__"]]
    # Refused rather than cleaned: the person importing can fix the file (and PostgreSQL cannot store NUL).
    controls = [
        f"{column} contains a control character ({found}); remove it"
        for column, value in row.items()
        if (found := control_character(value))
    ]
    if controls:
        return None, controls
    problems = []
    # Every column is one line: tabs and line breaks inside a quoted value become spaces.
    values = {column: single_line(row.get(column, "")) for column in COLUMNS}
    if not values["name"]:
        problems.append("name is missing")
    for column in TEXT_COLUMNS:
        limit = Contact._meta.get_field(column).max_length
        if len(values[column]) > limit:
            problems.append(f"{column} is longer than {limit} characters")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems.append(f"email {values['email']!r} is not a valid address")
    if values["phone"] and normalize_phone(values["phone"], workspace.default_region) is None:
        problems.append(f"phone {values['phone']!r} is not a phone number")
    try:
        stage = parse_stage(values["stage"])
    except ValueError:
        stage = Stage.NONE
        problems.append(f"unknown stage {values['stage']!r}; {_stage_hint()}")
    assignee = None
    if values["assignee"]:
        assignee, problem = members.find(values["assignee"])
        if problem:
            problems.append(problem)
    archived = values["archived"].lower()
    if archived not in YES | NO:
        problems.append(f"archived must be yes or no, not {values['archived']!r}")

    contact = Contact(
        workspace=workspace,
        name=values["name"],
        email=values["email"],
        phone=values["phone"],
        company=values["company"],
        title=values["title"],
        stage=stage,
        assignee=assignee,
    )
    if archived in YES:
        # The same blockers the Archive action uses, so the wording matches the app's.
        problems += [f"cannot be archived: {r.message}" for r in reasons(contact, ARCHIVE_BLOCKERS)]
        contact.archived_at = timezone.now()
    return (None if problems else contact), problems


def check_csv(workspace: Workspace, data: bytes, *, progress: Progress | None = None) -> list[Contact]:
    """Every row as an unsaved, normalized contact; raises ImportFailed listing every bad row.

    `progress(rows checked, rows)` is called after each row (the command's progress bar)."""
    rows = read_rows(decode(data))
    members = _Members(workspace)
    # Deleted people do not count: re-importing someone you deleted is how you bring them back.
    existing = dict(
        Contact.objects.in_workspace(workspace).not_deleted().exclude(email="").values_list(Lower("email"), "name")
    )
    seen_in_file: dict[str, int] = {}
    people, problems = [], []
    for number, (line, row) in enumerate(rows, 1):
        contact, row_problems = _check_row(row, workspace, members)
        email = normalize_email(row.get("email", ""))
        if email and email in existing:
            row_problems.append(f"duplicate: {existing[email]} already has the email {email}")
        elif email and email in seen_in_file:
            row_problems.append(f"duplicate: line {seen_in_file[email]} has the same email {email}")
        if email:
            seen_in_file.setdefault(email, line)
        if row_problems:
            problems += [Problem(line, message) for message in row_problems]
        else:
            contact.normalize()
            people.append(contact)
        if progress is not None:
            progress(number, len(rows))
    if problems:
        raise ImportFailed(problems)
    return people


@transaction.atomic
def save_people(people: list[Contact], *, source: str, progress: Progress | None = None) -> int:
    """Insert the checked people with their "created" (and "archived") timeline entries.

    `progress(people saved, people)` is called after each batch of SAVE_BATCH."""
    for start in range(0, len(people), SAVE_BATCH):
        Contact.objects.bulk_create(people[start : start + SAVE_BATCH])
        if progress is not None:
            progress(min(start + SAVE_BATCH, len(people)), len(people))
    now = timezone.now()
    # The timeline shows these entries: translated, unlike the problems above (a command prints those).
    summary = gettext("Imported from %(source)s") % {"source": source}
    entries = [TimelineEntry(contact=p, kind=EntryKind.CREATED, at=now, summary=summary) for p in people]
    entries += [
        TimelineEntry(contact=p, kind=EntryKind.ARCHIVED, at=now, summary=gettext("Archived on import"))
        for p in people
        if p.archived_at
    ]
    TimelineEntry.objects.bulk_create(entries, batch_size=SAVE_BATCH)
    return len(people)
