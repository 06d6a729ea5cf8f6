"""Change stage: the dialog asks for a stage, says who cannot be moved, and Undo puts each stage back."""

import re

import pytest

from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from tests.contacts.bulk_actions.dialogs import confirm, confirm_button, dialog, snapshot
from tests.factories import ContactFactory
from tests.helpers import HTMX, ids, undo_url, visible_text


@pytest.fixture
def mixed(workspace):
    """Two in My People and one archived, all ticked from My People."""
    return [
        ContactFactory(workspace=workspace, name="Pia Past", stage=Stage.PAST),
        ContactFactory(workspace=workspace, name="Nat None", stage=Stage.NONE),
        ContactFactory(workspace=workspace, name="Arlo Archived", archived=True),
    ]


def test_change_stage_dialog_asks_for_a_stage_before_it_can_confirm(as_member, mixed):
    response = dialog(as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed))
    text = visible_text(response)
    assert response.status_code == 200
    assert "Change the stage of 3 people?" in text
    assert "Pick a stage…" in text
    for label in ("Lead", "Potential", "Active", "Past", "Lost", "No stage"):
        assert f">{label}</option>" in response.content.decode()
    assert confirm_button(response) is None
    assert "will be moved" not in text


def test_change_stage_dialog_opened_from_the_menu_shows_no_error_yet(as_member, mixed):
    # The exact fields the page's #selection-form sends for ticked people.
    response = dialog(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), q="", stage="", blocked=""
    )
    assert response.status_code == 200
    assert "Pick a stage." not in visible_text(response)


def test_change_stage_to_lead_lists_the_archived_person_as_blocked(as_member, mixed):
    response = dialog(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage="lead"
    )
    text = visible_text(response)
    assert "2 people will be moved to Lead." in text
    assert "Archived people cannot get an open stage; restore them first." in text
    assert "1 is archived (restore first)" in text
    assert "1 is archived (restore first)" in text and "Arlo Archived" in text
    assert confirm_button(response) == "Change stage of 2 people"


def test_confirming_change_stage_moves_only_those_allowed(as_member, mixed):
    response = confirm(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage="lead"
    )
    assert response.status_code == 200
    assert "2 people moved to Lead · 1 skipped" in visible_text(response)
    assert Contact.objects.get(pk=mixed[0].pk).stage == Stage.LEAD
    assert Contact.objects.get(pk=mixed[1].pk).stage == Stage.LEAD
    assert Contact.objects.get(pk=mixed[2].pk).stage == Stage.LOST
    assert TimelineEntry.objects.filter(kind=EntryKind.STAGE_CHANGED, summary="Stage set to Lead").count() == 2


def test_change_stage_to_none_removes_the_stage_even_of_archived_people(as_member, mixed):
    text = visible_text(
        dialog(as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage="none")
    )
    assert "2 people will have their stage removed." in text
    # No stage is not an open stage: archived people are not blocked, so the rule is not shown.
    assert "Archived people cannot get an open stage" not in text
    response = confirm(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage="none"
    )
    assert "Stage removed from 2 people · 1 skipped" in visible_text(response)
    assert set(Contact.objects.filter(stage=Stage.NONE)) == {mixed[0], mixed[1], mixed[2]}


def test_change_stage_says_who_is_already_in_that_stage(as_member, mixed):
    text = visible_text(
        dialog(as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed[:2]), new_stage="past")
    )
    assert "1 is already Past" in text and "Pia Past" in text


def test_only_ticked_people_can_be_narrowed_to_those_who_cannot_be_moved(as_member, workspace):
    # Who cannot be moved depends on the stage picked, which a `blocked` filter does not carry:
    # a select-all is not offered the filter, ticked people are offered their ids.
    past = ContactFactory(workspace=workspace, name="Pia Past", stage=Stage.PAST)
    ContactFactory(workspace=workspace, name="Nat None", stage=Stage.NONE)
    response = dialog(as_member, "change_stage", audience="my-people", selection="all", new_stage="past")
    text = visible_text(response)
    assert "1 person will be moved to Past." in text and "1 is already Past" in text
    assert "Select only the" not in text
    assert "data-narrow" not in response.content.decode()

    ticked = dialog(
        as_member,
        "change_stage",
        audience="my-people",
        selection="ids",
        ids=ids(*Contact.objects.order_by("pk")),
        new_stage="past",
    )
    assert "Select only the 1 who cannot be moved" in visible_text(ticked)
    assert f'data-narrow-ids="{past.pk}"' in ticked.content.decode()


def test_undo_of_change_stage_puts_each_previous_stage_back(as_member, mixed):
    response = confirm(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage="lead"
    )
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert [Contact.objects.get(pk=p.pk).stage for p in mixed] == [Stage.PAST, Stage.NONE, Stage.LOST]


@pytest.mark.parametrize("stage", ["", "bogus", "Lead"])
def test_confirming_change_stage_without_a_valid_stage_changes_nothing(as_member, mixed, stage):
    before = snapshot()
    response = confirm(
        as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed), new_stage=stage
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_confirming_change_stage_with_no_stage_field_asks_to_pick_one(as_member, mixed):
    before = snapshot()
    response = confirm(as_member, "change_stage", audience="my-people", selection="ids", ids=ids(*mixed))
    assert response.status_code == 400
    assert "Pick a stage." in visible_text(response)
    assert snapshot() == before


def test_select_all_then_change_stage_moves_everyone_in_the_audience(as_member, workspace):
    people = [
        ContactFactory(workspace=workspace, stage=Stage.PAST),
        ContactFactory(workspace=workspace, stage=Stage.NONE),
    ]
    response = confirm(as_member, "change_stage", audience="my-people", selection="all", new_stage="lead")
    assert "2 people moved to Lead" in visible_text(response)
    assert all(Contact.objects.get(pk=p.pk).stage == Stage.LEAD for p in people)


def test_select_all_under_a_stage_filter_then_change_stage_moves_the_filtered_people(as_member, workspace):
    lost = ContactFactory.create_batch(2, workspace=workspace, stage=Stage.LOST)
    lead = ContactFactory(workspace=workspace, stage=Stage.LEAD)
    form = dialog(as_member, "change_stage", audience="my-people", selection="all", stage="lost").content.decode()
    hidden_stage = re.findall(r'<input type="hidden" name="stage" value="([^"]*)">', form)
    assert hidden_stage == ["lost"]
    assert '<select id="dialog-stage" name="new_stage"' in form
    # What the browser posts: the dialog's hidden fields (the filter), then the stage the user picked.
    response = as_member.post(
        "/bulk/change_stage/",
        {"audience": "my-people", "selection": "all", "stage": hidden_stage, "new_stage": "potential"},
        headers=HTMX,
    )
    assert "2 people moved to Potential" in visible_text(response)
    assert all(Contact.objects.get(pk=p.pk).stage == Stage.POTENTIAL for p in lost)
    assert Contact.objects.get(pk=lead.pk).stage == Stage.LEAD
