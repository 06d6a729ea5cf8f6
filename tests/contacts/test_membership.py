"""The workspace a user works in: the first they joined, or the one they switched to (remembered
in the session, checked against their memberships on every request)."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from contacts.membership import SESSION_KEY, CurrentMembershipMiddleware
from contacts.models import Contact, Membership, Role
from tests.factories import ContactFactory, MembershipFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def rivals_too(member, other_workspace):
    """Mia, a member of Acme since the start, is also an admin in Rivals."""
    return MembershipFactory(workspace=other_workspace, user=member, role=Role.ADMIN)


@pytest.fixture
def acme_person(workspace):
    return ContactFactory(workspace=workspace, name="Ann Acme")


@pytest.fixture
def rivals_person(other_workspace):
    return ContactFactory(workspace=other_workspace, name="Rex Rival")


def switch(client, workspace, **headers):
    return client.post("/workspace/switch/", {"workspace": workspace.pk}, headers=headers)


def people_page(client) -> str:
    return client.get("/people/").content.decode()


def undo_url(response) -> str:
    found = re.search(r'hx-post="(/undo/\d+/)"', response.content.decode())
    assert found, "no Undo button"
    return found.group(1)


def test_without_a_choice_the_user_works_in_the_first_workspace_they_joined(
    as_member, rivals_too, acme_person, rivals_person
):
    page = people_page(as_member)
    assert "Ann Acme" in page and "Rex Rival" not in page


def test_after_switching_the_people_page_lists_the_chosen_workspace(as_member, rivals_too, acme_person, rivals_person):
    response = switch(as_member, rivals_too.workspace)
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert as_member.session[SESSION_KEY] == rivals_too.workspace.pk
    page = people_page(as_member)
    assert "Rex Rival" in page and "Ann Acme" not in page
    switch(as_member, acme_person.workspace)
    page = people_page(as_member)
    assert "Ann Acme" in page and "Rex Rival" not in page


def test_the_person_page_is_found_only_in_the_chosen_workspace(as_member, rivals_too, acme_person, rivals_person):
    switch(as_member, rivals_too.workspace)
    assert as_member.get(f"/people/{rivals_person.pk}/").status_code == 200
    assert as_member.get(f"/people/{acme_person.pk}/").status_code == 404


def test_the_role_is_the_one_held_in_the_chosen_workspace(as_member, rivals_too):
    """Mia is a member in Acme (no Delete) and an admin in Rivals."""
    archived = {"audience": "archived", "selection": "all"}
    assert as_member.get("/bulk/delete/", archived, headers=HTMX).status_code == 403
    switch(as_member, rivals_too.workspace)
    assert as_member.get("/bulk/delete/", archived, headers=HTMX).status_code == 200


def test_a_bulk_action_acts_in_the_chosen_workspace_only(as_member, workspace, rivals_too, acme_person, rivals_person):
    ContactFactory(workspace=workspace, name="Amy Acme")
    switch(as_member, rivals_too.workspace)
    everyone = {"audience": "my-people", "selection": "all"}
    dialog = as_member.get("/bulk/archive/", everyone, headers=HTMX)
    assert "Archive 1 person" in dialog.content.decode()  # Rex; not Acme's two
    done = as_member.post("/bulk/archive/", everyone, headers=HTMX)
    assert done.status_code == 200
    assert list(Contact.objects.archived()) == [rivals_person]


def test_people_of_the_workspace_not_chosen_cannot_be_picked_by_id(as_member, rivals_too, acme_person):
    switch(as_member, rivals_too.workspace)
    picked = {"audience": "my-people", "selection": "ids", "ids": str(acme_person.pk)}
    refused = as_member.post("/bulk/archive/", picked, headers=HTMX)
    assert refused.status_code == 400
    assert "could not be found in your workspace" in refused.content.decode()
    assert not Contact.objects.archived().exists()


def test_undo_acts_only_in_the_workspace_it_was_done_in(as_member, workspace, rivals_too, rivals_person):
    switch(as_member, rivals_too.workspace)
    done = as_member.post("/bulk/archive/", {"audience": "my-people", "selection": "all"}, headers=HTMX)
    undo = undo_url(done)
    switch(as_member, workspace)
    assert as_member.post(undo, headers=HTMX).status_code == 404  # Rivals' operation, seen from Acme
    assert list(Contact.objects.archived()) == [rivals_person]
    switch(as_member, rivals_too.workspace)
    assert as_member.post(undo, headers=HTMX).status_code == 200
    assert not Contact.objects.archived().exists()


@pytest.mark.parametrize("workspace_field", ["other", "999999", "", "1e3", "-1"])
def test_a_switch_to_a_workspace_the_user_is_not_in_is_refused_and_changes_nothing(
    as_member, member, other_workspace, acme_person, rivals_person, workspace_field
):
    wanted = str(other_workspace.pk) if workspace_field == "other" else workspace_field
    response = as_member.post("/workspace/switch/", {"workspace": wanted})
    assert response.status_code == 400
    assert "You are not a member of that workspace" in response.content.decode()
    assert SESSION_KEY not in as_member.session
    page = people_page(as_member)
    assert "Ann Acme" in page and "Rex Rival" not in page


def test_a_refused_switch_keeps_the_workspace_chosen_before(as_member, rivals_too, rivals_person):
    switch(as_member, rivals_too.workspace)
    stranger = MembershipFactory().workspace
    assert switch(as_member, stranger).status_code == 400
    assert as_member.session[SESSION_KEY] == rivals_too.workspace.pk
    assert "Rex Rival" in people_page(as_member)


def test_switching_needs_a_post_and_a_login(client, as_member, rivals_too):
    assert as_member.get("/workspace/switch/", {"workspace": rivals_too.workspace.pk}).status_code == 405
    client.logout()
    response = switch(client, rivals_too.workspace)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_switching_checks_the_csrf_token(member, rivals_too):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert switch(browser, rivals_too.workspace).status_code == 403
    assert SESSION_KEY not in browser.session


def test_a_membership_removed_while_the_session_names_it_falls_back_to_the_first(
    as_member, rivals_too, acme_person, rivals_person
):
    switch(as_member, rivals_too.workspace)
    rivals_too.delete()
    page = people_page(as_member)
    assert "Ann Acme" in page and "Rex Rival" not in page
    assert as_member.get(f"/people/{rivals_person.pk}/").status_code == 404


def test_a_user_whose_last_membership_was_removed_is_told_to_ask_an_admin(as_member, member, rivals_too):
    switch(as_member, rivals_too.workspace)
    Membership.objects.filter(user=member).delete()
    response = as_member.get("/people/")
    assert response.status_code == 403
    assert "You are not a member of any workspace yet. Ask an admin to add you." in response.content.decode()


def test_the_chosen_workspace_costs_no_extra_query(as_member, rivals_too, workspace):
    def queries_for_people_page() -> int:
        with CaptureQueriesContext(connection) as queries:
            as_member.get("/people/")
        return len(queries)

    first = queries_for_people_page()
    switch(as_member, workspace)  # chosen explicitly: the same workspace, looked up by the choice
    assert queries_for_people_page() == first


def test_anonymous_users_and_users_without_a_membership_have_none(db, django_user_model):
    seen = []

    def view(request):
        seen.append(bool(request.membership))

    middleware = CurrentMembershipMiddleware(view)
    for user in (AnonymousUser(), django_user_model.objects.create(username="nobody")):
        request = RequestFactory().get("/")
        request.user, request.session = user, SessionStore()
        with CaptureQueriesContext(connection) as queries:
            middleware(request)
        seen.append(len(queries))
    assert seen == [False, 0, False, 1]  # anonymous: not even a query


def test_a_page_outside_the_people_looks_the_memberships_up_once_for_its_header(as_member, rivals_too):
    """Every page's header names the workspace, so the lookup happens, once, as the header reads it."""
    with CaptureQueriesContext(connection) as queries:
        page = as_member.get("/accounts/password_reset/").content.decode()
    assert sum("contacts_membership" in query["sql"] for query in queries) == 1
    assert 'class="workspace-button-name">' in page and "Rivals" in page


