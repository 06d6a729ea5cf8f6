"""Fix and archive: people blocked only by an open stage and/or an assignee get a closed stage, lose
their assignee and are archived, in one transaction, exactly as the dialog showed; Undo puts it all back."""

import re

import pytest

from contacts import services
from contacts.exceptions import ContactError
from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from tests.contacts.bulk_actions.dialogs import action_buttons, confirm, dialog, snapshot
from tests.factories import ContactFactory
from tests.helpers import HTMX, ids, undo_url, visible_text


def fix_confirmation(response) -> dict[str, str]:
    """What the dialog's form sends with the Fix and archive button: its count and fingerprint."""
    page = response.content.decode()
    expected = re.search(r'name="fix_expected" value="(\d+)"', page)
    fingerprint = re.search(r'name="fix_fingerprint" value="([^"]*)"', page)
    assert expected and fingerprint, "the dialog offers no Fix and archive"
    return {"fix_expected": expected.group(1), "fix_fingerprint": fingerprint.group(1)}


def fix_and_archive(client, people, fix_stage="past", headers=HTMX, follow=False):
    params = {"audience": "my-people", "selection": "ids", "ids": ids(*people)}
    shown = fix_confirmation(dialog(client, "archive", **params, fix_stage=fix_stage))
    data = {**params, "fix": "1", "fix_stage": fix_stage, **shown}
    return client.post("/bulk/archive/", data, headers=headers, follow=follow)


@pytest.fixture
def mixed(workspace, dana):
    """One archivable, one in an open stage, one assigned, one both, one already archived."""
    return {
        "free": ContactFactory(workspace=workspace, name="Fay Free", stage=Stage.PAST),
        "staged": ContactFactory(workspace=workspace, name="Sal Staged", stage=Stage.ACTIVE),
        "assigned": ContactFactory(workspace=workspace, name="Tom Taken", stage=Stage.LOST, assignee=dana),
        "both": ContactFactory(workspace=workspace, name="Bo Both", stage=Stage.LEAD, assignee=dana),
        "archived": ContactFactory(workspace=workspace, name="Al Ready", archived=True),
    }


def test_the_dialog_offers_fix_and_archive_worded_for_both_fixes(as_member, mixed):
    response = dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(*mixed.values()))
    text = visible_text(response)
    assert "Archive 5 people?" in text
    assert "1 person will be archived. 4 cannot be" in text
    assert "1 is already archived" in text  # blocked for another reason: still listed as such
    assert action_buttons(response) == [
        "Cancel",
        "Archive 1 person",
        "Set stage to Past, remove the assignee and archive 4 people",
    ]
    assert fix_confirmation(response)["fix_expected"] == "4"


@pytest.mark.parametrize(
    ("names", "fix_stage", "label"),
    [
        (("staged",), "past", "Set stage to Past and archive 1 person"),
        (("staged", "free"), "lost", "Set stage to Lost and archive all 2"),
        (("staged", "free"), "none", "Remove the stage and archive all 2"),
        (("assigned", "free"), "past", "Remove the assignee and archive all 2"),
        (("both", "free"), "none", "Remove the stage and the assignee and archive all 2"),
    ],
)
def test_the_fix_is_worded_for_exactly_what_applies(as_member, mixed, names, fix_stage, label):
    people = [mixed[n] for n in names]
    response = as_member.post(
        "/bulk/archive/dialog/",
        {"audience": "my-people", "selection": "ids", "ids": ids(*people), "fix_stage": fix_stage},
        headers=HTMX,
    )
    assert action_buttons(response)[-1] == label


def test_no_fix_is_offered_when_only_other_reasons_block(as_member, mixed):
    response = dialog(
        as_member, "archive", audience="my-people", selection="ids", ids=ids(mixed["free"], mixed["archived"])
    )
    assert 'name="fix_expected"' not in response.content.decode()
    assert action_buttons(response) == ["Cancel", "Archive 1 person"]


def test_one_selected_person_with_an_open_stage_is_told_who_and_why_and_offered_the_fix(as_member, mixed):
    response = dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(mixed["staged"]))
    text = visible_text(response)
    assert "Sal Staged cannot be archived: Stage is Active — change or remove the stage" in text
    assert "Select only" not in text
    assert action_buttons(response) == ["Set stage to Past and archive 1 person"]


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_fix_and_archive_fixes_and_archives_everyone_it_showed_and_records_it(as_member, member, mixed, dana, headers):
    response = fix_and_archive(as_member, mixed.values(), fix_stage="lost", headers=headers, follow=not headers)
    assert response.status_code == 200
    # Fay Free needed no fix: she is archived but not counted as fixed.
    assert "4 people archived (3 fixed first) · 1 skipped: already archived" in visible_text(response)
    for key in ("free", "staged", "assigned", "both"):
        person = Contact.objects.get(pk=mixed[key].pk)
        assert person.archived_at is not None and person.archived_by == member and person.assignee is None
    stages = dict(Contact.objects.filter(pk__in=ids(*mixed.values()).split(",")).values_list("name", "stage"))
    assert stages == {
        "Fay Free": "past",
        "Sal Staged": "lost",
        "Tom Taken": "lost",
        "Bo Both": "lost",
        "Al Ready": mixed["archived"].stage,
    }
    # The timeline says what happened to each, with the old values kept for Undo.
    entries = TimelineEntry.objects.filter(operation__action="fix_and_archive")
    assert sorted(entries.filter(kind=EntryKind.STAGE_CHANGED).values_list("contact__name", "previous")) == [
        ("Bo Both", "lead"),
        ("Sal Staged", "active"),
    ]
    assert sorted(entries.filter(kind=EntryKind.UNASSIGNED).values_list("contact__name", "previous")) == [
        ("Bo Both", str(dana.pk)),
        ("Tom Taken", str(dana.pk)),
    ]
    assert entries.filter(kind=EntryKind.ARCHIVED).count() == 4


