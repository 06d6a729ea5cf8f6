"""Mailboxes and call logs for the sync tests, written as a mail program (or a hand) would."""

import itertools
import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from io import StringIO

from django.core.management import call_command

from contacts.models import Contact, TimelineEntry
from sync.models import DiscoveredInteraction, DiscoveredPerson

JAN = datetime(2024, 1, 10, 9, 30, tzinfo=UTC)


def auto_create(workspace):
    workspace.auto_create_people = True
    workspace.save()


MESSAGE_NUMBERS = itertools.count(1)


def email(*, sender, to=(), cc=(), subject="Hello", at=JAN, message_id=None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    if to:
        message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id or f"<m{next(MESSAGE_NUMBERS)}@mail.test>"
    message.set_content("Body text.\n")
    return message


def write_mbox(tmp_path, messages, name="mail.mbox"):
    path = tmp_path / name
    box = mailbox.mbox(str(path))
    for message in messages:
        box.add(message)
    box.flush()
    box.close()
    return path


def raw_mbox(tmp_path, messages: list[bytes], name="raw.mbox", ending=b"\n"):
    """An mbox written by hand, for the messages a mail program would never write."""
    path = tmp_path / name
    path.write_bytes(
        b"".join(b"From sender@example.com Wed Jan 10 09:30:00 2024\n" + m + b"\n" for m in messages)[:-1] + ending
    )
    return path


def write_calls(tmp_path, text: str | bytes, name="calls.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **kwargs)
    return out.getvalue()


def timeline(person, kinds=None):
    entries = person.timeline.order_by("at", "pk")
    if kinds:
        entries = entries.filter(kind__in=kinds)
    return list(entries.values_list("kind", "direction", "summary"))


def stored():
    return (
        Contact.objects.count(),
        TimelineEntry.objects.count(),
        DiscoveredPerson.objects.count(),
        DiscoveredInteraction.objects.count(),
    )


FROM_ANN = b"From: ann@example.com"
TO_US = b"To: sales@acme-mail.test"
DATED = b"Date: Wed, 10 Jan 2024 09:30:00 +0000"


def raw(*headers: bytes) -> bytes:
    """A message's bytes from header lines, as written by hand: nothing is checked or encoded."""
    return b"\n".join(headers) + b"\n\nx\n"


def good(n: int) -> bytes:
    return raw(b"From: Ann <ann@example.com>", TO_US, b"Subject: good %d" % n, DATED, b"Message-ID: <good%d@x>" % n)
