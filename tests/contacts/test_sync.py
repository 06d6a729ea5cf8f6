"""Sync from email and phone: the files are made here, the good and the bad, and synced as an operator would."""

import itertools
import mailbox
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts import services, sync
from contacts.management.commands.sync_mailbox import TerminalProgress
from contacts.models import (
    Contact,
    DeletedAddress,
    DiscoveredInteraction,
    DiscoveredPerson,
    EntryKind,
    Stage,
    Suppression,
    TimelineEntry,
)
from contacts.sync import Skip
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory

JAN = datetime(2024, 1, 10, 9, 30, tzinfo=UTC)


@pytest.fixture
def team(workspace):
    """Acme's own addresses: one mailbox by address, the rest by domain."""
    workspace.own_addresses = "sales@acme-mail.test\n@acme.test\n"
    workspace.save()
    return workspace


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


# --- Matching people ---------------------------------------------------------------------------------


def test_matched_person_gets_the_email_on_their_timeline_and_their_last_touch(team, tmp_path):
    ann = ContactFactory(
        workspace=team, name="Ann Ames", email="ann@example.com", last_touch_at=JAN - timedelta(days=30)
    )
    path = write_mbox(
        tmp_path, [email(sender="Ann Ames <ANN@Example.com>", to=["sales@acme-mail.test"], subject="Quote?")]
    )

    report = sync.sync_mailbox(team, path)

    assert (report.read, report.added, report.created, report.discovered) == (1, 1, 0, 0)
    assert timeline(ann) == [(EntryKind.EMAIL, "in", "Quote?")]
    ann.refresh_from_db()
    assert ann.last_touch_at == JAN


def test_direction_is_decided_by_the_workspace_own_addresses_and_domains(team, tmp_path):
    bo = ContactFactory(workspace=team, email="bo@example.com")
    path = write_mbox(
        tmp_path,
        [
            email(sender="sales@acme-mail.test", to=["bo@example.com"], subject="from our mailbox", at=JAN),
            email(
                sender="Dana <dana@acme.test>",
                to=["bo@example.com"],
                subject="from our domain",
                at=JAN + timedelta(hours=1),
            ),
            email(sender="bo@example.com", to=["dana@acme.test"], subject="reply", at=JAN + timedelta(hours=2)),
        ],
    )
    sync.sync_mailbox(team, path)
    assert timeline(bo) == [
        (EntryKind.EMAIL, "out", "from our mailbox"),
        (EntryKind.EMAIL, "out", "from our domain"),
        (EntryKind.EMAIL, "in", "reply"),
    ]


def test_last_touch_never_moves_back(team, tmp_path):
    later = JAN + timedelta(days=100)
    ann = ContactFactory(workspace=team, email="ann@example.com", last_touch_at=later)
    sync.sync_mailbox(team, write_mbox(tmp_path, [email(sender="ann@example.com", to=["sales@acme-mail.test"])]))
    ann.refresh_from_db()
    assert ann.last_touch_at == later and len(timeline(ann)) == 1


def test_archived_person_stays_archived_and_their_history_grows(team, tmp_path):
    old = ContactFactory(workspace=team, email="old@example.com", archived=True)
    archived_at = old.archived_at
    report = sync.sync_mailbox(
        team, write_mbox(tmp_path, [email(sender="old@example.com", to=["sales@acme-mail.test"])])
    )
    old.refresh_from_db()
    assert report.added == 1 and report.created == 0
    assert old.archived_at == archived_at and old.stage == Stage.LOST and old.last_touch_at == JAN
    assert timeline(old) == [(EntryKind.EMAIL, "in", "Hello")]
    assert Contact.objects.count() == 1


def test_copied_person_who_exists_gets_the_email(team, tmp_path):
    cy = ContactFactory(workspace=team, email="cy@example.com")
    sync.sync_mailbox(
        team,
        write_mbox(tmp_path, [email(sender="sales@acme-mail.test", to=["new@example.com"], cc=["cy@example.com"])]),
    )
    assert timeline(cy) == [(EntryKind.EMAIL, "out", "Hello")]


def test_several_people_with_the_address_are_reported_not_guessed(team, tmp_path):
    twins = ContactFactory.create_batch(2, workspace=team, email="twin@example.com")
    path = write_mbox(tmp_path, [email(sender="twin@example.com", to=["sales@acme-mail.test"])])

    report = sync.sync_mailbox(team, path)

    assert report.ambiguous == [Skip("message 1", "twin@example.com matches 2 people; add it to one of them only")]
    assert report.added == 0 and TimelineEntry.objects.filter(contact__in=twins).count() == 0
    assert DiscoveredPerson.objects.count() == 0
    assert "Ambiguous: 1" in "\n".join(report.lines())


def test_people_of_other_workspaces_are_never_matched(team, other_workspace, tmp_path):
    theirs = ContactFactory(workspace=other_workspace, email="shared@example.com")
    sync.sync_mailbox(team, write_mbox(tmp_path, [email(sender="shared@example.com", to=["sales@acme-mail.test"])]))
    assert theirs.timeline.count() == 0
    assert DiscoveredPerson.objects.get().workspace == team


def test_members_addresses_are_the_team_own_without_being_configured(workspace, member, other_workspace, tmp_path):
    """#11.11: a member's login address is the team's own: mail from it is outgoing, and it is never a person."""
    member.email = "Mia.Member@Example.org"  # not in own_addresses, and not of any configured domain
    member.save()
    outsider = UserFactory(username="otto", email="otto@example.org")  # a member of another workspace only
    MembershipFactory(workspace=other_workspace, user=outsider)
    path = write_mbox(
        tmp_path,
        [
            email(
                sender="Mia Member <mia.member@example.org>", to=["Stan Stranger <stan@example.com>"], subject="Offer"
            ),
            email(
                sender="Stan Stranger <stan@example.com>",
                to=["Mia <MIA.MEMBER@example.org>"],
                cc=["otto@example.org"],
                subject="Re: Offer",
                at=JAN + timedelta(hours=1),
            ),
        ],
    )

    report = sync.sync_mailbox(workspace, path)

    assert sorted(DiscoveredPerson.objects.values_list("value", flat=True)) == ["otto@example.org", "stan@example.com"]
    stan = DiscoveredPerson.objects.get(value="stan@example.com")
    assert list(stan.interactions.order_by("at").values_list("direction", "summary")) == [
        ("out", "Offer"),
        ("in", "Re: Offer"),
    ]
    assert (report.discovered, report.discovered_interactions, report.created) == (2, 3, 0)
    assert not Contact.objects.exists()


