"""One person's admin page: archive and delete from it, the timeline, and the rules on the form."""

from django.utils import timezone

from contacts.models import Contact, EntryKind, Role, Stage
from tests.contacts.admin.pages import change_form_data, change_url, delete_url, messages_of
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory


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
