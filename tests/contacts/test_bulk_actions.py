"""Bulk actions over HTTP: the dialog says what will happen, confirming does exactly that, bad input nothing."""

import html
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, EntryKind, Operation, Stage, TimelineEntry
from sync.models import Suppression
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory
from tests.hardening.support import confirmation_from_dialog

HTMX = {"HX-Request": "true"}


def visible_text(response) -> str:
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def action_buttons(response) -> list[str]:
    """The labels in the dialog's button row (Cancel/Close and the confirm button)."""
    row = re.search(r'<div class="dialog-actions">(.*?)</div>', response.content.decode(), re.S)
    assert row, "the response has no dialog button row"
    labels = re.findall(r"<(?:button|a)\b[^>]*>(.*?)</(?:button|a)>", row.group(1), re.S)
    return [" ".join(html.unescape(label).split()) for label in labels]


def confirm_button(response) -> str | None:
    found = re.search(r'<button type="submit"[^>]*data-confirm[^>]*>(.*?)</button>', response.content.decode(), re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else None


def ids(*people) -> str:
    return ",".join(str(p.pk) for p in people)


def snapshot():
    """Everything a bulk action may change."""
    return (
        list(Contact.objects.order_by("pk").values_list("pk", "stage", "assignee_id", "archived_at", "deleted_at")),
        TimelineEntry.objects.count(),
        Suppression.objects.count(),
        Operation.objects.filter(count__gt=0).count(),
    )


def dialog(client, action, headers=HTMX, **params):
    return client.get(f"/bulk/{action}/", params, headers=headers)


def confirm(client, action, headers=HTMX, **params):
    return client.post(f"/bulk/{action}/", params, headers=headers)


def shown(client, action, **params) -> dict[str, str]:
    """Open the dialog: the count and fingerprint its form sends back with a Delete or Delete forever."""
    return confirmation_from_dialog(dialog(client, action, **params))


def confirm_as_shown(client, action, headers=HTMX, **params):
    """Open the dialog, then confirm it as its form does (with what it showed, and the user's extras)."""
    extras = {k: params.pop(k) for k in ("suppress_sync", "typed_count") if k in params}
    return confirm(client, action, headers=headers, **params, **shown(client, action, **params), **extras)


def undo_url(response) -> str:
    found = re.search(r'hx-post="(/undo/\d+/)"', response.content.decode())
    assert found, "no Undo button"
    return found.group(1)


@pytest.fixture
def dana(workspace):
    return MembershipFactory(
        workspace=workspace, user=UserFactory(username="dana", first_name="Dana", last_name="Lee")
    ).user


# --- the archive dialog ----------------------------------------------------------------------


@pytest.fixture
def three(workspace):
    """Two who can be archived and one in an open stage."""
    return [
        ContactFactory(workspace=workspace, name="Lou Lost", stage=Stage.LOST),
        ContactFactory(workspace=workspace, name="Nia Nostage", stage=Stage.NONE),
        ContactFactory(workspace=workspace, name="Abe Active", stage=Stage.ACTIVE),
    ]


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_archive_dialog_says_who_will_be_archived_and_who_cannot_and_why(as_member, three, headers):
    response = dialog(as_member, "archive", headers=headers, audience="my-people", selection="ids", ids=ids(*three))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Archive 3 people?" in text
    assert "2 people will be archived." in text
    assert "1 has an open stage" in text
    assert "Abe Active — Stage is Active — change or remove the stage" in text
    assert "Lou Lost" not in text and "Nia Nostage" not in text
    assert confirm_button(response) == "Archive 2 people"
    assert 'role="alertdialog"' in response.content.decode()


def test_archive_dialog_names_the_assignee_of_an_assigned_person(as_member, workspace, dana):
    free = ContactFactory(workspace=workspace, name="Fay Free")
    taken = ContactFactory(workspace=workspace, name="Tom Taken", assignee=dana)
    text = visible_text(dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(free, taken)))
    assert "1 is assigned" in text
    assert "Tom Taken — Assigned to Dana Lee — remove the assignee" in text
    assert "1 person will be archived." in text


def test_archive_dialog_gives_both_reasons_for_an_assigned_person_in_an_open_stage(as_member, workspace, dana):
    both = ContactFactory(workspace=workspace, name="Bo Both", stage=Stage.LEAD, assignee=dana)
    response = dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(both))
    text = visible_text(response)
    assert "Bo Both — Stage is Lead — change or remove the stage" in text
    assert "Bo Both — Assigned to Dana Lee — remove the assignee" in text


