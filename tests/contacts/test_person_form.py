"""Add person and Edit (issue 13): the rules by the field, duplicates offering Restore, roles, timeline."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts import services
from contacts.exceptions import NotAllowed
from contacts.models import Contact, EntryKind, Stage
from contacts.querysets import days_until_erased
from tests.factories import ContactFactory, MembershipFactory, TimelineEntryFactory, UserFactory
from tests.helpers import HTMX, HTMX_DETAILS, HTMX_REGION, visible_text

ADD = "/people/add/?audience=my-people"


def edit_url(person, audience="my-people"):
    return f"/people/{person.pk}/edit/?audience={audience}"


def fields(**changes):
    return {"name": "Pat Quinn", "email": "", "phone": "", "company": "", "title": "", "stage": "none"} | changes


def person_fields(person, **changes):
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "company": person.company,
        "title": person.title,
        "stage": person.stage or "none",
        "assignee": person.assignee_id or "",
    } | changes


def snapshot(workspace):
    """Everything a refused request must leave as it was."""
    people = Contact.objects.filter(workspace=workspace).order_by("pk")
    return list(people.values()), list(people.values_list("timeline__kind", "timeline__summary"))


# ---- Add person ---------------------------------------------------------------------------------


def test_the_people_page_offers_add_person(as_member, workspace):
    page = as_member.get("/people/").content.decode()
    assert 'href="/people/add/?audience=my-people&view=list"' in page
    assert ">Add person</a>" in page


def test_add_person_without_javascript_is_a_whole_page_with_the_list_beside_the_form(as_member, workspace):
    ContactFactory(workspace=workspace, name="Already Here")
    response = as_member.get(ADD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and "Already Here" in page
    assert 'id="person-form-title">Add person<' in page
    assert 'name="name"' in page and 'name="assignee"' in page
    assert not Contact.objects.filter(name="").exists()


def test_add_person_and_edit_pages_are_titled_for_the_form_the_list_keeps_its_heading(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    added = as_member.get(ADD).content.decode()
    assert "<title>Add person · My People</title>" in added
    assert "<h1>My People</h1>" in added and ">Add person</h2>" in added
    edited = as_member.get(edit_url(person)).content.decode()
    assert "<title>Edit Pat Quinn · My People</title>" in edited and ">Edit Pat Quinn</h2>" in edited
    assert "<title>My People · My People</title>" in as_member.get("/people/?audience=my-people").content.decode()


def test_add_person_with_htmx_draws_the_region_with_the_form_in_the_pane(as_member, workspace):
    response = as_member.get(f"{ADD}&view=table", headers=HTMX_REGION)
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="people-region"') and "has-person" in page
    assert "view-list" in page and "Add person" in page


def test_a_member_adds_a_person_normalized_with_a_created_entry(as_member, workspace, member, dana):
    workspace.default_region = "GB"
    workspace.save()
    response = as_member.post(
        ADD,
        fields(email="  Pat@Example.COM ", phone="020 7946 0958", company="Acme", stage="lead", assignee=dana.pk),
        headers=HTMX_DETAILS,
    )
    person = Contact.objects.get(name="Pat Quinn")
    assert (person.email, person.phone_e164, person.stage, person.assignee) == (
        "pat@example.com",
        "+442079460958",
        Stage.LEAD,
        dana,
    )
    entry = person.timeline.get()
    assert (entry.kind, entry.actor) == (EntryKind.CREATED, member)
    # The list region at the new person's address, with the message.
    assert response.headers["HX-Retarget"] == "#people-region"
    assert response.headers["HX-Push-Url"] == f"/people/{person.pk}/?audience=my-people&view=list"
    assert 'id="person-name">Pat Quinn<' in response.content.decode()
    assert "Pat Quinn added" in visible_text(response)


def test_without_javascript_adding_goes_to_the_new_persons_page_with_the_message(as_member, workspace):
    response = as_member.post(ADD, fields(), follow=True)
    person = Contact.objects.get(name="Pat Quinn")
    assert response.redirect_chain == [(f"/people/{person.pk}/?audience=my-people&view=list", 302)]
    assert "Pat Quinn added" in response.content.decode()


@pytest.mark.parametrize(
    "bad, field, message",
    [
        ({"name": "  "}, "name", "This field is required."),
        ({"name": "Pat\x00Quinn"}, "name", "This cannot contain control characters (U+0000)."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "12"}, "phone", "12 is not a phone number (numbers without a country code are read as US)."),
        ({"stage": "bogus"}, "stage", "Select a valid choice."),
        ({"name": "x" * 201}, "name", "Ensure this value has at most 200 characters"),
    ],
)
def test_each_bad_field_is_refused_by_the_field_and_nothing_is_added(as_member, workspace, bad, field, message):
    before = snapshot(workspace)
    response = as_member.post(ADD, fields(**bad), headers=HTMX_DETAILS)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in visible_text(response)
    assert f'id="id_{field}-error"' in page and 'aria-invalid="true"' in page
    assert "Nothing was saved" in page
    assert snapshot(workspace) == before


def test_the_assignee_must_be_a_member_of_the_workspace(as_member, workspace, other_workspace):
    outsider = MembershipFactory(workspace=other_workspace).user
    response = as_member.post(ADD, fields(assignee=outsider.pk), headers=HTMX_DETAILS)
    assert response.status_code == 400
    assert "The assignee must be a member of this workspace." in visible_text(response)
    assert not Contact.objects.filter(name="Pat Quinn").exists()


def test_the_service_refuses_an_assignee_from_elsewhere_too(workspace, member, other_workspace):
    outsider = MembershipFactory(workspace=other_workspace).user
    with pytest.raises(NotAllowed, match="must be a member"):
        services.create_person(actor=member, workspace=workspace, fields=fields(stage="", assignee=outsider))
    assert not Contact.objects.exists()


def test_someone_in_no_workspace_cannot_add(client, db):
    client.force_login(UserFactory(username="loner"))
    assert client.post(ADD, fields()).status_code == 403
    assert not Contact.objects.exists()


def test_a_get_to_add_never_adds(as_member, workspace):
    as_member.get(f"{ADD}&name=Pat+Quinn")
    assert not Contact.objects.exists()


# ---- Duplicates: restore instead, or open the one already there ----------------------------------


@pytest.mark.parametrize(
    "trait, where, restore",
    [
        ("archived", "in Archived People", "/bulk/restore/?audience=archived&amp;selection=ids&amp;ids={pk}"),
        ("deleted", "in Recently Deleted", "/bulk/undelete/?audience=deleted&amp;selection=ids&amp;ids={pk}"),
    ],
)
def test_an_email_of_someone_archived_or_deleted_offers_to_restore_them(as_member, workspace, trait, where, restore):
    kept = ContactFactory(workspace=workspace, name="Old Pat", email="pat@example.com", **{trait: True})
    before = snapshot(workspace)
    response = as_member.post(ADD, fields(email="PAT@example.com"), headers=HTMX_DETAILS)
    page = response.content.decode()
    assert response.status_code == 400
    assert f"Old Pat ({where}) already has this email." in visible_text(response)
    assert f'href="{restore.format(pk=kept.pk)}"' in page and ">Restore Old Pat</a>" in page
    assert 'hx-target="#dialog-slot"' in page  # Restore opens its dialog for this one person
    assert snapshot(workspace) == before


def test_a_phone_written_differently_of_someone_deleted_is_found_too(as_member, workspace):
    ContactFactory(workspace=workspace, name="Old Pat", phone="+1 415 555 0100", deleted=True)
    response = as_member.post(ADD, fields(phone="(415) 555-0100"), headers=HTMX_DETAILS)
    assert "Old Pat (in Recently Deleted) already has this phone number." in visible_text(response)
    assert ">Restore Old Pat</a>" in response.content.decode()
    assert not Contact.objects.filter(name="Pat Quinn").exists()


def test_someone_erased_already_is_no_duplicate(as_member, workspace):
    ContactFactory(
        workspace=workspace, email="pat@example.com", deleted=True, deleted_at=timezone.now() - timedelta(days=31)
    )
    assert as_member.post(ADD, fields(email="pat@example.com")).status_code == 302
    assert Contact.objects.filter(name="Pat Quinn").exists()


def test_an_email_of_someone_in_my_people_links_to_them_and_saving_anyway_adds(as_member, workspace):
    there = ContactFactory(workspace=workspace, name="Pat Q.", email="pat@example.com")
    refused = as_member.post(ADD, fields(email="pat@example.com"), headers=HTMX_DETAILS)
    page = refused.content.decode()
    assert "Pat Q. (in My People) already has this email." in visible_text(refused)
    assert f'href="/people/{there.pk}/?audience=my-people&amp;view=list"' in page and ">Open Pat Q.</a>" in page
    assert "Save anyway: they are different people" in page
    assert Contact.objects.filter(workspace=workspace).count() == 1

    as_member.post(ADD, fields(email="pat@example.com", save_anyway="on"), headers=HTMX_DETAILS)
    assert Contact.objects.filter(workspace=workspace, email="pat@example.com").count() == 2


def test_another_workspaces_person_is_no_duplicate(as_member, workspace, other_workspace):
    ContactFactory(workspace=other_workspace, name="Their Pat", email="pat@example.com")
    response = as_member.post(ADD, fields(email="pat@example.com"), headers=HTMX_DETAILS)
    assert "Their Pat" not in response.content.decode()
    assert Contact.objects.filter(workspace=workspace, name="Pat Quinn").exists()


# ---- Edit ---------------------------------------------------------------------------------------


def test_the_pane_offers_edit_which_opens_the_form_in_the_pane(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", email="pat@example.com")
    page = as_member.get(f"/people/{person.pk}/?audience=my-people").content.decode()
    assert f'hx-get="/people/{person.pk}/edit/?audience=my-people&view=list" hx-target="#details"' in page
    pane = as_member.get(edit_url(person), headers=HTMX_DETAILS).content.decode()
    assert "<html" not in pane and pane.lstrip().startswith('<section id="details"')
    assert "Edit Pat Quinn" in pane and 'value="pat@example.com"' in pane


def test_edit_without_javascript_is_a_whole_page(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    page = as_member.get(edit_url(person)).content.decode()
    assert "<html" in page and "Edit Pat Quinn" in page


def test_editing_changes_the_fields_and_writes_the_timeline(as_member, workspace, member, dana):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.PAST, email="old@example.com")
    response = as_member.post(
        edit_url(person),
        person_fields(person, email="New@Example.com", phone="415 555 0100", stage="active", assignee=dana.pk),
        headers=HTMX_DETAILS,
    )
    assert response.status_code == 200
    assert "Pat Quinn saved" in visible_text(response)
    person.refresh_from_db()
    assert (person.email, person.phone_e164, person.stage, person.assignee) == (
        "new@example.com",
        "+14155550100",
        Stage.ACTIVE,
        dana,
    )
    entries = {e.kind: e for e in person.timeline.all()}
    assert entries[EntryKind.STAGE_CHANGED].previous == "past"
    assert entries[EntryKind.STAGE_CHANGED].summary == "Stage set to Active"
    assert entries[EntryKind.ASSIGNED].summary == "Assigned to Dana Lee"
    assert entries[EntryKind.EDITED].summary == "Changed email, phone"
    assert {e.actor for e in entries.values()} == {member}


def test_removing_the_assignee_in_the_form_keeps_who_it_was(as_member, workspace, dana):
    person = ContactFactory(workspace=workspace, assignee=dana)
    as_member.post(edit_url(person), person_fields(person, assignee=""), headers=HTMX_DETAILS)
    person.refresh_from_db()
    assert person.assignee is None
    assert person.timeline.get().previous == str(dana.pk)


def test_saving_unchanged_fields_writes_nothing(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_member.post(edit_url(person), person_fields(person), headers=HTMX_DETAILS)
    assert "Nothing to change for Pat Quinn" in visible_text(response)
    assert not person.timeline.exists()


def test_an_archived_person_cannot_get_an_open_stage_and_the_form_offers_restore(as_member, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", archived=True)
    before = snapshot(workspace)
    response = as_member.post(
        edit_url(person, "archived"), person_fields(person, stage="lead", title="CEO"), headers=HTMX_DETAILS
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_stage-error"' in page
    assert "Archived — restore it first" in visible_text(page.split('id="id_stage-error"')[1])
    assert f'href="/bulk/restore/?audience=archived&amp;selection=ids&amp;ids={person.pk}"' in page
    assert ">Restore Pat Quinn</a>" in page
    assert snapshot(workspace) == before  # not even the title


def test_an_archived_person_cannot_get_an_assignee(as_member, workspace, dana):
    person = ContactFactory(workspace=workspace, archived=True)
    before = snapshot(workspace)
    response = as_member.post(edit_url(person), person_fields(person, assignee=dana.pk), headers=HTMX_DETAILS)
    assert response.status_code == 400
    assert 'id="id_assignee-error"' in response.content.decode()
    assert snapshot(workspace) == before


def test_an_archived_person_may_move_between_closed_stages(as_member, workspace):
    person = ContactFactory(workspace=workspace, archived=True, stage=Stage.LOST)
    as_member.post(edit_url(person), person_fields(person, stage="past"), headers=HTMX_DETAILS)
    assert Contact.objects.get(pk=person.pk).stage == Stage.PAST


def test_the_service_checks_the_rule_again_on_the_locked_row(workspace, member):
    """Archived between the form's check and the save: the service refuses, by field."""
    person = ContactFactory(workspace=workspace, archived=True)
    with pytest.raises(services.PersonRefused) as refused:
        services.update_person(
            actor=member,
            workspace=workspace,
            person_id=person.pk,
            fields=person_fields(person, stage="lead", assignee=None),
        )
    assert refused.value.errors == {"stage": "Archived — restore it first"}
    assert Contact.objects.get(pk=person.pk).stage == Stage.LOST