def test_members_are_never_created_when_the_workspace_creates_people_automatically(team, member, tmp_path):
    member.email = "mia@gmail.example"
    member.save()
    auto_create(team)
    path = write_mbox(
        tmp_path,
        [
            email(sender="mia@gmail.example", to=["stan@example.com"], subject="Offer"),
            email(
                sender="stan@example.com", to=["mia@gmail.example"], subject="Re: Offer", at=JAN + timedelta(hours=1)
            ),
            email(
                sender="mia@gmail.example", to=["sales@acme-mail.test"], subject="Only us", at=JAN + timedelta(hours=2)
            ),
        ],
    )

    report = sync.sync_mailbox(team, path)

    stan = Contact.objects.get()
    assert stan.email == "stan@example.com"
    assert timeline(stan, [EntryKind.EMAIL]) == [
        (EntryKind.EMAIL, "out", "Offer"),
        (EntryKind.EMAIL, "in", "Re: Offer"),
    ]
    assert not DiscoveredPerson.objects.exists()
    assert report.skipped == [Skip("message 3", "no one outside the team (only the workspace's own addresses)")]


def test_the_discovered_page_leaves_out_addresses_that_turn_out_to_be_the_team_own(client, member, team):
    """Rows an earlier sync made for a member's or a configured address are not offered any more."""
    member.email = "mia@gmail.example"
    member.save()
    for value in ("mia@gmail.example", "dana@acme.test", "sales@acme-mail.test", "stan@example.com"):
        DiscoveredPerson.objects.create(workspace=team, kind="email", value=value, last_seen_at=JAN)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "stan@example.com" in page and "1 person" in page
    assert "mia@gmail.example" not in page and "dana@acme.test" not in page and "sales@acme-mail.test" not in page


# --- Unknown people: discovered or created -----------------------------------------------------------


def test_unknown_sender_is_discovered_by_default(team, tmp_path):
    path = write_mbox(
        tmp_path,
        [
            email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"], subject="First", at=JAN),
            email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Second", at=JAN + timedelta(days=1)),
        ],
    )
    report = sync.sync_mailbox(team, path)

    assert Contact.objects.count() == 0
    assert (report.discovered, report.discovered_interactions, report.created) == (1, 2, 0)
    erin = DiscoveredPerson.objects.get()
    assert (erin.kind, erin.value, erin.name, erin.interaction_count) == (
        "email",
        "erin@example.com",
        "Erin Example",
        2,
    )
    assert (erin.first_seen_at, erin.last_seen_at, erin.last_summary) == (JAN, JAN + timedelta(days=1), "Second")


