"""Services: counts, timeline events, foreign ids ignored, queries flat, one transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services
from contacts.bulk_actions.undo import undo
from contacts.exceptions import NotAllowed, StaleConfirmation
from contacts.models import Contact, EntryKind, Operation, Stage, TimelineEntry
from sync.models import DeletedAddress, Suppression
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
    people = ContactFactory.create_batch(3, workspace=workspace, archived=True)
    confirmed = services.fingerprint(everyone(workspace))
    Contact.objects.filter(pk=people[0].pk).update(archived_at=None)
    with pytest.raises(StaleConfirmation, match="3 people were confirmed, but 2 qualify now"):
        services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace), expected=confirmed)
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
    undone = undo(actor=member, operation=outcome.operation)
    assert undone.done == 3
    assert list(Contact.objects.archived()) == [already]


def test_undo_of_stage_change_puts_each_previous_stage_back(workspace, member):
    a = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    b = ContactFactory(workspace=workspace, stage=Stage.PAST)
    outcome = services.change_stage(actor=member, workspace=workspace, selected=everyone(workspace), stage=Stage.LOST)
    undo(actor=member, operation=outcome.operation)
    assert Contact.objects.get(pk=a.pk).stage == Stage.LEAD
    assert Contact.objects.get(pk=b.pk).stage == Stage.PAST


def test_undo_of_remove_assignee_gives_each_person_their_assignee_back(workspace, member):
    a = ContactFactory(workspace=workspace, assigned=True)
    b = ContactFactory(workspace=workspace, assigned=True)
    outcome = services.remove_assignee(actor=member, workspace=workspace, selected=everyone(workspace))
    assert Contact.objects.filter(assignee__isnull=False).count() == 0
    undo(actor=member, operation=outcome.operation)
    assert Contact.objects.get(pk=a.pk).assignee == a.assignee
    assert Contact.objects.get(pk=b.pk).assignee == b.assignee


def test_undo_twice_is_refused(workspace, member):
    from contacts.exceptions import ContactError

    ContactFactory(workspace=workspace)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    undo(actor=member, operation=outcome.operation)
    with pytest.raises(ContactError):
        undo(actor=member, operation=outcome.operation)


def queries_for(action, n, workspace, actor, done_state, **factory):
    """The queries one action over n people costs, after checking it changed all n as it should."""
    ContactFactory.create_batch(n, workspace=workspace, **factory)
    with CaptureQueriesContext(connection) as queries:
        outcome = action(actor=actor, workspace=workspace, selected=everyone(workspace))
    assert (outcome.done, outcome.skipped) == (n, 0)
    assert Contact.objects.filter(**done_state).count() == (0 if action is services.purge else n)
    assert Contact.objects.count() == (0 if action is services.purge else n)
    if action is not services.purge:
        assert TimelineEntry.objects.filter(operation=outcome.operation).count() == n
    Contact.objects.all().delete()
    return len(queries)


@pytest.mark.parametrize(
    "action, factory, done_state",
    [
        (services.archive, {}, {"archived_at__isnull": False, "deleted_at": None}),
        (services.restore_from_archive, {"archived": True}, {"archived_at": None, "archived_by": None}),
        (services.delete, {"archived": True}, {"deleted_at__isnull": False}),
        (services.restore_from_deleted, {"deleted": True}, {"deleted_at": None, "archived_at__isnull": False}),
        (services.purge, {"deleted": True}, {}),
        (services.remove_assignee, {"assigned": True}, {"assignee": None}),
    ],
)
def test_query_count_does_not_grow_with_the_number_of_people(workspace, admin_user, action, factory, done_state):
    small = queries_for(action, 10, workspace, admin_user, done_state, **factory)
    large = queries_for(action, 500, workspace, admin_user, done_state, **factory)
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
        assert Contact.objects.deleted().count() == n
        with CaptureQueriesContext(connection) as purging:
            services.purge(actor=admin_user, workspace=workspace, selected=everyone(workspace))
        assert Contact.objects.count() == 0
        assert set(Suppression.objects.filter(kind="email").values_list("value", flat=True)) == {
            f"p{i}@example.com" for i in range(n)
        }
        assert Suppression.objects.filter(kind="phone").count() == n
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


# --- Destructive actions act on exactly the people the dialog listed (#11.1) ---------------------


def python_fingerprint(ids) -> tuple[int, int, int]:
    """The fingerprint's formula again, in Python, written from its documentation (services.py)."""
    p = 2**31 - 1
    a, b, c, d = 1_952_213_323, 1_394_463_456, 1_077_327_815, 563_781_844

    def h(pk):
        x = pk % p
        return (((a * x + b) % p * x + c) % p * x + d) % p

    return len(ids), sum(ids), sum(h(pk) for pk in ids)


