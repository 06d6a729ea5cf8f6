"""Faults injected in the middle of each bulk action, and a connection lost while a page renders.

A failing statement is injected with connection.execute_wrapper (Django's hook around every
query), so the fault lands in the real transaction wherever the service happens to be:
after the people were written once, at the very end, or in the suppression step.
The promise: the whole action rolls back, the dialog says so, and nothing changed.
"""

from __future__ import annotations

import re
import time

import pytest
from django.db import DatabaseError, IntegrityError, OperationalError, connection

from contacts.bulk_actions import ACTIONS
from contacts.models import Operation, Role, Stage, TimelineEntry
from sync.models import DeletedAddress, Suppression
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory
from tests.hardening.support import broken_promises, snapshot
from tests.helpers import HTMX_DETAILS, HTMX_DIALOG, HTMX_REGION, confirmation_from_dialog, ids, logged_in

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)

# For every bulk action: the audience it runs in, the people it acts on, the rest of the POST.
PLANS = {
    "archive": ("my-people", {"stage": Stage.PAST}, {}),
    "restore": ("archived", {"archived": True}, {}),
    "delete": ("archived", {"archived": True}, {"suppress_sync": "on"}),
    "undelete": ("deleted", {"deleted": True}, {}),
    "purge": ("deleted", {"deleted": True}, {}),
    "change_stage": ("my-people", {"stage": Stage.PAST}, {"new_stage": "lead"}),
    "remove_assignee": ("my-people", {"assigned": True}, {}),
}


class Fault:
    """Raise `error` once, at the first statement `where` picks; count what ran before."""

    def __init__(self, error: Exception, where):
        self.error, self.where = error, where
        self.fired = False
        self.people_written = False

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and self.where(self, sql):
            self.fired = True
            raise self.error
        if WRITE.match(sql) and '"contacts_contact"' in sql.split("(")[0]:
            self.people_written = True
        return execute(sql, params, many, context)


def after_people_written(fault, sql):
    """The first write after the people were marked (or erased): the timeline, or the bookkeeping."""
    return fault.people_written and bool(WRITE.match(sql))


def at_the_end(fault, sql):
    """The operation's count, written last, after every person was changed."""
    return fault.people_written and sql.lstrip().upper().startswith('UPDATE "CONTACTS_OPERATION"')


def in_the_suppressions(fault, sql):
    # "INSERT INTO" on PostgreSQL, "INSERT OR IGNORE INTO" on SQLite.
    return bool(re.match(r'\s*INSERT\b[^"]*INTO "contacts_suppression"', sql, re.I))


def everything(workspace) -> tuple:
    return (
        snapshot(),
        TimelineEntry.objects.count(),
        Operation.objects.count(),
        Suppression.objects.count(),
        DeletedAddress.objects.count(),
    )


@pytest.fixture
def admin_client(admin_user):
    return logged_in(admin_user, raise_request_exception=False)


def prepare(action, workspace, client):
    audience, traits, extra = PLANS[action]
    people = ContactFactory.create_batch(3, workspace=workspace, **traits)
    for person in people:
        TimelineEntryFactory(contact=person, kind="email")  # sync activity, so suppressions have something to keep
    # Bystanders in every state, who must not change either.
    ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    ContactFactory(workspace=workspace, archived=True)
    ContactFactory(workspace=workspace, deleted=True)
    data = {"audience": audience, "selection": "ids", "ids": ids(*people), **extra}
    if ACTIONS[action].exact_count:  # the count and fingerprint of the people the dialog listed
        data |= confirmation_from_dialog(client.get(f"/bulk/{action}/", data, headers=HTMX_DIALOG))
    return data


def test_every_bulk_action_has_a_fault_plan():
    assert set(PLANS) == set(ACTIONS), "a new bulk action needs a line in PLANS"


@pytest.mark.parametrize("action", sorted(PLANS))
@pytest.mark.parametrize(
    "error, status",
    [
        (DatabaseError("injected: the server closed the connection unexpectedly"), 503),
        (OperationalError("injected: database is locked"), 503),
        (IntegrityError("injected: duplicate key value violates unique constraint"), 409),
    ],
    ids=["DatabaseError", "OperationalError", "IntegrityError"],
)
@pytest.mark.parametrize("where", [after_people_written, at_the_end], ids=["mid-action", "at-the-end"])
def test_a_database_error_in_the_middle_of_a_bulk_action_changes_nothing(
    admin_client, workspace, action, error, status, where
):
    data = prepare(action, workspace, admin_client)
    before = everything(workspace)
    fault = Fault(error, where)
    with connection.execute_wrapper(fault):
        response = admin_client.post(f"/bulk/{action}/", data, headers=HTMX_DIALOG)
    assert fault.fired, "the fault was never reached: the action changed nobody?"
    assert response.status_code == status, response.content.decode()[:800]
    body = response.content.decode()
    assert 'role="alertdialog"' in body, "the message belongs in the dialog"
    assert "nothing was changed" in body.lower()
    assert everything(workspace) == before, "a failed action left something half-done"
    assert broken_promises() == []

    # And the same confirm, once the database is well again, does the whole thing.
    response = admin_client.post(f"/bulk/{action}/", data, headers=HTMX_DIALOG)
    assert response.status_code == 200, response.content.decode()[:800]
    assert everything(workspace) != before


