"""Deleted people are re-created by sync (rule 7), from Recently Deleted or a one-way trace."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Contact, EntryKind, TimelineEntry
from sync.addresses import remember_purged_addresses
from sync.models import DeletedAddress, DiscoveredPerson
from sync.run import sync_calls, sync_mailbox
from tests.factories import ContactFactory
from tests.sync.files import email, run, timeline, write_calls, write_mbox

# --- Deleted people: re-created unless suppressed ----------------------------------------------------


def test_person_in_recently_deleted_is_recreated_as_a_new_person(team, tmp_path):
    gone = ContactFactory(workspace=team, name="Gone Gabe", email="gabe@example.com", deleted=True)
    gone_entries = gone.timeline.count()
    path = write_mbox(
        tmp_path, [email(sender="Gabe G <gabe@example.com>", to=["sales@acme-mail.test"], subject="Still here")]
    )

    report = sync_mailbox(team, path)  # "Create people automatically" is off: re-creation does not need it

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

    report = sync_mailbox(team, write_mbox(tmp_path, [email(sender="pat@example.com", to=["sales@acme-mail.test"])]))
    calls = sync_calls(
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

    report = sync_mailbox(
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


def test_recently_deleted_person_only_copied_is_discovered_not_recreated(team, tmp_path):
    ContactFactory(workspace=team, email="gabe@example.com", deleted=True)
    sync_mailbox(
        team,
        write_mbox(tmp_path, [email(sender="sales@acme-mail.test", to=["x@example.com"], cc=["gabe@example.com"])]),
    )
    assert Contact.objects.filter(deleted_at__isnull=True).count() == 0
    assert DiscoveredPerson.objects.filter(value="gabe@example.com").exists()


def test_remember_purged_addresses_keeps_only_keyed_digests(workspace):
    person = ContactFactory(workspace=workspace, email="Keep.Out@Example.com", phone="")
    assert remember_purged_addresses(Contact.objects.filter(pk=person.pk)) == 1
    trace = DeletedAddress.objects.get()
    assert trace.digest == DeletedAddress.digest_of(workspace.pk, "email", "keep.out@example.com")
    assert trace.digest != DeletedAddress.digest_of(workspace.pk + 1, "email", "keep.out@example.com")


# --- Running again -----------------------------------------------------------------------------------


# --- The delete dialog's sync warning ----------------------------------------------------------------


@pytest.fixture
def archived_trio(team, tmp_path):
    """Three archived people: one emailed, one called (both synced), one never in touch."""
    emailed = ContactFactory(workspace=team, name="Emailed", email="emailed@example.com", archived=True)
    called = ContactFactory(workspace=team, name="Called", phone="+14155550100", archived=True)
    quiet = ContactFactory(workspace=team, name="Quiet", email="quiet@example.com", archived=True)
    sync_mailbox(team, write_mbox(tmp_path, [email(sender="emailed@example.com", to=["sales@acme-mail.test"])]))
    sync_calls(team, write_calls(tmp_path, "+14155550100,in,2024-01-10T09:30:00Z,60,\n"))
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
