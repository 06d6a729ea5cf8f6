"""Sync from a mailbox or a call log: every email or call lands on the right person's timeline.

Reading and writing are kept apart. A reader turns the source (an mbox file, a folder of
.eml files, a call-log CSV) into `Sighting`s, one per counterpart of each message or call,
and records what it had to skip, with the reason and where. The writer takes the sightings
a batch at a time and decides, for each address, in a fixed number of queries per batch:

1. one person (not deleted; archived ones too) has it: the interaction joins their
   timeline. Several people have it: "ambiguous", reported and skipped, never guessed;
2. it is suppressed ("Don't re-create from sync"): the interaction is dropped and counted;
3. it belonged to a deleted person (in Recently Deleted, or purged: a `DeletedAddress`
   trace) and the contact was direct: a new person with a "Re-created by sync" entry,
   whatever the workspace's "Create people automatically" setting (rule 7);
4. it was dismissed from Discovered People: ignored and counted;
5. the workspace creates people automatically and the contact was direct: a new person
   with a "Created by sync" entry;
6. otherwise it is listed in Discovered People, where the user adds or dismisses it.

"Direct" is the sender of an incoming message, a To recipient of an outgoing one, or the
other end of a call. People who were only copied are never created, only discovered.
One message brings at most SYNC_MAX_COUNTERPARTS_PER_MESSAGE counterparts (50), the direct
ones first; the rest are counted as skipped, so a mailing to thousands lists no thousands.
Every interaction carries a source key (the Message-ID, or number and time of a call),
unique per person, so syncing the same file again adds nothing.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import itertools
import mailbox
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from enum import Enum, StrEnum
from pathlib import Path

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from contacts.exceptions import ContactError
from contacts.models import (
    INTERACTION_KINDS,
    Contact,
    DeletedAddress,
    DiscoveredInteraction,
    DiscoveredPerson,
    EntryKind,
    Suppression,
    SuppressionKind,
    TimelineEntry,
    Workspace,
)
from contacts.normalize import normalize_email, normalize_phone
from contacts.text import control_character, single_line

EMAIL = SuppressionKind.EMAIL.value
PHONE = SuppressionKind.PHONE.value
# Messages (or calls) written per batch; the query count grows with batches, not messages.
BATCH_SIZE = 500
# A batch also closes at this many sightings, so messages with long To lists keep it bounded.
SIGHTINGS_PER_BATCH_ITEM = 4
# Longer Message-IDs are stored as a digest (source_key holds 300 characters).
MAX_MESSAGE_ID = 280
SUMMARY_LENGTH = 500
NAME_LENGTH = 200
# Dates outside these years are typos or forgeries (and near year 1 or 9999 they overflow).
YEARS = range(1900, 2201)


# --- What sync reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skip:
    """Something sync could not use, where it was, and why."""

    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


@dataclass
class SyncReport:
    """What one sync did, in counts, with every skipped or ambiguous item and where it was."""

    noun: str = "messages"
    read: int = 0
    added: int = 0
    already_synced: int = 0
    created: int = 0
    recreated: int = 0
    discovered: int = 0
    discovered_interactions: int = 0
    suppressed: int = 0
    dismissed: int = 0
    ambiguous: list[Skip] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    # Messages with more counterparts than one message may bring (a mailing to thousands), and how many were skipped.
    crowded: list[Skip] = field(default_factory=list)
    counterparts_skipped: int = 0
    counterpart_limit: int = 0

    # Enough lines to show the pattern without burying the terminal.
    DETAILS_SHOWN = 20

    def lines(self) -> list[str]:
        lines = [
            f"{self.noun.capitalize()} read: {self.read}",
            f"Interactions added: {self.added}",
            f"Already synced before: {self.already_synced}",
            f"People created: {self.created}",
            f"People re-created: {self.recreated}",
            f"Discovered: {self.discovered} new (interactions: {self.discovered_interactions})",
            f"Suppressed: {self.suppressed} interactions dropped",
        ]
        if self.dismissed:
            lines.append(f"Dismissed from Discovered People: {self.dismissed} interactions ignored")
        if self.crowded:
            n = len(self.crowded)
            heading = (
                f"Counterparts skipped: {self.counterparts_skipped} ({n} {self.noun if n != 1 else self.noun[:-1]} "
                f"had more than {self.counterpart_limit}; only the first {self.counterpart_limit} of each were taken)"
            )
            lines += self._details(heading, self.crowded)
        lines += self._details(f"Ambiguous: {len(self.ambiguous)} (several people match; not guessed)", self.ambiguous)
        by_reason = Counter(_reason_group(s.reason) for s in self.skipped)
        heading = f"Skipped: {len(self.skipped)} {self.noun if len(self.skipped) != 1 else self.noun[:-1]}"
        if by_reason:
            heading += " (" + ", ".join(f"{n} {reason}" for reason, n in by_reason.most_common()) + ")"
        lines += self._details(heading, self.skipped)
        return lines

    def _details(self, heading: str, items: list[Skip]) -> list[str]:
        lines = [heading]
        lines += [f"  {item}" for item in items[: self.DETAILS_SHOWN]]
        if len(items) > self.DETAILS_SHOWN:
            lines.append(f"  ... and {len(items) - self.DETAILS_SHOWN} more")
        return lines


def _reason_group(reason: str) -> str:
    # "bad phone number '12'" and "bad phone number '9'" count as one kind of reason.
    return reason.split(" '", 1)[0].split(": ", 1)[0]


class SourceUnreadable(Exception):
    """The file or folder cannot be read at all; nothing was synced."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _Skipped(Exception):
    """One message or call cannot be used; the reader turns it into a Skip."""


