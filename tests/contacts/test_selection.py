"""Parsing what the user looks at and what they picked: ids, "all", the search and the stage filter."""

import pytest
from django.http import QueryDict

from audiences.registry import ARCHIVED, MY_PEOPLE, RECENTLY_DELETED
from contacts.exceptions import BadSelection
from contacts.models import Contact, Stage
from contacts.selection import MAX_SEARCH_LENGTH, PeopleFilter, Selection, parse_ids
from tests.factories import ContactFactory, MembershipFactory


def params(query: str) -> QueryDict:
    return QueryDict(query)


# --- parse_ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, expected",
    [
        (["1,2,3"], (1, 2, 3)),
        (["3", "1", "2"], (3, 1, 2)),
        (["1,2", "3"], (1, 2, 3)),
        ([" 1 , 2 "], (1, 2)),
        (["1,,2,"], (1, 2)),
        (["2,1,2,1"], (2, 1)),
        (["007"], (7,)),
        (["0"], (0,)),
        (["9" * 18], (int("9" * 18),)),
        ([], ()),
        ([""], ()),
        ([",", " , "], ()),
    ],
)
def test_parse_ids_reads_comma_separated_and_repeated_ids_in_order_without_duplicates(values, expected):
    assert parse_ids(values) == expected


@pytest.mark.parametrize(
    "value", ["abc", "1;DROP TABLE x", "-1", "+1", "1.5", "1e3", "0x10", "1 2", "9" * 19, "NaN", "None"]
)
def test_parse_ids_refuses_anything_that_is_not_a_plain_id(value):
    with pytest.raises(BadSelection) as error:
        parse_ids(["1", value])
    assert "is not a person's id." in error.value.message


def test_parse_ids_shortens_a_long_bad_value_in_its_message():
    with pytest.raises(BadSelection) as error:
        parse_ids(["x" * 1000])
    assert len(error.value.message) < 60


@pytest.mark.parametrize("value", ["²", "¹²", "1²", "١"])
def test_parse_ids_refuses_unicode_digits_with_a_message(value):
    # '١' (Arabic-Indic one) is even read as id 1 today.
    with pytest.raises(BadSelection):
        parse_ids([value])


# --- PeopleFilter ------------------------------------------------------------------------------


def test_an_empty_filter_is_inactive_and_has_no_params():
    people_filter = PeopleFilter.from_params(params(""))
    assert people_filter == PeopleFilter(q="", stage=None, blocked="")
    assert not people_filter.active
    assert people_filter.as_params() == {}


def test_the_search_is_trimmed():
    assert PeopleFilter.from_params(params("q=%20%20pat%20")).q == "pat"


def test_a_blank_search_is_no_search():
    assert not PeopleFilter.from_params(params("q=%20%20")).active


def test_a_search_at_the_limit_is_fine_and_one_longer_is_refused():
    assert PeopleFilter.from_params(params("q=" + "x" * MAX_SEARCH_LENGTH)).q == "x" * MAX_SEARCH_LENGTH
    with pytest.raises(BadSelection, match="too long"):
        PeopleFilter.from_params(params("q=" + "x" * (MAX_SEARCH_LENGTH + 1)))


@pytest.mark.parametrize("stage", ["lead", "potential", "active", "past", "lost"])
def test_each_stage_key_is_a_filter(stage):
    people_filter = PeopleFilter.from_params(params(f"stage={stage}"))
    assert people_filter.stage == stage and people_filter.active
    assert people_filter.as_params() == {"stage": stage}


def test_stage_none_means_people_without_a_stage():
    people_filter = PeopleFilter.from_params(params("stage=none"))
    assert people_filter.stage == "" and people_filter.active
    assert people_filter.as_params() == {"stage": "none"}


def test_an_empty_stage_means_every_stage():
    assert PeopleFilter.from_params(params("stage=")).stage is None


@pytest.mark.parametrize("stage", ["bogus", "Lead", "LEAD", "No stage", " lead", "None", "'; --"])
def test_anything_but_a_stage_key_is_refused(stage):
    with pytest.raises(BadSelection, match="Unknown stage filter"):
        PeopleFilter.from_params(QueryDict(mutable=True) | {"stage": stage})