def test_archive_dialog_uses_the_workspace_stage_labels(as_member, workspace):
    workspace.label_set = "real_estate"
    workspace.save()
    person = ContactFactory(workspace=workspace, name="Hal Hot", stage=Stage.POTENTIAL)
    text = visible_text(dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(person)))
    assert "Hal Hot — Stage is Hot — change or remove the stage" in text


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_when_no_one_can_be_archived_there_is_only_close(as_member, workspace, dana, headers):
    people = [
        ContactFactory(workspace=workspace, name="Abe Active", stage=Stage.ACTIVE),
        ContactFactory(workspace=workspace, name="Tom Taken", assignee=dana),
    ]
    response = dialog(as_member, "archive", headers=headers, audience="my-people", selection="ids", ids=ids(*people))
    text = visible_text(response)
    assert "Archive 2 people?" in text
    assert "No one here can be archived." in text
    assert confirm_button(response) is None
    assert action_buttons(response) == ["Close"]


def test_the_dialog_lists_at_most_ten_names_a_group_and_counts_the_rest(as_member, workspace):
    people = [ContactFactory(workspace=workspace, name=f"Abe {i:02}", stage=Stage.ACTIVE) for i in range(13)]
    text = visible_text(dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(*people)))
    assert "13 have an open stage" in text
    assert "Abe 09 — Stage is Active" in text and "Abe 10" not in text
    assert "and 3 more" in text


def test_the_dialog_offers_to_select_only_those_who_cannot_be_archived(as_member, three):
    response = dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    assert "Select only the 1 who cannot be archived" in visible_text(response)
    assert f'data-narrow-ids="{three[2].pk}"' in response.content.decode()


def test_showing_a_dialog_never_changes_anything(as_member, three, workspace):
    ContactFactory(workspace=workspace, archived=True)
    before = snapshot()
    for action, audience in [
        ("archive", "my-people"),
        ("change_stage", "my-people"),
        ("remove_assignee", "my-people"),
        ("restore", "archived"),
    ]:
        for headers in (HTMX, {}):
            for selection in ({"selection": "ids", "ids": ids(*three)}, {"selection": "all"}):
                response = dialog(
                    as_member, action, headers=headers, audience=audience, stage="lead", new_stage="lead", **selection
                )
                assert response.status_code == 200
    assert snapshot() == before


def test_the_dialog_carries_the_selection_into_its_form(as_member, three):
    body = dialog(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three)).content.decode()
    assert '<form method="post" action="/bulk/archive/"' in body
    assert f'<input type="hidden" name="ids" value="{ids(*three)}">' in body
    assert '<input type="hidden" name="audience" value="my-people">' in body
    assert '<input type="hidden" name="expected" value="2">' in body
    assert 'name="csrfmiddlewaretoken"' in body


# --- confirming archive -------------------------------------------------------------------


def test_confirming_archives_exactly_the_eligible_people(as_member, member, three):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three), expected="2")
    assert response.status_code == 200
    assert "2 people archived · 1 skipped" in visible_text(response)
    assert "contactsChanged" in json.loads(response["HX-Trigger"])
    assert 'hx-swap-oob="innerHTML:#status"' in response.content.decode()
    archived = Contact.objects.archived()
    assert set(archived) == set(three[:2])
    assert all(p.archived_by == member for p in archived)
    assert Contact.objects.get(pk=three[2].pk).archived_at is None
    assert TimelineEntry.objects.filter(kind=EntryKind.ARCHIVED).count() == 2


def test_undo_restores_exactly_the_archived_people_and_a_second_undo_is_refused(as_member, three, workspace):
    already = ContactFactory(workspace=workspace, name="Old Archived", archived=True)
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three, already))
    assert "2 people archived · 2 skipped" in visible_text(response)
    undo = undo_url(response)
    assert visible_text(response).count("Undo") == 1

    undone = as_member.post(undo, headers=HTMX)
    assert undone.status_code == 200
    assert "Undone: 2 people put back" in visible_text(undone)
    assert "contactsChanged" in json.loads(undone["HX-Trigger"])
    assert list(Contact.objects.archived()) == [already]

    before = snapshot()
    again = as_member.post(undo, headers=HTMX)
    assert again.status_code == 200
    assert "This was already undone." in visible_text(again)
    assert snapshot() == before


