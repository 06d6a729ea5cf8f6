"""Who may do what: anonymous visitors, other workspaces, GETs for changes, missing CSRF, members.

Every URL of the app (enumerated from contacts/urls.py, so new ones are covered) is tried;
after each refused request the database is compared with a snapshot.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, reverse

from contacts import services
from contacts.models import Operation, Role, Stage, TimelineEntry
from contacts.urls import urlpatterns as contacts_urlpatterns
from sync.models import DiscoveredPerson, Suppression, SuppressionKind
from sync.urls import urlpatterns as sync_urlpatterns
from tests.factories import ContactFactory, MembershipFactory, UserFactory, WorkspaceFactory
from tests.hardening.support import WHERE_OFFERED, WHERE_OFFERED_WITH_STATE, select_ids, snapshot
from tests.helpers import HTMX_DETAILS, HTMX_DIALOG, logged_in

# The app's own routes, from both apps that declare them.
urlpatterns = [*contacts_urlpatterns, *sync_urlpatterns]

# Views that change something answer POST only; the rest are pages (GET).
CHANGE_URLS = {
    "change-stage",
    "change-assignee",
    "undo",
    "lift-suppression",
    "discovered-add",
    "discovered-restore",
    "discovered-dismiss",
    "discovered-bulk",  # Add or Dismiss many Discovered People
    "switch-workspace",  # the session's chosen workspace
}
# GET shows the confirmation dialog, POST acts.
BOTH = {"bulk"}
# POST only, and never changes anything: the confirmation dialog, asked for with the selection in the body.
SHOWS_ONLY = {"bulk-dialog", "discovered-bulk-dialog"}
# GET shows a form, POST saves it (Add person, Edit).
FORMS = {"person-add", "person-edit"}


def everything():
    return (
        snapshot(),
        TimelineEntry.objects.count(),
        Operation.objects.count(),
        Suppression.objects.count(),
        DiscoveredPerson.objects.filter(dismissed_at__isnull=True).count(),
    )


@pytest.fixture
def two_workspaces(db):
    acme = WorkspaceFactory(name="Acme", slug="acme-a")
    ada = MembershipFactory(workspace=acme, user=UserFactory(username="a-ada"), role=Role.ADMIN).user
    mia = MembershipFactory(workspace=acme, user=UserFactory(username="a-mia"), role=Role.MEMBER).user
    mine = {
        "active": ContactFactory(workspace=acme, stage=Stage.PAST),
        "archived": ContactFactory(workspace=acme, archived=True),
        "deleted": ContactFactory(workspace=acme, deleted=True),
    }
    rivals = WorkspaceFactory(name="Rivals", slug="rivals-a")
    rex = MembershipFactory(workspace=rivals, user=UserFactory(username="a-rex"), role=Role.ADMIN).user
    theirs = {
        "active": ContactFactory(workspace=rivals, stage=Stage.PAST),
        "archived": ContactFactory(workspace=rivals, archived=True),
        "deleted": ContactFactory(workspace=rivals, deleted=True),
        "assigned": ContactFactory(workspace=rivals, stage=Stage.LEAD, assignee=rex),
    }
    their_op = services.archive(
        actor=rex, workspace=rivals, selected=select_ids(rivals, [theirs["active"].pk])
    ).operation
    services.restore_from_archive(actor=rex, workspace=rivals, selected=select_ids(rivals, [theirs["active"].pk]))
    my_op = services.change_stage(
        actor=ada, workspace=acme, selected=select_ids(acme, [mine["active"].pk]), stage=Stage.LOST
    ).operation
    their_suppression = Suppression.objects.create(
        workspace=rivals, kind=SuppressionKind.EMAIL, value="rival@example.com"
    )
    my_suppression = Suppression.objects.create(workspace=acme, kind=SuppressionKind.EMAIL, value="mine@example.com")
    their_discovered = DiscoveredPerson.objects.create(
        workspace=rivals, kind=SuppressionKind.EMAIL, value="d@rivals.example"
    )
    my_discovered = DiscoveredPerson.objects.create(workspace=acme, kind=SuppressionKind.EMAIL, value="d@acme.example")
    return {
        "acme": acme,
        "ada": ada,
        "mia": mia,
        "mine": mine,
        "my_op": my_op,
        "my_suppression": my_suppression,
        "my_discovered": my_discovered,
        "rivals": rivals,
        "rex": rex,
        "theirs": theirs,
        "their_op": their_op,
        "their_suppression": their_suppression,
        "their_discovered": their_discovered,
    }


def app_urls(w, whose="mine") -> list[tuple[str, str]]:
    """(url name, url) for every route of the app, pointing at real objects of one workspace."""
    objects = {
        "mine": {
            "pk": w["mine"]["active"].pk,
            "operation_id": w["my_op"].pk,
            "lift-suppression": w["my_suppression"].pk,
            "discovered": w["my_discovered"].pk,
        },
        "theirs": {
            "pk": w["theirs"]["active"].pk,
            "operation_id": w["their_op"].pk,
            "lift-suppression": w["their_suppression"].pk,
            "discovered": w["their_discovered"].pk,
        },
    }[whose]
    urls = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {}
        for name, converter in pattern.pattern.converters.items():
            if name == "action":
                kwargs[name] = "archive"
            elif name == "kind":  # Discovered People's bulk Add / Dismiss
                kwargs[name] = "dismiss"
            elif pattern.name == "lift-suppression":
                kwargs[name] = objects["lift-suppression"]
            elif pattern.name.startswith("discovered-"):
                kwargs[name] = objects["discovered"]
            else:
                kwargs[name] = objects[name]
        urls.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
    return urls


def test_the_route_tables_below_cover_every_route():
    names = {p.name for p in urlpatterns}
    pages = names - CHANGE_URLS - BOTH - SHOWS_ONLY - FORMS
    assert pages <= {"home", "people", "person", "bulk-start", "suppressions", "discovered"}, (
        f"new routes {pages - {'home', 'people', 'person', 'bulk-start', 'suppressions', 'discovered'}}: "
        "say here whether they change anything"
    )


# --- anonymous ------------------------------------------------------------------------------


def test_anonymous_visitors_get_nothing_and_change_nothing(client, two_workspaces):
    before = everything()
    for name, url in app_urls(two_workspaces):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"stage": "lead", "ids": "1", "audience": "my-people"})
            assert response.status_code in (302, 403), (method, url, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("login")), (method, url)
    assert everything() == before


def test_anonymous_htmx_requests_are_not_answered_with_the_page(client, two_workspaces):
    for name, url in app_urls(two_workspaces):
        response = client.post(url, headers=HTMX_DIALOG)
        assert response.status_code in (302, 401, 403), (url, response.status_code)
        assert two_workspaces["mine"]["active"].name not in response.content.decode()


# --- other workspaces' ids, as if they did not exist ----------------------------------------------


def visible(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def as_ada(client, two_workspaces):
    client.force_login(two_workspaces["ada"])
    return client


@pytest.mark.parametrize(
    "method, template, data",
    [
        ("get", "/people/{pk}/", {}),
        ("get", "/people/{pk}/?view=list", {}),
        ("post", "/people/{pk}/stage/", {"stage": "lead"}),
        ("post", "/people/{pk}/assignee/", {"assignee": ""}),
        ("get", "/people/{pk}/edit/", {}),
        ("post", "/people/{pk}/edit/", {"name": "Changed", "stage": "none"}),
        ("post", "/undo/{op}/", {}),
        ("post", "/settings/suppressions/{sup}/lift/", {}),
        ("post", "/people/discovered/{disc}/add/", {}),
        ("post", "/people/discovered/{disc}/restore/", {"person": "1"}),
        ("post", "/people/discovered/{disc}/dismiss/", {}),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_another_workspaces_objects_are_answered_as_if_they_did_not_exist(
    as_ada, two_workspaces, method, template, data, htmx
):
    w = two_workspaces
    theirs = template.format(
        pk=w["theirs"]["active"].pk, op=w["their_op"].pk, sup=w["their_suppression"].pk, disc=w["their_discovered"].pk
    )
    missing = template.format(pk=987654, op=987654, sup=987654, disc=987654)
    headers = HTMX_DETAILS if htmx else {}
    before = everything()
    foreign = getattr(as_ada, method)(theirs, data, headers=headers)
    absent = getattr(as_ada, method)(missing, data, headers=headers)
    # Discovered People answer "already added or dismissed" in the status (200) or after a redirect (302).
    allowed = (200, 302, 400, 404) if "discovered" in template else (400, 404)
    assert foreign.status_code == absent.status_code, (foreign.status_code, absent.status_code)
    assert foreign.status_code in allowed, foreign.status_code
    assert visible(foreign) == visible(absent), "a foreign id is told apart from a missing one"
    if foreign.status_code == 302:
        assert foreign["Location"] == absent["Location"]
    for person in w["theirs"].values():
        assert person.name not in foreign.content.decode()
    assert everything() == before


@pytest.mark.parametrize(
    "action, audience",
    WHERE_OFFERED,
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bulk_actions_refuse_other_workspaces_ids_like_missing_ones(as_ada, two_workspaces, action, audience, method):
    w = two_workspaces
    state = {"my-people": "active", "archived": "archived", "deleted": "deleted"}[audience]
    mine, theirs = w["mine"][state].pk, w["theirs"][state].pk
    extra = {"new_stage": "lead", "expected": "2", "typed_count": "2"}
    before = everything()
    send = getattr(as_ada, method)
    foreign = send(f"/bulk/{action}/", {"audience": audience, "ids": f"{mine},{theirs}", **extra}, headers=HTMX_DIALOG)
    absent = send(f"/bulk/{action}/", {"audience": audience, "ids": f"{mine},987654", **extra}, headers=HTMX_DIALOG)
    assert foreign.status_code == absent.status_code == 400
    assert visible(foreign) == visible(absent)
    assert "nothing was changed" in visible(foreign).lower()
    assert everything() == before


def test_select_all_never_reaches_another_workspace(as_ada, two_workspaces):
    theirs_before = snapshot(workspace=two_workspaces["rivals"])
    for action, audience in (("archive", "my-people"), ("restore", "archived"), ("undelete", "deleted")):
        response = as_ada.post(f"/bulk/{action}/", {"audience": audience, "selection": "all"}, headers=HTMX_DIALOG)
        assert response.status_code == 200
    assert snapshot(workspace=two_workspaces["rivals"]) == theirs_before


def test_an_assignee_from_another_workspace_is_refused(as_ada, two_workspaces):
    w = two_workspaces
    before = everything()
    response = as_ada.post(
        f"/people/{w['mine']['active'].pk}/assignee/", {"assignee": w["rex"].pk}, headers=HTMX_DIALOG
    )
    assert response.status_code == 400
    assert everything() == before


def test_undo_of_someone_elses_operation_in_the_same_workspace_is_refused(client, two_workspaces):
    w = two_workspaces
    client.force_login(w["mia"])
    before = everything()
    response = client.post(f"/undo/{w['my_op'].pk}/", headers=HTMX_DIALOG)
    assert response.status_code < 500
    assert everything() == before


# --- GET for changes ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "patch"])
def test_change_urls_refuse_other_methods_and_change_nothing(as_ada, two_workspaces, method):
    before = everything()
    for name, url in app_urls(two_workspaces):
        if name not in CHANGE_URLS:
            continue
        response = getattr(as_ada, method)(url)
        assert response.status_code == 405, (method, url, response.status_code)
    assert everything() == before


def test_a_get_to_a_bulk_action_only_shows_the_dialog(as_ada, two_workspaces):
    w = two_workspaces
    before = everything()
    for action, audience, state in WHERE_OFFERED_WITH_STATE:
        params = {
            "audience": audience,
            "ids": w["mine"][state].pk,
            "expected": "1",
            "typed_count": "1",
            "new_stage": "lead",
        }
        for headers in ({}, HTMX_DIALOG):
            response = as_ada.get(f"/bulk/{action}/", params, headers=headers)
            assert response.status_code == 200
            assert 'role="alertdialog"' in response.content.decode() or "<form" in response.content.decode()
        response = as_ada.get("/bulk/", {**params, "action": action})
        assert response.status_code == 302
    for method in ("put", "delete", "patch"):
        assert getattr(as_ada, method)("/bulk/archive/").status_code == 405
    assert everything() == before


def test_a_post_for_the_dialog_only_shows_the_dialog(as_ada, two_workspaces):
    """Everything a confirm would carry, sent to the dialog address: it shows the dialog and acts on no one."""
    w = two_workspaces
    before = everything()
    for action, audience, state in WHERE_OFFERED_WITH_STATE:
        params = {
            "audience": audience,
            "ids": w["mine"][state].pk,
            "expected": "1",
            "typed_count": "1",
            "new_stage": "lead",
        }
        for headers in ({}, HTMX_DIALOG):
            response = as_ada.post(f"/bulk/{action}/dialog/", params, headers=headers)
            assert response.status_code == 200
            assert 'role="alertdialog"' in response.content.decode()
        for method in ("get", "head", "put", "delete", "patch"):
            assert getattr(as_ada, method)(f"/bulk/{action}/dialog/", params).status_code == 405
    assert everything() == before


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_everywhere(two_workspaces):
    w = two_workspaces
    browser = logged_in(w["ada"], enforce_csrf_checks=True)
    before = everything()
    posts = [url for name, url in app_urls(w) if name in CHANGE_URLS | FORMS]
    posts += [
        "/bulk/archive/dialog/",
        "/bulk/delete/dialog/",
        "/bulk/archive/",
        "/bulk/delete/",
        "/bulk/purge/",
        "/bulk/restore/",
        "/bulk/undelete/",
        "/bulk/change_stage/",
        "/bulk/remove_assignee/",
    ]
    data = {
        "audience": "my-people",
        "selection": "all",
        "stage": "lead",
        "new_stage": "lead",
        "expected": "1",
        "typed_count": "1",
    }
    for url in posts:
        for headers in ({}, HTMX_DIALOG):
            response = browser.post(url, data, headers=headers)
            assert response.status_code == 403, (url, response.status_code)
            assert "reload" in response.content.decode().lower()
        # A token that does not match the cookie is no better.
        response = browser.post(url, {**data, "csrfmiddlewaretoken": "x" * 64})
        assert response.status_code == 403
    assert everything() == before


def test_the_dialog_carries_a_csrf_token_that_works(two_workspaces):
    w = two_workspaces
    browser = logged_in(w["ada"], enforce_csrf_checks=True)
    person = w["mine"]["active"]
    dialog = browser.get("/bulk/archive/", {"audience": "my-people", "ids": person.pk}, headers=HTMX_DIALOG)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', dialog.content.decode()).group(1)
    data = {"audience": "my-people", "ids": person.pk, "csrfmiddlewaretoken": token}
    response = browser.post("/bulk/archive/", data, headers=HTMX_DIALOG)
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.archived_at is not None


# --- members cannot delete ------------------------------------------------------------------------


@pytest.fixture
def as_member(client, two_workspaces):
    client.force_login(two_workspaces["mia"])
    return client


@pytest.mark.parametrize(
    "action, audience, state", [("delete", "archived", "archived"), ("purge", "deleted", "deleted")]
)
@pytest.mark.parametrize("selection", ["ids", "all"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_members_cannot_delete_or_purge(as_member, two_workspaces, action, audience, state, selection, htmx):
    w = two_workspaces
    before = everything()
    params = {"audience": audience, "selection": selection, "expected": "1", "typed_count": "1"}
    if selection == "ids":
        params["ids"] = w["mine"][state].pk
    headers = HTMX_DIALOG if htmx else {}
    for method in ("get", "post"):
        response = getattr(as_member, method)(f"/bulk/{action}/", params, headers=headers)
        assert response.status_code == 403, (method, response.status_code)
        assert "admins and managers" in response.content.decode()
    assert everything() == before


def test_members_are_offered_delete_only_disabled(as_member, two_workspaces):
    for audience, delete in (("archived", "Delete"), ("deleted", "Delete forever")):
        body = as_member.get("/people/", {"audience": audience}).content.decode()
        bulk_menu = body[body.index('id="bulk-menu"') :]  # not the header's menus (Log out), before it
        items = re.findall(r'<button[^>]*role="menuitem"[^>]*>', bulk_menu)
        enabled = [tag for tag in items if "aria-disabled" not in tag]
        assert len(enabled) == 1 and re.search(r'hx-post="/bulk/(restore|undelete)/dialog/"', enabled[0]), items
        disabled = [tag for tag in items if 'aria-disabled="true"' in tag]
        assert len(disabled) == 1 and "hx-" not in disabled[0], items
        assert f">{delete}</span>" in body and "Only admins and managers can delete" in body


def test_members_cannot_lift_a_suppression(as_member, two_workspaces):
    before = everything()
    response = as_member.post(f"/settings/suppressions/{two_workspaces['my_suppression'].pk}/lift/")
    assert response.status_code == 403
    assert everything() == before


def test_a_member_cannot_delete_through_undo(as_member, two_workspaces):
    """Undo of "restore from Recently Deleted" is a delete: not for members."""
    w = two_workspaces
    person = w["mine"]["deleted"]
    response = as_member.post("/bulk/undelete/", {"audience": "deleted", "ids": person.pk}, headers=HTMX_DIALOG)
    assert response.status_code == 200
    operation = Operation.objects.filter(workspace=w["acme"], action="undelete").latest("pk")
    assert "data-undo" not in response.content.decode(), "Undo offered for an action the member may not reverse"
    response = as_member.post(f"/undo/{operation.pk}/", headers=HTMX_DIALOG)
    assert response.status_code < 500
    person.refresh_from_db()
    assert person.deleted_at is None, "a member deleted someone through Undo"


def test_a_user_without_a_workspace_sees_and_changes_nothing(client, two_workspaces):
    client.force_login(UserFactory(username="a-loner"))
    before = everything()
    for name, url in app_urls(two_workspaces):
        if name in CHANGE_URLS | BOTH | SHOWS_ONLY | FORMS:
            response = client.post(url, {"audience": "my-people", "selection": "all", "name": "X", "stage": "none"})
        else:
            response = client.get(url)
        assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
        for person in two_workspaces["mine"].values():
            assert person.name not in response.content.decode()
    assert everything() == before


# --- the Django admin ----------------------------------------------------------------------------


def test_staff_who_are_not_superusers_see_only_their_workspaces_people_in_the_admin(client, two_workspaces):
    from django.contrib.auth.models import Permission

    w = two_workspaces
    staff = w["mia"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    client.force_login(staff)
    body = client.get("/admin/contacts/contact/", {"state": "all"}).content.decode()
    assert w["mine"]["active"].name in body
    for person in w["theirs"].values():
        assert person.name not in body
    response = client.get(f"/admin/contacts/contact/{w['theirs']['active'].pk}/change/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert "/admin/" in response["Location"]


def test_members_cannot_open_the_admin(client, two_workspaces):
    client.force_login(two_workspaces["mia"])
    response = client.get("/admin/contacts/contact/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
