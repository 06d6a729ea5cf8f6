"""The Django admin keeps the same rules as the app: actions go through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, EntryKind, Membership, Operation, Role, Stage, TimelineEntry, Workspace
from sync.models import DeletedAddress, DiscoveredPerson, Suppression
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory, WorkspaceFactory

CHANGELIST = reverse("admin:contacts_contact_changelist")


@pytest.fixture
def boss(workspace):
    """A superuser who is also an admin member of the workspace, as the services require."""
    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def admin_client(client, boss):
    client.force_login(boss)
    return client


def change_url(contact):
    return reverse("admin:contacts_contact_change", args=[contact.pk])


def delete_url(contact):
    return reverse("admin:contacts_contact_delete", args=[contact.pk])


def names_listed(response) -> set[str]:
    return {c.name for c in response.context["cl"].result_list}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, action, people, **query):
    url = CHANGELIST + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, {"action": action, "_selected_action": [p.pk for p in people]}, follow=True)


# --- the list ---------------------------------------------------------------------------


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


# --- actions ------------------------------------------------------------------------------


def test_archive_action_archives_the_eligible_and_reports_why_the_rest_were_skipped(
    admin_client, workspace, boss, member
):
    past = ContactFactory(workspace=workspace, name="Past Pat", stage=Stage.PAST)
    active = ContactFactory(workspace=workspace, name="Active Al", stage=Stage.ACTIVE)
    assigned = ContactFactory(workspace=workspace, name="Assigned Ada", stage=Stage.LOST, assignee=member)
    response = run_action(admin_client, "archive_people", [past, active, assigned])
    assert messages_of(response) == ["Acme: 1 archived, 2 skipped (1 have an open stage, 1 are assigned)"]
    assert set(Contact.objects.archived().values_list("name", flat=True)) == {"Past Pat"}
    past.refresh_from_db()
    assert past.archived_by == boss
    # The service wrote the timeline and the operation, as the app does.
    assert TimelineEntry.objects.get(contact=past, kind=EntryKind.ARCHIVED).actor == boss
    assert Operation.objects.get(action="archive").count == 1


def test_restore_action_brings_archived_people_back(admin_client, workspace):
    archived = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    active = ContactFactory(workspace=workspace, name="Act Bo")
    response = run_action(admin_client, "restore_people", [archived, active])
    assert messages_of(response) == ["Acme: 1 restored, 1 skipped (1 are not archived)"]
    archived.refresh_from_db()
    assert archived.archived_at is None


def test_delete_action_moves_only_archived_people_to_recently_deleted(admin_client, workspace, boss):
    archived = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    active = ContactFactory(workspace=workspace, name="Act Bo")
    response = run_action(admin_client, "delete_people", [archived, active])
    assert messages_of(response) == ["Acme: 1 moved to Recently Deleted, 1 skipped (1 are not archived)"]
    archived.refresh_from_db()
    active.refresh_from_db()
    assert archived.deleted_at is not None and archived.deleted_by == boss
    assert active.deleted_at is None and active.archived_at is None
    assert names_listed(response) == {"Act Bo"}


def test_undelete_action_returns_people_to_the_archive(admin_client, workspace):
    deleted = ContactFactory(workspace=workspace, name="Del Dee", deleted=True)
    response = run_action(admin_client, "undelete_people", [deleted], state="deleted")
    assert messages_of(response) == ["Acme: 1 restored, 0 skipped"]
    deleted.refresh_from_db()
    assert deleted.deleted_at is None and deleted.archived_at is not None


def test_actions_call_the_service_once_per_workspace(admin_client, workspace, other_workspace, boss):
    MembershipFactory(workspace=other_workspace, user=boss, role=Role.MEMBER)
    people = [ContactFactory(workspace=w) for w in (workspace, other_workspace, workspace)]
    response = run_action(admin_client, "archive_people", people)
    assert sorted(messages_of(response)) == ["Acme: 2 archived, 0 skipped", "Rivals: 1 archived, 0 skipped"]
    assert sorted(Operation.objects.values_list("workspace__slug", "count")) == [("acme", 2), ("rivals", 1)]


def test_superuser_outside_a_workspace_gets_an_error_message_and_nothing_changes(admin_client, other_workspace):
    rival = ContactFactory(workspace=other_workspace, name="Rival Ray")
    response = run_action(admin_client, "archive_people", [rival])
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Rivals: nothing archived. You are not a member of this workspace.")
    assert "Add yourself to the members of Rivals" in message
    rival.refresh_from_db()
    assert rival.archived_at is None and not Operation.objects.exists()


def test_member_role_cannot_delete_through_the_action(client, workspace):
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=staff, role=Role.MEMBER)
    client.force_login(staff)
    archived = ContactFactory(workspace=workspace, archived=True)
    response = run_action(client, "delete_people", [archived])
    assert messages_of(response) == [
        "Acme: nothing moved to Recently Deleted. Only admins and managers can delete people."
    ]
    archived.refresh_from_db()
    assert archived.deleted_at is None


# --- one person's page --------------------------------------------------------------------


def test_a_person_can_be_archived_from_their_own_page(admin_client, workspace):
    person = ContactFactory(workspace=workspace, name="Past Pat", stage=Stage.PAST)
    page = admin_client.get(change_url(person))
    assert "Archive this person" in page.text
    response = admin_client.post(
        change_url(person), {"CHANGE_FORM-action": "archive_people", "_selected_action": person.pk}, follow=True
    )
    assert messages_of(response) == ["Acme: 1 archived, 0 skipped"]
    person.refresh_from_db()
    assert person.archived_at is not None


def test_change_page_shows_the_newest_twenty_timeline_entries_in_few_queries(
    admin_client, workspace, django_assert_max_num_queries
):
    person = ContactFactory(workspace=workspace)
    now = timezone.now()
    for day in range(25):
        TimelineEntryFactory(contact=person, summary=f"entry {day}", at=now - timezone.timedelta(days=day))
    with django_assert_max_num_queries(10):
        response = admin_client.get(change_url(person))
    assert response.status_code == 200
    [timeline] = response.context["inline_admin_formsets"]
    shown = [form.instance.summary for form in timeline.formset.forms]
    assert shown == [f"entry {day}" for day in range(20)]


def test_delete_button_is_hidden_and_deleting_a_non_archived_person_is_refused(admin_client, workspace):
    person = ContactFactory(workspace=workspace, name="Active Ann")
    assert delete_url(person) not in admin_client.get(change_url(person)).text
    forged_post = admin_client.post(delete_url(person), {"post": "yes"}, follow=True)
    for response in (admin_client.get(delete_url(person), follow=True), forged_post):
        assert response.redirect_chain[-1][0] == change_url(person)
        assert messages_of(response) == ["“Active Ann” was not deleted: Not archived — archive it first"]
    person.refresh_from_db()
    assert person.deleted_at is None and Contact.objects.filter(pk=person.pk).exists()


def test_deleting_an_archived_person_from_the_page_moves_them_to_recently_deleted(admin_client, workspace, boss):
    person = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    confirm = admin_client.get(delete_url(person))
    assert confirm.status_code == 200 and "Move this person to Recently Deleted?" in confirm.text
    response = admin_client.post(delete_url(person), {"post": "yes"}, follow=True)
    assert messages_of(response) == ["“Arch Ann” moved to Recently Deleted."]
    person.refresh_from_db()
    assert person.deleted_at is not None and person.deleted_by == boss
    assert person.timeline.filter(kind=EntryKind.DELETED).exists()


def test_deleting_someone_in_recently_deleted_from_the_page_erases_them(admin_client, workspace):
    person = ContactFactory(workspace=workspace, name="Del Dee", deleted=True)
    response = admin_client.post(delete_url(person), {"post": "yes"}, follow=True)
    assert messages_of(response) == ["“Del Dee” erased for good."]
    assert not Contact.objects.filter(pk=person.pk).exists()


def test_member_role_cannot_delete_from_the_page(client, workspace):
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    MembershipFactory(workspace=workspace, user=staff, role=Role.MEMBER)
    client.force_login(staff)
    person = ContactFactory(workspace=workspace, name="Arch Ann", archived=True)
    response = client.post(delete_url(person), {"post": "yes"}, follow=True)
    assert messages_of(response) == ["“Arch Ann” was not deleted: Only admins and managers can delete people."]
    person.refresh_from_db()
    assert person.deleted_at is None


def change_form_data(response) -> dict:
    """What the browser would post back: the form's current values plus the inline management forms."""
    form = response.context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for child in formset.forms:
            data.update({child.add_prefix(name): child[name].value() or "" for name in child.fields})
    return data


