"""A confirm acts on exactly the people its dialog listed, or on nobody (#11.1); and every outcome
says why the people it skipped were skipped (#11.10). Over HTTP, as a browser does it."""

import pytest

from contacts import services
from contacts.models import Contact, Operation, TimelineEntry
from tests.factories import ContactFactory
from tests.helpers import HTMX, confirmation_from_dialog, ids, logged_in, status_message, visible_text

REVIEW = "Someone changed them since the dialog opened; review the new numbers."


def everything() -> tuple:
    return (
        list(Contact.objects.order_by("pk").values()),
        TimelineEntry.objects.count(),
        Operation.objects.filter(count__gt=0).count(),
    )


def ticked(*people, audience) -> dict:
    return {"audience": audience, "selection": "ids", "ids": ids(*people)}


@pytest.fixture
def dee_and_ari(workspace):
    """Dee is in Recently Deleted; Ari is only archived."""
    dee = ContactFactory(workspace=workspace, name="Dee Deleted", deleted=True)
    ari = ContactFactory(workspace=workspace, name="Ari Archived", archived=True)
    return dee, ari


def test_delete_forever_erases_no_one_when_the_person_it_listed_was_swapped_for_another(
    admin_user, manager, dee_and_ari
):
    """The issue's scenario: the dialog says 1 (Dee); a manager restores Dee and deletes Ari; confirm."""
    dee, ari = dee_and_ari
    admin, other = logged_in(admin_user), logged_in(manager)
    selection = ticked(dee, ari, audience="deleted")
    dialog = admin.get("/bulk/purge/", selection, headers=HTMX)
    assert "1 person will be deleted forever." in visible_text(dialog)
    assert "1 is not in Recently Deleted Ari Archived" in visible_text(dialog)
    said = confirmation_from_dialog(dialog)

    restored = other.post("/bulk/undelete/", ticked(dee, audience="deleted"), headers=HTMX)
    assert status_message(restored) == "1 person restored to Archived People"
    deleting = ticked(ari, audience="archived")
    deleted = other.post(
        "/bulk/delete/", {**deleting, **confirmation_from_dialog(other.get("/bulk/delete/", deleting, headers=HTMX))}
    )
    assert deleted.status_code == 302
    before = everything()

    response = admin.post("/bulk/purge/", {**selection, **said}, headers=HTMX)

    assert response.status_code == 409
    text = visible_text(response)
    assert (
        "Nothing was changed: 1 person was confirmed, and 1 qualifies now, but not the same person. " + REVIEW
    ) in text
    assert everything() == before
    assert Contact.objects.get(pk=dee.pk).deleted_at is None
    assert Contact.objects.get(pk=ari.pk).deleted_at is not None
    # The dialog is shown again with the new numbers; confirming that one erases whom it now lists.
    assert "1 is not in Recently Deleted Dee Deleted" in text
    again = admin.post("/bulk/purge/", {**selection, **confirmation_from_dialog(response)}, headers=HTMX)
    assert status_message(again) == "1 person deleted forever · 1 skipped: not in Recently Deleted"
    assert list(Contact.objects.values_list("name", flat=True)) == ["Dee Deleted"]


def test_delete_acts_on_nobody_when_the_listed_people_were_swapped_for_as_many_others(as_admin, workspace, admin_user):
    listed = ContactFactory.create_batch(2, workspace=workspace, archived=True)
    others = ContactFactory.create_batch(2, workspace=workspace)
    selection = {"audience": "archived", "selection": "all"}
    said = confirmation_from_dialog(as_admin.get("/bulk/delete/", selection, headers=HTMX))
    assert said["expected"] == "2"
    # Meanwhile the two listed go back to My People and the two others are archived.
    services.restore_from_archive(
        actor=admin_user, workspace=workspace, selected=Contact.objects.filter(pk__in=[p.pk for p in listed])
    )
    services.archive(
        actor=admin_user, workspace=workspace, selected=Contact.objects.filter(pk__in=[p.pk for p in others])
    )
    before = everything()
    response = as_admin.post("/bulk/delete/", {**selection, **said}, headers=HTMX)
    assert response.status_code == 409
    assert "2 people were confirmed, and 2 qualify now, but not the same people. " + REVIEW in visible_text(response)
    assert everything() == before
    assert not Contact.objects.deleted().exists()


