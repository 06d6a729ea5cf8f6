"""The people list in the admin: what it hides and shows, its filters and search, its cost, and
hand-made filters in the address (the admin's "invalid lookup" behaviour, never a 500)."""

import pytest
from django.utils import timezone

from contacts.models import Operation, Stage
from tests.contacts.admin.pages import CHANGELIST, admin_url, messages_of, names_listed, row_of, workspaces_listed
from tests.factories import ContactFactory


def test_changelist_hides_recently_deleted_people_by_default(admin_client, workspace):
    ContactFactory(workspace=workspace, name="Active Ann")
    ContactFactory(workspace=workspace, name="Archived Bo", archived=True)
    ContactFactory(workspace=workspace, name="Deleted Cy", deleted=True)
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert names_listed(response) == {"Active Ann", "Archived Bo"}
    assert "Show Recently Deleted" in response.text
    assert names_listed(admin_client.get(CHANGELIST, {"state": "deleted"})) == {"Deleted Cy"}
    assert names_listed(admin_client.get(CHANGELIST, {"state": "all"})) == {"Active Ann", "Archived Bo", "Deleted Cy"}


def test_changelist_query_count_does_not_grow_with_the_page(
    admin_client, workspace, member, django_assert_max_num_queries
):
    ContactFactory.create_batch(30, workspace=workspace, assignee=member)
    with django_assert_max_num_queries(10):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_archived_and_stage_filters_and_search_narrow_the_list(admin_client, workspace):
    ContactFactory(workspace=workspace, name="Ann Ames", stage=Stage.LEAD, company="Globex")
    ContactFactory(workspace=workspace, name="Bo Bell", archived=True, email="bo@initech.example")
    assert names_listed(admin_client.get(CHANGELIST, {"archived": "yes"})) == {"Bo Bell"}
    assert names_listed(admin_client.get(CHANGELIST, {"archived": "no"})) == {"Ann Ames"}
    assert names_listed(admin_client.get(CHANGELIST, {"stage__exact": "lead"})) == {"Ann Ames"}
    assert names_listed(admin_client.get(CHANGELIST, {"q": "globex"})) == {"Ann Ames"}
    assert names_listed(admin_client.get(CHANGELIST, {"q": "initech"})) == {"Bo Bell"}


def test_assignee_and_workspace_filters(admin_client, workspace, other_workspace, member):
    ContactFactory(workspace=workspace, name="Ann Ames", assignee=member)
    ContactFactory(workspace=workspace, name="Bo Bell")
    ContactFactory(workspace=other_workspace, name="Rival Ray")
    assert names_listed(admin_client.get(CHANGELIST, {"assignee__id__exact": member.pk})) == {"Ann Ames"}
    assert names_listed(admin_client.get(CHANGELIST, {"workspace__id__exact": other_workspace.pk})) == {"Rival Ray"}


def test_delete_selected_is_not_offered(admin_client):
    actions = dict(admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert "delete_selected" not in actions
    assert {"archive_people", "restore_people", "delete_people", "undelete_people"} <= set(actions)


BAD_FILTERS = [
    ("contact", "stage=%00"),
    ("contact", "stage__exact=%00"),
    ("contact", "stage__exact=lead%00"),
    ("contact", "assignee__id__exact=%00"),
    ("contact", "created_at__year=99999999999"),
    ("contact", "name__regex=%5B"),
    ("contact", "e=1&stage__exact=%00"),
    ("suppression", "kind=%00"),
    ("suppression", "kind__exact=%00"),
    ("suppression", "workspace__id__exact=1%00"),
    ("discoveredperson", "kind__exact=%00"),
    ("discoveredperson", "dismissed_at__isempty=%00"),
    ("discoveredperson", "last_seen_at__year=99999999999"),
    ("operation", "at__year=99999999999"),
    ("operation", "at__year=9999"),
    ("operation", "at__year=2026&at__month=99999999999"),
    ("operation", "at__year=9999&at__month=12"),
    ("operation", "at__year=9999&at__month=12&at__day=31"),
    ("operation", "action=%00"),
    ("operation", "at__lt=%00"),
    ("deletedaddress", "kind__exact=%00"),
    ("deletedaddress", "purged_at__year=99999999999"),
    ("workspace", "name=%00"),
    ("workspace", "label_set=%00"),
]


@pytest.mark.parametrize(("model", "query"), BAD_FILTERS)
def test_a_bad_filter_in_the_address_shows_the_whole_list_with_an_error(admin_client, workspace, model, query):
    row_of(model, workspace, "Acme")
    url = admin_url(model, "changelist")
    response = admin_client.get(f"{url}?{query}")
    assert (response.status_code, response["Location"]) == (302, f"{url}?e=1")
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert messages_of(page) == ["The filter in the address is not valid here, so the whole list is shown."]
    assert workspaces_listed(page) == {"Acme"}


def test_the_filters_the_admin_offers_still_work(admin_client, workspace, boss):
    Operation.objects.create(workspace=workspace, actor=boss, action="archive", at=timezone.now())
    url = admin_url("operation", "changelist")
    this_year = timezone.now().year
    assert len(admin_client.get(url, {"at__year": this_year}).context["cl"].result_list) == 1
    assert len(admin_client.get(url, {"at__year": this_year - 1}).context["cl"].result_list) == 0
    assert len(admin_client.get(url, {"action": "archive"}).context["cl"].result_list) == 1
    listed = admin_client.get(admin_url("discoveredperson", "changelist"), {"dismissed_at__isempty": "1"})
    assert listed.status_code == 200