@pytest.mark.parametrize("action", ["archive", "delete", "restore", "undelete", "purge", "remove_assignee"])
def test_blocked_accepts_an_action_name(action):
    people_filter = PeopleFilter.from_params(params(f"blocked={action}"))
    assert people_filter.blocked == action and people_filter.active
    assert people_filter.as_params() == {"blocked": action}


def test_blocked_refuses_anything_else():
    with pytest.raises(BadSelection, match="Unknown action 'explode' in the filter."):
        PeopleFilter.from_params(params("blocked=explode"))


def test_the_blocked_label_names_the_action():
    assert PeopleFilter(blocked="archive").blocked_label == "who cannot be archived"
    assert PeopleFilter().blocked_label == ""


def test_as_params_round_trips():
    original = PeopleFilter.from_params(params("q=pat&stage=none&blocked=archive"))
    query = QueryDict(mutable=True)
    query.update(original.as_params())
    assert PeopleFilter.from_params(query) == original


def test_apply_searches_name_email_and_company_case_insensitively(workspace):
    by_name = ContactFactory(workspace=workspace, name="Pat Quinn", email="a@x.org", company="Acme")
    by_email = ContactFactory(workspace=workspace, name="Sam", email="quinn@x.org", company="Acme")
    by_company = ContactFactory(workspace=workspace, name="Lee", email="b@x.org", company="QUINN & Sons")
    ContactFactory(workspace=workspace, name="Other", email="c@x.org", company="Acme")
    found = PeopleFilter(q="qUiNn").apply(Contact.objects.all(), workspace)
    assert set(found) == {by_name, by_email, by_company}


def test_apply_combines_search_and_stage(workspace):
    # The search also reads email and company: pinned, so a random company cannot match "pat".
    match = ContactFactory(workspace=workspace, name="Pat One", stage=Stage.NONE, company="Acme")
    ContactFactory(workspace=workspace, name="Pat Two", stage=Stage.LOST, company="Acme")
    ContactFactory(workspace=workspace, name="Sam", stage=Stage.NONE, company="Acme")
    assert list(PeopleFilter(q="pat", stage="").apply(Contact.objects.all(), workspace)) == [match]


def test_apply_blocked_keeps_only_those_the_action_would_skip(workspace):
    ContactFactory(workspace=workspace, stage=Stage.LOST)
    active = ContactFactory(workspace=workspace, stage=Stage.ACTIVE)
    assigned = ContactFactory(workspace=workspace, assigned=True)
    archived = ContactFactory(workspace=workspace, archived=True)
    blocked = PeopleFilter(blocked="archive").apply(Contact.objects.all(), workspace)
    assert set(blocked) == {active, assigned, archived}


# --- Selection ---------------------------------------------------------------------------------


def test_the_audience_defaults_to_my_people():
    assert Selection.from_params(params("ids=1")).audience is MY_PEOPLE


@pytest.mark.parametrize("slug, audience", [("archived", ARCHIVED), ("deleted", RECENTLY_DELETED)])
def test_the_audience_is_read_from_its_slug(slug, audience):
    assert Selection.from_params(params(f"audience={slug}&ids=1")).audience is audience


@pytest.mark.parametrize("slug", ["vips", "My People", "ARCHIVED", "stage-bogus"])
def test_an_unknown_audience_is_refused(slug):
    with pytest.raises(BadSelection, match="Unknown audience."):
        Selection.from_params(QueryDict(mutable=True) | {"audience": slug, "ids": "1"})


def test_ids_are_the_default_kind_of_selection():
    selection = Selection.from_params(params("ids=4,5"))
    assert selection.ids == (4, 5) and not selection.is_all


def test_select_all_ignores_ids_and_keeps_the_filter():
    selection = Selection.from_params(params("audience=archived&selection=all&ids=1,2&q=pat&stage=lost"))
    assert selection.is_all and selection.ids is None
    assert selection.filter == PeopleFilter(q="pat", stage="lost")


def test_select_all_never_needs_ids():
    assert Selection.from_params(params("selection=all")).is_all


@pytest.mark.parametrize("mode", ["some", "ALL", "none", "1"])
def test_an_unknown_kind_of_selection_is_refused(mode):
    with pytest.raises(BadSelection, match="Unknown kind of selection."):
        Selection.from_params(params(f"selection={mode}&ids=1"))