def test_unknown_sender_is_created_when_the_workspace_creates_people_automatically(team, tmp_path):
    auto_create(team)
    path = write_mbox(tmp_path, [email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"])])

    report = sync.sync_mailbox(team, path)

    erin = Contact.objects.get()
    assert (erin.name, erin.email, erin.archived_at, erin.last_touch_at) == (
        "Erin Example",
        "erin@example.com",
        None,
        JAN,
    )
    assert [kind for kind, _, _ in timeline(erin)] == [EntryKind.EMAIL, EntryKind.CREATED_BY_SYNC]
    assert (report.created, report.added, report.discovered) == (1, 1, 0)


def test_recipients_of_our_email_are_created_but_people_only_copied_are_discovered(team, tmp_path):
    auto_create(team)
    path = write_mbox(
        tmp_path,
        [email(sender="sales@acme-mail.test", to=["To Person <to@example.com>"], cc=["Copied <cc@example.com>"])],
    )
    sync.sync_mailbox(team, path)
    assert list(Contact.objects.values_list("email", flat=True)) == ["to@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["cc@example.com"]


def test_other_recipients_of_an_incoming_email_are_only_discovered(team, tmp_path):
    auto_create(team)
    path = write_mbox(
        tmp_path, [email(sender="boss@example.com", to=["sales@acme-mail.test", "colleague@example.com"])]
    )
    sync.sync_mailbox(team, path)
    assert list(Contact.objects.values_list("email", flat=True)) == ["boss@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["colleague@example.com"]


def test_a_discovered_address_that_gets_created_later_brings_its_history_along(team, tmp_path):
    sync.sync_mailbox(
        team,
        write_mbox(
            tmp_path,
            [email(sender="sales@acme-mail.test", to=["x@example.com"], cc=["fran@example.com"], subject="cc'd")],
            "a.mbox",
        ),
    )
    auto_create(team)
    later = email(
        sender="Fran <fran@example.com>", to=["sales@acme-mail.test"], subject="direct", at=JAN + timedelta(days=2)
    )
    report = sync.sync_mailbox(team, write_mbox(tmp_path, [later], "b.mbox"))

    fran = Contact.objects.get(email="fran@example.com")
    assert report.created == 1
    assert sorted(summary for kind, _, summary in timeline(fran, [EntryKind.EMAIL])) == ["cc'd", "direct"]
    assert not DiscoveredPerson.objects.filter(value="fran@example.com").exists()
    assert fran.last_touch_at == JAN + timedelta(days=2)


def test_messages_only_among_the_team_are_skipped_with_a_reason(team, tmp_path):
    report = sync.sync_mailbox(
        team, write_mbox(tmp_path, [email(sender="dana@acme.test", to=["sales@acme-mail.test"])])
    )
    assert report.skipped == [Skip("message 1", "no one outside the team (only the workspace's own addresses)")]
    assert DiscoveredPerson.objects.count() == 0


# --- Deleted people: re-created unless suppressed ----------------------------------------------------


def test_person_in_recently_deleted_is_recreated_as_a_new_person(team, tmp_path):
    gone = ContactFactory(workspace=team, name="Gone Gabe", email="gabe@example.com", deleted=True)
    gone_entries = gone.timeline.count()
    path = write_mbox(
        tmp_path, [email(sender="Gabe G <gabe@example.com>", to=["sales@acme-mail.test"], subject="Still here")]
    )

    report = sync.sync_mailbox(team, path)  # "Create people automatically" is off: re-creation does not need it

    again = Contact.objects.get(email="gabe@example.com", deleted_at__isnull=True)
    assert again.pk != gone.pk and again.name == "Gabe G"
    assert timeline(again) == [
        (EntryKind.EMAIL, "in", "Still here"),
        (EntryKind.RECREATED_BY_SYNC, "", "Re-created by sync: gabe@example.com belonged to a deleted person"),
    ]
    gone.refresh_from_db()
    assert gone.deleted_at is not None and gone.timeline.count() == gone_entries
    assert (report.recreated, report.created, report.discovered) == (1, 0, 0)


def test_purged_person_is_recreated_from_a_one_way_trace(team, admin_user, tmp_path):
    gone = ContactFactory(workspace=team, email="pat@example.com", phone="(415) 555-0100", deleted=True)
    everyone = Contact.objects.filter(pk=gone.pk)
    services.purge(actor=admin_user, workspace=team, selected=everyone)  # "Delete forever" leaves the traces itself
    assert not Contact.objects.exists()
    traces = list(DeletedAddress.objects.values_list("kind", "digest"))
    assert sorted(kind for kind, _ in traces) == ["email", "phone"]
    assert all("pat" not in digest and "555" not in digest and len(digest) == 64 for _, digest in traces)

    report = sync.sync_mailbox(
        team, write_mbox(tmp_path, [email(sender="pat@example.com", to=["sales@acme-mail.test"])])
    )
    calls = sync.sync_calls(
        team, write_calls(tmp_path, "number,direction,started_at\n+1 415 555 0100,in,2024-01-10T09:30:00+00:00\n")
    )

    assert report.recreated == 1 and calls.recreated == 1
    assert Contact.objects.filter(email="pat@example.com").count() == 1
    assert Contact.objects.filter(phone_e164="+14155550100").count() == 1
    assert TimelineEntry.objects.filter(kind=EntryKind.RECREATED_BY_SYNC).count() == 2


def test_the_daily_purge_leaves_traces_so_a_later_sync_recreates_the_person(team, tmp_path):
    """#11.29: purge_deleted, as cron runs it, must keep the one-way traces, or sync could never re-create."""
    past_retention = timezone.now() - team.retention - timedelta(days=1)
    ContactFactory(
        workspace=team,
        name="Pat Purged",
        email="Pat@Example.com",
        phone="(415) 555-0100",
        deleted=True,
        deleted_at=past_retention,
        archived_at=past_retention,
    )
    recent = ContactFactory(workspace=team, email="recent@example.com", deleted=True)  # inside the retention

    assert "Erased 1 person from Recently Deleted." in run("purge_deleted")

    assert list(Contact.objects.values_list("pk", flat=True)) == [recent.pk]
    assert sorted(DeletedAddress.objects.filter(workspace=team).values_list("kind", "digest")) == [
        ("email", DeletedAddress.digest_of(team.pk, "email", "pat@example.com")),
        ("phone", DeletedAddress.digest_of(team.pk, "phone", "+14155550100")),
    ]

    report = sync.sync_mailbox(
        team, write_mbox(tmp_path, [email(sender="Pat P <pat@example.com>", to=["sales@acme-mail.test"], subject="Hi")])
    )

    assert (report.recreated, report.created, report.discovered) == (1, 0, 0)
    pat = Contact.objects.get(email="pat@example.com")
    assert (pat.name, pat.deleted_at, pat.archived_at) == ("Pat P", None, None)
    assert timeline(pat) == [
        (EntryKind.EMAIL, "in", "Hi"),
        (EntryKind.RECREATED_BY_SYNC, "", "Re-created by sync: pat@example.com belonged to a deleted person"),
    ]
    assert not DiscoveredPerson.objects.exists()


def test_suppressed_address_is_dropped_and_counted(team, admin_user, tmp_path):
    gone = ContactFactory(workspace=team, email="sam@example.com", archived=True)
    services.delete(actor=admin_user, workspace=team, selected=Contact.objects.filter(pk=gone.pk), suppress_sync=True)
    path = write_mbox(
        tmp_path,
        [
            email(sender="sam@example.com", to=["sales@acme-mail.test"]),
            email(sender="sales@acme-mail.test", to=["Sam <SAM@example.com>"]),
        ],
    )

    report = sync.sync_mailbox(team, path)

    assert report.suppressed == 2 and (report.recreated, report.added, report.discovered) == (0, 0, 0)
    assert list(Contact.objects.values_list("pk", flat=True)) == [gone.pk]
    assert DiscoveredPerson.objects.count() == 0
    assert "Suppressed: 2 interactions dropped" in report.lines()


def test_suppressed_unknown_caller_is_neither_created_nor_discovered(team, tmp_path):
    auto_create(team)
    Suppression.objects.create(workspace=team, kind="phone", value="+14155550123")
    report = sync.sync_calls(
        team, write_calls(tmp_path, "number,direction,started_at\n4155550123,in,2024-01-10 09:30\n")
    )
    assert report.suppressed == 1
    assert not Contact.objects.exists() and not DiscoveredPerson.objects.exists()


def test_recently_deleted_person_only_copied_is_discovered_not_recreated(team, tmp_path):
    ContactFactory(workspace=team, email="gabe@example.com", deleted=True)
    sync.sync_mailbox(
        team,
        write_mbox(tmp_path, [email(sender="sales@acme-mail.test", to=["x@example.com"], cc=["gabe@example.com"])]),
    )
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 0
    assert DiscoveredPerson.objects.filter(value="gabe@example.com").exists()


def test_remember_purged_addresses_keeps_only_keyed_digests(workspace):
    person = ContactFactory(workspace=workspace, email="Keep.Out@Example.com", phone="")
    assert services.remember_purged_addresses(Contact.objects.filter(pk=person.pk)) == 1
    trace = DeletedAddress.objects.get()
    assert trace.digest == DeletedAddress.digest_of(workspace.pk, "email", "keep.out@example.com")
    assert trace.digest != DeletedAddress.digest_of(workspace.pk + 1, "email", "keep.out@example.com")


# --- Running again -----------------------------------------------------------------------------------


def stored():
    return (
        Contact.objects.count(),
        TimelineEntry.objects.count(),
        DiscoveredPerson.objects.count(),
        DiscoveredInteraction.objects.count(),
    )


def test_syncing_the_same_mailbox_again_adds_nothing(team, tmp_path):
    auto_create(team)
    ContactFactory(workspace=team, email="ann@example.com")
    ContactFactory(workspace=team, email="gabe@example.com", deleted=True)
    path = write_mbox(
        tmp_path,
        [
            email(sender="ann@example.com", to=["sales@acme-mail.test"], cc=["copied@example.com"]),
            email(sender="new@example.com", to=["sales@acme-mail.test"]),
            email(sender="gabe@example.com", to=["sales@acme-mail.test"]),
        ],
    )
    first = sync.sync_mailbox(team, path)
    before = stored()
    second = sync.sync_mailbox(team, path)

    assert (first.added, first.created, first.recreated, first.discovered) == (3, 1, 1, 1)
    assert stored() == before
    assert (second.added, second.created, second.recreated, second.discovered, second.discovered_interactions) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert second.already_synced == 4


def test_the_same_message_twice_in_one_file_is_recorded_once(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    message = email(sender="ann@example.com", to=["sales@acme-mail.test"], message_id="<same@mail.test>")
    sync.sync_mailbox(team, write_mbox(tmp_path, [message, message]))
    assert list(ann.timeline.values_list("source_key", flat=True)) == ["msg:<same@mail.test>"]


def test_messages_without_a_message_id_are_deduplicated_too(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    message = email(sender="ann@example.com", to=["sales@acme-mail.test"])
    del message["Message-ID"]
    path = write_mbox(tmp_path, [message])
    sync.sync_mailbox(team, path)
    sync.sync_mailbox(team, path)
    assert ann.timeline.count() == 1


# --- Bad input ---------------------------------------------------------------------------------------

FROM_ANN = b"From: ann@example.com"
TO_US = b"To: sales@acme-mail.test"
DATED = b"Date: Wed, 10 Jan 2024 09:30:00 +0000"


def raw(*headers: bytes) -> bytes:
    """A message's bytes from header lines, as written by hand: nothing is checked or encoded."""
    return b"\n".join(headers) + b"\n\nx\n"


def good(n: int) -> bytes:
    return raw(b"From: Ann <ann@example.com>", TO_US, b"Subject: good %d" % n, DATED, b"Message-ID: <good%d@x>" % n)


def test_bad_messages_are_skipped_with_reason_and_position_and_the_rest_is_imported(team, tmp_path):
    ann = ContactFactory(workspace=team, name="Ann", email="ann@example.com", company="Ann Co")
    path = raw_mbox(
        tmp_path,
        [
            good(1),
            raw(FROM_ANN, TO_US, b"Subject: no date"),
            raw(FROM_ANN, TO_US, b"Date: yesterday-ish"),
            raw(TO_US, DATED),
            raw(b"From: not an address", TO_US, DATED),
            raw(FROM_ANN, TO_US, b"Subject: caf\xe9 \xff", DATED),  # Latin-1 bytes, not UTF-8
            b"\x00\x01\x02 not a message at all",
            good(2),
            b"From: ann@example.com\nTo: sales@acme-mail.test\nDa",  # the file ends here: truncated
        ],
        ending=b"",
    )

    report = sync.sync_mailbox(team, path)

    assert report.read == 9 and report.added == 2
    assert report.skipped == [
        Skip("message 2", "no Date header"),
        Skip("message 3", "unparseable Date"),
        Skip("message 4", "no From header"),
        Skip("message 5", "unparseable From header"),
        Skip("message 6", "undecodable bytes in the Subject header"),
        Skip("message 7", "no From header"),
        Skip("message 9", "truncated (the file ends in the middle of this message)"),
    ]
    assert sorted(s for _, _, s in timeline(ann)) == ["good 1", "good 2"]
    ann.refresh_from_db()
    assert (ann.name, ann.company, ann.archived_at) == ("Ann", "Ann Co", None)
    lines = "\n".join(report.lines())
    assert "Skipped: 7 messages (2 no From header," in lines
    assert "  message 3: unparseable Date" in lines


def test_headers_in_raw_utf8_are_read_as_text(team, tmp_path):
    path = raw_mbox(
        tmp_path,
        [
            raw(b"From: J\xc3\xb6rg <jorg@example.com>", TO_US, b"Subject: Caf\xc3\xa9", DATED),
        ],
    )
    report = sync.sync_mailbox(team, path)
    assert report.skipped == []
    found = DiscoveredPerson.objects.get()
    assert (found.name, found.last_summary) == ("Jörg", "Café")


def test_a_message_with_undecodable_encoded_words_is_skipped(team, tmp_path):
    path = raw_mbox(
        tmp_path,
        [
            raw(FROM_ANN, TO_US, b"Subject: =?utf-8?b?/w==?=", DATED),
            good(1),
        ],
    )
    report = sync.sync_mailbox(team, path)
    assert report.skipped == [Skip("message 1", "undecodable bytes in the Subject header")]
    assert report.discovered_interactions == 1


def test_a_folder_of_eml_files_is_synced_and_bad_files_are_skipped(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    folder = tmp_path / "mail"
    (folder / "sub").mkdir(parents=True)
    (folder / "1.eml").write_bytes(
        email(sender="ann@example.com", to=["sales@acme-mail.test"], subject="one").as_bytes()
    )
    (folder / "sub" / "2.eml").write_bytes(
        email(sender="ann@example.com", to=["sales@acme-mail.test"], subject="two").as_bytes()
    )
    (folder / "3.eml").write_bytes(b"Subject: nobody sent this\n\nx\n")
    (folder / "notes.txt").write_text("not mail")

    report = sync.sync_mailbox(team, folder)

    assert report.read == 3 and report.skipped == [Skip("3.eml", "no From header")]
    assert sorted(s for _, _, s in timeline(ann)) == ["one", "two"]


def test_sources_that_cannot_be_read_at_all_raise_a_clear_error(team, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("Dear diary,\nnothing here is mail.\n")
    with pytest.raises(sync.SourceUnreadable, match="does not exist"):
        sync.sync_mailbox(team, tmp_path / "missing.mbox")
    with pytest.raises(sync.SourceUnreadable, match=r"No \.eml files"):
        sync.sync_mailbox(team, tmp_path / "empty")
    with pytest.raises(sync.SourceUnreadable, match="is not an mbox file"):
        sync.sync_mailbox(team, tmp_path / "notes.txt")
    with pytest.raises(sync.SourceUnreadable, match="is a folder"):
        sync.sync_calls(team, tmp_path / "empty")
    with pytest.raises(sync.SourceUnreadable, match="lacks the column"):
        sync.sync_calls(team, write_calls(tmp_path, "number,duration_seconds\n+14155550100,3\n"))


def test_an_empty_mbox_syncs_nothing(team, tmp_path):
    (tmp_path / "empty.mbox").write_bytes(b"")
    report = sync.sync_mailbox(team, tmp_path / "empty.mbox")
    assert report.read == 0 and stored() == (0, 0, 0, 0)


# --- Calls -------------------------------------------------------------------------------------------


def test_calls_are_matched_by_normalized_phone_with_the_workspace_region(team, tmp_path):
    pat = ContactFactory(workspace=team, phone="(415) 555-0100")
    path = write_calls(
        tmp_path,
        "number,direction,started_at,duration_seconds,name\n"
        "415-555-0100,in,2024-01-10T09:30:00+00:00,192,Pat\n"
        "+1 415 555 0100,out,2024-01-11T10:00:00+00:00,45,\n",
    )
    report = sync.sync_calls(team, path)
    assert (report.read, report.added) == (2, 2)
    assert timeline(pat) == [
        (EntryKind.CALL, "in", "Incoming call · 3 min 12 s"),
        (EntryKind.CALL, "out", "Outgoing call · 45 s"),
    ]
    pat.refresh_from_db()
    assert pat.last_touch_at == datetime(2024, 1, 11, 10, 0, tzinfo=UTC)
    assert set(pat.timeline.values_list("source_key", flat=True)) == {
        "call:+14155550100@2024-01-10T09:30:00+00:00",
        "call:+14155550100@2024-01-11T10:00:00+00:00",
    }

    again = sync.sync_calls(team, path)
    assert (again.added, again.already_synced, pat.timeline.count()) == (0, 2, 2)


def test_the_workspace_default_region_reads_numbers_without_a_country_code(team, tmp_path):
    team.default_region = "GB"
    team.save()
    sync.sync_calls(team, write_calls(tmp_path, "020 7946 0018,in,2024-01-10T09:30:00+00:00,10,Lon Don\n"))
    assert DiscoveredPerson.objects.get().value == "+442079460018"


def test_unknown_callers_are_discovered_or_created(team, tmp_path):
    path = write_calls(
        tmp_path,
        "number,direction,started_at,duration_seconds,name\n+14155550142,in,2024-01-10T09:30:00Z,60,Quinn Caller\n",
    )
    sync.sync_calls(team, path)
    found = DiscoveredPerson.objects.get()
    assert (found.kind, found.value, found.name, found.display_address) == (
        "phone",
        "+14155550142",
        "Quinn Caller",
        "+1 415-555-0142",
    )

    auto_create(team)
    report = sync.sync_calls(team, write_calls(tmp_path, "+14155550142,out,2024-01-12T09:30:00Z,5,\n", "more.csv"))
    quinn = Contact.objects.get()
    assert (report.created, quinn.name, quinn.phone_e164) == (1, "Quinn Caller", "+14155550142")
    assert [k for k, _, _ in timeline(quinn)] == [EntryKind.CALL, EntryKind.CALL, EntryKind.CREATED_BY_SYNC]
    assert not DiscoveredPerson.objects.exists()


def test_bad_call_rows_are_skipped_with_line_and_reason(team, tmp_path):
    pat = ContactFactory(workspace=team, phone="+14155550100")
    path = write_calls(
        tmp_path,
        b"number,direction,started_at,duration_seconds,name\n"
        b"+14155550100,in,2024-01-10T09:30:00+00:00,10,\n"
        b"12,in,2024-01-10T09:31:00+00:00,10,\n"
        b"call me maybe,in,2024-01-10T09:32:00+00:00,10,\n"
        b"+14155550100,sideways,2024-01-10T09:33:00+00:00,10,\n"
        b"+14155550100,in,last tuesday,10,\n"
        b"+14155550100,in,2024-01-10T09:35:00+00:00,-4,\n"
        b"+14155550100,in,2024-01-10T09:36:00+00:00,10,J\xff\xfe\n"
        b"\n"
        b"+14155550100,out,2024-01-10T09:37:00+00:00,10,\n"
        b"+14155550100,in,2024-01-10T09:3",
    )
    report = sync.sync_calls(team, path)
    assert report.skipped == [
        Skip("line 3", "bad phone number '12'"),
        Skip("line 4", "bad phone number 'call me maybe'"),
        Skip("line 5", "unknown direction 'sideways' (use in or out)"),
        Skip("line 6", "unparseable started_at 'last tuesday'"),
        Skip("line 7", "bad duration_seconds '-4'"),
        Skip("line 8", "undecodable bytes (not UTF-8 text)"),
        Skip("line 11", "unparseable started_at '2024-01-10T09:3'"),
    ]
    assert report.read == 9 and report.added == 2 and pat.timeline.count() == 2
    assert "Skipped: 7 calls (2 bad phone number, " in "\n".join(report.lines())


# --- Cost --------------------------------------------------------------------------------------------


def mailbox_of(tmp_path, team, n: int, name: str):
    """n messages, each from a different known person and copying a different stranger."""
    people = [Contact(workspace=team, name=f"P{i}", email=f"p{i}-{name}@example.com") for i in range(n)]
    Contact.objects.bulk_create(people)
    messages = [
        email(
            sender=f"p{i}-{name}@example.com",
            to=["sales@acme-mail.test"],
            cc=[f"s{i}-{name}@example.com"],
            at=JAN + timedelta(minutes=i),
        )
        for i in range(n)
    ]
    return write_mbox(tmp_path, messages, f"{name}.mbox")


def queries_to_sync(team, path, batch_size):
    with CaptureQueriesContext(connection) as queries:
        report = sync.sync_mailbox(team, path, batch_size=batch_size)
    return len(queries), report


def test_queries_grow_with_batches_not_messages(team, tmp_path):
    small, small_report = queries_to_sync(team, mailbox_of(tmp_path, team, 50, "small"), batch_size=500)
    large, large_report = queries_to_sync(team, mailbox_of(tmp_path, team, 400, "large"), batch_size=500)
    assert (small_report.added, large_report.added) == (50, 400)
    assert (small_report.discovered, large_report.discovered) == (50, 400)
    assert large == small

    batched, batched_report = queries_to_sync(team, mailbox_of(tmp_path, team, 400, "batched"), batch_size=100)
    assert batched_report.added == 400
    assert batched <= 4 * small


def test_one_message_with_a_crowd_in_to_gives_at_most_fifty_counterparts(team, tmp_path):
    """#11.13: 20,000 addresses in one To: the sender and the first 49 others are taken, the rest counted."""
    crowd = b", ".join(b"p%d@example.com" % i for i in range(20_000))
    path = raw_mbox(
        tmp_path,
        [
            raw(
                b"From: Boss <boss@example.com>", b"To: sales@acme-mail.test, " + crowd, DATED, b"Message-ID: <crowd@x>"
            ),
            good(1),
        ],
    )

    out = run("sync_mailbox", "acme", str(path))

    assert DiscoveredPerson.objects.count() == 51  # 50 from the crowded message, Ann from the other one
    taken = set(DiscoveredPerson.objects.values_list("value", flat=True))
    assert {"boss@example.com", "p0@example.com", "p48@example.com", "ann@example.com"} <= taken
    assert "p49@example.com" not in taken
    assert DiscoveredInteraction.objects.count() == 51
    assert "Discovered: 51 new (interactions: 51)" in out.splitlines()
    assert "Counterparts skipped: 19951 (1 message had more than 50; only the first 50 of each were taken)" in out
    assert "  message 1: 20001 counterparts" in out.splitlines()


def test_the_counterpart_cap_is_a_setting_and_direct_counterparts_come_first(team, tmp_path, settings):
    settings.SYNC_MAX_COUNTERPARTS_PER_MESSAGE = 3
    auto_create(team)
    message = email(
        sender="sales@acme-mail.test",
        to=["a@example.com", "b@example.com"],
        cc=["c1@example.com", "c2@example.com", "c3@example.com"],
    )
    report = sync.sync_mailbox(team, write_mbox(tmp_path, [message]))
    assert sorted(Contact.objects.values_list("email", flat=True)) == ["a@example.com", "b@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["c1@example.com"]
    assert report.counterparts_skipped == 2
    assert report.crowded == [Skip("message 1", "5 counterparts")]


# --- Commands ----------------------------------------------------------------------------------------


def test_sync_mailbox_command_prints_a_summary(team, tmp_path):
    ContactFactory(workspace=team, email="ann@example.com")
    path = raw_mbox(tmp_path, [good(1), raw(FROM_ANN, TO_US)])
    out = run("sync_mailbox", "acme", str(path))
    assert out.splitlines() == [
        "Synced raw.mbox into Acme.",
        "Messages read: 2",
        "Interactions added: 1",
        "Already synced before: 0",
        "People created: 0",
        "People re-created: 0",
        "Discovered: 0 new (interactions: 0)",
        "Suppressed: 0 interactions dropped",
        "Ambiguous: 0 (several people match; not guessed)",
        "Skipped: 1 message (1 no Date header)",
        "  message 2: no Date header",
    ]


def test_sync_calls_command_prints_a_summary(team, tmp_path):
    path = write_calls(tmp_path, "+14155550100,in,2024-01-10T09:30:00Z,60,Quinn\nnope,in,2024-01-10T09:30:00Z,1,\n")
    out = run("sync_calls", "acme", str(path))
    assert "Calls read: 2" in out and "Discovered: 1 new (interactions: 1)" in out
    assert "  line 2: bad phone number 'nope'" in out


def test_commands_exit_non_zero_with_a_clear_message(team, tmp_path):
    with pytest.raises(CommandError, match="No workspace 'nowhere'"):
        run("sync_mailbox", "nowhere", str(tmp_path))
    with pytest.raises(CommandError, match="Nothing synced: .*missing.mbox does not exist"):
        run("sync_mailbox", "acme", str(tmp_path / "missing.mbox"))
    with pytest.raises(CommandError, match="Nothing synced: .*does not exist"):
        run("sync_calls", "acme", str(tmp_path / "missing.csv"))


class FakeTerminal(StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_only_for_large_inputs(team, tmp_path):
    terminal = FakeTerminal()
    progress = TerminalProgress(OutputWrapper(terminal), "messages")
    for done in range(1, 2001):
        progress(done, 2000)
    shown = terminal.getvalue()
    assert shown.startswith("\r[") and shown.endswith("100%  2,000 of 2,000 messages\n")
    assert shown.count("\r") == 101  # once per percent, not once per message

    small = FakeTerminal()
    quiet = TerminalProgress(OutputWrapper(small), "messages")
    for done in range(1, 11):
        quiet(done, 10)
    assert small.getvalue() == ""

    errors = StringIO()  # not a terminal: the command draws no bar at all
    call_command("sync_mailbox", "acme", str(raw_mbox(tmp_path, [good(1)])), stdout=StringIO(), stderr=errors)
    assert errors.getvalue() == ""


# --- Discovered People: add and dismiss --------------------------------------------------------------


@pytest.fixture
def erin(team, tmp_path):
    path = write_mbox(
        tmp_path,
        [
            email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"], subject="First", at=JAN),
            email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Second", at=JAN + timedelta(days=1)),
        ],
        "erin.mbox",
    )
    sync.sync_mailbox(team, path)
    return DiscoveredPerson.objects.get(value="erin@example.com")


def test_discovered_page_lists_people_not_dismissed(client, member, erin, other_workspace):
    DiscoveredPerson.objects.create(workspace=other_workspace, kind="email", value="theirs@example.com")
    DiscoveredPerson.objects.create(workspace=erin.workspace, kind="email", value="gone@example.com", dismissed_at=JAN)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Erin Example" in page and "erin@example.com" in page and "Second" in page
    assert "1 person" in page
    assert "theirs@example.com" not in page and "gone@example.com" not in page
    assert 'aria-current="page">Discovered People' in page


def test_add_creates_a_person_with_their_history(client, member, erin):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "Erin Example added to My People" in response.content.decode()
    person = Contact.objects.get(email="erin@example.com")
    assert (person.name, person.archived_at, person.last_touch_at) == ("Erin Example", None, JAN + timedelta(days=1))
    assert [(k, s) for k, _, s in timeline(person)] == [
        (EntryKind.EMAIL, "First"),
        (EntryKind.EMAIL, "Second"),
        (EntryKind.CREATED_BY_SYNC, "Added from Discovered People"),
    ]
    assert person.timeline.get(kind=EntryKind.CREATED_BY_SYNC).actor == member
    assert not DiscoveredPerson.objects.exists()


def test_added_person_is_matched_by_the_next_sync_without_duplicates(client, member, erin, tmp_path):
    client.force_login(member)
    client.post(reverse("discovered-add", args=[erin.pk]))
    report = sync.sync_mailbox(erin.workspace, tmp_path / "erin.mbox")
    assert (report.added, report.already_synced, report.discovered) == (0, 2, 0)
    assert Contact.objects.get().timeline.count() == 3


def test_add_joins_the_person_who_has_the_address_meanwhile(client, member, erin):
    meanwhile = ContactFactory(workspace=erin.workspace, name="Erin E.", email="erin@example.com")
    client.force_login(member)
    assert "Erin E. in My People has this address" in client.get(reverse("discovered")).content.decode()
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "Erin E. already has this address: 2 interactions added to their timeline" in response.content.decode()
    assert Contact.objects.count() == 1 and meanwhile.timeline.count() == 2


def test_adding_twice_changes_nothing_and_says_why(client, member, erin):
    client.force_login(member)
    client.post(reverse("discovered-add", args=[erin.pk]))
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "already added or dismissed; nothing was changed" in response.content.decode()
    assert Contact.objects.count() == 1


def test_dismissed_address_leaves_the_list_and_is_not_discovered_again(client, member, erin, tmp_path):
    client.force_login(member)
    response = client.post(reverse("discovered-dismiss", args=[erin.pk]), follow=True)
    assert "Erin Example dismissed" in response.content.decode()
    erin.refresh_from_db()
    assert erin.dismissed_at is not None and erin.dismissed_by == member and erin.interactions.count() == 0

    auto_create(erin.workspace)
    later = email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Third", at=JAN + timedelta(days=5))
    report = sync.sync_mailbox(erin.workspace, write_mbox(tmp_path, [later], "later.mbox"))
    assert (report.dismissed, report.discovered, report.created) == (1, 0, 0)
    assert not Contact.objects.exists()
    assert "erin@example.com" not in client.get(reverse("discovered")).content.decode()


def test_htmx_add_returns_the_list_and_the_status(client, member, erin):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), {"page": "1"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="discovered-region"' in body and "No one discovered." in body
    assert 'hx-swap-oob="innerHTML:#status"' in body and "Erin Example added to My People" in body
    assert "<html" not in body


def test_add_and_dismiss_need_a_post_with_csrf_and_stay_in_the_workspace(client, member, erin, other_workspace):
    client.force_login(member)
    assert client.get(reverse("discovered-add", args=[erin.pk])).status_code == 405
    theirs = DiscoveredPerson.objects.create(workspace=other_workspace, kind="email", value="theirs@example.com")
    response = client.post(reverse("discovered-add", args=[theirs.pk]), follow=True)
    assert "already added or dismissed" in response.content.decode()
    assert not Contact.objects.exists()

    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("discovered-dismiss", args=[erin.pk])).status_code == 403
    erin.refresh_from_db()
    assert erin.dismissed_at is None


# --- Discovered People: the address of someone in Archived People or Recently Deleted (#11.12) --------


def buttons(html: str) -> list[str]:
    """Each button's text as a screen reader names it (visually hidden parts included)."""
    found = re.findall(r"<button\b[^>]*>(.*?)</button>", html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", b)).strip() for b in found]


@pytest.fixture
def dana(team, tmp_path):
    """Dana Lee, with her history, is in Recently Deleted; she was copied on a mail, so sync discovered her."""
    ann = ContactFactory(workspace=team, name="Ann Ames", email="ann@example.com")
    dana = ContactFactory(workspace=team, name="Dana Lee", email="dana@example.com", deleted=True)
    TimelineEntryFactory(contact=dana, kind=EntryKind.NOTE, summary="Met at the fair", at=JAN - timedelta(days=90))
    message = email(sender="sales@acme-mail.test", to=[ann.email], cc=["D. Lee <dana@example.com>"], subject="Catch-up")
    sync.sync_mailbox(team, write_mbox(tmp_path, [message], "dana.mbox"))
    assert DiscoveredPerson.objects.get(value="dana@example.com").name == "D. Lee"
    return dana


def found_dana():
    return DiscoveredPerson.objects.get(value="dana@example.com")


def restore(client, found, person_id, **headers):
    return client.post(reverse("discovered-restore", args=[found.pk]), {"person": person_id}, follow=True, **headers)


def test_someone_in_recently_deleted_is_offered_back_instead_of_a_blank_duplicate(client, member, dana):
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Dana Lee is in Recently Deleted" in page
    assert "Restore Dana Lee" in buttons(page) and "Dismiss D. Lee" in buttons(page)
    assert "Add D. Lee" not in buttons(page)

    response = restore(client, found_dana(), dana.pk)

    assert "Dana Lee is back in My People (from Recently Deleted): 1 interaction added to their timeline" in (
        response.content.decode()
    )
    dana.refresh_from_db()
    assert (dana.deleted_at, dana.deleted_by, dana.archived_at, dana.archived_by) == (None, None, None, None)
    assert list(Contact.objects.filter(email="dana@example.com").values_list("pk", flat=True)) == [dana.pk]
    assert [(kind, summary) for kind, _, summary in timeline(dana)] == [
        (EntryKind.NOTE, "Met at the fair"),
        (EntryKind.EMAIL, "Catch-up"),
        (EntryKind.UNDELETED, "Back in Archived People"),
        (EntryKind.RESTORED, "Back in My People"),
    ]
    assert dana.timeline.get(kind=EntryKind.RESTORED).actor == member
    assert dana.last_touch_at == JAN
    assert not DiscoveredPerson.objects.filter(value="dana@example.com").exists()
    assert "Dana Lee" in client.get(reverse("people")).content.decode()


def test_someone_in_archived_people_is_offered_back_to_my_people(client, member, admin_user, dana):
    services.restore_from_deleted(
        actor=admin_user, workspace=dana.workspace, selected=Contact.objects.filter(pk=dana.pk)
    )
    Contact.objects.filter(pk=dana.pk).update(archived_by=admin_user)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Dana Lee is in Archived People" in page
    assert "Restore Dana Lee" in buttons(page) and "Add D. Lee" not in buttons(page)

    response = restore(client, found_dana(), dana.pk, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'hx-swap-oob="innerHTML:#status"' in body
    assert "Dana Lee is back in My People (from Archived People): 1 interaction added to their timeline" in body
    dana.refresh_from_db()
    assert (dana.deleted_at, dana.archived_at, dana.archived_by) == (None, None, None)
    assert Contact.objects.filter(email="dana@example.com").count() == 1
    assert [summary for kind, _, summary in timeline(dana)] == [
        "Met at the fair",
        "Catch-up",
        "Back in Archived People",  # the admin's restore from Recently Deleted, before
        "Back in My People",
    ]
    assert dana.timeline.get(kind=EntryKind.RESTORED).actor == member
    assert not DiscoveredPerson.objects.filter(value="dana@example.com").exists()


def test_add_makes_no_duplicate_of_someone_in_the_bin_and_says_where_they_are(client, member, dana):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[found_dana().pk]), follow=True)
    text = response.content.decode()
    assert (
        "Dana Lee is in Recently Deleted: restore Dana Lee instead of adding someone new. Nothing was changed." in text
    )
    assert list(Contact.objects.filter(email="dana@example.com").values_list("pk", flat=True)) == [dana.pk]
    dana.refresh_from_db()
    assert dana.deleted_at is not None
    assert found_dana().interactions.count() == 1


def test_a_stale_or_tampered_restore_changes_nothing_and_says_why(client, member, admin_user, dana):
    found = found_dana()
    ann = Contact.objects.get(email="ann@example.com")
    client.force_login(member)
    for person_id in ("", "abc", "9" * 30, ann.pk, 987654):
        response = restore(client, found, person_id)
        assert "Nothing was changed" in response.content.decode(), person_id
    services.purge(actor=admin_user, workspace=dana.workspace, selected=Contact.objects.filter(pk=dana.pk))

    response = restore(client, found, dana.pk)

    text = response.content.decode()
    assert "Nothing was changed" in text and "Add D. Lee" in buttons(text)
    assert found_dana().interactions.count() == 1
    assert not Contact.objects.filter(email="dana@example.com").exists()


def test_several_people_with_the_address_in_recently_deleted_are_not_guessed(client, member, dana):
    ContactFactory(workspace=dana.workspace, name="Dana Lee (old)", email="dana@example.com", deleted=True)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "2 people with this address are in Recently Deleted: restore the right one there first" in page
    assert "Dismiss D. Lee" in buttons(page)
    assert not {"Add D. Lee", "Restore Dana Lee", "Restore Dana Lee (old)"} & set(buttons(page))
    response = client.post(reverse("discovered-add", args=[found_dana().pk]), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert Contact.objects.filter(email="dana@example.com", deleted_at__isnull=True).count() == 0


# --- The delete dialog's sync warning ----------------------------------------------------------------


@pytest.fixture
def archived_trio(team, tmp_path):
    """Three archived people: one emailed, one called (both synced), one never in touch."""
    emailed = ContactFactory(workspace=team, name="Emailed", email="emailed@example.com", archived=True)
    called = ContactFactory(workspace=team, name="Called", phone="+14155550100", archived=True)
    quiet = ContactFactory(workspace=team, name="Quiet", email="quiet@example.com", archived=True)
    sync.sync_mailbox(team, write_mbox(tmp_path, [email(sender="emailed@example.com", to=["sales@acme-mail.test"])]))
    sync.sync_calls(team, write_calls(tmp_path, "+14155550100,in,2024-01-10T09:30:00Z,60,\n"))
    return emailed, called, quiet


def test_delete_preview_counts_the_people_sync_may_recreate(team, archived_trio):
    from contacts.bulk_actions import ACTIONS, preview

    emailed, called, quiet = archived_trio
    everyone = Contact.objects.filter(pk__in=[emailed.pk, called.pk, quiet.pk])
    assert preview(ACTIONS["delete"], everyone, team, {}).with_sync_activity == 2
    assert preview(ACTIONS["delete"], everyone.filter(pk=quiet.pk), team, {}).with_sync_activity == 0


def test_delete_dialog_says_how_many_sync_may_recreate(client, manager, team, archived_trio):
    emailed, called, quiet = archived_trio
    client.force_login(manager)
    ids = f"{emailed.pk},{called.pk},{quiet.pk}"
    dialog = client.get(reverse("bulk", args=["delete"]), {"audience": "archived", "selection": "ids", "ids": ids})
    assert "2 of them have email or phone activity and may be re-created by sync" in dialog.content.decode()
    only_quiet = client.get(
        reverse("bulk", args=["delete"]), {"audience": "archived", "selection": "ids", "ids": quiet.pk}
    )
    assert "None of them has email or phone activity" in only_quiet.content.decode()