def test_a_user_in_no_workspace_has_nothing_to_switch_to(client, django_user_model, workspace):
    client.force_login(django_user_model.objects.create(username="loner"))
    response = switch(client, workspace)
    assert response.status_code == 403
    assert SESSION_KEY not in client.session


# --- remembered across logins ------------------------------------------------------------------


def log_in_again(client, user):
    client.logout()
    client.force_login(user)


def test_the_chosen_workspace_survives_logging_out_and_in(as_member, member, rivals_too, acme_person, rivals_person):
    switch(as_member, rivals_too.workspace)
    log_in_again(as_member, member)
    assert SESSION_KEY not in as_member.session  # a new session: the membership remembered it
    page = people_page(as_member)
    assert "Rex Rival" in page and "Ann Acme" not in page


def test_the_last_choice_wins_after_logging_in_again(as_member, member, workspace, rivals_too, acme_person):
    switch(as_member, rivals_too.workspace)
    switch(as_member, workspace)
    log_in_again(as_member, member)
    assert "Ann Acme" in people_page(as_member)


def test_a_switch_remembers_the_choice_on_that_membership_only(as_member, member, workspace, rivals_too):
    switch(as_member, rivals_too.workspace)
    chosen = dict(Membership.objects.filter(user=member).values_list("workspace_id", "last_chosen_at"))
    assert chosen[rivals_too.workspace_id] is not None and chosen[workspace.pk] is None


