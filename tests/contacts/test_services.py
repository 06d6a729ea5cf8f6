"""Services: counts, timeline events, foreign ids ignored, queries flat, one transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services
from contacts.exceptions import NotAllowed, StaleConfirmation
from contacts.models import Contact, DeletedAddress, EntryKind, Stage, Suppression, TimelineEntry
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory


def everyone(workspace):
    return Contact.objects.in_workspace(workspace)


def test_archive_archives_only_eligible_people_and_counts_the_rest(workspace, member):
    eligible = ContactFactory.create_batch(3, workspace=workspace, stage=Stage.LOST)
    ContactFactory(workspace=workspace, in_open_stage=True)
    ContactFactory(workspace=workspace, assigned=True)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    assert (outcome.done, outcome.skipped) == (3, 2)
    assert set(Contact.objects.archived().values_list("pk", flat=True)) == {p.pk for p in eligible}
    archived = Contact.objects.get(pk=eligible[0].pk)
    assert archived.archived_by == member and archived.archived_at is not None
    assert set(Contact.objects.filter(operation=outcome.operation)) == set(eligible)


def test_archive_writes_one_timeline_entry_per_person_with_actor(workspace, member):
    people = ContactFactory.create_batch(2, workspace=workspace)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    entries = TimelineEntry.objects.filter(kind=EntryKind.ARCHIVED)
    assert sorted(entries.values_list("contact_id", flat=True)) == sorted(p.pk for p in people)
    assert {e.actor_id for e in entries} == {member.pk}
    assert {e.operation_id for e in entries} == {outcome.operation.pk}


def test_other_workspaces_people_are_never_touched(workspace, other_workspace, member):
    foreign = ContactFactory(workspace=other_workspace)
    outcome = services.archive(actor=member, workspace=workspace, selected=Contact.objects.filter(pk=foreign.pk))
    assert outcome.done == 0
    assert Contact.objects.get(pk=foreign.pk).archived_at is None


def test_non_member_cannot_act(workspace, other_workspace):
    outsider = MembershipFactory(workspace=other_workspace).user
    ContactFactory(workspace=workspace)
    with pytest.raises(NotAllowed):
        services.archive(actor=outsider, workspace=workspace, selected=everyone(workspace))
    assert Contact.objects.archived().count() == 0


def test_members_cannot_delete(workspace, member):
    ContactFactory(workspace=workspace, archived=True)
    with pytest.raises(NotAllowed):
        services.delete(actor=member, workspace=workspace, selected=everyone(workspace))
    assert Contact.objects.deleted().count() == 0


def test_delete_moves_only_archived_people_to_recently_deleted(workspace, manager):
    archived = ContactFactory(workspace=workspace, archived=True)
    ContactFactory(workspace=workspace)
    outcome = services.delete(actor=manager, workspace=workspace, selected=everyone(workspace))
    assert (outcome.done, outcome.skipped) == (1, 1)
    assert list(Contact.objects.deleted()) == [archived]


def test_delete_with_suppression_records_normalized_addresses_only(workspace, admin_user):
    ContactFactory(workspace=workspace, archived=True, email="Pat@Example.COM", phone="(415) 555-0100")
    services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace), suppress_sync=True)
    assert set(Suppression.objects.values_list("kind", "value")) == {
        ("email", "pat@example.com"),
        ("phone", "+14155550100"),
    }


def test_delete_refuses_when_the_confirmed_count_no_longer_matches(workspace, admin_user):
    ContactFactory.create_batch(2, workspace=workspace, archived=True)
    with pytest.raises(StaleConfirmation):
        services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace), expected=3)
    assert Contact.objects.deleted().count() == 0
    assert TimelineEntry.objects.filter(kind=EntryKind.DELETED).count() == 0


def test_restore_from_deleted_goes_back_to_archived(workspace, admin_user):
    person = ContactFactory(workspace=workspace, deleted=True)
    services.restore_from_deleted(actor=admin_user, workspace=workspace, selected=everyone(workspace))
    person.refresh_from_db()
    assert person.deleted_at is None and person.archived_at is not None


def test_purge_erases_people_and_their_timeline(workspace, admin_user):
    gone = ContactFactory(workspace=workspace, deleted=True)
    TimelineEntryFactory.create_batch(3, contact=gone)
    kept = ContactFactory(workspace=workspace, archived=True)
    TimelineEntryFactory(contact=kept)
    outcome = services.purge(actor=admin_user, workspace=workspace, selected=everyone(workspace))
    assert (outcome.done, outcome.skipped) == (1, 1)
    assert list(Contact.objects.all()) == [kept]
    assert TimelineEntry.objects.count() == 1


def test_purge_expired_respects_retention(workspace):
    from datetime import timedelta

    from django.utils import timezone

    old = ContactFactory(workspace=workspace, deleted=True)
    Contact.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    recent = ContactFactory(workspace=workspace, deleted=True)
    assert services.purge_expired() == 1
    assert list(Contact.objects.all()) == [recent]


def test_change_stage_to_open_stage_skips_archived_people(workspace, member):
    ContactFactory(workspace=workspace, archived=True)
    active = ContactFactory(workspace=workspace, stage=Stage.PAST)
    outcome = services.change_stage(actor=member, workspace=workspace, selected=everyone(workspace), stage=Stage.LEAD)
    assert (outcome.done, outcome.skipped) == (1, 1)
    assert Contact.objects.get(pk=active.pk).stage == Stage.LEAD


def test_undo_of_archive_restores_exactly_those_people(workspace, member):
    ContactFactory.create_batch(3, workspace=workspace)
    already = ContactFactory(workspace=workspace, archived=True)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    undone = services.undo(actor=member, operation=outcome.operation)
    assert undone.done == 3
    assert list(Contact.objects.archived()) == [already]


def test_undo_of_stage_change_puts_each_previous_stage_back(workspace, member):
    a = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    b = ContactFactory(workspace=workspace, stage=Stage.PAST)
    outcome = services.change_stage(actor=member, workspace=workspace, selected=everyone(workspace), stage=Stage.LOST)
    services.undo(actor=member, operation=outcome.operation)
    assert Contact.objects.get(pk=a.pk).stage == Stage.LEAD
    assert Contact.objects.get(pk=b.pk).stage == Stage.PAST


def test_undo_of_remove_assignee_gives_each_person_their_assignee_back(workspace, member):
    a = ContactFactory(workspace=workspace, assigned=True)
    b = ContactFactory(workspace=workspace, assigned=True)
    outcome = services.remove_assignee(actor=member, workspace=workspace, selected=everyone(workspace))
    assert Contact.objects.filter(assignee__isnull=False).count() == 0
    services.undo(actor=member, operation=outcome.operation)
    assert Contact.objects.get(pk=a.pk).assignee == a.assignee
    assert Contact.objects.get(pk=b.pk).assignee == b.assignee


def test_undo_twice_is_refused(workspace, member):
    from contacts.exceptions import ContactError

    ContactFactory(workspace=workspace)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    services.undo(actor=member, operation=outcome.operation)
    with pytest.raises(ContactError):
        services.undo(actor=member, operation=outcome.operation)


def queries_for(action, n, workspace, actor, **factory):
    ContactFactory.create_batch(n, workspace=workspace, **factory)
    with CaptureQueriesContext(connection) as queries:
        action(actor=actor, workspace=workspace, selected=everyone(workspace))
    Contact.objects.all().delete()
    return len(queries)


@pytest.mark.parametrize(
    "action, factory",
    [
        (services.archive, {}),
        (services.restore_from_archive, {"archived": True}),
        (services.delete, {"archived": True}),
        (services.restore_from_deleted, {"deleted": True}),
        (services.purge, {"deleted": True}),
        (services.remove_assignee, {"assigned": True}),
    ],
)
def test_query_count_does_not_grow_with_the_number_of_people(workspace, admin_user, action, factory):
    small = queries_for(action, 10, workspace, admin_user, **factory)
    large = queries_for(action, 500, workspace, admin_user, **factory)
    assert small == large


def test_delete_with_suppression_and_purge_use_flat_queries_for_10_and_1000(workspace, admin_user):
    def run(n):
        Contact.objects.bulk_create(
            [
                Contact(
                    workspace=workspace,
                    name=f"P{i}",
                    email=f"p{i}@example.com",
                    phone_e164=f"+1415555{i:04d}",
                    archived_at=timezone.now(),
                    stage=Stage.LOST,
                )
                for i in range(n)
            ]
        )
        with CaptureQueriesContext(connection) as deleting:
            services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace), suppress_sync=True)
        with CaptureQueriesContext(connection) as purging:
            services.purge(actor=admin_user, workspace=workspace, selected=everyone(workspace))
        assert Suppression.objects.count() == 2 * n
        assert DeletedAddress.objects.count() == 2 * n
        Suppression.objects.all().delete()
        DeletedAddress.objects.all().delete()
        return len(deleting), len(purging)

    assert run(10) == run(1000)


def test_purged_address_trace_matches_the_python_digest(workspace, admin_user):
    ContactFactory(workspace=workspace, deleted=True, email="pat@example.com", phone="+1 415 555 0100")
    services.purge(actor=admin_user, workspace=workspace, selected=everyone(workspace))
    assert set(DeletedAddress.objects.values_list("kind", "digest")) == {
        ("email", DeletedAddress.digest_of(workspace.pk, "email", "pat@example.com")),
        ("phone", DeletedAddress.digest_of(workspace.pk, "phone", "+14155550100")),
    }