def test_an_email_of_someone_else_archived_offers_restore_when_editing(as_member, workspace):
    other = ContactFactory(workspace=workspace, name="Old Pat", email="pat@example.com", archived=True)
    person = ContactFactory(workspace=workspace, name="Pat Quinn", email="pq@example.com")
    response = as_member.post(edit_url(person), person_fields(person, email="pat@example.com"), headers=HTMX_DETAILS)
    assert "Old Pat (in Archived People) already has this email." in visible_text(response)
    assert f"ids={other.pk}" in response.content.decode()
    assert Contact.objects.get(pk=person.pk).email == "pq@example.com"


@pytest.mark.parametrize("method", ["get", "post"])
def test_deleted_and_foreign_people_cannot_be_edited(as_member, workspace, other_workspace, method):
    for person in (
        ContactFactory(workspace=workspace, deleted=True),
        ContactFactory(workspace=other_workspace),
    ):
        before = snapshot(person.workspace)
        response = getattr(as_member, method)(edit_url(person), person_fields(person, name="Changed"))
        assert response.status_code == 404
        assert snapshot(person.workspace) == before


def test_members_managers_and_admins_may_all_edit(client, workspace, member, manager, admin_user):
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    for user in (member, manager, admin_user):
        client.force_login(user)
        client.post(edit_url(person), person_fields(person, title=f"By {user.username}"))
        assert Contact.objects.get(pk=person.pk).title == f"By {user.username}"


