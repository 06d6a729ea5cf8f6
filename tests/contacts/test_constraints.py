"""Rules the database itself keeps, and the model declarations they come from.

The test database is built from the migrations, so a test that only writes bad rows would
still pass if a constraint were dropped from the model alone; validate_constraints() reads
the model's own declaration, so those tests pin the model too.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts import services
from contacts.exceptions import NotAllowed
from contacts.models import Contact, Membership, Operation, Stage, TimelineEntry
from tests.factories import ContactFactory, MembershipFactory, UserFactory

# --- deleted => archived (rule 2) ----------------------------------------------------------------


def test_the_model_declares_that_only_archived_people_can_be_deleted(workspace):
    person = ContactFactory.build(workspace=workspace, stage=Stage.LOST, deleted_at=timezone.now(), archived_at=None)
    with pytest.raises(ValidationError) as error:
        person.validate_constraints()
    assert error.value.messages == ["Only archived people can be deleted. Archive the person first."]
    person.archived_at = person.deleted_at
    person.validate_constraints()  # archived, then deleted: allowed


def test_the_model_declares_that_archived_people_have_no_open_stage_or_assignee(workspace, member):
    person = ContactFactory.build(workspace=workspace, stage=Stage.ACTIVE, archived_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        person.validate_constraints()
    assert error.value.messages == [
        "An archived person cannot have an open stage (Lead, Potential, Active) or an assignee. "
        "Restore the person to My People first."
    ]
    person.stage, person.assignee = Stage.LOST, member
    with pytest.raises(ValidationError):
        person.validate_constraints()


# --- the assignee is a member of the person's workspace ----------------------------------------


@pytest.fixture
def outsider(other_workspace):
    """A member of another workspace only."""
    return MembershipFactory(
        workspace=other_workspace, user=UserFactory(username="rita", first_name="Rita", last_name="Rival")
    ).user


def test_the_service_refuses_an_assignee_from_outside_the_workspace(workspace, admin_user, outsider):
    person = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    with pytest.raises(NotAllowed) as error:
        services.assign(
            actor=admin_user, workspace=workspace, selected=Contact.objects.filter(pk=person.pk), assignee=outsider
        )
    assert error.value.message == "The assignee must be a member of this workspace."
    person.refresh_from_db()
    assert person.assignee is None
    assert not Operation.objects.exists() and not TimelineEntry.objects.exists()


def test_the_database_refuses_an_update_to_an_assignee_who_is_not_a_member(workspace, outsider):
    person = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=person.pk).update(assignee=outsider)
    person.refresh_from_db()
    assert person.assignee is None


def test_the_database_refuses_a_new_person_assigned_to_someone_outside(workspace, outsider):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(workspace=workspace, name="Nora New", assignee=outsider)
    assert not Contact.objects.filter(name="Nora New").exists()


def test_the_database_refuses_moving_an_assigned_person_to_a_workspace_their_assignee_is_not_in(
    workspace, other_workspace, member
):
    person = ContactFactory(workspace=workspace, assignee=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=person.pk).update(workspace=other_workspace)
    person.refresh_from_db()
    assert (person.workspace, person.assignee) == (workspace, member)


def test_the_database_accepts_a_member_as_assignee(workspace, member):
    person = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    Contact.objects.filter(pk=person.pk).update(assignee=member)
    person.refresh_from_db()
    assert person.assignee == member


def test_removing_a_membership_unassigns_their_people_in_that_workspace_only(workspace, other_workspace, member):
    MembershipFactory(workspace=other_workspace, user=member)
    here = ContactFactory(workspace=workspace, name="Here Hal", assignee=member)
    there = ContactFactory(workspace=other_workspace, name="There Tia", assignee=member)
    Membership.objects.filter(workspace=workspace, user=member).delete()
    here.refresh_from_db()
    there.refresh_from_db()
    assert here.assignee is None
    assert there.assignee == member


def test_deleting_a_user_still_unassigns_their_people(workspace, member):
    person = ContactFactory(workspace=workspace, assignee=member)
    member.delete()
    person.refresh_from_db()
    assert person.assignee is None
    assert not Membership.objects.filter(user_id=member.pk).exists()


def test_a_membership_cannot_be_handed_to_another_user_while_its_member_is_an_assignee(workspace, member):
    ContactFactory(workspace=workspace, assignee=member)
    someone = UserFactory(username="sam")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(workspace=workspace, user=member).update(user=someone)
    assert Membership.objects.filter(workspace=workspace, user=member).exists()
