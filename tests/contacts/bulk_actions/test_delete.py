"""Delete: archived people move to Recently Deleted, by admins and managers, as the dialog listed them."""

import html
import re

import pytest

from contacts.models import Contact, EntryKind
from sync.models import Suppression
from tests.contacts.bulk_actions.dialogs import confirm, confirm_as_shown, confirm_button, dialog, shown, snapshot
from tests.factories import ContactFactory, TimelineEntryFactory
from tests.helpers import HTMX, ids, undo_url, visible_text


@pytest.fixture
def archived_people(workspace):
    people = ContactFactory.create_batch(3, workspace=workspace, archived=True, phone="")
    TimelineEntryFactory(contact=people[0], kind=EntryKind.EMAIL)
    TimelineEntryFactory(contact=people[1], kind=EntryKind.CALL)
    TimelineEntryFactory(contact=people[2], kind=EntryKind.MEETING)
    return people


def delete_dialog_params(people):
    # What the page's selection form sends for ticked people (see people.html #selection-form).
    return {"audience": "archived", "selection": "ids", "ids": ids(*people), "q": "", "stage": "", "blocked": ""}


@pytest.mark.parametrize("who", ["as_admin", "as_manager"])
def test_admins_and_managers_delete_archived_people_into_recently_deleted(request, who, archived_people):
    client = request.getfixturevalue(who)
    response = confirm_as_shown(client, "delete", **delete_dialog_params(archived_people))
    assert response.status_code == 200
    assert "3 people moved to Recently Deleted" in visible_text(response)
    deleted = Contact.objects.deleted()
    assert set(deleted) == set(archived_people)
    assert {p.deleted_by.username for p in deleted} == {"ada" if who == "as_admin" else "max"}
    assert Suppression.objects.count() == 0


def test_members_cannot_delete_and_nothing_changes(as_member, archived_people):
    before = snapshot()
    for method in ("get", "post"):
        for headers in (HTMX, {}):
            response = getattr(as_member, method)(
                "/bulk/delete/", {**delete_dialog_params(archived_people), "expected": "3"}, headers=headers
            )
            assert response.status_code == 403
            assert "Only admins and managers can delete people." in visible_text(response)
    assert snapshot() == before


def test_delete_dialog_explains_recently_deleted_retention_and_sync(as_admin, archived_people):
    response = dialog(as_admin, "delete", **delete_dialog_params(archived_people))
    text = visible_text(response)
    assert "Delete 3 people?" in text
    assert "3 people will be moved to Recently Deleted." in text
    assert "They move to Recently Deleted for 30 days, where they can be restored" in text
    assert "2 of them have email or phone activity and may be re-created by sync" in text
    assert "Don't re-create from sync" in text
    assert confirm_button(response) == "Delete 3 people"
    assert "typed_count" not in response.content.decode()


def test_delete_dialog_uses_the_workspace_retention(as_admin, workspace, archived_people):
    workspace.retention_days = 7
    workspace.save()
    text = visible_text(dialog(as_admin, "delete", **delete_dialog_params(archived_people)))
    assert "Recently Deleted for 7 days" in text


def test_delete_dialog_says_when_no_one_has_sync_activity(as_admin, workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    text = visible_text(dialog(as_admin, "delete", **delete_dialog_params([person])))
    assert "None of them has email or phone activity, so sync will not re-create them." in text


def test_delete_dialog_offers_the_confirm_button_without_filter_params(as_admin, archived_people):
    response = dialog(as_admin, "delete", audience="archived", selection="ids", ids=ids(*archived_people))
    assert "3 people will be moved to Recently Deleted." in visible_text(response)
    assert confirm_button(response) == "Delete 3 people"


def test_deleting_with_suppress_sync_records_the_addresses(as_admin, workspace):
    people = [
        ContactFactory(workspace=workspace, archived=True, email="Pat@Example.com", phone="(415) 555-0100"),
        ContactFactory(workspace=workspace, archived=True, email="sam@example.com", phone=""),
    ]
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params(people), suppress_sync="on")
    assert "2 people moved to Recently Deleted" in visible_text(response)
    assert set(Suppression.objects.values_list("kind", "value")) == {
        ("email", "pat@example.com"),
        ("phone", "+14155550100"),
        ("email", "sam@example.com"),
    }