def test_edit_needs_the_csrf_token(workspace, member):
    from tests.helpers import logged_in

    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    client = logged_in(member, enforce_csrf_checks=True)
    assert client.post(edit_url(person), person_fields(person, name="Changed")).status_code == 403
    assert Contact.objects.get(pk=person.pk).name == "Pat Quinn"


# ---- The details pane --------------------------------------------------------------------------


def test_email_and_phone_are_links_and_the_stage_appears_once(as_member, workspace):
    person = ContactFactory(workspace=workspace, email="pat@example.com", phone="(415) 555-0100", stage=Stage.LEAD)
    pane = as_member.get(f"/people/{person.pk}/", headers=HTMX_DETAILS).content.decode()
    assert '<a href="mailto:pat@example.com">pat@example.com</a>' in pane
    assert '<a href="tel:+14155550100">(415) 555-0100</a>' in pane
    assert pane.count("chip-lead") == 0 and pane.count('id="person-stage"') == 1


def test_an_archived_persons_stage_and_assignee_are_read_only_with_the_reason(as_member, workspace):
    person = ContactFactory(workspace=workspace, archived=True, stage=Stage.LOST)
    pane = as_member.get(f"/people/{person.pk}/?audience=archived", headers=HTMX_DETAILS).content.decode()
    assert 'id="person-stage"' not in pane and 'id="person-assignee"' not in pane
    assert pane.count("chip-lost") == 1
    assert visible_text(pane).count("Archived — restore it first") == 2