def test_undo_without_htmx_redirects_with_a_message(as_member, three):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    page = as_member.post(undo_url(response), follow=True)
    assert "Undone: 2 people put back" in visible_text(page)
    assert Contact.objects.archived().count() == 0


def test_someone_else_cannot_undo_my_archive(as_member, client, three, workspace):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    other = Client()
    other.force_login(MembershipFactory(workspace=workspace).user)
    before = snapshot()
    refused = other.post(undo_url(response), headers=HTMX)
    assert "Only the person who did this can undo it." in visible_text(refused)
    assert snapshot() == before


def test_another_workspaces_operation_cannot_be_undone(as_member, three, other_workspace):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    outsider = Client()
    outsider.force_login(MembershipFactory(workspace=other_workspace).user)
    before = snapshot()
    assert outsider.post(undo_url(response), headers=HTMX).status_code == 404
    assert snapshot() == before


def test_undo_of_an_unknown_operation_is_not_found(as_member, workspace):
    assert as_member.post("/undo/999999/", headers=HTMX).status_code == 404


def test_undo_by_get_is_refused(as_member, three):
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*three))
    assert as_member.get(undo_url(response)).status_code == 405
    assert Contact.objects.archived().count() == 2


def test_a_double_submitted_confirm_archives_no_one_more(as_member, three):
    params = {"audience": "my-people", "selection": "ids", "ids": ids(*three), "expected": "2"}
    confirm(as_member, "archive", **params)
    before = snapshot()
    again = confirm(as_member, "archive", **params)
    assert again.status_code == 200
    assert "0 people archived · 3 skipped" in visible_text(again)
    assert "Undo" not in visible_text(again)
    assert snapshot()[:3] == before[:3]


def test_confirming_without_htmx_redirects_to_the_audience_with_a_message(as_member, three):
    response = confirm(as_member, "archive", headers={}, audience="my-people", selection="ids", ids=ids(*three))
    assert response.status_code == 302
    assert response["Location"] == "/people/?audience=my-people"
    page = as_member.get(response["Location"])
    assert "2 people archived · 1 skipped" in visible_text(page)
    assert Contact.objects.archived().count() == 2


def test_select_all_with_a_filter_archives_exactly_the_matching_eligible_people(as_member, workspace, dana):
    lost = ContactFactory.create_batch(3, workspace=workspace, stage=Stage.LOST)
    lost_assigned = ContactFactory(workspace=workspace, stage=Stage.LOST, assignee=dana)
    past = ContactFactory.create_batch(2, workspace=workspace, stage=Stage.PAST)
    already = ContactFactory(workspace=workspace, archived=True)
    foreign = ContactFactory(stage=Stage.LOST)

    text = visible_text(dialog(as_member, "archive", audience="my-people", selection="all", stage="lost"))
    assert "Archive 4 people?" in text and "3 people will be archived." in text

    response = confirm(as_member, "archive", audience="my-people", selection="all", stage="lost")
    assert "3 people archived · 1 skipped" in visible_text(response)
    assert set(Contact.objects.archived()) == {*lost, already}
    assert Contact.objects.get(pk=lost_assigned.pk).archived_at is None
    assert all(Contact.objects.get(pk=p.pk).archived_at is None for p in past)
    assert Contact.objects.get(pk=foreign.pk).archived_at is None


def test_select_all_with_a_search_archives_only_those_found(as_member, workspace):
    # Companies pinned: the search also reads them, and a random one could match "quinn".
    found = ContactFactory(workspace=workspace, name="Quinn One", stage=Stage.LOST, company="Acme")
    ContactFactory(workspace=workspace, name="Other Person", stage=Stage.LOST, company="Acme")
    response = confirm(as_member, "archive", audience="my-people", selection="all", q="quinn")
    assert "1 person archived" in visible_text(response)
    assert list(Contact.objects.archived()) == [found]


def test_select_all_in_a_stage_audience_archives_only_that_stage(as_member, workspace):
    past = ContactFactory(workspace=workspace, stage=Stage.PAST)
    ContactFactory(workspace=workspace, stage=Stage.LOST)
    confirm(as_member, "archive", audience="stage-past", selection="all")
    assert list(Contact.objects.archived()) == [past]