def test_giving_an_archived_person_an_open_stage_shows_the_rule_on_the_form(admin_client, workspace):
    person = ContactFactory(workspace=workspace, archived=True, stage=Stage.LOST)
    data = change_form_data(admin_client.get(change_url(person)))
    response = admin_client.post(change_url(person), {**data, "stage": Stage.ACTIVE})
    assert response.status_code == 200
    assert "An archived person cannot have an open stage" in response.text
    person.refresh_from_db()
    assert person.stage == Stage.LOST


def test_giving_an_archived_person_an_assignee_shows_the_rule_on_the_form(admin_client, workspace, member):
    person = ContactFactory(workspace=workspace, archived=True)
    data = change_form_data(admin_client.get(change_url(person)))
    response = admin_client.post(change_url(person), {**data, "assignee": member.pk})
    assert "Restore the person to My People first." in response.text
    person.refresh_from_db()
    assert person.assignee is None


def test_editing_an_active_person_saves(admin_client, workspace, member):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    TimelineEntryFactory.create_batch(25, contact=person)  # more than the page shows
    data = change_form_data(admin_client.get(change_url(person)))
    response = admin_client.post(change_url(person), {**data, "stage": Stage.ACTIVE, "assignee": member.pk})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.stage, person.assignee) == (Stage.ACTIVE, member)


