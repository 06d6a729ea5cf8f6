"""Two users at once through the HTTP endpoints: two browsers (test clients), real threads.

Whatever the interleaving, no response is a server error, every answer either says what
was done (and the numbers add up) or says that nothing was changed, and the promises hold.
"""

from __future__ import annotations

import random

import pytest
from django.test import Client

from contacts.models import Contact, Role, Stage
from tests.factories import ContactFactory, MembershipFactory, UserFactory, WorkspaceFactory
from tests.hardening.support import (
    broken_promises,
    replay_lifecycle,
    run_together,
    told,
)
from tests.helpers import HTMX_DIALOG, confirmation_from_dialog, logged_in

ROUNDS = 15
PEOPLE = 20

pytestmark = pytest.mark.django_db(transaction=True)

# What a refused or failed confirm may answer: the dialog again, saying nothing was changed.
NOTHING_CHANGED = {409, 503}


@pytest.fixture
def team(shared_db):
    workspace = WorkspaceFactory(name="Acme", slug="acme")
    ada = MembershipFactory(workspace=workspace, user=UserFactory(username="ada"), role=Role.ADMIN).user
    bob = MembershipFactory(workspace=workspace, user=UserFactory(username="bob"), role=Role.MEMBER).user
    return workspace, ada, bob


def browser(user) -> Client:
    """A signed-in client that answers a server error with a 500, as a browser sees it, instead of raising."""
    return logged_in(user, raise_request_exception=False)


def post(client, url, data):
    def send():
        return client.post(url, data, headers=HTMX_DIALOG)

    return send


def assert_not_a_failure(response, says="nothing was changed"):
    """Done (200), or refused/failed with a message saying nothing changed; never a bad request or a crash."""
    assert response.status_code in {200, *NOTHING_CHANGED}, (response.status_code, response.content.decode()[:800])
    if response.status_code in NOTHING_CHANGED:
        assert says in response.content.decode().lower()


def reset(workspace):
    people = Contact.objects.filter(workspace=workspace)
    if people.count() < PEOPLE:
        ContactFactory.create_batch(PEOPLE - people.count(), workspace=workspace, stage=Stage.PAST)
    people.update(archived_at=None, archived_by=None, assignee=None, stage=Stage.PAST)
    return list(people.order_by("pk").values_list("pk", flat=True))


