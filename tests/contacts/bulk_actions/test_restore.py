"""Restore: from Archived People to My People, and from Recently Deleted to Archived People."""

from contacts.models import Contact
from tests.contacts.bulk_actions.dialogs import confirm, dialog
from tests.factories import ContactFactory
from tests.helpers import HTMX, undo_url, visible_text


def test_restore_brings_archived_people_back_to_my_people(as_member, workspace):
    archived = ContactFactory.create_batch(2, workspace=workspace, archived=True)
    text = visible_text(dialog(as_member, "restore", audience="archived", selection="all"))
    assert "Restore 2 people?" in text and "2 people will be restored to My People." in text
    response = confirm(as_member, "restore", audience="archived", selection="all")
    assert "2 people restored to My People" in visible_text(response)
    assert set(Contact.objects.in_my_people()) == set(archived)
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert Contact.objects.archived().count() == 2


def test_restore_from_recently_deleted_goes_back_to_archived_people(as_member, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    text = visible_text(dialog(as_member, "undelete", audience="deleted", selection="all"))
    assert "Restore 2 people?" in text and "2 people will be restored to Archived People." in text
    response = confirm(as_member, "undelete", audience="deleted", selection="all")
    assert "2 people restored to Archived People" in visible_text(response)
    assert set(Contact.objects.archived()) == set(people)
    assert Contact.objects.deleted().count() == 0


def test_a_members_restore_from_recently_deleted_offers_no_undo_they_cannot_use(as_member, workspace):
    ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    response = confirm(as_member, "undelete", audience="deleted", selection="all")
    assert response.status_code == 200
    assert "2 people restored to Archived People" in visible_text(response)
    assert "Undo" not in visible_text(response)
    assert 'hx-post="/undo/' not in response.content.decode()
    assert Contact.objects.archived().count() == 2


def test_an_admins_restore_from_recently_deleted_offers_an_undo_that_works(as_admin, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    response = confirm(as_admin, "undelete", audience="deleted", selection="all")
    undone = as_admin.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert set(Contact.objects.deleted()) == set(people)