def test_assignee_must_be_a_member_of_the_workspace(admin_client, workspace):
    outsider = UserFactory(username="outsider")
    person = ContactFactory(workspace=workspace)
    data = change_form_data(admin_client.get(change_url(person)))
    response = admin_client.post(change_url(person), {**data, "assignee": outsider.pk})
    assert "The assignee must be a member of this workspace." in response.text


# --- the other models ------------------------------------------------------------------------


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


# --- staff who are not superusers: their own workspaces only, under their role there -------------

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


def row_of(model: str, workspace, label: str):
    """One row of the model's admin in this workspace, marked with the label."""
    match model:
        case "contact":
            return ContactFactory(workspace=workspace, name=f"{label} Person", archived=True)
        case "suppression":
            return Suppression.objects.create(workspace=workspace, kind="email", value=f"{label.lower()}@supp.example")
        case "discoveredperson":
            return DiscoveredPerson.objects.create(
                workspace=workspace, kind="email", value=f"{label.lower()}@found.example"
            )
        case "operation":
            return Operation.objects.create(workspace=workspace, action="archive", count=1)
        case "deletedaddress":
            return DeletedAddress.objects.create(workspace=workspace, kind="email", digest=f"{label.lower()}{'0' * 40}")
        case "workspace":
            return workspace


# The models that live in the sync app; the others are the contacts app's.
SYNC_MODELS = {"suppression", "discoveredperson", "deletedaddress"}


def admin_url(model: str, view: str, obj=None) -> str:
    app = "sync" if model in SYNC_MODELS else "contacts"
    return reverse(f"admin:{app}_{model}_{view}", args=[obj.pk] if obj is not None else [])


def workspaces_listed(response) -> set[str]:
    return {
        row.name if isinstance(row, Workspace) else row.workspace.name for row in response.context["cl"].result_list
    }


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


# --- hand-made filters in the address: the admin's "invalid lookup" behaviour, never a 500 --------

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
