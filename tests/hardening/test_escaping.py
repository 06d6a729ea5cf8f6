"""HTML in people's names and companies (and members' and workspaces' names) is escaped everywhere.

Each page is checked twice: the hostile markup never appears as it is, and its escaped form
does appear, so a page that simply left the person out cannot pass for a safe one.
"""

from __future__ import annotations

import json

import pytest

from contacts import services
from contacts.models import Contact, EntryKind, Role, Stage
from sync.models import DiscoveredPerson, Suppression, SuppressionKind
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory, WorkspaceFactory
from tests.hardening.support import WHERE_OFFERED, select_ids, snapshot
from tests.helpers import HTMX_DETAILS, HTMX_DIALOG, HTMX_REGION, ids, logged_in, visible_text

NAME = 'Eve "><script>alert(1)</script>'
COMPANY = "<img src=x onerror=alert(1)>"
TITLE = "<svg/onload=alert(3)>"
MEMBER_FIRST = "<svg onload=alert(2)>"
WORKSPACE = "<b>Evil</b> & Co"
SUMMARY = "<iframe src=javascript:alert(4)>"

RAW = [
    "<script>alert(1)",
    '"><script',
    "<img src=x",
    "<svg onload",
    "<svg/onload",
    "<b>Evil</b>",
    "<iframe src=javascript",
]
ESCAPED_NAME = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_COMPANY = "&lt;img src=x onerror=alert(1)&gt;"
ESCAPED_MEMBER = "&lt;svg onload=alert(2)&gt;"


def assert_escaped(body: str, *must_show: str):
    for raw in RAW:
        assert raw not in body, f"unescaped {raw!r} in the page"
    for escaped in must_show:
        assert escaped in body, f"expected {escaped!r}: the hostile value was not shown at all"


@pytest.fixture
def hostile(db):
    workspace = WorkspaceFactory(name=WORKSPACE, slug="evil-co")
    boss = UserFactory(username="e-boss", first_name=MEMBER_FIRST, last_name="O'Hara", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=boss, role=Role.ADMIN)
    people = {
        "assigned": ContactFactory(workspace=workspace, name=NAME, company=COMPANY, title=TITLE, stage=Stage.LEAD),
        "eligible": ContactFactory(workspace=workspace, name=NAME + " 2", company=COMPANY, stage=Stage.PAST),
        "archived": ContactFactory(workspace=workspace, name=NAME + " 3", company=COMPANY, stage=Stage.LOST),
        "deleted": ContactFactory(workspace=workspace, name=NAME + " 4", company=COMPANY, stage=Stage.LOST),
    }
    one = lambda key: select_ids(workspace, [people[key].pk])  # noqa: E731
    # Through the services, so the timeline carries the member's name in its summaries.
    services.assign(actor=boss, workspace=workspace, selected=one("assigned"), assignee=boss)
    services.archive(actor=boss, workspace=workspace, selected=one("archived"))
    services.archive(actor=boss, workspace=workspace, selected=one("deleted"))
    services.delete(actor=boss, workspace=workspace, selected=one("deleted"))
    for person in people.values():
        TimelineEntryFactory(contact=person, kind=EntryKind.EMAIL, summary=SUMMARY)
    Suppression.objects.create(
        workspace=workspace, kind=SuppressionKind.EMAIL, value='"<script>alert(1)</script>"@x.example', created_by=boss
    )
    DiscoveredPerson.objects.create(
        workspace=workspace,
        kind=SuppressionKind.EMAIL,
        value="d@x.example",
        name=NAME,
        last_summary=SUMMARY,
        interaction_count=1,
    )
    client = logged_in(boss)
    return {"workspace": workspace, "boss": boss, "people": people, "client": client}