def test_the_fingerprint_of_known_ids_is_the_same_known_value_on_every_database(workspace):
    # Small ids, ids around 2**31 (the modulus) and a huge one: the arithmetic must stay exact.
    ids = [1, 2, 3, 1000, 2**31 - 1, 2**31 + 41, 10**12 + 7]
    for pk in ids:
        ContactFactory(pk=pk, workspace=workspace)
    ContactFactory(pk=5000, workspace=workspace, name="Not counted")
    found = services.fingerprint(everyone(workspace).filter(pk__in=ids))
    assert (found.count, found.id_sum, found.hash_sum) == python_fingerprint(ids)
    assert str(found) == "7-1004294968349-4347448714"
    assert services.Fingerprint.parse("7-1004294968349-4347448714") == found
    assert str(services.fingerprint(everyone(workspace).none())) == "0-0-0"


def test_a_swap_that_keeps_the_count_and_the_id_sum_still_changes_the_fingerprint(workspace):
    for pk in (1, 2, 3, 4):
        ContactFactory(pk=pk, workspace=workspace)
    one_and_four = services.fingerprint(everyone(workspace).filter(pk__in=[1, 4]))
    two_and_three = services.fingerprint(everyone(workspace).filter(pk__in=[2, 3]))
    assert (one_and_four.count, one_and_four.id_sum) == (two_and_three.count, two_and_three.id_sum) == (2, 5)
    assert one_and_four != two_and_three


@pytest.mark.parametrize("junk", ["", "3", "3-4", "3-4-5-6", "a-b-c", "-1-2-3", "3-4-²", "1-2-" + "9" * 31])
def test_a_malformed_fingerprint_is_not_a_fingerprint(junk):
    assert services.Fingerprint.parse(junk) is None


def test_delete_forever_of_the_same_number_but_other_people_erases_no_one(workspace, admin_user):
    """The dialog listed Dee (1 to erase); now Ari is the one in Recently Deleted instead."""
    dee = ContactFactory(workspace=workspace, name="Dee Deleted", deleted=True)
    ari = ContactFactory(workspace=workspace, name="Ari Archived", archived=True)
    ticked = everyone(workspace).filter(pk__in=[dee.pk, ari.pk])
    shown = services.fingerprint(ticked.filter(deleted_at__isnull=False))
    Contact.objects.filter(pk=dee.pk).update(deleted_at=None)
    Contact.objects.filter(pk=ari.pk).update(deleted_at=timezone.now())
    with pytest.raises(StaleConfirmation) as refused:
        services.purge(actor=admin_user, workspace=workspace, selected=ticked, expected=shown)
    assert refused.value.message == (
        "Nothing was changed: 1 person was confirmed, and 1 qualifies now, but not the same person. "
        "Someone changed them since the dialog opened; review the new numbers."
    )
    assert set(Contact.objects.values_list("name", flat=True)) == {"Dee Deleted", "Ari Archived"}
    assert Operation.objects.count() == 0


def test_delete_of_the_same_number_but_other_people_deletes_no_one(workspace, admin_user):
    shown_people = ContactFactory.create_batch(2, workspace=workspace, archived=True)
    others = ContactFactory.create_batch(2, workspace=workspace)
    ticked = everyone(workspace)
    shown = services.fingerprint(ticked.filter(archived_at__isnull=False))
    Contact.objects.filter(pk__in=[p.pk for p in shown_people]).update(archived_at=None, stage=Stage.PAST)
    Contact.objects.filter(pk__in=[p.pk for p in others]).update(archived_at=timezone.now(), stage=Stage.LOST)
    before = list(Contact.objects.order_by("pk").values())
    with pytest.raises(StaleConfirmation, match="2 people were confirmed, and 2 qualify now, but not the same"):
        services.delete(actor=admin_user, workspace=workspace, selected=ticked, expected=shown)
    assert list(Contact.objects.order_by("pk").values()) == before
    assert TimelineEntry.objects.count() == 0


