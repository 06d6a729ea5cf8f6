"""The mailbox reader: an mbox file, a folder of .eml files or one .eml file, as Sightings or Skips.

Only the headers are read (From, To, Cc, Date, Subject, Message-ID). Each message's counterparts
are everyone outside the team's own addresses; the sender of an incoming message and the To
recipients of an outgoing one are direct, people only copied are not.
"""

from __future__ import annotations

import hashlib
import mailbox
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import EntryKind
from contacts.normalize import normalize_email
from contacts.text import control_character, single_line
from sync.own_addresses import OwnAddresses
from sync.report import Skip, SourceUnreadable
from sync.sightings import EMAIL, NAME_LENGTH, SUMMARY_LENGTH, YEARS, Address, Item, Sighting, Unusable

# Longer Message-IDs are stored as a digest (source_key holds 300 characters).
MAX_MESSAGE_ID = 280

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
                raise Unusable(f"undecodable bytes in the {name} header") from None
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
            raise Unusable(f"undecodable bytes in the {name} header") from None
    if "\ufffd" in text:
        raise Unusable(f"undecodable bytes in the {name} header")
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
        raise Unusable("no Date header")
    try:
        at = parsedate_to_datetime(str(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        raise Unusable("unparseable Date") from None
    if at.year not in YEARS:
        raise Unusable("unparseable Date")
    if timezone.is_naive(at):  # "-0000": the sender did not say; UTC is the convention
        at = at.replace(tzinfo=UTC)
    return at


def message_sightings(data: bytes, position: str, own: OwnAddresses) -> list[Sighting]:
    """The counterparts of one message (RFC 5322 bytes); raises Unusable with the reason."""
    try:
        headers = _Headers(data)
    except Exception as error:  # the parser is lenient; this is a last resort
        raise Unusable(f"malformed message ({error.__class__.__name__})") from None
    if not (headers.text("From") or "").strip():
        raise Unusable("no From header")
    senders = headers.addresses("From")
    if not senders:
        raise Unusable("unparseable From header")
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
        raise Unusable("no one outside the team (only the workspace's own addresses)")
    summary = subject or _("(no subject)")
    return [
        Sighting(Address(EMAIL, email), names[email], is_direct, EntryKind.EMAIL, at, direction, summary, key, position)
        for email, is_direct in roles.items()
    ]


def mailbox_items(path: Path, own: OwnAddresses) -> tuple[int, Iterator[Item]]:
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
    except Unusable as skipped:
        return Skip(position, str(skipped))
    except Exception as error:  # the bytes come from anyone: a parser's surprise costs one message, not the sync
        return Skip(position, f"malformed message ({error.__class__.__name__})")