@pytest.mark.parametrize("query", ["", "ids=", "selection=ids", "ids=,,,"])
def test_an_empty_selection_is_refused(query):
    with pytest.raises(BadSelection, match="Select at least one person first."):
        Selection.from_params(params(query))


def test_too_many_ticked_ids_are_refused_but_the_limit_is_fine(settings):
    settings.MAX_SELECTED_IDS = 3
    assert len(Selection.from_params(params("ids=1,2,3,3,3")).ids) == 3
    with pytest.raises(BadSelection, match="Select all"):
        Selection.from_params(params("ids=1,2,3,4"))


def test_a_bad_filter_is_refused_even_with_ids():
    with pytest.raises(BadSelection, match="Unknown stage filter"):
        Selection.from_params(params("ids=1&stage=bogus"))


def test_as_params_round_trips_ids_and_all():
    for query in ("audience=archived&selection=ids&ids=3,1", "audience=stage-lead&selection=all&q=pat&stage=none"):
        selection = Selection.from_params(params(query))
        again = QueryDict(mutable=True)
        for name, value in selection.as_params():
            again.appendlist(name, value)
        assert Selection.from_params(again) == selection


def test_ticked_people_are_taken_from_the_workspace_only(workspace, other_workspace, member):
    mine = ContactFactory(workspace=workspace)
    archived = ContactFactory(workspace=workspace, archived=True)
    foreign = ContactFactory(workspace=other_workspace)
    selection = Selection.from_params(params(f"ids={mine.pk},{archived.pk},{foreign.pk}"))
    # Ticked people are taken even if they left the audience since; the action's rules skip them.
    assert set(selection.people(workspace, member)) == {mine, archived}


def test_check_ids_exist_refuses_unknown_and_foreign_ids(workspace, other_workspace):
    mine = ContactFactory(workspace=workspace)
    deleted = ContactFactory(workspace=workspace, deleted=True)
    foreign = ContactFactory(workspace=other_workspace)
    Selection.from_params(params(f"ids={mine.pk},{deleted.pk}")).check_ids_exist(workspace)
    with pytest.raises(BadSelection) as error:
        Selection.from_params(params(f"ids={mine.pk},{foreign.pk},999999")).check_ids_exist(workspace)
    assert error.value.message == (
        "2 of the selected people could not be found in your workspace. "
        "Nothing was changed; reload the page and select again."
    )


def test_check_ids_exist_is_not_needed_for_select_all(workspace):
    Selection.from_params(params("selection=all")).check_ids_exist(workspace)


def test_select_all_takes_the_audience_under_the_filter(workspace, member):
    # Companies pinned: the search also reads them, and a random one could match "pat".
    lost = ContactFactory(workspace=workspace, stage=Stage.LOST, name="Pat Lost", company="Acme")
    ContactFactory(workspace=workspace, stage=Stage.LOST, name="Sam Lost", company="Acme")
    ContactFactory(workspace=workspace, stage=Stage.PAST, name="Pat Past", company="Acme")
    ContactFactory(workspace=workspace, stage=Stage.LOST, name="Pat Archived", archived=True, company="Acme")
    ContactFactory(stage=Stage.LOST, name="Pat Foreign", company="Acme")
    selection = Selection.from_params(params("audience=my-people&selection=all&stage=lost&q=pat"))
    assert list(selection.people(workspace, member)) == [lost]


def test_select_all_in_assigned_to_me_depends_on_who_asks(workspace, member):
    mine = ContactFactory(workspace=workspace, assignee=member)
    someone = MembershipFactory(workspace=workspace).user
    theirs = ContactFactory(workspace=workspace, assignee=someone)
    selection = Selection.from_params(params("audience=assigned-to-me&selection=all"))
    assert list(selection.people(workspace, member)) == [mine]
    assert list(selection.people(workspace, someone)) == [theirs]


def test_the_selected_people_query_reads_one_table_so_a_bulk_update_can_use_it(workspace, member):
    for query in ("audience=assigned-to-me&selection=all&q=x&stage=none", "ids=1,2", "audience=deleted&selection=all"):
        sql = str(Selection.from_params(params(query)).people(workspace, member).query)
        assert "JOIN" not in sql