@pytest.mark.parametrize(
    "url, headers, must_show",
    [
        ("/people/?view=table", {}, [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_MEMBER]),
        ("/people/?view=list", {}, [ESCAPED_NAME]),
        (
            "/people/?view=table&audience=my-people",
            HTMX_REGION,
            [ESCAPED_NAME],
        ),
        ("/people/?view=table&audience=archived", {}, [ESCAPED_NAME, ESCAPED_MEMBER]),
        ("/people/?view=table&audience=deleted", {}, [ESCAPED_NAME, ESCAPED_MEMBER]),
        ("/people/?view=table&audience=assigned-to-me", {}, [ESCAPED_NAME]),
        ("/people/?q=Eve", {}, [ESCAPED_NAME]),
        ("/people/?q=%3Cscript%3E", {}, [ESCAPED_NAME]),
        ("/settings/suppressions/", {}, ["&lt;script&gt;", ESCAPED_MEMBER]),
        ("/people/discovered/", {}, [ESCAPED_NAME]),
    ],
)
def test_pages_escape_names_companies_and_members(hostile, url, headers, must_show):
    response = hostile["client"].get(url, headers=headers)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), *must_show)


@pytest.mark.parametrize("who", ["assigned", "eligible", "archived"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_the_details_pane_escapes_the_person_and_their_timeline(hostile, who, htmx):
    headers = HTMX_DETAILS if htmx else {}
    response = hostile["client"].get(f"/people/{hostile['people'][who].pk}/", headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert_escaped(body, ESCAPED_NAME, ESCAPED_COMPANY, "&lt;iframe")
    if who == "assigned":
        assert ESCAPED_MEMBER in body  # the assignee, and "Assigned to ..." in the timeline


@pytest.mark.parametrize(
    "action, audience",
    WHERE_OFFERED,
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_every_dialog_escapes_the_names_it_lists(hostile, action, audience, htmx):
    params = {"audience": audience, "ids": ids(*hostile["people"].values())}
    if action == "change_stage":
        params["new_stage"] = "lead"  # the archived ones are blocked, by name
    response = hostile["client"].get(f"/bulk/{action}/", params, headers=HTMX_DIALOG if htmx else {})
    assert response.status_code == 200
    # Every dialog here lists someone it cannot act on, by name (and the assignee's name as the reason).
    assert_escaped(response.content.decode(), ESCAPED_NAME)


def test_the_archive_dialog_names_the_assignee_escaped(hostile):
    response = hostile["client"].get(
        "/bulk/archive/", {"audience": "my-people", "ids": hostile["people"]["assigned"].pk}, headers=HTMX_DIALOG
    )
    assert_escaped(response.content.decode(), ESCAPED_NAME, ESCAPED_MEMBER)


def test_outcome_messages_and_undo_are_escaped(hostile):
    client = hostile["client"]
    eligible = hostile["people"]["eligible"]
    response = client.post("/bulk/archive/", {"audience": "my-people", "ids": eligible.pk}, headers=HTMX_DIALOG)
    assert response.status_code == 200
    assert_escaped(response.content.decode())
    assert "1 person archived" in visible_text(response)
    assert Contact.objects.get(pk=eligible.pk).archived_at is not None
    trigger = response["HX-Trigger"]
    for raw in RAW:
        assert raw not in trigger
    assert json.loads(trigger)["contactsChanged"]["message"] == "1 person archived"
    # Without JavaScript: a message on the next page.
    client.post("/bulk/restore/", {"audience": "archived", "ids": eligible.pk})
    response = client.get("/people/")
    assert_escaped(response.content.decode(), ESCAPED_NAME)
    assert "1 person restored to My People" in visible_text(response)
    assert Contact.objects.get(pk=eligible.pk).archived_at is None


def test_error_messages_that_repeat_the_input_escape_it(hostile):
    client = hostile["client"]
    before = snapshot()
    response = client.get(
        "/bulk/archive/", {"audience": "my-people", "ids": "<script>alert(1)</script>"}, headers=HTMX_DIALOG
    )
    assert response.status_code == 400
    assert_escaped(response.content.decode(), "&lt;script&gt;")
    assert "'<script>alert(1)</script>' is not a person's id. Nothing was changed." in visible_text(response)
    response = client.get(
        "/bulk/archive/", {"audience": "my-people", "selection": "all", "blocked": COMPANY}, headers=HTMX_DIALOG
    )
    assert response.status_code == 400
    assert_escaped(response.content.decode(), ESCAPED_COMPANY)
    assert f"Unknown action '{COMPANY}' in the filter. Nothing was changed." in visible_text(response)
    response = client.get("/people/", {"stage": "<script>alert(1)</script>"})
    assert response.status_code == 404
    assert_escaped(response.content.decode(), "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "Unknown stage filter '<script>alert(1)</script>'." in visible_text(response)
    assert snapshot() == before


def test_editing_a_hostile_person_in_the_details_pane_stays_escaped(hostile):
    person = hostile["people"]["eligible"]
    details = HTMX_DETAILS
    response = hostile["client"].post(f"/people/{person.pk}/stage/", {"stage": "lead"}, headers=details)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), ESCAPED_NAME)
    assert Contact.objects.get(pk=person.pk).stage == Stage.LEAD
    archived = hostile["people"]["archived"]
    response = hostile["client"].post(
        f"/people/{archived.pk}/assignee/", {"assignee": hostile["boss"].pk}, headers=HTMX_DIALOG
    )
    assert response.status_code == 409
    assert_escaped(response.content.decode(), ESCAPED_NAME)
    assert "restore it first" in visible_text(response)
    assert Contact.objects.get(pk=archived.pk).assignee_id is None


# --- the Django admin, for a superuser who is a member ---------------------------------------------


ESCAPED_WORKSPACE = "&lt;b&gt;Evil&lt;/b&gt; &amp; Co"
ESCAPED_TITLE = "&lt;svg/onload=alert(3)&gt;"
ESCAPED_SUMMARY = "&lt;iframe src=javascript:alert(4)&gt;"
# (The member's name is in every admin page's header, so it proves nothing about the content.)


@pytest.mark.parametrize(
    "url, must_show",
    [
        ("/admin/contacts/contact/", [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_WORKSPACE]),
        ("/admin/contacts/contact/?state=all", [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_WORKSPACE]),
        ("/admin/contacts/contact/?q=Eve", [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_WORKSPACE]),
        (
            "/admin/contacts/contact/{assigned}/change/",
            [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_TITLE, ESCAPED_SUMMARY, ESCAPED_WORKSPACE],
        ),
        ("/admin/contacts/contact/{archived}/change/", [ESCAPED_NAME, ESCAPED_COMPANY, ESCAPED_SUMMARY]),
        ("/admin/contacts/contact/{archived}/delete/", [ESCAPED_NAME]),
        ("/admin/contacts/workspace/", [ESCAPED_WORKSPACE]),
        ("/admin/contacts/workspace/{workspace}/change/", [ESCAPED_WORKSPACE]),
        ("/admin/contacts/operation/", [ESCAPED_WORKSPACE]),
        ("/admin/sync/suppression/", [ESCAPED_NAME, ESCAPED_WORKSPACE]),  # the suppressed address
        ("/admin/sync/discoveredperson/", [ESCAPED_NAME, ESCAPED_WORKSPACE]),
    ],
)
def test_the_admin_escapes_them_too(hostile, url, must_show):
    p = hostile["people"]
    url = url.format(assigned=p["assigned"].pk, archived=p["archived"].pk, workspace=hostile["workspace"].pk)
    response = hostile["client"].get(url)
    assert response.status_code == 200, url
    assert_escaped(response.content.decode(), *must_show)


def test_admin_action_messages_are_escaped(hostile):
    client = hostile["client"]
    person = hostile["people"]["eligible"]
    response = client.post(
        "/admin/contacts/contact/",
        {"action": "archive_people", "_selected_action": [person.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert_escaped(body, ESCAPED_WORKSPACE)
    assert [message for message in admin_messages(response) if "1 archived" in message], admin_messages(response)
    assert Contact.objects.get(pk=person.pk).archived_at is not None
    archived = hostile["people"]["archived"]
    response = client.post(f"/admin/contacts/contact/{archived.pk}/delete/", {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert_escaped(response.content.decode(), ESCAPED_NAME)
    assert any(NAME + " 3" in message for message in admin_messages(response))
    assert Contact.objects.get(pk=archived.pk).deleted_at is not None


def admin_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