Progress = Callable[[int, int | None], None]


# --- What readers produce ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    kind: str  # EMAIL or PHONE
    value: str  # normalized: email lower-case, phone E.164

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Sighting:
    """One counterpart of one message or call."""

    address: Address
    name: str
    direct: bool
    kind: str
    at: datetime
    direction: str
    summary: str
    source_key: str
    position: str


# What a reader yields per message or call.
Item = list[Sighting] | Skip


# --- Email -------------------------------------------------------------------------------------------


class OwnAddresses:
    """The team's own email addresses: mail from them is outgoing, and they are never anyone's counterpart.

    They are the members' own email addresses, always, and whatever Workspace.own_addresses lists
    (shared mailboxes such as sales@, or whole domains as "@acme.test").
    """

    def __init__(self, text: str, members: Iterable[str] = ()):
        self.emails: set[str] = {normalize_email(address) for address in members if address.strip()}
        self.domains: set[str] = set()
        for line in text.splitlines():
            entry = line.strip().lower()
            if not entry:
                continue
            if entry.startswith("@") or "@" not in entry:
                self.domains.add(entry.lstrip("@"))
            else:
                self.emails.add(entry)

    @classmethod
    def of(cls, workspace: Workspace) -> OwnAddresses:
        return cls(workspace.own_addresses, workspace.members.values_list("email", flat=True))

    def __contains__(self, email: str) -> bool:
        return email in self.emails or email.rpartition("@")[2] in self.domains

    def q(self, field_name: str) -> Q:
        """The same addresses as a filter on a column of normalized emails."""
        condition = Q(**{f"{field_name}__in": sorted(self.emails)})
        for domain in sorted(self.domains):
            condition |= Q(**{f"{field_name}__endswith": f"@{domain}"})
        return condition


# Only the headers matter, and compat32 hands them over raw: the modern header classes are
# several times slower, which a 20,000-message mailbox feels.
_PARSER = BytesHeaderParser(policy=compat32)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_SURROGATES = re.compile("[\udc80-\udcff]")
_WHITESPACE = re.compile(r"\s+")
_EMAIL_SHAPE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")


class _Headers:
    """The headers sync reads, as text; a header whose bytes are no text skips the message."""

    def __init__(self, data: bytes):
        message = _PARSER.parsebytes(_HEADER_END.split(data, 1)[0])
        self.raw: dict[str, list[str]] = defaultdict(list)
        for name, value in message.raw_items():
            self.raw[name.lower()].append(value if isinstance(value, str) else str(value))

    def text(self, name: str) -> str | None:
        """The header unfolded (To and Cc joined when repeated), encoded words left as they are."""
        values = self.raw.get(name.lower())
        if not values:
            return None
        text = ", ".join(_LINE_BREAKS.sub("", v) for v in (values if name in ("To", "Cc") else values[:1]))
        if _SURROGATES.search(text):
            # Raw 8-bit bytes: modern mailers send UTF-8; anything else cannot be read as text.
            try:
                text = text.encode("ascii", "surrogateescape").decode("utf-8")
            except UnicodeDecodeError:
                raise _Skipped(f"undecodable bytes in the {name} header") from None
        return text

    def decoded(self, name: str) -> str:
        """The header as a person reads it: encoded words (=?utf-8?q?...?=) decoded."""
        return _decode_words(self.text(name) or "", name)

    def addresses(self, name: str) -> list[tuple[str, str]]:
        """(normalized email, display name) for each well-formed address in the header."""
        text = self.text(name)
        if not text:
            return []
        found = []
        for display_name, addr_spec in getaddresses([text]):
            email = normalize_email(addr_spec)
            if len(email) <= 254 and _EMAIL_SHAPE.match(email) and not control_character(email):
                found.append((email, single_line(_decode_words(display_name, name), NAME_LENGTH)))
        return found


def _decode_words(text: str, name: str) -> str:
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (UnicodeError, LookupError, HeaderParseError):
            raise _Skipped(f"undecodable bytes in the {name} header") from None
    if "\ufffd" in text:
        raise _Skipped(f"undecodable bytes in the {name} header")
    return text


def _message_key(message_id: str | None, fallback: list) -> str:
    if message_id:
        message_id = message_id.strip()
    if (
        message_id
        and len(message_id) <= MAX_MESSAGE_ID
        and not _WHITESPACE.search(message_id)
        and not control_character(message_id)
    ):
        return f"msg:{message_id}"
    # No usable Message-ID (none, too long, or with characters no key should hold): the same
    # message still gives the same key on every run.
    basis = message_id or "\x1f".join(str(part) for part in fallback)
    return f"msg-sha256:{hashlib.sha256(basis.encode('utf-8', 'surrogatepass')).hexdigest()}"