def test_select_all_in_assigned_to_me_skips_them_all_because_they_are_assigned(as_member, workspace, member):
    ContactFactory.create_batch(2, workspace=workspace, assignee=member)
    ContactFactory(workspace=workspace)
    response = confirm(as_member, "archive", audience="assigned-to-me", selection="all")
    assert "0 people archived · 2 skipped" in visible_text(response)
    assert Contact.objects.archived().count() == 0


def bulk_people(workspace, n, **fields):
    return Contact.objects.bulk_create(
        [Contact(workspace=workspace, name=f"Bulk {i:05}", stage=Stage.LOST, **fields) for i in range(n)]
    )


def queries_to_archive_all(client, workspace, n) -> int:
    bulk_people(workspace, n)
    with CaptureQueriesContext(connection) as queries:
        response = confirm(client, "archive", audience="my-people", selection="all")
    assert f"{n} people archived" in visible_text(response)
    Contact.objects.all().delete()
    return len(queries)


def test_select_all_of_a_thousand_costs_the_same_queries_as_ten(as_member, workspace):
    assert queries_to_archive_all(as_member, workspace, 10) == queries_to_archive_all(as_member, workspace, 1000)


def test_the_dialog_for_a_thousand_costs_the_same_queries_as_for_ten(as_member, workspace):
    def queries(n):
        bulk_people(workspace, n)
        bulk_people(workspace, n // 10 or 1, assignee=MembershipFactory(workspace=workspace).user)
        with CaptureQueriesContext(connection) as captured:
            dialog(as_member, "archive", audience="my-people", selection="all")
        Contact.objects.all().delete()
        return len(captured)

    assert queries(10) == queries(1000)


def test_fifteen_hundred_ids_in_one_field_are_accepted(as_member, workspace, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    people = bulk_people(workspace, 1500)
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*people))
    assert response.status_code == 200
    assert "1500 people archived" in visible_text(response)
    assert Contact.objects.archived().count() == 1500


def test_ids_sent_as_repeated_fields_work_too(as_member, three):
    response = as_member.post(
        "/bulk/archive/", {"audience": "my-people", "selection": "ids", "ids": [str(p.pk) for p in three]}, headers=HTMX
    )
    assert "2 people archived · 1 skipped" in visible_text(response)


def test_more_ticked_ids_than_allowed_are_refused_with_advice(as_member, workspace, settings):
    settings.MAX_SELECTED_IDS = 3
    people = ContactFactory.create_batch(4, workspace=workspace)
    before = snapshot()
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=ids(*people))
    assert response.status_code == 400
    assert "use “Select all” instead" in visible_text(response)
    assert snapshot() == before


# --- bad input ---------------------------------------------------------------------------


@pytest.fixture
def somebody(workspace):
    return ContactFactory(workspace=workspace, name="Sam Some", stage=Stage.LOST)