def test_a_stale_delete_dialog_is_refused_and_nothing_is_deleted(as_admin, archived_people):
    said = shown(as_admin, "delete", **delete_dialog_params(archived_people))
    assert said["expected"] == "3"
    # The dialog said 3; meanwhile someone restored one.
    Contact.objects.filter(pk=archived_people[0].pk).update(archived_at=None)
    before = snapshot()
    response = confirm(as_admin, "delete", **delete_dialog_params(archived_people), **said)
    assert response.status_code == 409
    text = visible_text(response)
    assert "Nothing was changed: 3 people were confirmed, but 2 qualify now." in text
    assert confirm_button(response) == "Delete 2 people"
    assert snapshot() == before


@pytest.mark.parametrize("expected", ["", "abc", "-3"])
def test_a_delete_without_a_valid_expected_count_is_refused(as_admin, archived_people, expected):
    said = shown(as_admin, "delete", **delete_dialog_params(archived_people))
    before = snapshot()
    response = confirm(
        as_admin, "delete", **delete_dialog_params(archived_people), fingerprint=said["fingerprint"], expected=expected
    )
    assert response.status_code == 400
    assert "The confirmation is missing its count; open the dialog again." in visible_text(response)
    assert snapshot() == before


def test_a_double_submitted_delete_is_refused_the_second_time(as_admin, archived_people):
    params = {
        **delete_dialog_params(archived_people),
        **shown(as_admin, "delete", **delete_dialog_params(archived_people)),
    }
    assert confirm(as_admin, "delete", **params).status_code == 200
    before = snapshot()
    again = confirm(as_admin, "delete", **params)
    assert again.status_code == 409
    assert "0 qualify now" in visible_text(again)
    assert snapshot() == before


@pytest.fixture
def many_archived(workspace):
    return ContactFactory.create_batch(21, workspace=workspace, archived=True)


def test_deleting_more_than_twenty_asks_to_type_the_count(as_admin, many_archived):
    response = dialog(as_admin, "delete", **delete_dialog_params(many_archived))
    assert "Type 21 to confirm" in visible_text(response)
    assert 'name="typed_count"' in response.content.decode()


@pytest.mark.parametrize("typed", [None, "", "20", "twenty-one", " 2 1"])
def test_deleting_more_than_twenty_without_the_typed_count_deletes_nothing(as_admin, many_archived, typed):
    params = {**delete_dialog_params(many_archived), **shown(as_admin, "delete", **delete_dialog_params(many_archived))}
    if typed is not None:
        params["typed_count"] = typed
    before = snapshot()
    response = confirm(as_admin, "delete", **params)
    assert response.status_code == 400
    assert "Type 21 to confirm that you want to delete 21 people." in visible_text(response)
    assert snapshot() == before


def test_deleting_more_than_twenty_with_the_typed_count_deletes_them(as_admin, many_archived):
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params(many_archived), typed_count="21")
    assert "21 people moved to Recently Deleted" in visible_text(response)
    assert Contact.objects.deleted().count() == 21


def test_deleting_twenty_needs_no_typed_count(as_admin, workspace):
    people = ContactFactory.create_batch(20, workspace=workspace, archived=True)
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params(people))
    assert "20 people moved to Recently Deleted" in visible_text(response)


def test_delete_skips_people_who_are_not_archived_and_says_why(as_admin, workspace):
    archived = ContactFactory(workspace=workspace, archived=True)
    active = ContactFactory(workspace=workspace, name="Al Active")
    text = visible_text(dialog(as_admin, "delete", **delete_dialog_params([archived, active])))
    assert "1 is not archived" in text and "Archive them first." in text and "Al Active" in text
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params([archived, active]))
    assert "1 person moved to Recently Deleted · 1 skipped" in visible_text(response)
    assert list(Contact.objects.deleted()) == [archived]


def test_undo_of_delete_brings_them_back_to_archived_people(as_admin, archived_people):
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params(archived_people))
    undone = as_admin.post(undo_url(response), headers=HTMX)
    assert "Undone: 3 people put back" in visible_text(undone)
    assert set(Contact.objects.archived()) == set(archived_people)


def test_the_details_pane_delete_button_opens_a_dialog_that_can_delete(as_admin, workspace):
    person = ContactFactory(workspace=workspace, name="Arlo Archived", archived=True)
    details = as_admin.get(f"/people/{person.pk}/?audience=archived&view=list").content.decode()
    url = html.unescape(re.search(r'hx-get="(/bulk/delete/[^"]*)"', details).group(1))
    response = as_admin.get(url, headers=HTMX)
    assert response.status_code == 200
    assert confirm_button(response) == "Delete 1 person"
