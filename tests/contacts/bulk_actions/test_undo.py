"""Undo of a bulk action: by the person who did it, once, by POST, in their own workspace."""

import json

from contacts.models import Contact
from tests.contacts.bulk_actions.dialogs import confirm, snapshot
from tests.factories import ContactFactory, MembershipFactory
from tests.helpers import HTMX, ids, logged_in, undo_url, visible_text


def test_undo_restores_exactly_the_archived_people_and_a_second_undo_is_refused(as_member, three, workspace):
    already = ContactFactory(workspace=workspace, name="Old Archived", archived=True)
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three, already))
    assert "2 people archived · 2 skipped" in visible_text(response)
    undo = undo_url(response)
    assert visible_text(response).count("Undo") == 1

    undone = as_member.post(undo, headers=HTMX)
    assert undone.status_code == 200
    assert "Undone: 2 people put back" in visible_text(undone)
    assert "contactsChanged" in json.loads(undone["HX-Trigger"])
    assert list(Contact.objects.archived()) == [already]

    before = snapshot()
    again = as_member.post(undo, headers=HTMX)
    assert again.status_code == 200
    assert "This was already undone." in visible_text(again)
    assert snapshot() == before


def test_undo_without_htmx_redirects_with_a_message(as_member, three):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    page = as_member.post(undo_url(response), follow=True)
    assert "Undone: 2 people put back" in visible_text(page)
    assert Contact.objects.archived().count() == 0


def test_someone_else_cannot_undo_my_archive(as_member, client, three, workspace):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    other = logged_in(MembershipFactory(workspace=workspace).user)
    before = snapshot()
    refused = other.post(undo_url(response), headers=HTMX)
    assert "Only the person who did this can undo it." in visible_text(refused)
    assert snapshot() == before


def test_another_workspaces_operation_cannot_be_undone(as_member, three, other_workspace):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    outsider = logged_in(MembershipFactory(workspace=other_workspace).user)
    before = snapshot()
    assert outsider.post(undo_url(response), headers=HTMX).status_code == 404
    assert snapshot() == before


def test_undo_of_an_unknown_operation_is_not_found(as_member, workspace):
    assert as_member.post("/undo/999999/", headers=HTMX).status_code == 404


def test_undo_by_get_is_refused(as_member, three):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    assert as_member.get(undo_url(response)).status_code == 405
    assert Contact.objects.archived().count() == 2