BAD_INPUT = {
    "unknown id": (
        {"selection": "ids", "ids": "999999"},
        400,
        "1 of the selected people could not be found in your workspace. "
        "Nothing was changed; reload the page and select again.",
    ),
    "non-numeric id": ({"selection": "ids", "ids": "abc"}, 400, "'abc' is not a person's id."),
    "sql in an id": ({"selection": "ids", "ids": "1;DROP TABLE contacts_contact"}, 400, "is not a person's id."),
    "negative id": ({"selection": "ids", "ids": "-1"}, 400, "'-1' is not a person's id."),
    "huge id": ({"selection": "ids", "ids": "9" * 30}, 400, "is not a person's id."),
    "empty selection": ({"selection": "ids", "ids": ""}, 400, "Select at least one person first."),
    "no ids at all": ({"selection": "ids"}, 400, "Select at least one person first."),
    "only commas": ({"selection": "ids", "ids": ",, ,"}, 400, "Select at least one person first."),
    "unknown kind of selection": ({"selection": "some", "ids": "1"}, 400, "Unknown kind of selection."),
    "unknown audience": ({"audience": "vips", "selection": "all"}, 400, "Unknown audience."),
    "tampered stage filter": ({"selection": "all", "stage": "bogus"}, 400, "Unknown stage filter 'bogus'."),
    "tampered blocked filter": ({"selection": "all", "blocked": "bogus"}, 400, "Unknown action 'bogus' in the filter."),
    # Who cannot be moved depends on the stage picked, which a filter does not carry.
    "blocked filter of change stage": (
        {"selection": "all", "blocked": "change_stage"},
        400,
        "Unknown action 'change_stage' in the filter.",
    ),
    "search too long": ({"selection": "all", "q": "x" * 201}, 400, "The search is too long"),
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("headers", [HTMX, {}])
@pytest.mark.parametrize("params, status, message", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    as_member, somebody, method, headers, params, status, message
):
    before = snapshot()
    response = getattr(as_member, method)("/bulk/archive/", {"audience": "my-people", **params}, headers=headers)
    assert response.status_code == status
    text = visible_text(response)
    assert message in text
    assert "Nothing was changed." in text
    assert snapshot() == before


@pytest.mark.parametrize("headers", [HTMX, {}])
def test_another_workspaces_people_are_refused_as_if_they_did_not_exist(as_member, somebody, other_workspace, headers):
    foreign = ContactFactory(workspace=other_workspace, stage=Stage.LOST)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(as_member, method)(
            "/bulk/archive/",
            {"audience": "my-people", "selection": "ids", "ids": ids(somebody, foreign)},
            headers=headers,
        )
        assert response.status_code == 400
        assert (
            "1 of the selected people could not be found in your workspace. "
            "Nothing was changed; reload the page and select again."
        ) in visible_text(response)
    assert snapshot() == before
    assert Contact.objects.get(pk=foreign.pk).archived_at is None


def test_an_unknown_action_is_not_found(as_member, somebody):
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(as_member, method)(
            "/bulk/explode/", {"audience": "my-people", "selection": "all"}, headers=HTMX
        )
        assert response.status_code == 404
        assert "Unknown action." in visible_text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "action, audience, message",
    [
        ("delete", "my-people", "Delete is not available in My People."),
        ("purge", "archived", "Delete forever is not available in Archived People."),
        ("archive", "archived", "Archive is not available in Archived People."),
        ("restore", "deleted", "Restore is not available in Recently Deleted."),
        ("undelete", "my-people", "Restore is not available in My People."),
        ("change_stage", "deleted", "Change stage is not available in Recently Deleted."),
    ],
)
def test_an_action_the_audience_does_not_offer_is_refused(as_admin, workspace, action, audience, message):
    people = [
        ContactFactory(workspace=workspace),
        ContactFactory(workspace=workspace, archived=True),
        ContactFactory(workspace=workspace, deleted=True),
    ]
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(as_admin, method)(
            f"/bulk/{action}/",
            {"audience": audience, "selection": "ids", "ids": ids(*people), "expected": "1", "new_stage": "lead"},
            headers=HTMX,
        )
        assert response.status_code == 400
        assert message in visible_text(response)
    assert snapshot() == before


def test_the_bulk_start_without_javascript_goes_to_the_dialog(as_member, three):
    response = as_member.get(
        "/bulk/", {"action": "archive", "audience": "my-people", "ids": [str(p.pk) for p in three]}
    )
    assert response.status_code == 302
    page = as_member.get(response["Location"])
    assert "Archive 3 people?" in visible_text(page)
    assert as_member.get("/bulk/", {"action": "explode"}).status_code == 404


def test_a_missing_csrf_token_is_refused_and_changes_nothing(member, three):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    before = snapshot()
    for headers in (HTMX, {}):
        response = strict.post(
            "/bulk/archive/", {"audience": "my-people", "selection": "ids", "ids": ids(*three)}, headers=headers
        )
        assert response.status_code == 403
        assert "Reload the page and try again." in visible_text(response)
    assert snapshot() == before