def test_delete_of_exactly_the_people_the_dialog_listed_goes_ahead(workspace, admin_user):
    people = ContactFactory.create_batch(3, workspace=workspace, archived=True)
    ContactFactory(workspace=workspace)
    shown = services.fingerprint(everyone(workspace).filter(archived_at__isnull=False))
    outcome = services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace), expected=shown)
    assert (outcome.done, outcome.skipped) == (3, 1)
    assert set(Contact.objects.deleted()) == set(people)


# --- Outcomes say why people were skipped (#11.10) ---------------------------------------------


def test_the_outcome_says_why_each_skipped_person_was_skipped(workspace, member):
    ContactFactory(workspace=workspace, stage=Stage.LOST)
    ContactFactory.create_batch(2, workspace=workspace, in_open_stage=True)
    ContactFactory(workspace=workspace, in_open_stage=True, assigned=True)
    ContactFactory(workspace=workspace, archived=True)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    assert (outcome.done, outcome.skipped) == (1, 4)
    assert outcome.reasons == (("already archived", 1), ("in an open stage", 3), ("assigned", 1))


# --- Rules that planted bugs got past (#11.25, #11.26) ------------------------------------------


@pytest.mark.parametrize("stage", [Stage.PAST, Stage.LOST, Stage.NONE])
def test_change_stage_to_a_closed_stage_leaves_people_in_recently_deleted_alone(workspace, member, stage):
    deleted = ContactFactory(workspace=workspace, deleted=True, stage=Stage.LOST if stage != Stage.LOST else Stage.PAST)
    archived = ContactFactory(workspace=workspace, archived=True, stage=deleted.stage)
    outcome = services.change_stage(actor=member, workspace=workspace, selected=everyone(workspace), stage=stage)
    assert (outcome.done, outcome.skipped) == (1, 1)
    assert outcome.reasons == (("in Recently Deleted", 1),)
    assert Contact.objects.get(pk=deleted.pk).stage == deleted.stage
    assert Contact.objects.get(pk=archived.pk).stage == stage
    assert not TimelineEntry.objects.filter(contact=deleted).exists()


def test_restore_forgets_who_archived_them(workspace, member, manager):
    person = ContactFactory(workspace=workspace, archived=True, archived_by=manager)
    services.restore_from_archive(actor=member, workspace=workspace, selected=everyone(workspace))
    person.refresh_from_db()
    assert (person.archived_at, person.archived_by) == (None, None)


# --- Round trips put every row back exactly (#11.31) ---------------------------------------------

# What a round trip may change: when the row was last written, and which operation wrote it.
BOOKKEEPING = {"updated_at", "operation_id"}


def rows(workspace) -> dict:
    return {
        row["id"]: {k: v for k, v in row.items() if k not in BOOKKEEPING}
        for row in Contact.objects.filter(workspace=workspace).values()
    }


def test_archive_then_undo_puts_every_field_of_every_person_back(workspace, member, manager):
    ContactFactory.create_batch(2, workspace=workspace, stage=Stage.LOST, phone="+1 415 555 0100")
    ContactFactory(workspace=workspace, in_open_stage=True, assigned=True)
    ContactFactory(workspace=workspace, archived=True, archived_by=manager)
    ContactFactory(workspace=workspace, deleted=True, archived_by=manager, deleted_by=manager)
    before = rows(workspace)
    outcome = services.archive(actor=member, workspace=workspace, selected=everyone(workspace))
    assert outcome.done == 2
    assert {p.archived_by for p in Contact.objects.filter(operation=outcome.operation)} == {member}
    undo(actor=member, operation=outcome.operation)
    assert rows(workspace) == before


def test_delete_then_undo_puts_every_field_of_every_person_back(workspace, admin_user, manager):
    ContactFactory.create_batch(2, workspace=workspace, archived=True, archived_by=manager)
    ContactFactory(workspace=workspace, archived=True, archived_by=None)
    ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    ContactFactory(workspace=workspace, deleted=True, archived_by=manager, deleted_by=manager)
    before = rows(workspace)
    outcome = services.delete(actor=admin_user, workspace=workspace, selected=everyone(workspace))
    assert outcome.done == 3
    assert {p.deleted_by for p in Contact.objects.filter(operation=outcome.operation)} == {admin_user}
    undo(actor=admin_user, operation=outcome.operation)
    assert rows(workspace) == before
