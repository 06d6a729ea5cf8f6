"""Staff who are not superusers: their own workspaces only, under their role there."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contacts.models import Contact, Membership, Operation, Role, Stage, Workspace
from sync.models import DiscoveredPerson, Suppression
from tests.contacts.admin.pages import (
    CHANGELIST,
    admin_url,
    change_form_data,
    change_url,
    delete_url,
    messages_of,
    row_of,
    run_action,
    workspaces_listed,
)
from tests.factories import ContactFactory, MembershipFactory, UserFactory, WorkspaceFactory

ADMINS = ["contact", "suppression", "discoveredperson", "operation", "deletedaddress", "workspace"]


@pytest.fixture
def bravo(db):
    """A second workspace the staff member belongs to (Rivals is the one they do not)."""
    return WorkspaceFactory(name="Bravo", slug="bravo")


def make_staff(workspace, role, *permissions, username="stella"):
    """A staff member (not a superuser) of the workspace with only these model permissions."""
    user = UserFactory(username=username, first_name="Stella", last_name="Staff", is_staff=True)
    MembershipFactory(workspace=workspace, user=user, role=role)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=("contacts", "sync"), codename__in=permissions)
    )
    return user


def actions_offered(response) -> set[str]:
    form = response.context["action_form"]  # None when the list offers no action at all
    return set(dict(form.fields["action"].choices)) if form else set()


def every_permission(model: str) -> list[str]:
    return [f"{verb}_{model}" for verb in ("view", "add", "change", "delete")]


@pytest.mark.parametrize("model", ADMINS)
def test_staff_see_only_their_workspaces_rows_and_filters(client, model, workspace, bravo, other_workspace):
    staff = make_staff(workspace, Role.ADMIN, f"view_{model}")
    MembershipFactory(workspace=bravo, user=staff, role=Role.MEMBER)
    for team in (workspace, bravo, other_workspace):
        row_of(model, team, team.name)
    client.force_login(staff)
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert workspaces_listed(response) == {"Acme", "Bravo"}
    # Neither the rows nor the workspace filter's choices name the other workspace.
    assert "Acme" in response.text and "Rivals" not in response.text
    assert "rivals" not in response.text.lower()
    # Asking for the other workspace by its id finds nothing of it.
    if model != "workspace":
        filtered = client.get(admin_url(model, "changelist"), {"workspace__id__exact": other_workspace.pk})
        assert "rivals" not in filtered.text.lower()


@pytest.mark.parametrize("model", ADMINS)
def test_staff_get_not_found_for_another_workspaces_row_and_it_survives(client, model, workspace, other_workspace):
    staff = make_staff(workspace, Role.ADMIN, *every_permission(model))
    foreign = row_of(model, other_workspace, "Rivals")
    client.force_login(staff)
    for view in ("change", "delete", "history"):
        assert client.get(admin_url(model, view, foreign)).status_code == 404, view
    assert client.post(admin_url(model, "delete", foreign), {"post": "yes"}).status_code == 404
    assert type(foreign).objects.filter(pk=foreign.pk).exists()


def test_staff_contact_add_form_offers_only_their_workspaces_and_members(client, workspace, bravo, other_workspace):
    staff = make_staff(workspace, Role.MEMBER, "view_contact", "add_contact")
    MembershipFactory(workspace=bravo, user=staff, role=Role.MEMBER)
    MembershipFactory(
        workspace=other_workspace, user=UserFactory(username="rita", first_name="Rita", last_name="Rival")
    )
    client.force_login(staff)
    response = client.get(reverse("admin:contacts_contact_add"))
    form = response.context["adminform"].form
    assert set(form.fields["workspace"].queryset) == {workspace, bravo}
    assert [u.username for u in form.fields["assignee"].queryset] == ["stella"]
    assert "Rivals" not in response.text and ">rita</option>" not in response.text


def add_contact(client, **fields):
    response = client.get(reverse("admin:contacts_contact_add"))
    data = {**change_form_data(response), "name": "Forged Fay", "stage": "", **fields}
    return client.post(reverse("admin:contacts_contact_add"), data)


def test_staff_contact_add_form_refuses_a_forged_foreign_workspace(client, workspace, other_workspace):
    staff = make_staff(workspace, Role.ADMIN, "view_contact", "add_contact")
    client.force_login(staff)
    response = add_contact(client, workspace=other_workspace.pk)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["workspace"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Contact.objects.filter(name="Forged Fay").exists()


def test_staff_contact_add_form_refuses_an_assignee_who_is_not_a_member_there(
    client, workspace, bravo, other_workspace
):
    staff = make_staff(workspace, Role.ADMIN, "view_contact", "add_contact")
    bo = MembershipFactory(workspace=bravo, user=UserFactory(username="bo")).user
    MembershipFactory(workspace=bravo, user=staff)
    rita = MembershipFactory(workspace=other_workspace, user=UserFactory(username="rita")).user
    client.force_login(staff)
    foreign = add_contact(client, workspace=workspace.pk, assignee=rita.pk)
    assert foreign.context["adminform"].form.errors["assignee"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    elsewhere = add_contact(client, workspace=workspace.pk, assignee=bo.pk)
    assert elsewhere.context["adminform"].form.errors["assignee"] == [
        "The assignee must be a member of this workspace."
    ]
    assert not Contact.objects.filter(name="Forged Fay").exists()


def test_staff_autocomplete_offers_only_their_workspaces(client, workspace, other_workspace):
    client.force_login(make_staff(workspace, Role.MEMBER, "view_workspace", "view_contact", "add_contact"))
    query = {"app_label": "contacts", "model_name": "contact", "field_name": "workspace", "term": ""}
    response = client.get(reverse("admin:autocomplete"), query)
    assert [result["text"] for result in response.json()["results"]] == ["Acme"]


def test_staff_contact_change_form_offers_no_foreign_assignee(client, workspace, other_workspace):
    staff = make_staff(workspace, Role.MEMBER, "view_contact", "change_contact")
    MembershipFactory(
        workspace=other_workspace, user=UserFactory(username="rita", first_name="Rita", last_name="Rival")
    )
    person = ContactFactory(workspace=workspace, name="Own Olga")
    client.force_login(staff)
    response = client.get(change_url(person))
    assert response.status_code == 200 and "Own Olga" in response.text
    assert [u.username for u in response.context["adminform"].form.fields["assignee"].queryset] == ["stella"]
    assert ">rita</option>" not in response.text


def test_member_role_staff_cannot_lift_a_suppression(client, workspace):
    staff = make_staff(workspace, Role.MEMBER, *every_permission("suppression"))
    kept = Suppression.objects.create(workspace=workspace, kind="email", value="keep@example.com")
    client.force_login(staff)
    url = reverse("admin:sync_suppression_changelist")
    assert "lift" not in actions_offered(client.get(url))
    assert client.get(admin_url("suppression", "delete", kept)).status_code == 403
    assert client.post(admin_url("suppression", "delete", kept), {"post": "yes"}).status_code == 403
    forged = client.post(url, {"action": "lift", "_selected_action": [kept.pk]}, follow=True)
    assert "lifted" not in " ".join(messages_of(forged))
    assert list(Suppression.objects.all()) == [kept]


def test_staff_lift_only_where_they_manage_and_never_another_workspaces(client, workspace, bravo, other_workspace):
    staff = make_staff(workspace, Role.MANAGER, "view_suppression", "delete_suppression")
    MembershipFactory(workspace=bravo, user=staff, role=Role.MEMBER)
    own, managed_elsewhere, foreign = (
        row_of("suppression", team, team.name) for team in (workspace, bravo, other_workspace)
    )
    client.force_login(staff)
    url = reverse("admin:sync_suppression_changelist")
    selected = [own.pk, managed_elsewhere.pk, foreign.pk]
    response = client.post(url, {"action": "lift", "_selected_action": selected}, follow=True)
    assert messages_of(response) == [
        "1 suppression(s) lifted.",
        "1 not lifted: only admins and managers can lift a suppression (Bravo).",
    ]
    assert set(Suppression.objects.values_list("value", flat=True)) == {"bravo@supp.example", "rivals@supp.example"}


def test_member_role_staff_cannot_delete_people(client, workspace):
    staff = make_staff(workspace, Role.MEMBER, *every_permission("contact"))
    person = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    client.force_login(staff)
    actions = actions_offered(client.get(CHANGELIST))
    assert "delete_people" not in actions and "archive_people" in actions
    assert client.get(delete_url(person)).status_code == 403
    assert client.post(delete_url(person), {"post": "yes"}).status_code == 403
    forged = run_action(client, "delete_people", [person])
    assert "Recently Deleted" not in " ".join(messages_of(forged))
    person.refresh_from_db()
    assert person.deleted_at is None


def test_staff_actions_on_another_workspaces_rows_do_nothing(client, workspace, other_workspace):
    staff = make_staff(workspace, Role.MANAGER, *every_permission("contact"))
    own = ContactFactory(workspace=workspace, name="Own Olga", stage=Stage.PAST)
    foreign = ContactFactory(workspace=other_workspace, name="Rival Ray", stage=Stage.PAST)
    client.force_login(staff)
    response = run_action(client, "archive_people", [own, foreign])
    assert messages_of(response) == ["Acme: 1 archived, 0 skipped"]
    across = client.post(
        CHANGELIST, {"action": "archive_people", "select_across": "1", "_selected_action": [foreign.pk]}
    )
    assert across.status_code == 302
    foreign.refresh_from_db()
    assert foreign.archived_at is None
    assert not Operation.objects.filter(workspace=other_workspace).exists()


def test_staff_delete_selected_leaves_another_workspaces_discovered_people(client, workspace, other_workspace):
    staff = make_staff(workspace, Role.MANAGER, *every_permission("discoveredperson"))
    own, foreign = row_of("discoveredperson", workspace, "Acme"), row_of("discoveredperson", other_workspace, "Rivals")
    client.force_login(staff)
    url = reverse("admin:sync_discoveredperson_changelist")
    client.post(url, {"action": "delete_selected", "_selected_action": [own.pk, foreign.pk], "post": "yes"})
    assert list(DiscoveredPerson.objects.all()) == [foreign]


def test_member_role_staff_cannot_delete_discovered_people(client, workspace):
    staff = make_staff(workspace, Role.MEMBER, *every_permission("discoveredperson"))
    own = row_of("discoveredperson", workspace, "Acme")
    client.force_login(staff)
    url = reverse("admin:sync_discoveredperson_changelist")
    assert "delete_selected" not in actions_offered(client.get(url))
    client.post(url, {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"})
    assert client.post(admin_url("discoveredperson", "delete", own), {"post": "yes"}).status_code == 403
    assert list(DiscoveredPerson.objects.all()) == [own]


def workspace_staff(workspace, role):
    return make_staff(workspace, role, *every_permission("workspace"), *every_permission("membership"))


def test_member_role_staff_see_their_workspace_read_only(client, workspace, member):
    client.force_login(workspace_staff(workspace, Role.MEMBER))
    url = admin_url("workspace", "change", workspace)
    response = client.get(url)
    assert response.status_code == 200 and "Mia Member" in response.text
    [members] = response.context["inline_admin_formsets"]
    assert not members.has_add_permission and not members.has_change_permission
    data = {**change_form_data(response), "name": "Taken Over"}
    assert client.post(url, data).status_code == 403
    workspace.refresh_from_db()
    assert workspace.name == "Acme"
    assert Membership.objects.get(workspace=workspace, user__username="stella").role == Role.MEMBER


def test_admin_role_staff_manage_their_workspaces_members(client, workspace, member):
    client.force_login(workspace_staff(workspace, Role.ADMIN))
    url = admin_url("workspace", "change", workspace)
    response = client.get(url)
    data = change_form_data(response)
    formset = response.context["inline_admin_formsets"][0].formset
    index = next(i for i, form in enumerate(formset.forms) if form.instance.user_id == member.pk)
    data[f"{formset.prefix}-{index}-role"] = Role.MANAGER
    assert client.post(url, data).status_code == 302
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.MANAGER


def test_only_superusers_add_workspaces(client, workspace):
    client.force_login(workspace_staff(workspace, Role.ADMIN))
    add = reverse("admin:contacts_workspace_add")
    assert client.get(add).status_code == 403
    assert client.post(add, {"name": "Mine", "slug": "mine", "label_set": "standard"}).status_code == 403
    assert not Workspace.objects.filter(slug="mine").exists()