def test_with_the_csrf_token_from_the_page_the_confirm_works(member, three):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    page = strict.get("/people/").content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = strict.post(
        "/bulk/archive/",
        {"audience": "my-people", "selection": "ids", "ids": ids(*three)},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert Contact.objects.archived().count() == 2


def test_a_put_to_an_action_url_is_refused(as_member, three):
    before = snapshot()
    assert as_member.put("/bulk/archive/").status_code == 405
    assert as_member.delete("/bulk/archive/").status_code == 405
    assert snapshot() == before


@pytest.mark.parametrize("bad_id", ["²", "1,³", "¹²"])
def test_unicode_digits_in_ids_are_refused_not_a_server_error(as_member, somebody, bad_id):
    before = snapshot()
    response = confirm(as_member, "archive", audience="my-people", selection="ids", ids=bad_id)
    assert response.status_code == 400
    assert "is not a person's id." in visible_text(response)
    assert snapshot() == before


def test_a_unicode_digit_as_the_expected_count_is_refused_not_a_server_error(as_admin, workspace):
    person = ContactFactory(workspace=workspace, archived=True)
    response = confirm(as_admin, "delete", audience="archived", selection="ids", ids=ids(person), expected="²")
    assert response.status_code == 400
    assert Contact.objects.deleted().count() == 0


# --- change stage --------------------------------------------------------------------------


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
    assert "Arlo Archived — Archived — restore it first" in text
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
    assert "1 is already Past" in text and "Pia Past — Already Past" in text


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


# --- remove assignee ------------------------------------------------------------------------


def test_remove_assignee_unassigns_and_undo_gives_each_their_assignee_back(as_member, workspace, dana, member):
    to_dana = ContactFactory(workspace=workspace, name="Di Dana", stage=Stage.ACTIVE, assignee=dana)
    to_me = ContactFactory(workspace=workspace, name="Mo Mine", assignee=member)
    nobody = ContactFactory(workspace=workspace, name="No Body")

    text = visible_text(
        dialog(as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(to_dana, to_me, nobody))
    )
    assert "Remove the assignee of 3 people?" in text
    assert "2 people will be unassigned." in text
    assert "No Body — Has no assignee" in text

    response = confirm(
        as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(to_dana, to_me, nobody)
    )
    assert "2 people unassigned · 1 skipped" in visible_text(response)
    assert Contact.objects.filter(assignee__isnull=False).count() == 0

    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert Contact.objects.get(pk=to_dana.pk).assignee == dana
    assert Contact.objects.get(pk=to_me.pk).assignee == member
    assert Contact.objects.get(pk=nobody.pk).assignee is None


def test_undo_of_remove_assignee_leaves_people_unassigned_whose_assignee_left(as_member, workspace, dana):
    person = ContactFactory(workspace=workspace, assignee=dana)
    response = confirm(as_member, "remove_assignee", audience="my-people", selection="ids", ids=ids(person))
    dana.memberships.all().delete()
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert undone.status_code == 200
    assert "Undone: 0 people put back · 1 changed since and left as they are" in visible_text(undone)
    assert Contact.objects.get(pk=person.pk).assignee is None


def test_select_all_in_assigned_to_me_removes_only_my_assignments(as_member, workspace, member, dana):
    mine = ContactFactory.create_batch(2, workspace=workspace, assignee=member)
    theirs = ContactFactory(workspace=workspace, assignee=dana)
    response = confirm(as_member, "remove_assignee", audience="assigned-to-me", selection="all")
    assert "2 people unassigned" in visible_text(response)
    assert all(Contact.objects.get(pk=p.pk).assignee is None for p in mine)
    assert Contact.objects.get(pk=theirs.pk).assignee == dana


# --- Archived People: restore and delete ---------------------------------------------------------


def test_restore_brings_archived_people_back_to_my_people(as_member, workspace):
    archived = ContactFactory.create_batch(2, workspace=workspace, archived=True)
    text = visible_text(dialog(as_member, "restore", audience="archived", selection="all"))
    assert "Restore 2 people?" in text and "2 people will be restored to My People." in text
    response = confirm(as_member, "restore", audience="archived", selection="all")
    assert "2 people restored to My People" in visible_text(response)
    assert set(Contact.objects.in_my_people()) == set(archived)
    undone = as_member.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert Contact.objects.archived().count() == 2


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
    assert "1 is not archived" in text and "Al Active — Not archived — archive it first" in text
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params([archived, active]))
    assert "1 person moved to Recently Deleted · 1 skipped" in visible_text(response)
    assert list(Contact.objects.deleted()) == [archived]


def test_undo_of_delete_brings_them_back_to_archived_people(as_admin, archived_people):
    response = confirm_as_shown(as_admin, "delete", **delete_dialog_params(archived_people))
    undone = as_admin.post(undo_url(response), headers=HTMX)
    assert "Undone: 3 people put back" in visible_text(undone)
    assert set(Contact.objects.archived()) == set(archived_people)


# --- Recently Deleted: restore and delete forever ------------------------------------------------


