"""What a bulk action refuses, with a message and changing nothing: bad input, other workspaces'
people, unknown or unoffered actions, a missing CSRF token, other methods."""

import re

import pytest

from contacts.models import Contact, Stage
from tests.contacts.bulk_actions.dialogs import confirm, snapshot
from tests.factories import ContactFactory
from tests.helpers import HTMX, ids, logged_in, visible_text


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


def test_a_missing_csrf_token_is_refused_and_changes_nothing(member, three):
    strict = logged_in(member, enforce_csrf_checks=True)
    before = snapshot()
    for headers in (HTMX, {}):
        response = strict.post(
            "/bulk/archive/", {"audience": "my-people", "selection": "ids", "ids": ids(*three)}, headers=headers
        )
        assert response.status_code == 403
        assert "Reload the page and try again." in visible_text(response)
    assert snapshot() == before


def test_with_the_csrf_token_from_the_page_the_confirm_works(member, three):
    strict = logged_in(member, enforce_csrf_checks=True)
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
