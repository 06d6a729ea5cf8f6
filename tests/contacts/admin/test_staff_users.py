"""The admin's User list: staff who are not superusers see their colleagues, not every account."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contacts.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory

USERS = reverse("admin:auth_user_changelist")


@pytest.fixture
def people(workspace, other_workspace):
    """Stella (staff, admin of Acme), her colleague Cole, and Rita of Rivals, and Nobody of nowhere."""
    stella = UserFactory(
        username="stella", first_name="Stella", last_name="Staff", email="stella@acme.example", is_staff=True
    )
    stella.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "view_workspace", "change_workspace", "view_membership"])
    )
    MembershipFactory(workspace=workspace, user=stella, role=Role.ADMIN)
    cole = UserFactory(username="cole", first_name="Cole", last_name="Colleague", email="cole@acme.example")
    MembershipFactory(workspace=workspace, user=cole, role=Role.MEMBER)
    rita = UserFactory(username="rita", first_name="Rita", last_name="Rival", email="rita@rivals.example")
    MembershipFactory(workspace=other_workspace, user=rita, role=Role.ADMIN)
    nobody = UserFactory(username="nobody", first_name="Nora", last_name="Nobody", email="nobody@nowhere.example")
    return {"stella": stella, "cole": cole, "rita": rita, "nobody": nobody}


def usernames_listed(response) -> list[str]:
    return sorted(user.username for user in response.context["cl"].result_list)


def form_values(form) -> dict:
    """What the browser would send back for the form as it was shown."""
    return {form.add_prefix(name): value for name in form.fields if (value := form[name].value()) is not None}


def autocomplete(client, term, model_name="membership", field_name="user"):
    query = {"app_label": "contacts", "model_name": model_name, "field_name": field_name, "term": term}
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200, response.content
    return sorted(result["text"] for result in response.json()["results"])


def test_staff_with_view_user_see_only_their_colleagues(client, people):
    client.force_login(people["stella"])
    response = client.get(USERS)
    assert response.status_code == 200
    assert usernames_listed(response) == ["cole", "stella"]
    assert "rita" not in response.text and "nobody" not in response.text
    # A search does not reach past the colleagues either.
    assert usernames_listed(client.get(USERS, {"q": "rita"})) == []


def test_another_workspaces_user_page_is_not_found(client, people):
    client.force_login(people["stella"])
    for outsider in ("rita", "nobody"):
        page = reverse("admin:auth_user_change", args=[people[outsider].pk])
        assert client.get(page).status_code == 404, outsider
    colleague = reverse("admin:auth_user_change", args=[people["cole"].pk])
    assert client.get(colleague).status_code == 200


def test_superusers_still_see_everyone(client, people):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert usernames_listed(client.get(USERS)) == ["cole", "nobody", "rita", "root", "stella"]


def test_adding_a_member_finds_an_outsider_only_by_the_whole_username_or_email(client, people):
    client.force_login(people["stella"])
    assert autocomplete(client, "") == ["cole", "stella"]
    assert autocomplete(client, "ri") == []
    assert autocomplete(client, "rivals.example") == []
    assert autocomplete(client, "rita") == ["rita"]
    assert autocomplete(client, "NOBODY@nowhere.example") == ["nobody"]
    # A fragment still finds colleagues, as before.
    assert autocomplete(client, "co") == ["cole"]


def test_the_whole_username_trick_is_only_for_adding_a_member(client, people):
    # The user field of another form (a contact's assignee) keeps to colleagues.
    people["stella"].user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "change_contact"]))
    client.force_login(people["stella"])
    assert autocomplete(client, "rita", model_name="contact", field_name="assignee") == []


def test_an_outsider_found_by_username_can_be_added_as_a_member(client, people, workspace):
    stella = people["stella"]
    stella.user_permissions.add(*Permission.objects.filter(codename__in=["add_membership", "change_membership"]))
    client.force_login(stella)
    page = reverse("admin:contacts_workspace_change", args=[workspace.pk])
    shown = client.get(page).context
    data = form_values(shown["adminform"].form)
    members = shown["inline_admin_formsets"][0].formset
    data.update(form_values(members.management_form))
    for form in members.forms:
        data.update(form_values(form))
    added = members.forms[-1]  # the empty one
    data[added.add_prefix("user")] = people["rita"].pk
    data[added.add_prefix("role")] = Role.MEMBER
    response = client.post(page, data)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    assert Membership.objects.filter(workspace=workspace, user=people["rita"], role=Role.MEMBER).exists()
