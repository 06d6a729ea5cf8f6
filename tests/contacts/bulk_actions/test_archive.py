"""Confirming archive: exactly the eligible people of the ticked ids or of a select-all, in few queries."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from tests.contacts.bulk_actions.dialogs import confirm, dialog, snapshot
from tests.factories import ContactFactory, MembershipFactory
from tests.helpers import HTMX, ids, visible_text


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
