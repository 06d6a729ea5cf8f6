"""Remove assignee: unassigns, and Undo gives each person their assignee back."""

from contacts.models import Contact, Stage
from tests.contacts.bulk_actions.dialogs import confirm, dialog
from tests.factories import ContactFactory
from tests.helpers import HTMX, ids, undo_url, visible_text


def test_remove_assignee_unassigns_and_undo_gives_each_their_assignee_back(as_member, workspace, dana, member):
    to_dana = ContactFactory(workspace=workspace, name="Di Dana", stage=Stage.ACTIVE, assignee=dana)
    to_me = ContactFactory(workspace=workspace, name="Mo Mine", assignee=member)
    nobody = ContactFactory(workspace=workspace, name="No Body")

    text = visible_text(
        dialog(as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(to_dana, to_me, nobody))
    )
    assert "Remove the assignee of 3 people?" in text
    assert "2 people will be unassigned." in text
    assert "1 has no assignee" in text and "No Body" in text

    response = confirm(
        as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(to_dana, to_me, nobody)
    )
    assert "2 people unassigned · 1 skipped" in visible_text(response)
    assert Contact.objects.filter(assignee__isnull=False).count() == 0

    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert Contact.objects.get(pk=to_dana.pk).assignee == dana
    assert Contact.objects.get(pk=to_me.pk).assignee == member
    assert Contact.objects.get(pk=nobody.pk).assignee is None


def test_undo_of_remove_assignee_leaves_people_unassigned_whose_assignee_left(as_member, workspace, dana):
    person = ContactFactory(workspace=workspace, assignee=dana)
    response = confirm(as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(person))
    dana.memberships.all().delete()
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert undone.status_code == 200
    assert "Undone: 0 people put back · 1 changed since and left as they are" in visible_text(undone)
    assert Contact.objects.get(pk=person.pk).assignee is None


def test_select_all_in_assigned_to_me_removes_only_my_assignments(as_member, workspace, member, dana):
    mine = ContactFactory.create_batch(2, workspace=workspace, assignee=member)
    theirs = ContactFactory(workspace=workspace, assignee=dana)
    response = confirm(as_member, "remove_assignee", audience="assigned-to-me", selection="all")
    assert "2 people unassigned" in visible_text(response)
    assert all(Contact.objects.get(pk=p.pk).assignee is None for p in mine)
    assert Contact.objects.get(pk=theirs.pk).assignee == dana