def test_archive_select_all_against_change_stage_and_assign_over_http(team):
    workspace, ada, bob = team
    alice_browser, bob_browser = browser(ada), browser(bob)
    rng = random.Random(7)
    for round_no in range(ROUNDS):
        ids = reset(workspace)
        subset = rng.sample(ids, PEOPLE // 2)
        archive = post(alice_browser, "/bulk/archive/", {"audience": "my-people", "selection": "all"})
        if round_no % 2:
            other = post(
                bob_browser,
                "/bulk/change_stage/",
                {"audience": "my-people", "selection": "ids", "ids": ",".join(map(str, subset)), "new_stage": "lead"},
            )
        else:

            def other():
                # The details pane, one person after the other.
                return [
                    bob_browser.post(f"/people/{pk}/assignee/", {"assignee": bob.pk}, headers=HTMX_DIALOG)
                    for pk in subset[:4]
                ]

        together = run_together(archive, other)
        assert not together.errors, [repr(e) for e in together.errors]
        archived_response, other_response = (r.value for r in together.results)
        assert_not_a_failure(archived_response)
        if archived_response.status_code != 200:
            continue  # told that nothing changed; the promises below still hold
        done, skipped = told(archived_response)
        assert done + skipped == PEOPLE
        assert Contact.objects.filter(archived_at__isnull=False).count() == done
        if round_no % 2:
            assert_not_a_failure(other_response)
            if other_response.status_code == 200:
                moved, not_moved = told(other_response)
                assert moved + not_moved == len(subset)
                assert done + moved == PEOPLE, f"round {round_no}: each person went one way"
                assert Contact.objects.filter(stage=Stage.LEAD).count() == moved
        else:
            for response in other_response:
                # Refused for a person archived meanwhile: the details pane says why.
                assert_not_a_failure(response, says="restore it first")
            assigned = Contact.objects.filter(assignee=bob).count()
            assert assigned == sum(r.status_code == 200 for r in other_response)
            assert done + assigned == PEOPLE
        assert broken_promises() == [], f"round {round_no}"


def test_delete_against_restore_over_http(team):
    workspace, ada, bob = team
    alice_browser, bob_browser = browser(ada), browser(bob)
    for round_no in range(ROUNDS):
        ids = [p.pk for p in ContactFactory.create_batch(6, workspace=workspace, archived=True)]
        selection = {"audience": "archived", "selection": "ids", "ids": ",".join(map(str, ids))}
        shown = confirmation_from_dialog(alice_browser.get("/bulk/delete/", selection, headers=HTMX_DIALOG))
        assert shown["expected"] == str(len(ids))
        together = run_together(
            post(alice_browser, "/bulk/delete/", {**selection, **shown}),
            post(bob_browser, "/bulk/restore/", selection),
        )
        assert not together.errors, [repr(e) for e in together.errors]
        deleted, restored = (r.value for r in together.results)
        assert_not_a_failure(deleted)
        assert_not_a_failure(restored)
        gone = Contact.objects.filter(pk__in=ids, deleted_at__isnull=False).count()
        if deleted.status_code == 200:
            assert told(deleted) == (len(ids), 0) and gone == len(ids)
        else:
            assert gone == 0, "a refused delete deleted someone"
        if restored.status_code == 200:
            back, not_back = told(restored)
            assert back + not_back == len(ids)
            assert back == Contact.objects.filter(pk__in=ids, archived_at__isnull=True).count()
        assert replay_lifecycle(ids, start_archived=True) == [], f"round {round_no}"
        assert broken_promises() == []


def test_a_double_clicked_confirm_over_http_changes_nothing_the_second_time(team):
    workspace, ada, _ = team
    # Archive's half uses a workspace of its own, so its select-all never meets the deleted people.
    second = WorkspaceFactory(name="Second", slug="second")
    zed = MembershipFactory(workspace=second, user=UserFactory(username="zed"), role=Role.ADMIN).user
    first_tab, second_tab = browser(ada), browser(ada)
    archive_tabs = browser(zed), browser(zed)
    for round_no in range(ROUNDS):
        ids = [p.pk for p in ContactFactory.create_batch(5, workspace=workspace, archived=True)]
        data = {"audience": "archived", "selection": "ids", "ids": ",".join(map(str, ids))}
        data |= confirmation_from_dialog(first_tab.get("/bulk/delete/", data, headers=HTMX_DIALOG))  # both tabs show it
        assert data["expected"] == "5"
        together = run_together(post(first_tab, "/bulk/delete/", data), post(second_tab, "/bulk/delete/", data))
        assert not together.errors, [repr(e) for e in together.errors]
        statuses = sorted(r.value.status_code for r in together.results)
        assert statuses == [200, 409], f"round {round_no}: {statuses}"
        for result in together.results:
            assert_not_a_failure(result.value)
        assert Contact.objects.filter(pk__in=ids, deleted_at__isnull=False).count() == 5
        assert broken_promises() == []

        # The same for Archive, which has no count to confirm: the second click finds no one left.
        reset(second)
        data = {"audience": "my-people", "selection": "all"}
        together = run_together(
            post(archive_tabs[0], "/bulk/archive/", data), post(archive_tabs[1], "/bulk/archive/", data)
        )
        for result in together.results:
            assert_not_a_failure(result.value)
        if all(r.value.status_code == 200 for r in together.results):
            counts = [told(r.value) for r in together.results]
            assert sum(done for done, _ in counts) == PEOPLE, f"round {round_no}: {counts}"
        assert broken_promises() == []
