"""Who is in each audience, what it is called, and which bulk actions it offers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audiences.registry import AUDIENCES, DEFAULT, MY_PEOPLE, get_audience
from contacts.bulk_actions import ACTIONS
from contacts.models import Contact, LabelSet, Stage
from tests.factories import ContactFactory, MembershipFactory, UserFactory


@pytest.fixture
def cast(workspace, member):
    """One person in every situation, plus people in another workspace."""
    dana = MembershipFactory(workspace=workspace, user=UserFactory(first_name="Dana", last_name="Lee")).user
    people = {
        "lead": ContactFactory(workspace=workspace, stage=Stage.LEAD),
        "potential": ContactFactory(workspace=workspace, stage=Stage.POTENTIAL, assignee=dana),
        "active_mine": ContactFactory(workspace=workspace, stage=Stage.ACTIVE, assignee=member),
        "past_mine": ContactFactory(workspace=workspace, stage=Stage.PAST, assignee=member),
        "lost": ContactFactory(workspace=workspace, stage=Stage.LOST),
        "no_stage": ContactFactory(workspace=workspace, stage=Stage.NONE),
        "archived": ContactFactory(workspace=workspace, archived=True),
        "archived_no_stage": ContactFactory(workspace=workspace, archived=True, stage=Stage.NONE),
        "deleted": ContactFactory(workspace=workspace, deleted=True),
        "deleted_long_ago": ContactFactory(workspace=workspace, deleted=True),
    }
    Contact.objects.filter(pk=people["deleted_long_ago"].pk).update(deleted_at=timezone.now() - timedelta(days=31))
    # Strangers in every situation: never anyone's audience here.
    ContactFactory(stage=Stage.LEAD)
    ContactFactory(workspace=MembershipFactory(user=member).workspace, assignee=member)
    ContactFactory(archived=True)
    ContactFactory(deleted=True)
    return people


MEMBERS = {
    "my-people": {"lead", "potential", "active_mine", "past_mine", "lost", "no_stage"},
    "archived": {"archived", "archived_no_stage"},
    "deleted": {"deleted"},
    "stage-lead": {"lead"},
    "stage-potential": {"potential"},
    "stage-active": {"active_mine"},
    "stage-past": {"past_mine"},
    "stage-lost": {"lost"},
    "stage-none": {"no_stage"},
    "assigned-to-me": {"active_mine", "past_mine"},
    "unassigned": {"lead", "lost", "no_stage"},
}


def test_every_audience_is_covered():
    assert set(MEMBERS) == set(AUDIENCES)


@pytest.mark.parametrize("slug, expected", MEMBERS.items())
def test_each_audience_holds_exactly_its_people(workspace, member, cast, slug, expected):
    people = AUDIENCES[slug].people_for(workspace, member)
    assert set(people) == {cast[key] for key in expected}


def test_recently_deleted_follows_the_workspace_retention(workspace, member, cast):
    workspace.retention_days = 60
    assert set(AUDIENCES["deleted"].people_for(workspace, member)) == {cast["deleted"], cast["deleted_long_ago"]}
    workspace.retention_days = 0
    assert set(AUDIENCES["deleted"].people_for(workspace, member)) == set()


def test_deleted_people_are_in_no_audience_but_recently_deleted(workspace, member, cast):
    for slug, audience in AUDIENCES.items():
        if slug != "deleted":
            assert not audience.people_for(workspace, member).filter(deleted_at__isnull=False).exists(), slug


def test_assigned_to_me_depends_on_who_asks(workspace, cast):
    someone_else = MembershipFactory(workspace=workspace).user
    assert not AUDIENCES["assigned-to-me"].people_for(workspace, someone_else).exists()


@pytest.mark.parametrize(
    "slug, actions",
    [
        ("my-people", ("archive", "change_stage", "remove_assignee")),
        ("archived", ("restore", "delete")),
        ("deleted", ("undelete", "purge")),
        ("stage-lead", ("archive", "change_stage", "remove_assignee")),
        ("stage-none", ("archive", "change_stage", "remove_assignee")),
        ("assigned-to-me", ("archive", "change_stage", "remove_assignee")),
        ("unassigned", ("archive", "change_stage", "remove_assignee")),
    ],
)
def test_each_audience_offers_its_bulk_actions(slug, actions):
    assert AUDIENCES[slug].actions == actions


def test_every_offered_action_exists():
    for audience in AUDIENCES.values():
        assert all(name in ACTIONS for name in audience.actions), audience.slug


def test_menu_labels_in_recently_deleted_are_restore_and_delete_forever():
    assert [ACTIONS[name].label for name in AUDIENCES["deleted"].actions] == ["Restore", "Delete forever"]


def test_names_use_the_workspace_stage_labels(workspace):
    assert [a.name_for(workspace) for a in AUDIENCES.values()] == [
        "My People",
        "Archived People",
        "Recently Deleted",
        "Lead",
        "Potential",
        "Active",
        "Past",
        "Lost",
        "No stage",
        "Assigned to me",
        "Unassigned",
    ]
    workspace.label_set = LabelSet.REAL_ESTATE
    assert AUDIENCES["stage-potential"].name_for(workspace) == "Hot"
    assert AUDIENCES["stage-active"].name_for(workspace) == "In Contract"
    assert AUDIENCES["my-people"].name_for(workspace) == "My People"


def test_my_people_comes_first_and_the_rest_are_other_audiences():
    assert list(AUDIENCES)[0] == "my-people"
    assert [a.slug for a in AUDIENCES.values() if not a.other] == ["my-people"]


def test_get_audience_defaults_to_my_people_and_knows_no_strangers():
    assert DEFAULT is MY_PEOPLE
    assert get_audience(None) is MY_PEOPLE
    assert get_audience("") is MY_PEOPLE
    assert get_audience("archived") is AUDIENCES["archived"]
    assert get_audience("vips") is None
    assert get_audience("My People") is None


def test_every_audience_has_an_empty_state_text():
    for audience in AUDIENCES.values():
        assert audience.empty.strip(), audience.slug
    assert MY_PEOPLE.empty.startswith("No one here yet.")


def test_audience_querysets_read_one_table(workspace, member):
    for audience in AUDIENCES.values():
        assert "JOIN" not in str(audience.people_for(workspace, member).query), audience.slug
