""" "Don't re-create from sync": a suppressed address is dropped, never created or discovered."""

from contacts import services
from contacts.models import Contact
from sync.models import DiscoveredPerson, Suppression
from sync.run import sync_calls, sync_mailbox
from tests.factories import ContactFactory
from tests.sync.files import auto_create, email, write_calls, write_mbox


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

    report = sync_mailbox(team, path)

    assert report.suppressed == 2 and (report.recreated, report.added, report.discovered) == (0, 0, 0)
    assert list(Contact.objects.values_list("pk", flat=True)) == [gone.pk]
    assert DiscoveredPerson.objects.count() == 0
    assert "Suppressed: 2 interactions dropped" in report.lines()


def test_suppressed_unknown_caller_is_neither_created_nor_discovered(team, tmp_path):
    auto_create(team)
    Suppression.objects.create(workspace=team, kind="phone", value="+14155550123")
    report = sync_calls(team, write_calls(tmp_path, "number,direction,started_at\n4155550123,in,2024-01-10 09:30\n"))
    assert report.suppressed == 1
    assert not Contact.objects.exists() and not DiscoveredPerson.objects.exists()