def _parse_date(text: str | None) -> datetime:
    if text is None or not str(text).strip():
        raise _Skipped("no Date header")
    try:
        at = parsedate_to_datetime(str(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        raise _Skipped("unparseable Date") from None
    if at.year not in YEARS:
        raise _Skipped("unparseable Date")
    if timezone.is_naive(at):  # "-0000": the sender did not say; UTC is the convention
        at = at.replace(tzinfo=UTC)
    return at


def message_sightings(data: bytes, position: str, own: OwnAddresses) -> list[Sighting]:
    """The counterparts of one message (RFC 5322 bytes); raises _Skipped with the reason."""
    try:
        headers = _Headers(data)
    except Exception as error:  # the parser is lenient; this is a last resort
        raise _Skipped(f"malformed message ({error.__class__.__name__})") from None
    if not (headers.text("From") or "").strip():
        raise _Skipped("no From header")
    senders = headers.addresses("From")
    if not senders:
        raise _Skipped("unparseable From header")
    at = _parse_date(headers.text("Date"))
    to, cc = headers.addresses("To"), headers.addresses("Cc")
    subject = single_line(headers.decoded("Subject"), SUMMARY_LENGTH)
    key = _message_key(headers.text("Message-ID"), [at.isoformat(), senders, to, cc, subject])

    sender = senders[0]
    if sender[0] in own:
        direction, direct, copied = "out", to, cc
    else:
        direction, direct, copied = "in", [sender], to + cc
    names: dict[str, str] = {}
    roles: dict[str, bool] = {}
    for is_direct, people in ((True, direct), (False, copied)):
        for email, name in people:
            if email in own:
                continue
            roles[email] = roles.get(email, False) or is_direct
            names[email] = names.get(email) or name
    if not roles:
        raise _Skipped("no one outside the team (only the workspace's own addresses)")
    summary = subject or "(no subject)"
    return [
        Sighting(Address(EMAIL, email), names[email], is_direct, EntryKind.EMAIL, at, direction, summary, key, position)
        for email, is_direct in roles.items()
    ]


def _mailbox_items(path: Path, own: OwnAddresses) -> tuple[int, Iterator[Item]]:
    """An mbox file, a folder of .eml files, or a single .eml file; raises SourceUnreadable."""
    if not path.exists():
        raise SourceUnreadable(f"{path} does not exist.")
    if path.is_dir():
        try:
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() == ".eml" and p.is_file())
        except OSError as error:
            raise SourceUnreadable(f"Cannot read the folder {path}: {error.strerror or error}") from None
        if not files:
            raise SourceUnreadable(f"No .eml files in the folder {path}.")
        return len(files), _eml_items(files, path, own)
    head = _read_head(path)
    if path.suffix.lower() == ".eml":
        return 1, _eml_items([path], path.parent, own)
    if head.strip() and not head.lstrip().startswith(b"From "):
        raise SourceUnreadable(
            f"{path.name} is not an mbox file (it should begin with a 'From ' line). "
            "For single messages use .eml files or a folder of them."
        )
    try:
        box = mailbox.mbox(str(path), create=False)
        total = len(box)
    except (OSError, mailbox.Error) as error:
        raise SourceUnreadable(f"Cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    return total, _mbox_items(box, path, total, own)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(1024)
    except OSError as error:
        raise SourceUnreadable(f"Cannot read {path}: {error.strerror or error}") from None


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as file:
        file.seek(0, 2)
        if file.tell() == 0:
            return True
        file.seek(-1, 2)
        return file.read(1) == b"\n"


def _mbox_items(box: mailbox.mbox, path: Path, total: int, own: OwnAddresses) -> Iterator[Item]:
    complete_file = _ends_with_newline(path)
    try:
        for number, key in enumerate(box.iterkeys(), 1):
            position = f"message {number}"
            if number == total and not complete_file:
                yield Skip(position, "truncated (the file ends in the middle of this message)")
                continue
            try:
                data = box.get_bytes(key)
            except OSError as error:
                yield Skip(position, f"cannot be read: {error.strerror or error}")
                continue
            yield _item(data, position, own)
    finally:
        box.close()


def _eml_items(files: list[Path], root: Path, own: OwnAddresses) -> Iterator[Item]:
    for file in files:
        position = str(file.relative_to(root)) if file.is_relative_to(root) else file.name
        try:
            data = file.read_bytes()
        except OSError as error:
            yield Skip(position, f"cannot be read: {error.strerror or error}")
            continue
        yield _item(data, position, own)


def _item(data: bytes, position: str, own: OwnAddresses) -> Item:
    try:
        return message_sightings(data, position, own)
    except _Skipped as skipped:
        return Skip(position, str(skipped))
    except Exception as error:  # the bytes come from anyone: a parser's surprise costs one message, not the sync
        return Skip(position, f"malformed message ({error.__class__.__name__})")


# --- Calls -------------------------------------------------------------------------------------------

CALL_COLUMNS = ("number", "direction", "started_at", "duration_seconds", "name")
REQUIRED_CALL_COLUMNS = ("number", "direction", "started_at")
DIRECTIONS = {
    "in": "in", "incoming": "in", "inbound": "in", "received": "in", "missed": "in",
    "out": "out", "outgoing": "out", "outbound": "out", "dialed": "out", "dialled": "out",
}  # fmt: skip


def _shown(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _call_items(path: Path, region: str) -> tuple[int, Iterator[Item]]:
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
        except _Skipped as skipped:
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
            raise _Skipped(f"missing {name}")
    number = normalize_phone(cell("number"), region)
    if number is None:
        raise _Skipped(f"bad phone number {_shown(cell('number'))}")
    direction = DIRECTIONS.get(cell("direction").lower())
    if direction is None:
        raise _Skipped(f"unknown direction {_shown(cell('direction'))} (use in or out)")
    try:
        at = datetime.fromisoformat(cell("started_at"))
    except ValueError:
        raise _Skipped(f"unparseable started_at {_shown(cell('started_at'))}") from None
    if at.year not in YEARS:
        raise _Skipped(f"started_at {_shown(cell('started_at'))} is out of range")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    duration = None
    if cell("duration_seconds"):
        try:
            duration = int(cell("duration_seconds"))
        except ValueError:
            duration = -1
        if duration < 0:
            raise _Skipped(f"bad duration_seconds {_shown(cell('duration_seconds'))}")
    summary = f"{'Incoming' if direction == 'in' else 'Outgoing'} call"
    if duration is not None:
        summary += f" · {_duration(duration)}"
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


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


# --- Writing -----------------------------------------------------------------------------------------


class Fate(Enum):
    PERSON = "person"
    AMBIGUOUS = "ambiguous"
    SUPPRESSED = "suppressed"
    RECREATE = "recreate"
    DISMISSED = "dismissed"
    CREATE = "create"
    DISCOVER = "discover"


NEW_PERSON_FATES = (Fate.CREATE, Fate.RECREATE)


@dataclass
class _Decision:
    fate: Fate
    contact_id: int | None = None
    matches: int = 0


class _Writer:
    """Writes sightings a batch at a time; every lookup and write is one statement per batch."""

    def __init__(self, workspace: Workspace, actor, report: SyncReport, batch_size: int):
        self.workspace, self.actor, self.report = workspace, actor, report
        self.batch_size = batch_size
        self.pending: list[Sighting] = []
        self.pending_items = 0
        self.counterpart_limit = report.counterpart_limit = settings.SYNC_MAX_COUNTERPARTS_PER_MESSAGE

    def add(self, sightings: list[Sighting]) -> None:
        self.pending += self._capped(sightings)
        self.pending_items += 1
        if self.pending_items >= self.batch_size or len(self.pending) >= self.batch_size * SIGHTINGS_PER_BATCH_ITEM:
            self.flush()

    def _capped(self, sightings: list[Sighting]) -> list[Sighting]:
        """One message brings at most the limit of counterparts, the direct ones first; the rest are counted.

        A mailing with 20,000 addresses in To would otherwise list 20,000 Discovered People.
        """
        if len(sightings) <= self.counterpart_limit:
            return sightings
        self.report.crowded.append(Skip(sightings[0].position, f"{len(sightings)} counterparts"))
        self.report.counterparts_skipped += len(sightings) - self.counterpart_limit
        return sorted(sightings, key=lambda s: not s.direct)[: self.counterpart_limit]

    def flush(self) -> None:
        if self.pending:
            # A message's sightings are added together, and its position names it.
            self._write([list(one) for _, one in itertools.groupby(self.pending, key=lambda s: s.position)])
        self.pending, self.pending_items = [], 0

    def _write(self, messages: list[list[Sighting]]) -> None:
        """The messages in one transaction. If the database refuses a value, the batch is rolled
        back (counts included) and written again in halves, down to the one message that cannot be
        stored, which is skipped with the reason: one bad message never stops the sync.

        Only errors about the data are caught; a lost connection or a lock timeout still ends the
        sync, as nothing after it could be written either.
        """
        counted = {name: copy.copy(value) for name, value in vars(self.report).items()}
        try:
            with transaction.atomic():
                _Batch(self, [s for message in messages for s in message]).write()
        except (DataError, IntegrityError, UnicodeEncodeError) as error:
            vars(self.report).update(counted)
            if len(messages) == 1:
                self.report.skipped.append(Skip(messages[0][0].position, f"cannot be stored: {_first_line(error)}"))
                return
            half = len(messages) // 2
            self._write(messages[:half])
            self._write(messages[half:])


class _Batch:
    def __init__(self, writer: _Writer, sightings: list[Sighting]):
        self.workspace, self.actor, self.report = writer.workspace, writer.actor, writer.report
        self.sightings = sightings
        self.now = timezone.now()

    def write(self) -> None:
        addresses = {s.address for s in self.sightings}
        live = self._live_people(addresses)
        discovered = self._discovered_rows(addresses)
        unknown = addresses - live.keys()
        suppressed = self._suppressed(unknown)
        direct = {s.address for s in self.sightings if s.direct}
        deleted = self._deleted_before((unknown - suppressed) & direct)
        decisions = {
            address: self._decide(address, live, suppressed, deleted, discovered, direct) for address in addresses
        }
        promoted = self._promoted(decisions, discovered)
        new_people = self._create_people(decisions, promoted, discovered)
        self._record_on_timelines(decisions, new_people, promoted)
        self._record_discovered(decisions, discovered)

    # Lookups: one query each.

    def _live_people(self, addresses: set[Address]) -> dict[Address, list[int]]:
        people = Contact.objects.filter(workspace=self.workspace, deleted_at__isnull=True).order_by()
        found: dict[Address, list[int]] = defaultdict(list)
        emails = [a.value for a in addresses if a.kind == EMAIL]
        phones = [a.value for a in addresses if a.kind == PHONE]
        if emails:
            for pk, email in people.filter(email__in=emails).values_list("pk", "email"):
                found[Address(EMAIL, email)].append(pk)
        if phones:
            for pk, phone in people.filter(phone_e164__in=phones).values_list("pk", "phone_e164"):
                found[Address(PHONE, phone)].append(pk)
        return found

    def _discovered_rows(self, addresses: set[Address]) -> dict[Address, DiscoveredPerson]:
        if not addresses:
            return {}
        rows = DiscoveredPerson.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(row.kind, row.value): row for row in rows}

    def _suppressed(self, addresses: set[Address]) -> set[Address]:
        if not addresses:
            return set()
        rows = Suppression.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(kind, value) for kind, value in rows.values_list("kind", "value")}

    def _deleted_before(self, addresses: set[Address]) -> set[Address]:
        """Addresses of people in Recently Deleted or purged (by their DeletedAddress trace)."""
        if not addresses:
            return set()
        emails = [a.value for a in addresses if a.kind == EMAIL]
        phones = [a.value for a in addresses if a.kind == PHONE]
        found = set()
        rows = Contact.objects.filter(workspace=self.workspace, deleted_at__isnull=False).filter(
            Q(email__in=emails) | Q(phone_e164__in=phones)
        )
        for email, phone in rows.values_list("email", "phone_e164"):
            found.add(Address(EMAIL, email))
            found.add(Address(PHONE, phone))
        by_digest = {(a.kind, DeletedAddress.digest_of(self.workspace.pk, a.kind, a.value)): a for a in addresses}
        traces = DeletedAddress.objects.filter(
            workspace=self.workspace, digest__in=[digest for _, digest in by_digest]
        ).values_list("kind", "digest")
        found.update(by_digest[trace] for trace in traces if trace in by_digest)
        return found & addresses

    def _decide(self, address, live, suppressed, deleted, discovered, direct) -> _Decision:
        people = live.get(address, [])
        if len(people) == 1:
            return _Decision(Fate.PERSON, contact_id=people[0])
        if people:
            return _Decision(Fate.AMBIGUOUS, matches=len(people))
        if address in suppressed:
            return _Decision(Fate.SUPPRESSED)
        if address in direct and address in deleted:
            return _Decision(Fate.RECREATE)
        row = discovered.get(address)
        if row is not None and row.dismissed_at is not None:
            return _Decision(Fate.DISMISSED)
        if address in direct and self.workspace.auto_create_people:
            return _Decision(Fate.CREATE)
        return _Decision(Fate.DISCOVER)

    # People and their timelines.

    def _promoted(self, decisions, discovered) -> dict[Address, list[DiscoveredInteraction]]:
        """Discovered addresses that now belong to a person: their kept interactions move to the timeline."""
        rows = {
            row.pk: address
            for address, row in discovered.items()
            if decisions[address].fate in (Fate.PERSON, *NEW_PERSON_FATES)
        }
        if not rows:
            return {}
        moved: dict[Address, list[DiscoveredInteraction]] = {address: [] for address in rows.values()}
        for interaction in DiscoveredInteraction.objects.filter(discovered_id__in=rows):
            moved[rows[interaction.discovered_id]].append(interaction)
        DiscoveredPerson.objects.filter(pk__in=rows).delete()
        return moved

    def _create_people(self, decisions, promoted, discovered) -> dict[Address, Contact]:
        wanted = [address for address, decision in decisions.items() if decision.fate in NEW_PERSON_FATES]
        if not wanted:
            return {}
        names: dict[Address, str] = {}
        latest: dict[Address, datetime] = {}
        for s in self.sightings:
            if s.address in decisions and decisions[s.address].fate in NEW_PERSON_FATES:
                names[s.address] = names.get(s.address) or s.name
                latest[s.address] = max(latest.get(s.address, s.at), s.at)
        for address, interactions in promoted.items():
            for interaction in interactions:
                latest[address] = max(latest.get(address, interaction.at), interaction.at)
        people = {}
        for address in wanted:
            person = Contact(
                workspace=self.workspace,
                name=names.get(address) or getattr(discovered.get(address), "name", "") or _name_from_address(address),
                email=address.value if address.kind == EMAIL else "",
                phone=address.value if address.kind == PHONE else "",
                last_touch_at=latest.get(address),
                created_at=self.now,
                updated_at=self.now,
            )
            person.normalize()  # bulk_create skips save(), which normally does this
            people[address] = person
        Contact.objects.bulk_create(people.values())
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - SQLite >= 3.35, PostgreSQL
            raise RuntimeError("sync needs a database that returns ids from bulk inserts")
        for address in wanted:
            if decisions[address].fate is Fate.RECREATE:
                self.report.recreated += 1
            else:
                self.report.created += 1
        return people

    def _record_on_timelines(self, decisions, new_people, promoted) -> None:
        entries: dict[tuple[int, str], TimelineEntry] = {}
        lifecycle = []
        for address, person in new_people.items():
            recreated = decisions[address].fate is Fate.RECREATE
            lifecycle.append(
                TimelineEntry(
                    contact=person,
                    kind=EntryKind.RECREATED_BY_SYNC if recreated else EntryKind.CREATED_BY_SYNC,
                    at=self.now,
                    actor=self.actor,
                    summary=(
                        f"Re-created by sync: {address} belonged to a deleted person"
                        if recreated
                        else f"Created by sync from {'email' if address.kind == EMAIL else 'calls'} with {address}"
                    ),
                )
            )
        for s in self.sightings:
            decision = decisions[s.address]
            if decision.fate is Fate.PERSON:
                contact_id = decision.contact_id
            elif decision.fate in NEW_PERSON_FATES:
                contact_id = new_people[s.address].pk
            else:
                self._count_unrecorded(s, decision)
                continue
            if (contact_id, s.source_key) in entries:
                continue  # the same message twice in one batch, or an address in both To and Cc
            entries[(contact_id, s.source_key)] = _entry(contact_id, s.kind, s.at, s.direction, s.summary, s.source_key)
        for address, interactions in promoted.items():
            decision = decisions[address]
            contact_id = decision.contact_id if decision.fate is Fate.PERSON else new_people[address].pk
            for i in interactions:
                entries.setdefault(
                    (contact_id, i.source_key), _entry(contact_id, i.kind, i.at, i.direction, i.summary, i.source_key)
                )
        self._drop_already_synced(entries, existing_people={d.contact_id for d in decisions.values() if d.contact_id})
        TimelineEntry.objects.bulk_create([*lifecycle, *entries.values()], ignore_conflicts=True)
        self.report.added += len(entries)
        self._touch({contact_id for contact_id, _ in entries} - {p.pk for p in new_people.values()})

    def _count_unrecorded(self, s: Sighting, decision: _Decision) -> None:
        if decision.fate is Fate.AMBIGUOUS:
            self.report.ambiguous.append(
                Skip(s.position, f"{s.address} matches {decision.matches} people; add it to one of them only")
            )
        elif decision.fate is Fate.SUPPRESSED:
            self.report.suppressed += 1
        elif decision.fate is Fate.DISMISSED:
            self.report.dismissed += 1

    def _drop_already_synced(self, entries: dict, existing_people: set[int]) -> None:
        keys = {key for contact_id, key in entries if contact_id in existing_people}
        if not keys:
            return
        stored = TimelineEntry.objects.filter(contact_id__in=existing_people, source_key__in=keys).values_list(
            "contact_id", "source_key"
        )
        for pair in stored:
            if entries.pop(pair, None) is not None:
                self.report.already_synced += 1

    def _touch(self, contact_ids: set[int]) -> None:
        """Last touch moves forward to the newest interaction on the timeline: one UPDATE for the batch.

        The newest interaction is read from the (contact, -at) index inside the statement, which is
        far cheaper to build than a CASE with one branch per person.
        """
        if not contact_ids:
            return
        newest = Subquery(
            TimelineEntry.objects.filter(contact=OuterRef("pk"), kind__in=INTERACTION_KINDS)
            .order_by("-at")
            .values("at")[:1]
        )
        Contact.objects.filter(pk__in=contact_ids).update(
            last_touch_at=Greatest(Coalesce(F("last_touch_at"), newest), Coalesce(newest, F("last_touch_at")))
        )

    # Discovered People.

    def _record_discovered(self, decisions, discovered) -> None:
        wanted = {s.address for s in self.sightings if decisions[s.address].fate is Fate.DISCOVER}
        if not wanted:
            return
        rows = {address: row for address, row in discovered.items() if address in wanted}
        rows.update(self._new_discovered(wanted - rows.keys()))
        interactions: dict[tuple[int, str], DiscoveredInteraction] = {}
        for s in self.sightings:
            if s.address in rows:
                row = rows[s.address]
                interactions.setdefault(
                    (row.pk, s.source_key),
                    DiscoveredInteraction(
                        discovered=row,
                        kind=s.kind,
                        at=s.at,
                        direction=s.direction,
                        summary=s.summary,
                        source_key=s.source_key,
                    ),
                )
        earlier = {row.pk for address, row in discovered.items() if address in wanted}
        keys = {key for pk, key in interactions if pk in earlier}
        if keys:
            stored = DiscoveredInteraction.objects.filter(discovered_id__in=earlier, source_key__in=keys)
            for pair in stored.values_list("discovered_id", "source_key"):
                if interactions.pop(pair, None) is not None:
                    self.report.already_synced += 1
        DiscoveredInteraction.objects.bulk_create(interactions.values(), ignore_conflicts=True)
        self.report.discovered_interactions += len(interactions)
        self._name_unnamed(rows)
        _refresh_discovered(DiscoveredPerson.objects.filter(pk__in={row.pk for row in rows.values()}))

    def _new_discovered(self, addresses: set[Address]) -> dict[Address, DiscoveredPerson]:
        if not addresses:
            return {}
        names: dict[Address, str] = {}
        for s in self.sightings:
            if s.address in addresses:
                names[s.address] = names.get(s.address) or s.name
        DiscoveredPerson.objects.bulk_create(
            [
                DiscoveredPerson(
                    workspace=self.workspace, kind=a.kind, value=a.value, name=names.get(a, ""), created_at=self.now
                )
                for a in addresses
            ],
            ignore_conflicts=True,  # another sync may have discovered them a moment ago
        )
        self.report.discovered += len(addresses)
        rows = DiscoveredPerson.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(row.kind, row.value): row for row in rows}

    def _name_unnamed(self, rows: dict[Address, DiscoveredPerson]) -> None:
        named = []
        for s in self.sightings:
            row = rows.get(s.address)
            if row is not None and not row.name and s.name:
                row.name = s.name
                named.append(row)
        if named:
            DiscoveredPerson.objects.bulk_update(set(named), ["name"])


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0][:200]


