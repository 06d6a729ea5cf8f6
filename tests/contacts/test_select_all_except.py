""" "Select all" with some people unticked (#11.8): selection=all, the audience and filter, and the
`except` ids. The dialog and the action act on everyone matching minus those."""

import html
import re

import pytest
from django.http import QueryDict
from django.utils.http import urlencode

from contacts.exceptions import BadSelection
from contacts.models import Contact, Stage
from contacts.selection import Selection
from tests.factories import ContactFactory
from tests.helpers import HTMX, ids, visible_text


def params(query: str) -> QueryDict:
    return QueryDict(query)


@pytest.fixture
def five(workspace):
    """Five people in My People: three Lost ones named Pat, a Past Pat, and Sam."""
    return [
        ContactFactory(workspace=workspace, name="Pat One", stage=Stage.LOST),
        ContactFactory(workspace=workspace, name="Pat Two", stage=Stage.LOST),
        ContactFactory(workspace=workspace, name="Pat Three", stage=Stage.LOST),
        ContactFactory(workspace=workspace, name="Pat Four", stage=Stage.PAST),
        ContactFactory(workspace=workspace, name="Sam Five", stage=Stage.LOST),
    ]


# --- Selection ---------------------------------------------------------------------------------


def test_select_all_reads_the_people_left_out(five):
    selection = Selection.from_params(params(f"selection=all&except={ids(five[0], five[2])}"))
    assert selection.is_all
    assert selection.excluded == (five[0].pk, five[2].pk)


def test_select_all_without_exceptions_leaves_no_one_out():
    assert Selection.from_params(params("selection=all")).excluded == ()
    assert Selection.from_params(params("selection=all&except=")).excluded == ()


def test_the_people_left_out_are_not_selected(workspace, member, five):
    selection = Selection.from_params(params(f"selection=all&except={ids(five[1], five[4])}"))
    assert set(selection.people(workspace, member)) == {five[0], five[2], five[3]}


def test_the_people_left_out_combine_with_the_search_and_the_stage(workspace, member, five):
    selection = Selection.from_params(params(f"selection=all&q=pat&stage=lost&except={ids(five[0])}"))
    assert set(selection.people(workspace, member)) == {five[1], five[2]}


def test_leaving_out_someone_outside_the_selection_changes_nothing(workspace, other_workspace, member, five):
    """Unknown, foreign and already-gone ids among the exceptions are ignored: they can only narrow."""
    foreign = ContactFactory(workspace=other_workspace, stage=Stage.LOST)
    archived = ContactFactory(workspace=workspace, archived=True)
    selection = Selection.from_params(params(f"selection=all&except={ids(foreign, archived)},999999"))
    selection.check_ids_exist(workspace)
    assert set(selection.people(workspace, member)) == set(five)


@pytest.mark.parametrize("value", ["abc", "-1", "1;DROP TABLE x", "9" * 19, "١"])
def test_an_exception_that_is_not_an_id_is_refused(value):
    with pytest.raises(BadSelection, match="is not a person's id."):
        Selection.from_params(params(urlencode({"selection": "all", "except": f"1,{value}"})))


def test_too_many_exceptions_are_refused_but_the_limit_is_fine(settings):
    settings.MAX_SELECTED_IDS = 3
    assert Selection.from_params(params("selection=all&except=1,2,3")).excluded == (1, 2, 3)
    with pytest.raises(BadSelection, match="Too many people unticked"):
        Selection.from_params(params("selection=all&except=1,2,3,4"))


def test_exceptions_go_only_with_select_all():
    with pytest.raises(BadSelection, match="Leaving people out only goes with “Select all”."):
        Selection.from_params(params("selection=ids&ids=1,2&except=2"))
    assert Selection.from_params(params("selection=ids&ids=1,2&except=")).excluded == ()


def test_as_params_carries_the_exceptions_and_round_trips():
    selection = Selection.from_params(params("audience=archived&selection=all&q=pat&except=7,3"))
    assert ("except", "7,3") in selection.as_params()
    again = QueryDict(mutable=True)
    for name, value in selection.as_params():
        again.appendlist(name, value)
    assert Selection.from_params(again) == selection
    assert not any(name == "except" for name, _ in Selection.from_params(params("selection=all")).as_params())


def test_the_selected_people_query_still_reads_one_table(workspace, member):
    sql = str(Selection.from_params(params("selection=all&q=x&except=1,2")).people(workspace, member).query)
    assert "JOIN" not in sql


