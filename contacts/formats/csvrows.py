"""The rows of a CSV export as records, streamed, with line-numbered problems.

Shared by the Google and Outlook readers: each gives `read_csv` a function that looks at
the header once and returns how to turn one row into a PersonRecord.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator

from contacts.formats.detect import NotText, Sniffed, layout, text_lines
from contacts.formats.records import PersonRecord, Problem
from contacts.text import single_line

# One row's cells by column name (stripped, case-folded), and the line the row starts on.
RowReader = Callable[[dict[str, str], int], PersonRecord]

# Google puts several values of one field in one cell: "a@x.com ::: b@x.com".
SEVERAL = re.compile(r"\s*:::\s*")


def split_labels(cell: str, separators: re.Pattern = SEVERAL) -> list[str]:
    """Group labels, without Google's "* myContacts" (everyone is in it); other starred system
    labels ("* starred", the old "* Friends") keep their name without the star."""
    labels = []
    for part in separators.split(cell):
        system = part.strip().startswith("*")
        part = part.strip().lstrip("*").strip()
        if system and part.replace(" ", "").casefold() == "mycontacts":
            continue
        labels.append(part)
    return labels


def _csv_problem(error: csv.Error, line: int) -> Problem:
    text = str(error)
    if "end of data" in text:
        message = 'a quoted value in this row is never closed (a closing " is missing)'
    elif "field limit" in text:
        message = (
            f"a value in this row is longer than {csv.field_size_limit():,} characters, "
            'so a closing " is probably missing'
        )
    else:
        message = f"this row cannot be read as CSV ({text})"
    return Problem(line, f"{message}; the rest of the file was not read")


def read_csv(
    data: bytes, sniffed: Sniffed | None, row_reader: Callable[[list[str]], RowReader]
) -> Iterator[PersonRecord | Problem]:
    """Records and problems in file order. Blank rows are skipped; a row with more values
    than the header has columns is a problem, one with fewer has blanks in the rest (as
    spreadsheets drop trailing empty cells). After a broken quote, or bytes that are not text,
    the rest of the file is not read: where rows start again cannot be known."""
    sniffed = sniffed or layout(data)
    reader = csv.reader(text_lines(data, sniffed.encoding, sniffed.start), delimiter=sniffed.delimiter, strict=True)
    end = 0  # the last line the previous row used
    try:
        header = to_person = None
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header, problems = _header(cells, line)
                yield from problems
                to_person = row_reader(header)
                continue
            if any(cell.strip() for cell in cells[len(header) :]):
                yield Problem(line, f"{len(cells)} values but the header has {len(header)} columns")
                continue
            row = dict(zip(header, cells))
            row.pop("", None)  # unnamed columns, and a repeated column's later copies
            yield to_person(row, line)
    except NotText as error:
        yield error.problem
    except csv.Error as error:
        yield _csv_problem(error, end + 1)


def _header(cells: list[str], line: int) -> tuple[list[str], list[Problem]]:
    """Column names, a repeated one blanked after its first use, and a problem for each repeat."""
    columns, seen, problems = [], set(), []
    for cell in cells:
        column = single_line(cell).casefold()
        if column and column in seen:
            problems.append(
                Problem(line, f"the column {single_line(cell)!r} appears more than once; the first one is read")
            )
            column = ""
        seen.add(column)
        columns.append(column)
    return columns, problems