def _entry(contact_id, kind, at, direction, summary, source_key) -> TimelineEntry:
    return TimelineEntry(
        contact_id=contact_id, kind=kind, at=at, direction=direction, summary=summary, source_key=source_key
    )


def _address_q(addresses: Iterable[Address], field_name: str) -> Q:
    emails = [a.value for a in addresses if a.kind == EMAIL]
    phones = [a.value for a in addresses if a.kind == PHONE]
    condition = Q(pk__in=[])
    if emails:
        condition |= Q(kind=EMAIL, **{f"{field_name}__in": emails})
    if phones:
        condition |= Q(kind=PHONE, **{f"{field_name}__in": phones})
    return condition


def _name_from_address(address: Address) -> str:
    if address.kind == EMAIL:
        return address.value[:NAME_LENGTH]
    return DiscoveredPerson(kind=PHONE, value=address.value).display_address


def _refresh_discovered(rows: QuerySet) -> None:
    """Count, first/last seen and last summary from the kept interactions: one UPDATE."""
    kept = DiscoveredInteraction.objects.filter(discovered=OuterRef("pk")).order_by().values("discovered")
    rows.update(
        interaction_count=Coalesce(Subquery(kept.annotate(n=Count("pk")).values("n")), 0),
        first_seen_at=Subquery(kept.annotate(first=Min("at")).values("first")),
        last_seen_at=Subquery(kept.annotate(last=Max("at")).values("last")),
        last_summary=Coalesce(
            Subquery(
                DiscoveredInteraction.objects.filter(discovered=OuterRef("pk"))
                .order_by("-at", "-pk")
                .values("summary")[:1]
            ),
            Value(""),
        ),
    )


