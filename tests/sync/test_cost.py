"""What a sync costs: queries per batch, and at most fifty counterparts per message."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact
from sync.models import DiscoveredInteraction, DiscoveredPerson
from sync.report import Skip
from sync.run import sync_mailbox
from tests.sync.files import DATED, JAN, auto_create, email, good, raw, raw_mbox, run, write_mbox

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
        report = sync_mailbox(team, path, batch_size=batch_size)
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
    report = sync_mailbox(team, write_mbox(tmp_path, [message]))
    assert sorted(Contact.objects.values_list("email", flat=True)) == ["a@example.com", "b@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["c1@example.com"]
    assert report.counterparts_skipped == 2
    assert report.crowded == [Skip("message 1", "5 counterparts")]