# --- the dialog and the action --------------------------------------------------------------------


def test_the_dialog_counts_everyone_matching_minus_the_people_left_out(as_member, five):
    five[3].stage = Stage.ACTIVE
    five[3].save()
    response = as_member.post(
        "/bulk/archive/dialog/", {"selection": "all", "q": "pat", "except": ids(five[1])}, headers=HTMX
    )
    text = visible_text(response)
    assert response.status_code == 200
    assert "Archive 3 people?" in text
    assert "2 people will be archived. 1 cannot be, and will be left as they are." in text
    assert "Pat Four (Active)" in text
    assert "Pat Two" not in text and "Sam Five" not in text
    # The confirm form carries the same selection, exceptions included.
    assert f'<input type="hidden" name="except" value="{five[1].pk}">' in response.content.decode()
    assert not Contact.objects.archived().exists()


def dialog_fields(response) -> dict:
    """The hidden fields of the dialog's confirm form, as the browser would send them back."""
    body = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body))


def test_confirming_archives_everyone_matching_except_the_people_left_out(as_member, workspace, five):
    dialog = as_member.post(
        "/bulk/archive/dialog/", {"selection": "all", "except": ids(five[0], five[4])}, headers=HTMX
    )
    assert "Archive 3 people?" in visible_text(dialog)
    response = as_member.post("/bulk/archive/", dialog_fields(dialog), headers=HTMX)
    assert "3 people archived" in visible_text(response)
    archived = set(Contact.objects.archived().values_list("name", flat=True))
    assert archived == {"Pat Two", "Pat Three", "Pat Four"}


def test_the_delete_dialog_and_confirm_leave_the_exceptions_in_archived_people(as_admin, workspace):
    archived = [ContactFactory(workspace=workspace, name=f"Arch {i}", archived=True) for i in range(4)]
    dialog = as_admin.post(
        "/bulk/delete/dialog/", {"audience": "archived", "selection": "all", "except": ids(archived[2])}
    )
    assert "Delete 3 people?" in visible_text(dialog)
    response = as_admin.post("/bulk/delete/", dialog_fields(dialog))
    assert response.status_code == 302
    assert set(Contact.objects.deleted().values_list("name", flat=True)) == {"Arch 0", "Arch 1", "Arch 3"}
    assert Contact.objects.get(name="Arch 2").deleted_at is None


def test_leaving_everyone_out_selects_no_one_and_changes_nothing(as_member, five):
    response = as_member.post("/bulk/archive/dialog/", {"selection": "all", "except": ids(*five)}, headers=HTMX)
    assert "Archive 0 people?" in visible_text(response)
    assert "No one here can be archived." in visible_text(response)
    assert "Close" in visible_text(response)
    assert not Contact.objects.archived().exists()


def narrow_button(response) -> str:
    found = re.search(r"<button [^>]*data-narrow[^>]*>[^<]*</button>", response.content.decode())
    assert found, "no narrowing button"
    return html.unescape(found.group(0))


def test_narrowing_to_those_who_cannot_keeps_only_the_exceptions_among_them(as_member, workspace, member, five):
    """QA walk-through: after "Select all", one unticked, "Select only the … who cannot be archived" kept the
    exception, so the banner and the round button counted one fewer than the next dialog."""
    for pat in five[:3]:
        pat.stage = Stage.ACTIVE
        pat.save()
    # Pat One (cannot be archived) and Sam Five (can) are unticked.
    response = as_member.post(
        "/bulk/archive/dialog/", {"selection": "all", "except": ids(five[0], five[4])}, headers=HTMX
    )
    button = narrow_button(response)
    assert "Select only the 2 who cannot be archived" in button
    assert 'data-narrow-blocked="archive"' in button
    assert f'data-narrow-except="{five[0].pk}"' in button  # Sam Five can be archived: not in the new selection

    narrowed = Selection.from_params(params(f"selection=all&except={ids(five[0], five[4])}")).narrowed_to_blocked(
        "archive", workspace, member
    )
    assert narrowed.filter.blocked == "archive" and narrowed.excluded == (five[0].pk,)
    assert set(narrowed.people(workspace, member)) == {five[1], five[2]}
    # The next dialog, over the narrowed selection, counts the same two.
    again = as_member.post("/bulk/archive/dialog/", dict(narrowed.as_params()), headers=HTMX)
    assert "Archive 2 people?" in visible_text(again)