# --- Running a sync ----------------------------------------------------------------------------------


def _run(workspace: Workspace, total: int, items: Iterator[Item], report: SyncReport, *, actor, progress, batch_size):
    writer = _Writer(workspace, actor, report, batch_size)
    for number, item in enumerate(items, 1):
        report.read += 1
        if isinstance(item, Skip):
            report.skipped.append(item)
        else:
            writer.add(item)
        if progress is not None:
            progress(number, total)
    writer.flush()
    return report


def sync_mailbox(
    workspace: Workspace,
    path: str | Path,
    *,
    actor=None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> SyncReport:
    """Sync an mbox file or a folder of .eml files into the workspace; raises SourceUnreadable."""
    total, items = _mailbox_items(Path(path), OwnAddresses.of(workspace))
    return _run(workspace, total, items, SyncReport("messages"), actor=actor, progress=progress, batch_size=batch_size)


def sync_calls(
    workspace: Workspace,
    path: str | Path,
    *,
    actor=None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> SyncReport:
    """Sync a call log (CSV: number,direction,started_at,duration_seconds,name); raises SourceUnreadable."""
    total, items = _call_items(Path(path), workspace.default_region)
    return _run(workspace, total, items, SyncReport("calls"), actor=actor, progress=progress, batch_size=batch_size)


# --- Discovered People: add or dismiss ---------------------------------------------------------------


def discovered_people(workspace: Workspace) -> QuerySet:
    """Discovered People as the page lists them: not dismissed, most recently seen first.

    Addresses that turned out to be the team's own (a member joined, or own_addresses grew
    after a sync listed them) are left out: they are nobody to add.
    """
    own = OwnAddresses.of(workspace).q("value")
    return (
        DiscoveredPerson.objects.filter(workspace=workspace, dismissed_at__isnull=True)
        .exclude(Q(kind=EMAIL) & own)
        .order_by(F("last_seen_at").desc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class Owner:
    """A person who already has a discovered address, and which audience they are in."""

    pk: int
    name: str
    archived: bool
    deleted: bool

    @property
    def place(self) -> str:
        from audiences.registry import ARCHIVED, MY_PEOPLE, RECENTLY_DELETED

        return (RECENTLY_DELETED if self.deleted else ARCHIVED if self.archived else MY_PEOPLE).name


class OfferKind(StrEnum):
    ADD = "add"  # a new person, or the one person in My People who has the address gets the history
    RESTORE = "restore"  # the one person who has it is archived or deleted: bring them back instead
    NONE = "none"  # several people have it: which one is meant is not guessed


@dataclass(frozen=True)
class Offer:
    """What Discovered People offers for one address, from who already has it (the page and the services agree)."""

    kind: OfferKind
    person: Owner | None = None
    note: str = ""


def _offer(owners: list[Owner]) -> Offer:
    # As in sync's own matching, a person in Recently Deleted counts only when nobody else has the address.
    kept = [o for o in owners if not o.deleted]
    candidates = kept or owners
    if len(candidates) > 1:
        if kept:
            return Offer(OfferKind.NONE, note=f"{len(kept)} people already have this address")
        note = f"{len(owners)} people with this address are in Recently Deleted: restore the right one there first"
        return Offer(OfferKind.NONE, note=note)
    if not candidates:
        return Offer(OfferKind.ADD)
    person = candidates[0]
    if person.archived:
        return Offer(OfferKind.RESTORE, person, f"{person.name} is in {person.place}")
    return Offer(OfferKind.ADD, person, f"{person.name} in {person.place} has this address")


def discovered_offers(workspace: Workspace, rows: list[DiscoveredPerson]) -> list[Offer]:
    """The offer for each row (Add, Restore <name>, or neither), in one query."""
    owners = _owners(workspace, {Address(row.kind, row.value) for row in rows})
    return [_offer(owners.get(Address(row.kind, row.value), [])) for row in rows]


def _owners(workspace: Workspace, addresses: set[Address]) -> dict[Address, list[Owner]]:
    if not addresses:
        return {}
    emails = [a.value for a in addresses if a.kind == EMAIL]
    phones = [a.value for a in addresses if a.kind == PHONE]
    people = Contact.objects.filter(workspace=workspace).filter(Q(email__in=emails) | Q(phone_e164__in=phones))
    found: dict[Address, list[Owner]] = defaultdict(list)
    for pk, name, email, phone, archived_at, deleted_at in people.order_by("pk").values_list(
        "pk", "name", "email", "phone_e164", "archived_at", "deleted_at"
    ):
        owner = Owner(pk, name, archived_at is not None, deleted_at is not None)
        for address in (Address(EMAIL, email), Address(PHONE, phone)):
            if address in addresses:
                found[address].append(owner)
    return found


def _offer_for(workspace: Workspace, row: DiscoveredPerson) -> Offer:
    return discovered_offers(workspace, [row])[0]


@dataclass(frozen=True)
class Added:
    person: Contact
    created: bool
    interactions: int


GONE = "This person was already added or dismissed; nothing was changed."
CHANGED = "Who has this address changed since the page was shown. Nothing was changed; see the list again."


def _locked_discovered(workspace: Workspace, discovered_id: int) -> DiscoveredPerson:
    """The discovered address, locked until the transaction ends; gone if added or dismissed meanwhile."""
    row = (
        DiscoveredPerson.objects.select_for_update()
        .filter(workspace=workspace, pk=discovered_id, dismissed_at__isnull=True)
        .first()
    )
    if row is None:
        raise ContactError(GONE)
    return row


def add_discovered(*, actor, workspace: Workspace, discovered_id: int) -> Added:
    """A discovered address becomes a person (or joins the one person in My People who has it meanwhile),
    with the kept interactions on their timeline. Someone archived or deleted is restored instead
    (restore_discovered): adding would leave them, with their history, in the bin beside a blank copy."""
    from contacts.services import membership_for

    membership_for(actor, workspace)
    with transaction.atomic():
        row = _locked_discovered(workspace, discovered_id)
        offer = _offer_for(workspace, row)
        if offer.kind is OfferKind.RESTORE:
            name = offer.person.name
            raise ContactError(f"{offer.note}: restore {name} instead of adding someone new. Nothing was changed.")
        if offer.kind is OfferKind.NONE:
            raise ContactError(f"{offer.note}. Nothing was changed.")
        interactions = list(row.interactions.all())
        if offer.person is not None:
            person, created = Contact.objects.get(pk=offer.person.pk), False
        else:
            person, created = (
                Contact(
                    workspace=workspace,
                    name=row.name or _name_from_address(Address(row.kind, row.value)),
                    email=row.value if row.kind == EMAIL else "",
                    phone=row.value if row.kind == PHONE else "",
                    last_touch_at=max((i.at for i in interactions), default=None),
                ),
                True,
            )
            person.save()
            TimelineEntry.objects.create(
                contact=person, kind=EntryKind.CREATED_BY_SYNC, actor=actor, summary="Added from Discovered People"
            )
        _move_to_timeline(interactions, person.pk)
        row.delete()
    return Added(person, created, len(interactions))


@dataclass(frozen=True)
class Restored:
    person: Contact
    came_from: str  # the audience they were in
    interactions: int


def restore_discovered(*, actor, workspace: Workspace, discovered_id: int, person_id: int | None) -> Restored:
    """The person in Archived People or Recently Deleted who has a discovered address comes back to My People,
    and the interactions kept for the address join their timeline.

    My People, not Archived People: the address turned up because they are in touch again, and
    that is where people one is in touch with are. The way back is the bulk Restore's own
    services (from Recently Deleted, then from Archived People), so the same rules, timeline
    entries and Operations apply. person_id is the person the page offered; if the offer is
    different now, nothing is changed.
    """
    from contacts import services

    services.membership_for(actor, workspace)
    with transaction.atomic():
        row = _locked_discovered(workspace, discovered_id)
        offer = _offer_for(workspace, row)
        if offer.kind is not OfferKind.RESTORE or offer.person.pk != person_id:
            raise ContactError(CHANGED)
        came_from = offer.person.place
        selected = Contact.objects.filter(pk=person_id)
        steps = [services.restore_from_archive]
        if offer.person.deleted:
            steps.insert(0, services.restore_from_deleted)
        for step in steps:
            if step(actor=actor, workspace=workspace, selected=selected).done != 1:
                raise ContactError(CHANGED)  # changed by someone else meanwhile: rolls back the whole restore
        interactions = list(row.interactions.all())
        _move_to_timeline(interactions, person_id)
        row.delete()
    return Restored(Contact.objects.get(pk=person_id), came_from, len(interactions))


def _move_to_timeline(interactions: list[DiscoveredInteraction], person_id: int) -> None:
    """The kept interactions join the person's timeline (once each); last touch moves forward only."""
    TimelineEntry.objects.bulk_create(
        [_entry(person_id, i.kind, i.at, i.direction, i.summary, i.source_key) for i in interactions],
        ignore_conflicts=True,
    )
    latest = max((i.at for i in interactions), default=None)
    if latest is not None:
        Contact.objects.filter(pk=person_id).filter(Q(last_touch_at__isnull=True) | Q(last_touch_at__lt=latest)).update(
            last_touch_at=latest
        )


def dismiss_discovered(*, actor, workspace: Workspace, discovered_id: int) -> str:
    """Leave an address out of Discovered People for good: later syncs ignore it (and count it).

    Only the address and the dismissal are kept; the interactions kept for it are erased.
    Its owner can still become a person: added by hand, or re-created by sync if they were one.
    Returns the name the page showed, for the status message.
    """
    from contacts.services import membership_for

    membership_for(actor, workspace)
    with transaction.atomic():
        row = _locked_discovered(workspace, discovered_id)
        row.interactions.all().delete()
        shown = row.display_name
        row.dismissed_at, row.dismissed_by = timezone.now(), actor
        row.name, row.interaction_count, row.last_summary = "", 0, ""
        row.save(update_fields=["dismissed_at", "dismissed_by", "name", "interaction_count", "last_summary"])
    return shown