def test_archive_on_a_blocked_person_says_why_in_the_pane(as_member, workspace, dana):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", stage=Stage.ACTIVE, assignee=dana)
    pane = as_member.get(f"/people/{person.pk}/", headers=HTMX_DETAILS).content.decode()
    text = visible_text(pane)
    assert "Pat Quinn cannot be archived yet: Stage is Active — change or remove the stage" in text
    assert "Assigned to Dana Lee — remove the assignee" in text
    assert 'aria-describedby="archive-why"' in pane
    assert f"/bulk/archive/?audience=my-people&selection=ids&ids={person.pk}" in pane


def test_an_archivable_person_has_no_reason_in_the_pane(as_member, workspace):
    person = ContactFactory(workspace=workspace, stage=Stage.PAST)
    assert "cannot be archived yet" not in as_member.get(f"/people/{person.pk}/").content.decode()


def test_a_recently_deleted_person_opens_read_only_with_restore(as_member, workspace, admin_user):
    person = ContactFactory(
        workspace=workspace,
        name="Gone Person",
        deleted=True,
        deleted_by=admin_user,
        deleted_at=timezone.now() - timedelta(days=10, hours=1),
    )
    listing = as_member.get("/people/?audience=deleted&view=table").content.decode()
    assert f'href="/people/{person.pk}/?audience=deleted"' in listing
    response = as_member.get(f"/people/{person.pk}/?audience=deleted", headers=HTMX_DETAILS)
    pane = response.content.decode()
    assert response.status_code == 200
    assert "Erased in 20 days unless restored to Archived People" in visible_text(pane)
    assert f"/bulk/undelete/?audience=deleted&selection=ids&ids={person.pk}" in pane
    assert "/edit/" not in pane and 'id="person-stage"' not in pane
    assert "In Recently Deleted — restore it first" in visible_text(pane)
    # Deleted people are archived too; the pane names only where they are now.
    assert person.archived_at is not None and "In Archived People since" not in visible_text(pane)


