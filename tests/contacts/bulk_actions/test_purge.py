"""Delete forever: people in Recently Deleted and their timeline are erased, exactly as listed."""

from contacts.models import Contact, TimelineEntry
from tests.contacts.bulk_actions.dialogs import confirm, confirm_button, dialog, shown, snapshot
from tests.factories import ContactFactory, TimelineEntryFactory
from tests.helpers import HTMX, confirmation_from_dialog, ids, visible_text


def test_delete_forever_erases_people_and_their_timeline(as_admin, workspace):
    gone = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    for person in gone:
        TimelineEntryFactory.create_batch(3, contact=person)
    kept = ContactFactory(workspace=workspace, archived=True)
    TimelineEntryFactory(contact=kept)

    response = dialog(as_admin, "purge", audience="deleted", selection="ids", ids=ids(*gone))
    shown_purge = confirmation_from_dialog(response)
    text = visible_text(response)
    assert "Delete forever 2 people?" in text
    assert "This cannot be undone." in text
    assert confirm_button(response) == "Delete forever 2 people"

    response = confirm(as_admin, "purge", audience="deleted", selection="ids", ids=ids(*gone), **shown_purge)
    assert "2 people deleted forever" in visible_text(response)
    assert "Undo" not in visible_text(response)
    assert list(Contact.objects.all()) == [kept]
    assert list(TimelineEntry.objects.values_list("contact_id", flat=True)) == [kept.pk]


def test_delete_forever_with_a_stale_count_erases_no_one(as_admin, workspace):
    gone = ContactFactory.create_batch(3, workspace=workspace, deleted=True)
    selection = {"audience": "deleted", "selection": "ids", "ids": ids(*gone)}
    said = shown(as_admin, "purge", **selection)
    assert said["expected"] == "3"
    Contact.objects.filter(pk=gone[0].pk).update(deleted_at=None)  # someone restored one meanwhile
    before = snapshot()
    response = confirm(as_admin, "purge", **selection, **said)
    assert response.status_code == 409
    assert snapshot() == before


def test_delete_forever_of_more_than_twenty_needs_the_typed_count(as_admin, workspace):
    ContactFactory.create_batch(21, workspace=workspace, deleted=True)
    before = snapshot()
    said = shown(as_admin, "purge", audience="deleted", selection="all")
    response = confirm(as_admin, "purge", audience="deleted", selection="all", **said)
    assert response.status_code == 400
    assert "Type 21 to confirm" in visible_text(response)
    assert snapshot() == before
    response = confirm(as_admin, "purge", audience="deleted", selection="all", **said, typed_count="21")
    assert "21 people deleted forever" in visible_text(response)
    assert Contact.objects.count() == 0


def test_members_cannot_delete_forever(as_member, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(as_member, method)(
            "/bulk/purge/",
            {"audience": "deleted", "selection": "ids", "ids": ids(*people), "expected": "2"},
            headers=HTMX,
        )
        assert response.status_code == 403
        assert "Only admins and managers can delete people." in visible_text(response)
    assert snapshot() == before