def test_another_session_keeps_its_own_choice(member, workspace, rivals_too, acme_person, rivals_person):
    """Two browsers: switching in one does not move the other, which chose before."""
    first, second = Client(), Client()
    first.force_login(member)
    second.force_login(member)
    switch(second, workspace)
    switch(first, rivals_too.workspace)
    assert "Ann Acme" in people_page(second) and "Rex Rival" in people_page(first)


def test_a_removed_membership_last_chosen_falls_back_to_the_first(as_member, member, rivals_too, acme_person):
    switch(as_member, rivals_too.workspace)
    rivals_too.delete()
    log_in_again(as_member, member)
    assert "Ann Acme" in people_page(as_member)


def test_a_refused_switch_remembers_nothing(as_member, rivals_too):
    stranger = MembershipFactory().workspace
    assert switch(as_member, stranger).status_code == 400
    assert not Membership.objects.filter(last_chosen_at__isnull=False).exists()


# --- the header ----------------------------------------------------------------------------------


def workspace_menu(body: str) -> list[tuple[str, str, str]]:
    """(workspace id, aria-checked, name) of each choice in the header's workspace menu."""
    menu = re.search(r'<div id="workspace-menu"[^>]*role="menu".*?</div>', body, re.S)
    assert menu, "no workspace menu"
    return re.findall(
        r'name="workspace" value="(\d+)" role="menuitemradio" aria-checked="(\w+)"[^>]*>([^<]*)<', menu.group(0)
    )


def test_a_user_in_several_workspaces_gets_a_switcher_naming_the_current_one(as_member, workspace, rivals_too):
    body = people_page(as_member)
    assert (
        'aria-controls="workspace-menu"><span class="workspace-button-name">Acme</span> <span class="caret" aria-hidden="true">'
        in body
    )
    assert '<span class="menu-tick" aria-hidden="true">' in body
    assert workspace_menu(body) == [
        (str(workspace.pk), "true", "Acme"),
        (str(rivals_too.workspace_id), "false", "Rivals"),
    ]
    assert re.search(r'<form id="workspace-form" method="post" action="/workspace/switch/"', body)
    switch(as_member, rivals_too.workspace)
    body = people_page(as_member)
    assert '<span class="workspace-button-name">Rivals</span>' in body
    assert [checked for _, checked, _ in workspace_menu(body)] == ["false", "true"]


def test_a_user_in_one_workspace_sees_its_name_and_no_switcher(as_member):
    body = people_page(as_member)
    assert '<span class="workspace-name"><span class="visually-hidden">Workspace: </span>Acme</span>' in body
    assert "workspace-menu" not in body and "workspace-form" not in body