def test_restore_from_recently_deleted_goes_back_to_archived_people(as_member, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    text = visible_text(dialog(as_member, "undelete", audience="deleted", selection="all"))
    assert "Restore 2 people?" in text and "2 people will be restored to Archived People." in text
    response = confirm(as_member, "undelete", audience="deleted", selection="all")
    assert "2 people restored to Archived People" in visible_text(response)
    assert set(Contact.objects.archived()) == set(people)
    assert Contact.objects.deleted().count() == 0


def test_a_members_restore_from_recently_deleted_offers_no_undo_they_cannot_use(as_member, workspace):
    ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    response = confirm(as_member, "undelete", audience="deleted", selection="all")
    assert response.status_code == 200
    assert "2 people restored to Archived People" in visible_text(response)
    assert "Undo" not in visible_text(response)
    assert 'hx-post="/undo/' not in response.content.decode()
    assert Contact.objects.archived().count() == 2


def test_an_admins_restore_from_recently_deleted_offers_an_undo_that_works(as_admin, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    response = confirm(as_admin, "undelete", audience="deleted", selection="all")
    undone = as_admin.post(undo_url(response), headers=HTMX)
    assert "Undone: 2 people put back" in visible_text(undone)
    assert set(Contact.objects.deleted()) == set(people)


def test_delete_forever_erases_people_and_their_timeline(as_admin, workspace):
    gone = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    for person in gone:
        TimelineEntryFactory.create_batch(3, contact=person)
    kept = ContactFactory(workspace=workspace, archived=True)
    TimelineEntryFactory(contact=kept)

    response = dialog(as_admin, "purge", audience="deleted", selection="ids", ids=ids(*gone))
    shown_purge = confirmation_from_dialog(response)
    text = visible_text(response)
    assert "Delete forever 2 people?" in text
    assert "This cannot be undone." in text
    assert confirm_button(response) == "Delete forever 2 people"

    response = confirm(as_admin, "purge", audience="deleted", selection="ids", ids=ids(*gone), **shown_purge)
    assert "2 people deleted forever" in visible_text(response)
    assert "Undo" not in visible_text(response)
    assert list(Contact.objects.all()) == [kept]
    assert list(TimelineEntry.objects.values_list("contact_id", flat=True)) == [kept.pk]


def test_delete_forever_with_a_stale_count_erases_no_one(as_admin, workspace):
    gone = ContactFactory.create_batch(3, workspace=workspace, deleted=True)
    selection = {"audience": "deleted", "selection": "ids", "ids": ids(*gone)}
    said = shown(as_admin, "purge", **selection)
    assert said["expected"] == "3"
    Contact.objects.filter(pk=gone[0].pk).update(deleted_at=None)  # someone restored one meanwhile
    before = snapshot()
    response = confirm(as_admin, "purge", **selection, **said)
    assert response.status_code == 409
    assert snapshot() == before


def test_delete_forever_of_more_than_twenty_needs_the_typed_count(as_admin, workspace):
    ContactFactory.create_batch(21, workspace=workspace, deleted=True)
    before = snapshot()
    said = shown(as_admin, "purge", audience="deleted", selection="all")
    response = confirm(as_admin, "purge", audience="deleted", selection="all", **said)
    assert response.status_code == 400
    assert "Type 21 to confirm" in visible_text(response)
    assert snapshot() == before
    response = confirm(as_admin, "purge", audience="deleted", selection="all", **said, typed_count="21")
    assert "21 people deleted forever" in visible_text(response)
    assert Contact.objects.count() == 0


def test_members_cannot_delete_forever(as_member, workspace):
    people = ContactFactory.create_batch(2, workspace=workspace, deleted=True)
    before = snapshot()
    for method in ("get", "post"):
        response = getattr(as_member, method)(
            "/bulk/purge/",
            {"audience": "deleted", "selection": "ids", "ids": ids(*people), "expected": "2"},
            headers=HTMX,
        )
        assert response.status_code == 403
        assert "Only admins and managers can delete people." in visible_text(response)
    assert snapshot() == before


def test_the_details_pane_delete_button_opens_a_dialog_that_can_delete(as_admin, workspace):
    person = ContactFactory(workspace=workspace, name="Arlo Archived", archived=True)
    details = as_admin.get(f"/people/{person.pk}/?audience=archived&view=list").content.decode()
    url = html.unescape(re.search(r'hx-get="(/bulk/delete/[^"]*)"', details).group(1))
    response = as_admin.get(url, headers=HTMX)
    assert response.status_code == 200
    assert confirm_button(response) == "Delete 1 person"
