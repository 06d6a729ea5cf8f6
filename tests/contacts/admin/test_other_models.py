"""The other models in the admin: workspaces and members, suppressions, operations, the timeline of edits."""

import pytest
from django.urls import reverse

from contacts.models import Contact, EntryKind, Membership, Operation, Role, Stage
from sync.models import Suppression
from tests.contacts.admin.pages import change_form_data, change_url, messages_of
from tests.factories import ContactFactory


def test_workspace_page_manages_members_and_roles(admin_client, workspace, member):
    url = reverse("admin:contacts_workspace_change", args=[workspace.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    data = change_form_data(response)
    prefix = response.context["inline_admin_formsets"][0].formset.prefix
    forms = response.context["inline_admin_formsets"][0].formset.forms
    index = next(i for i, form in enumerate(forms) if form.instance.user_id == member.pk)
    data[f"{prefix}-{index}-role"] = Role.MANAGER
    assert admin_client.post(url, data).status_code == 302
    assert Membership.objects.get(workspace=workspace, user=member).role == Role.MANAGER


def test_a_workspace_with_people_cannot_be_deleted_from_the_admin(admin_client, workspace):
    ContactFactory(workspace=workspace)
    response = admin_client.post(reverse("admin:contacts_workspace_delete", args=[workspace.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Contact.objects.filter(workspace=workspace).exists()


def test_suppressions_are_listed_searched_and_lifted(admin_client, workspace):
    kept = Suppression.objects.create(workspace=workspace, kind="email", value="keep@example.com")
    lifted = Suppression.objects.create(workspace=workspace, kind="email", value="lift@example.com")
    url = reverse("admin:sync_suppression_changelist")
    assert [s.value for s in admin_client.get(url, {"q": "lift"}).context["cl"].result_list] == ["lift@example.com"]
    response = admin_client.post(url, {"action": "lift", "_selected_action": [lifted.pk]}, follow=True)
    assert messages_of(response) == ["1 suppression(s) lifted."]
    assert list(Suppression.objects.all()) == [kept]


def test_operations_are_read_only(admin_client, workspace, boss):
    operation = Operation.objects.create(workspace=workspace, actor=boss, action="archive", count=3)
    assert admin_client.get(reverse("admin:contacts_operation_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:contacts_operation_change", args=[operation.pk]))
    assert response.status_code == 200 and 'type="submit"' not in response.text.split('id="operation_form"')[-1]
    delete = admin_client.post(reverse("admin:contacts_operation_delete", args=[operation.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Operation.objects.filter(pk=operation.pk).exists()


def test_edits_by_hand_are_written_to_the_timeline(admin_client, workspace, boss, member):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    data = change_form_data(admin_client.get(change_url(person)))
    admin_client.post(change_url(person), {**data, "stage": Stage.LEAD, "assignee": member.pk})
    entries = {e.kind: e for e in person.timeline.all()}
    assert entries[EntryKind.STAGE_CHANGED].summary == "Stage set to Lead"
    assert entries[EntryKind.STAGE_CHANGED].previous == Stage.PAST
    assert entries[EntryKind.ASSIGNED].summary == "Assigned to Mia Member"
    assert {e.actor for e in entries.values()} == {boss}


def test_a_person_added_in_the_admin_gets_a_created_entry(admin_client, workspace, boss):
    response = admin_client.get(reverse("admin:contacts_contact_add"))
    data = {**change_form_data(response), "workspace": workspace.pk, "name": "New Nora", "stage": ""}
    assert admin_client.post(reverse("admin:contacts_contact_add"), data).status_code == 302
    nora = Contact.objects.get(name="New Nora")
    assert list(nora.timeline.values_list("kind", "actor")) == [(EntryKind.CREATED, boss.pk)]


def test_a_member_with_no_people_can_be_removed(admin_client, workspace, member):
    url = reverse("admin:contacts_workspace_change", args=[workspace.pk])
    response = admin_client.get(url)
    data = change_form_data(response)
    formset = response.context["inline_admin_formsets"][0].formset
    index = next(i for i, form in enumerate(formset.forms) if form.instance.user_id == member.pk)
    data[f"{formset.prefix}-{index}-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not Membership.objects.filter(workspace=workspace, user=member).exists()


def test_a_member_who_is_still_an_assignee_cannot_be_removed(admin_client, workspace, member):
    ContactFactory(workspace=workspace, assignee=member)
    url = reverse("admin:contacts_workspace_change", args=[workspace.pk])
    response = admin_client.get(url)
    data = change_form_data(response)
    formset = response.context["inline_admin_formsets"][0].formset
    index = next(i for i, form in enumerate(formset.forms) if form.instance.user_id == member.pk)
    data[f"{formset.prefix}-{index}-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Mia Member is still the assignee of 1 people here; remove them as assignee first." in response.text
    assert Membership.objects.filter(workspace=workspace, user=member).exists()


@pytest.mark.parametrize("model", ["suppression", "discoveredperson", "deletedaddress"])
def test_the_old_admin_address_of_a_model_moved_to_sync_leads_to_its_new_one(admin_client, model):
    response = admin_client.get(f"/admin/contacts/{model}/?q=acme")
    assert response.status_code == 301
    assert response["Location"] == f"/admin/sync/{model}/?q=acme"
    assert admin_client.get(response["Location"]).status_code == 200