def test_undo_restores_stage_assignee_and_archive_state_exactly(as_member, mixed):
    before = snapshot()
    response = fix_and_archive(as_member, mixed.values())
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 4 people put back" in visible_text(undone)
    people, *_ = snapshot()
    assert people == before[0]
    assert Contact.objects.filter(archived_by__isnull=False).count() == 0


def test_someone_changing_a_person_between_dialog_and_confirm_changes_nothing(as_member, member, mixed, workspace):
    params = {"audience": "my-people", "selection": "ids", "ids": ids(*mixed.values())}
    shown = fix_confirmation(dialog(as_member, "archive", **params))
    # Meanwhile someone archives one of them the plain way: the set the dialog showed is gone.
    services.archive(actor=member, workspace=workspace, selected=Contact.objects.filter(pk=mixed["free"].pk))
    before = snapshot()
    response = confirm(as_member, "archive", **params, fix="1", fix_stage="past", **shown)
    assert response.status_code == 409
    assert "Nothing was changed" in visible_text(response)
    assert snapshot() == before


def test_a_swapped_person_with_the_same_count_is_refused_too(as_member, mixed, workspace):
    params = {"audience": "my-people", "selection": "ids", "ids": ids(mixed["staged"], mixed["free"])}
    shown = fix_confirmation(dialog(as_member, "archive", **params))
    before = snapshot()
    params["ids"] = ids(mixed["staged"], mixed["assigned"])  # same count, other people
    response = confirm(as_member, "archive", **params, fix="1", fix_stage="past", **shown)
    assert response.status_code == 409
    assert snapshot() == before


def test_fix_and_archive_without_the_dialogs_fingerprint_is_refused(as_member, mixed):
    before = snapshot()
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(mixed["staged"]), fix="1")
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("fix_stage", ["active", "lead", "bogus"])
def test_an_open_or_unknown_stage_is_refused(as_member, mixed, fix_stage):
    params = {"audience": "my-people", "selection": "ids", "ids": ids(mixed["staged"])}
    shown = fix_confirmation(dialog(as_member, "archive", **params))
    before = snapshot()
    response = confirm(as_member, "archive", **params, fix="1", fix_stage=fix_stage, **shown)
    assert response.status_code == 400
    assert snapshot() == before


def test_the_service_refuses_an_open_stage(member, workspace, mixed):
    with pytest.raises(ContactError):
        services.fix_and_archive(
            actor=member, workspace=workspace, selected=Contact.objects.all(), stage=Stage.ACTIVE, expected=None
        )
    assert Contact.objects.archived().count() == 1


def test_it_is_one_transaction_a_failure_at_the_end_leaves_everything_as_it_was(as_member, mixed, monkeypatch):
    from contacts.services import lifecycle

    real = lifecycle._record_entries

    def fail_on_archive(operation, kind, *args, **kwargs):
        if kind == EntryKind.ARCHIVED:
            raise RuntimeError("the database went away")
        return real(operation, kind, *args, **kwargs)

    monkeypatch.setattr(lifecycle, "_record_entries", fail_on_archive)
    before = snapshot()
    with pytest.raises(RuntimeError):
        fix_and_archive(as_member, mixed.values())
    assert snapshot() == before


def test_people_of_another_workspace_are_never_touched(as_member, mixed, other_workspace):
    stranger = ContactFactory(workspace=other_workspace, name="Sid Stranger", stage=Stage.ACTIVE)
    before = snapshot()
    response = confirm(
        as_member, "archive", audience="my-people", selection="ids", ids=ids(mixed["staged"], stranger), fix="1"
    )
    assert response.status_code == 400  # as for any unknown id: refused, nothing changed
    assert snapshot() == before


def test_a_member_and_a_manager_may_both_fix_and_archive_but_only_the_actor_may_undo(as_member, client, manager, mixed):
    response = fix_and_archive(as_member, [mixed["staged"]])
    assert response.status_code == 200
    client.force_login(manager)
    refused = client.post(undo_url(response), headers=HTMX)
    assert "Only the person who did this can undo it." in visible_text(refused)
    assert Contact.objects.get(pk=mixed["staged"].pk).archived_at is not None
    managed = fix_and_archive(client, [mixed["both"]], fix_stage="none")
    assert "1 person fixed and archived" in visible_text(managed)