@pytest.mark.parametrize(
    "fingerprint, why",
    [
        (None, "missing"),
        ("", "empty"),
        ("1-2", "garbled"),
        ("1-2-x", "garbled"),
        ("2-{id_sum}-{hash_sum}", "a count that is not the dialog's"),
    ],
)
@pytest.mark.parametrize("action, audience", [("delete", "archived"), ("purge", "deleted")])
def test_a_destructive_confirm_without_a_valid_fingerprint_is_refused_and_changes_nothing(
    as_admin, dee_and_ari, action, audience, fingerprint, why
):
    dee, ari = dee_and_ari
    person = ari if action == "delete" else dee
    selection = ticked(person, audience=audience)
    said = confirmation_from_dialog(as_admin.get(f"/bulk/{action}/", selection, headers=HTMX))
    assert said["expected"] == "1"
    _, id_sum, hash_sum = said["fingerprint"].split("-")
    data = {**selection, "expected": "1"}
    if fingerprint is not None:
        data["fingerprint"] = fingerprint.format(id_sum=id_sum, hash_sum=hash_sum)
    before = everything()
    response = as_admin.post(f"/bulk/{action}/", data, headers=HTMX)
    assert response.status_code == 400, why
    assert "The confirmation does not say which people it is for; open the dialog again." in visible_text(response)
    assert everything() == before


def test_the_dialog_carries_the_fingerprint_of_exactly_the_people_it_will_act_on(as_admin, workspace, dee_and_ari):
    dee, ari = dee_and_ari
    more = ContactFactory.create_batch(3, workspace=workspace, deleted=True)
    response = as_admin.get("/bulk/purge/", ticked(dee, ari, *more, audience="deleted"), headers=HTMX)
    eligible = Contact.objects.filter(pk__in=[dee.pk, *(p.pk for p in more)])
    assert confirmation_from_dialog(response) == {
        "expected": "4",
        "fingerprint": str(services.fingerprint(eligible)),
    }


# --- The outcome names why people were skipped (#11.10) ------------------------------------------


def test_a_stale_second_tab_says_why_no_one_was_archived(member, workspace):
    """Two tabs show the same Archive dialog; the first confirms; the second is told why it did nothing."""
    person = ContactFactory(workspace=workspace, name="Pat Past")
    first, second = logged_in(member), logged_in(member)
    selection = ticked(person, audience="my-people")
    for tab in (first, second):
        assert "1 person will be archived." in visible_text(tab.get("/bulk/archive/", selection, headers=HTMX))
    assert status_message(first.post("/bulk/archive/", selection, headers=HTMX)) == "1 person archived"
    response = second.post("/bulk/archive/", selection, headers=HTMX)
    assert status_message(response) == "0 people archived · 1 skipped: already archived"
    assert "0 people archived · 1 skipped: already archived" in visible_text(response)
    assert Contact.objects.get(pk=person.pk).archived_by == member


def test_several_reasons_are_each_counted_as_the_dialog_groups_them(as_member, workspace):
    ContactFactory(workspace=workspace, name="Lou Lost", stage="lost")
    ContactFactory.create_batch(2, workspace=workspace, in_open_stage=True)
    ContactFactory(workspace=workspace, assigned=True)
    response = as_member.post("/bulk/archive/", {"audience": "my-people", "selection": "all"}, headers=HTMX)
    assert status_message(response) == "1 person archived · 3 skipped: in an open stage (2), assigned (1)"
    assert list(Contact.objects.archived().values_list("name", flat=True)) == ["Lou Lost"]


@pytest.mark.parametrize(
    "action, audience, traits, extra, message",
    [
        ("restore", "archived", {}, {}, "0 people restored to My People · 1 skipped: not archived"),
        (
            "undelete",
            "deleted",
            {"archived": True},
            {},
            "0 people restored to Archived People · 1 skipped: not in Recently Deleted",
        ),
        ("remove_assignee", "my-people", {}, {}, "0 people unassigned · 1 skipped: no assignee"),
        (
            "change_stage",
            "my-people",
            {"stage": "lead"},
            {"new_stage": "lead"},
            "0 people moved to Lead · 1 skipped: already Lead",
        ),
        (
            "change_stage",
            "my-people",
            {"archived": True},
            {"new_stage": "lead"},
            "0 people moved to Lead · 1 skipped: archived (restore first)",
        ),
    ],
)
def test_every_action_names_the_reason_it_skipped_someone(
    as_admin, workspace, action, audience, traits, extra, message
):
    person = ContactFactory(workspace=workspace, **traits)
    before = everything()
    response = as_admin.post(f"/bulk/{action}/", {**ticked(person, audience=audience), **extra}, headers=HTMX)
    assert status_message(response) == message
    assert everything()[0] == before[0]


def test_without_javascript_the_reason_is_in_the_message_on_the_next_page(as_member, workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    response = as_member.post("/bulk/archive/", ticked(person, audience="my-people"), follow=True)
    assert "0 people archived · 1 skipped: already archived" in visible_text(response)