def test_a_fault_while_recording_suppressions_rolls_back_the_delete_too(admin_client, workspace):
    data = prepare("delete", workspace, admin_client)
    before = everything(workspace)
    fault = Fault(DatabaseError("injected"), in_the_suppressions)
    with connection.execute_wrapper(fault):
        response = admin_client.post("/bulk/delete/", data, headers=HTMX_DIALOG)
    assert fault.fired, (response.status_code, response.content.decode()[:3000])
    assert response.status_code == 503
    assert "nothing was changed" in response.content.decode().lower()
    assert everything(workspace) == before


def test_without_javascript_a_fault_shows_the_dialog_page_with_the_message(admin_client, workspace):
    data = prepare("archive", workspace, admin_client)
    before = everything(workspace)
    with connection.execute_wrapper(Fault(DatabaseError("injected"), after_people_written)):
        response = admin_client.post("/bulk/archive/", data)
    assert response.status_code == 503
    body = response.content.decode()
    assert "<html" in body and "nothing was changed" in body.lower()
    assert everything(workspace) == before


def edit_one_person(client, workspace, field, error):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    value = "lead" if field == "stage" else MembershipFactory(workspace=workspace, role=Role.MEMBER).user.pk
    before = everything(workspace)
    fault = Fault(error, after_people_written)
    with connection.execute_wrapper(fault):
        response = client.post(f"/people/{person.pk}/{field}/", {field: value}, headers=HTMX_DIALOG)
    assert fault.fired
    return response, before


@pytest.mark.parametrize("field", ["stage", "assignee"])
@pytest.mark.parametrize(
    "error", [OperationalError("injected: database is locked"), IntegrityError("injected")], ids=["busy", "conflict"]
)
def test_a_fault_while_editing_one_person_changes_nothing(admin_client, workspace, field, error):
    response, before = edit_one_person(admin_client, workspace, field, error)
    assert everything(workspace) == before
    assert response.status_code >= 400 and response.content  # an answer, never a hang


@pytest.mark.parametrize("field", ["stage", "assignee"])
def test_a_busy_database_while_editing_one_person_says_try_again_in_the_details_pane(admin_client, workspace, field):
    response, _ = edit_one_person(admin_client, workspace, field, OperationalError("injected: database is locked"))
    assert response.status_code == 503
    body = response.content.decode()
    assert 'id="details"' in body and "nothing was changed" in body.lower()


# --- a connection lost while a page renders ----------------------------------------------------


def lose_connection_on_people(execute, sql, params, many, context):
    if '"contacts_contact"' in sql and sql.lstrip().upper().startswith("SELECT"):
        raise OperationalError("server closed the connection unexpectedly")
    return execute(sql, params, many, context)


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/people/", {}),
        ("/people/?view=list", {}),
        ("/people/?audience=archived", HTMX_REGION),
        ("/people/{pk}/", {}),
        ("/people/{pk}/", HTMX_DETAILS),
        ("/bulk/archive/?audience=my-people&selection=all", HTMX_DIALOG),
        ("/bulk/archive/?audience=my-people&ids={pk}", HTMX_DIALOG),
    ],
)
def test_a_connection_lost_while_rendering_gives_the_error_page_at_once(admin_user, workspace, url, headers):
    person = ContactFactory(workspace=workspace)
    client = logged_in(admin_user, raise_request_exception=False)
    started = time.monotonic()
    with connection.execute_wrapper(lose_connection_on_people):
        response = client.get(url.format(pk=person.pk), headers=headers)
    assert time.monotonic() - started < 5, "a lost connection must not hang the page"
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode(), "the page comes from templates/500.html"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_really_terminated_postgresql_connection_gives_the_error_page_and_the_next_request_works(
    admin_user, workspace
):
    """The server really drops the connection mid-request (pg_terminate_backend), not a simulated error."""
    from django.db import close_old_connections, connections

    ContactFactory(workspace=workspace, name="Pat Quinn")
    client = logged_in(admin_user, raise_request_exception=False)
    killer = connections.create_connection("default")
    terminated = []

    def terminate_then_run(execute, sql, params, many, context):
        if not terminated and '"contacts_contact"' in sql:
            pid = connection.connection.info.backend_pid
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            terminated.append(pid)
        return execute(sql, params, many, context)

    try:
        started = time.monotonic()
        with connection.execute_wrapper(terminate_then_run):
            response = client.get("/people/")
        assert terminated
        assert time.monotonic() - started < 5
        assert response.status_code == 500
        assert "Something went wrong" in response.content.decode()
        # What Django does when a request ends: drop a connection that had errors. The next one reconnects.
        close_old_connections()
        response = client.get("/people/")
        assert response.status_code == 200 and "Pat Quinn" in response.content.decode()
    finally:
        killer.close()
        connection.close()


def test_the_browser_swaps_in_the_503_dialog_that_says_nothing_was_changed(admin_client):
    import json as _json

    body = admin_client.get("/people/").content.decode()
    config = _json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'", body).group(1))

    def handling(status: int) -> dict:
        for rule in config.get("responseHandling", []):
            if re.fullmatch(rule["code"].replace(".", "[0-9]"), str(status)):
                return rule
        return {"swap": 200 <= status < 300}

    assert handling(409)["swap"], "sanity: conflicts are shown"
    assert handling(503)["swap"], "the 503 dialog is thrown away"