def test_a_deleted_persons_pane_gives_only_the_deleted_state_and_its_reason(as_member, workspace):
    # Deleting archives too (archived_at stays set); the pane says where they are now, not where they were.
    person = ContactFactory(workspace=workspace, name="Gone Person", deleted=True)
    pane = visible_text(as_member.get(f"/people/{person.pk}/?audience=deleted", headers=HTMX_DETAILS))
    assert "In Recently Deleted since" in pane
    assert "In Archived People since" not in pane and "Restore to give an open stage" not in pane


def test_a_deleted_person_past_the_retention_is_not_found(as_member, workspace):
    person = ContactFactory(workspace=workspace, deleted=True, deleted_at=timezone.now() - timedelta(days=31))
    assert as_member.get(f"/people/{person.pk}/?audience=deleted").status_code == 404


def test_recently_deleted_says_when_each_person_is_erased_in_both_views(as_member, workspace, settings):
    workspace.retention_days = 7
    workspace.save()
    ContactFactory(workspace=workspace, name="Soon Gone", deleted=True, deleted_at=timezone.now() - timedelta(days=6))
    table = visible_text(as_member.get("/people/?audience=deleted&view=table"))
    assert "Erased" in table and "Erased in 1 day" in table
    listed = visible_text(as_member.get("/people/?audience=deleted&view=list"))
    assert "Erased in 1 day" in listed


def test_days_until_erased_rounds_up_and_never_goes_below_zero():
    now = timezone.now()
    month = timedelta(days=30)
    assert days_until_erased(now, month, now=now) == 30
    assert days_until_erased(now - timedelta(days=29, hours=23), month, now=now) == 1
    assert days_until_erased(now - timedelta(days=40), month, now=now) == 0


def test_the_pane_and_the_edit_form_cost_the_same_queries_for_any_timeline(as_member, workspace, dana):
    as_member.get("/people/?view=list")  # remembering the view is a write of its own
    counts = {"pane": [], "deleted pane": [], "form": []}
    for entries in (3, 40):
        person = ContactFactory(workspace=workspace, stage=Stage.ACTIVE, assignee=dana)
        gone = ContactFactory(workspace=workspace, deleted=True)
        TimelineEntryFactory.create_batch(entries, contact=person)
        TimelineEntryFactory.create_batch(entries, contact=gone)
        for name, url in (
            ("pane", f"/people/{person.pk}/"),
            ("deleted pane", f"/people/{gone.pk}/?audience=deleted"),
            ("form", edit_url(person)),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert as_member.get(url, headers=HTMX_DETAILS).status_code == 200
            counts[name].append(len(queries))
    for name, (few, many) in counts.items():
        assert few == many <= 10, (name, few, many)


def test_a_saved_edit_answers_without_a_contacts_changed_redraw(as_member, workspace):
    """The answer is the region itself; a second redraw would fetch it again."""
    person = ContactFactory(workspace=workspace, name="Pat Quinn")
    response = as_member.post(edit_url(person), person_fields(person, title="CEO"), headers=HTMX)
    assert "contactsChanged" not in json.loads(response.headers.get("HX-Trigger", "{}"))
    assert response.headers["HX-Reswap"] == "outerHTML"
