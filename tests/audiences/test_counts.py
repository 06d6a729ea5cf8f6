"""The counts beside the audiences in the switcher: one grouped query, the same people as each list."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audiences.registry import AUDIENCES, audience_counts
from tests.audiences.test_registry import MEMBERS, cast  # noqa: F401  (cast is a fixture)
from tests.factories import ContactFactory


def test_each_count_is_the_number_of_people_in_that_audience(workspace, member, cast):  # noqa: F811
    assert audience_counts(workspace, member) == {slug: len(keys) for slug, keys in MEMBERS.items()}


def test_the_counts_agree_with_the_lists_they_stand_beside(workspace, member, cast):  # noqa: F811
    counts = audience_counts(workspace, member)
    assert counts == {slug: a.people_for(workspace, member).count() for slug, a in AUDIENCES.items()}


@pytest.mark.parametrize("people", [3, 30])
def test_all_the_counts_are_one_query_however_many_people(django_assert_num_queries, workspace, member, people):
    ContactFactory.create_batch(people, workspace=workspace)
    with django_assert_num_queries(1) as captured:
        counts = audience_counts(workspace, member)
    assert counts["my-people"] == people
    assert "GROUP BY" not in captured.captured_queries[0]["sql"].upper()  # one row: filtered counts


def test_recently_deleted_counts_only_within_the_workspace_retention(workspace, member, cast):  # noqa: F811
    workspace.retention_days = 60
    assert audience_counts(workspace, member)["deleted"] == 2
    workspace.retention_days = 0
    assert audience_counts(workspace, member)["deleted"] == 0


def test_the_switcher_shows_each_count_beside_its_audience_link(as_member, workspace, cast):  # noqa: F811
    body = as_member.get("/people/").content.decode()
    for slug, keys in MEMBERS.items():
        link = re.search(
            rf'<a href="/people/\?audience={slug}[^"]*"[^>]*aria-describedby="(audience-count-{slug})"', body
        )
        assert link, slug
        assert re.search(rf'id="{link.group(1)}">{len(keys)}</span>', body), slug


def test_the_people_page_pays_one_query_for_all_the_counts(as_member, workspace):
    """The counts add exactly one statement to the page, not one per audience."""
    with CaptureQueriesContext(connection) as queries:
        as_member.get("/people/")
    counting = [q["sql"] for q in queries if q["sql"].upper().count("COUNT(") >= len(AUDIENCES)]
    assert len(counting) == 1
