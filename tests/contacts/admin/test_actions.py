"""The admin's actions on people go through the services, with the app's rules and messages."""

from contacts.models import Contact, EntryKind, Operation, Role, Stage, TimelineEntry
from tests.contacts.admin.pages import messages_of, names_listed, run_action
from tests.factories import ContactFactory, MembershipFactory, UserFactory


def test_archive_action_archives_the_eligible_and_reports_why_the_rest_were_skipped(
    admin_client, workspace, boss, member
):
    past = ContactFactory(workspace=workspace, name="Past Pat", stage=Stage.PAST)
    active = ContactFactory(workspace=workspace, name="Active Al", stage=Stage.ACTIVE)
    assigned = ContactFactory(workspace=workspace, name="Assigned Ada", stage=Stage.LOST, assignee=member)
    response = run_action(admin_client, "archive_people", [past, active, assigned])
    assert messages_of(response) == ["Acme: 1 archived, 2 skipped (1 has an open stage, 1 is assigned)"]
    assert set(Contact.objects.archived().values_list("name", flat=True)) == {"Past Pat"}
    past.refresh_from_db()
    assert past.archived_by == boss
    # The service wrote the timeline and the operation, as the app does.
    assert TimelineEntry.objects.get(contact=past, kind=EntryKind.ARCHIVED).actor == boss
    assert Operation.objects.get(action="archive").count == 1


def test_restore_action_brings_archived_people_back(admin_client, workspace):
    archived = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    active = ContactFactory(workspace=workspace, name="Act Bo")
    response = run_action(admin_client, "restore_people", [archived, active])
    assert messages_of(response) == ["Acme: 1 restored, 1 skipped (1 is not archived)"]
    archived.refresh_from_db()
    assert archived.archived_at is None


def test_delete_action_moves_only_archived_people_to_recently_deleted(admin_client, workspace, boss):
    archived = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    active = ContactFactory(workspace=workspace, name="Act Bo")
    response = run_action(admin_client, "delete_people", [archived, active])
    assert messages_of(response) == ["Acme: 1 moved to Recently Deleted, 1 skipped (1 is not archived)"]
    archived.refresh_from_db()
    active.refresh_from_db()
    assert archived.deleted_at is not None and archived.deleted_by == boss
    assert active.deleted_at is None and active.archived_at is None
    assert names_listed(response) == {"Act Bo"}


def test_undelete_action_returns_people_to_the_archive(admin_client, workspace):
    deleted = ContactFactory(workspace=workspace, name="Del Dee", deleted=True)
    response = run_action(admin_client, "undelete_people", [deleted], state="deleted")
    assert messages_of(response) == ["Acme: 1 restored, 0 skipped"]
    deleted.refresh_from_db()
    assert deleted.deleted_at is None and deleted.archived_at is not None


def test_actions_call_the_service_once_per_workspace(admin_client, workspace, other_workspace, boss):
    MembershipFactory(workspace=other_workspace, user=boss, role=Role.MEMBER)
    people = [ContactFactory(workspace=w) for w in (workspace, other_workspace, workspace)]
    response = run_action(admin_client, "archive_people", people)
    assert sorted(messages_of(response)) == ["Acme: 2 archived, 0 skipped", "Rivals: 1 archived, 0 skipped"]
    assert sorted(Operation.objects.values_list("workspace__slug", "count")) == [("acme", 2), ("rivals", 1)]


def test_superuser_outside_a_workspace_gets_an_error_message_and_nothing_changes(admin_client, other_workspace):
    rival = ContactFactory(workspace=other_workspace, name="Rival Ray")
    response = run_action(admin_client, "archive_people", [rival])
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Rivals: nothing archived. You are not a member of this workspace.")
    assert "Add yourself to the members of Rivals" in message
    rival.refresh_from_db()
    assert rival.archived_at is None and not Operation.objects.exists()


def test_member_role_cannot_delete_through_the_action(client, workspace):
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=staff, role=Role.MEMBER)
    client.force_login(staff)
    archived = ContactFactory(workspace=workspace, archived=True)
    response = run_action(client, "delete_people", [archived])
    assert messages_of(response) == [
        "Acme: nothing moved to Recently Deleted. Only admins and managers can delete people."
    ]
    archived.refresh_from_db()
    assert archived.deleted_at is None
