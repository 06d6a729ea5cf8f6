"""The view a user chose (Table, or List and Details) is remembered only when they choose it:
a page that merely shows a view, such as a person's page, writes nothing."""

from tests.factories import ContactFactory


def test_opening_a_person_without_naming_a_view_does_not_change_the_remembered_one(as_member, member, workspace):
    person = ContactFactory(workspace=workspace)
    assert as_member.get(f"/people/{person.pk}/").status_code == 200  # shown in List and Details View
    assert member.memberships.get().people_view == "table"
    assert 'class="people-table"' in as_member.get("/people/").content.decode()


def test_naming_a_view_in_the_address_is_the_choice_that_is_remembered(as_member, member, workspace):
    person = ContactFactory(workspace=workspace)
    as_member.get(f"/people/{person.pk}/?view=list")  # a person's link in the list names the view
    assert member.memberships.get().people_view == "list"


def test_an_unknown_view_in_the_address_changes_nothing(as_member, member):
    assert as_member.get("/people/?view=grid").status_code == 200
    assert member.memberships.get().people_view == "table"
