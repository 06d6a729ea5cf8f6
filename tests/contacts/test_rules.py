"""The rules as predicates (reasons) and as queryset filters must agree, everywhere."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts import rules as m
from contacts.models import Contact, Stage
from tests.factories import ContactFactory, MembershipFactory

STATES = ["active", "archived", "deleted"]
RULESETS = {
    "archive": m.ARCHIVE_BLOCKERS,
    "delete": m.DELETE_BLOCKERS,
    "restore": m.RESTORE_FROM_ARCHIVE_BLOCKERS,
    "undelete": m.RESTORE_FROM_DELETED_BLOCKERS,
    "purge": m.PURGE_BLOCKERS,
    "open_stage": m.OPEN_STAGE_BLOCKERS,
    "remove_assignee": m.REMOVE_ASSIGNEE_BLOCKERS,
}


def make_every_combination(workspace):
    """Every stage × assigned × state the database allows (the constraint forbids the rest)."""
    assignee = MembershipFactory(workspace=workspace).user
    people = []
    for stage, assigned, state in itertools.product(Stage.values, [False, True], STATES):
        fields = {"stage": stage, "assignee": assignee if assigned else None}
        if state != "active":
            fields["archived_at"] = timezone.now()
        if state == "deleted":
            fields["deleted_at"] = timezone.now()
        try:
            with transaction.atomic():
                people.append(ContactFactory(workspace=workspace, **fields))
        except IntegrityError:
            assert state != "active" and (assigned or stage in m.OPEN_STAGES)
    return people


@pytest.mark.parametrize("ruleset", RULESETS)
def test_predicate_and_filter_agree_on_every_combination(workspace, ruleset):
    blockers = RULESETS[ruleset]
    people = make_every_combination(workspace)
    allowed_by_filter = set(Contact.objects.filter(m.none_of(blockers)).values_list("pk", flat=True))
    for person in Contact.objects.select_related("assignee", "workspace").filter(pk__in=[p.pk for p in people]):
        allowed_by_predicate = not m.reasons(person, blockers)
        assert allowed_by_predicate == (person.pk in allowed_by_filter), (
            ruleset,
            person.stage,
            person.assignee_id,
            person.status,
        )
    # Each blocker on its own agrees too, so the dialog's groups are right.
    for blocker in blockers:
        matched = set(Contact.objects.filter(blocker.q).values_list("pk", flat=True))
        for person in Contact.objects.filter(pk__in=[p.pk for p in people]):
            assert blocker.applies(person) == (person.pk in matched), (blocker.code, person.pk)


def test_the_database_holds_twelve_legal_combinations_of_eighteen_archived(workspace):
    people = make_every_combination(workspace)
    # 6 stages × 2 assignment × 3 states = 36; archived/deleted rows allow only 3 stages unassigned.
    assert len(people) == 12 + 3 + 3


def test_active_contact_reports_stage_reason(workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    assert [r.message for r in person.archive_blockers()] == ["Stage is Active — change or remove the stage"]


def test_assigned_contact_cannot_be_archived(workspace):
    dana = MembershipFactory(workspace=workspace, user__first_name="Dana", user__last_name="Lee").user
    person = ContactFactory(workspace=workspace, stage=Stage.LOST, assignee=dana)
    assert [r.message for r in person.archive_blockers()] == ["Assigned to Dana Lee — remove the assignee"]


def test_both_reasons_when_both(workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.LEAD, assigned=True)
    assert [r.code for r in person.archive_blockers()] == ["open_stage", "assigned"]


@pytest.mark.parametrize("stage", [Stage.PAST, Stage.LOST, Stage.NONE])
def test_past_lost_and_no_stage_unassigned_can_be_archived(workspace, stage):
    assert ContactFactory(workspace=workspace, stage=stage).archive_blockers() == []


def test_only_archived_people_can_be_deleted(workspace):
    assert [r.code for r in ContactFactory(workspace=workspace).delete_blockers()] == ["not_archived"]
    assert ContactFactory(workspace=workspace, archived=True).delete_blockers() == []


@pytest.mark.parametrize("change", [{"stage": Stage.ACTIVE}, {"assigned": True}])
def test_database_refuses_archived_person_with_open_stage_or_assignee(workspace, change):
    person = ContactFactory(workspace=workspace, archived=True)
    if "stage" in change:
        person.stage = change["stage"]
    else:
        person.assignee = MembershipFactory(workspace=workspace).user
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


def test_database_refuses_queryset_update_that_breaks_the_invariant(workspace):
    ContactFactory(workspace=workspace, archived=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.update(stage=Stage.LEAD)


def test_database_refuses_deleting_what_was_not_archived(workspace):
    person = ContactFactory(workspace=workspace)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=person.pk).update(deleted_at=timezone.now())


def test_full_clean_explains_the_invariant(workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    person.stage = Stage.LEAD
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "Restore the person to My People first" in str(error.value)


def test_full_clean_refuses_an_assignee_from_outside_the_workspace(workspace, other_workspace):
    outsider = MembershipFactory(workspace=other_workspace).user
    person = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    person.assignee = outsider
    with pytest.raises(ValidationError, match="member of this workspace"):
        person.full_clean()
