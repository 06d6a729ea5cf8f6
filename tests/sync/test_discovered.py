"""Discovered People: add, restore the person who has the address, or dismiss."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import Contact, EntryKind
from sync.models import DiscoveredPerson
from sync.run import sync_mailbox
from tests.factories import ContactFactory, TimelineEntryFactory
from tests.sync.files import JAN, auto_create, email, timeline, write_mbox

# --- Discovered People: add and dismiss --------------------------------------------------------------


@pytest.fixture
def erin(team, tmp_path):
    path = write_mbox(
        tmp_path,
        [
            email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"], subject="First", at=JAN),
            email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Second", at=JAN + timedelta(days=1)),
        ],
        "erin.mbox",
    )
    sync_mailbox(team, path)
    return DiscoveredPerson.objects.get(value="erin@example.com")


def test_discovered_page_lists_people_not_dismissed(client, member, erin, other_workspace):
    DiscoveredPerson.objects.create(workspace=other_workspace, kind="email", value="theirs@example.com")
    DiscoveredPerson.objects.create(workspace=erin.workspace, kind="email", value="gone@example.com", dismissed_at=JAN)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Erin Example" in page and "erin@example.com" in page and "Second" in page
    assert "1 person" in page
    assert "theirs@example.com" not in page and "gone@example.com" not in page
    assert 'aria-current="page">Discovered People' in page


def test_add_creates_a_person_with_their_history(client, member, erin):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "Erin Example added to My People" in response.content.decode()
    person = Contact.objects.get(email="erin@example.com")
    assert (person.name, person.archived_at, person.last_touch_at) == ("Erin Example", None, JAN + timedelta(days=1))
    assert [(k, s) for k, _, s in timeline(person)] == [
        (EntryKind.EMAIL, "First"),
        (EntryKind.EMAIL, "Second"),
        (EntryKind.CREATED_BY_SYNC, "Added from Discovered People"),
    ]
    assert person.timeline.get(kind=EntryKind.CREATED_BY_SYNC).actor == member
    assert not DiscoveredPerson.objects.exists()


def test_added_person_is_matched_by_the_next_sync_without_duplicates(client, member, erin, tmp_path):
    client.force_login(member)
    client.post(reverse("discovered-add", args=[erin.pk]))
    report = sync_mailbox(erin.workspace, tmp_path / "erin.mbox")
    assert (report.added, report.already_synced, report.discovered) == (0, 2, 0)
    assert Contact.objects.get().timeline.count() == 3


def test_add_joins_the_person_who_has_the_address_meanwhile(client, member, erin):
    meanwhile = ContactFactory(workspace=erin.workspace, name="Erin E.", email="erin@example.com")
    client.force_login(member)
    assert "Erin E. in My People has this address" in client.get(reverse("discovered")).content.decode()
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "Erin E. already has this address: 2 interactions added to their timeline" in response.content.decode()
    assert Contact.objects.count() == 1 and meanwhile.timeline.count() == 2


def test_adding_twice_changes_nothing_and_says_why(client, member, erin):
    client.force_login(member)
    client.post(reverse("discovered-add", args=[erin.pk]))
    response = client.post(reverse("discovered-add", args=[erin.pk]), follow=True)
    assert "already added or dismissed; nothing was changed" in response.content.decode()
    assert Contact.objects.count() == 1


def test_dismissed_address_leaves_the_list_and_is_not_discovered_again(client, member, erin, tmp_path):
    client.force_login(member)
    response = client.post(reverse("discovered-dismiss", args=[erin.pk]), follow=True)
    assert "Erin Example dismissed" in response.content.decode()
    erin.refresh_from_db()
    assert erin.dismissed_at is not None and erin.dismissed_by == member and erin.interactions.count() == 0

    auto_create(erin.workspace)
    later = email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Third", at=JAN + timedelta(days=5))
    report = sync_mailbox(erin.workspace, write_mbox(tmp_path, [later], "later.mbox"))
    assert (report.dismissed, report.discovered, report.created) == (1, 0, 0)
    assert not Contact.objects.exists()
    assert "erin@example.com" not in client.get(reverse("discovered")).content.decode()


def test_htmx_add_returns_the_list_and_the_status(client, member, erin):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[erin.pk]), {"page": "1"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="discovered-region"' in body and "No one discovered." in body
    assert 'hx-swap-oob="innerHTML:#status"' in body and "Erin Example added to My People" in body
    assert "<html" not in body


def test_add_and_dismiss_need_a_post_with_csrf_and_stay_in_the_workspace(client, member, erin, other_workspace):
    client.force_login(member)
    assert client.get(reverse("discovered-add", args=[erin.pk])).status_code == 405
    theirs = DiscoveredPerson.objects.create(workspace=other_workspace, kind="email", value="theirs@example.com")
    response = client.post(reverse("discovered-add", args=[theirs.pk]), follow=True)
    assert "already added or dismissed" in response.content.decode()
    assert not Contact.objects.exists()

    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("discovered-dismiss", args=[erin.pk])).status_code == 403
    erin.refresh_from_db()
    assert erin.dismissed_at is None


# --- Discovered People: the address of someone in Archived People or Recently Deleted (#11.12) --------


def buttons(html: str) -> list[str]:
    """Each button's text as a screen reader names it (visually hidden parts included)."""
    found = re.findall(r"<button\b[^>]*>(.*?)</button>", html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", b)).strip() for b in found]


@pytest.fixture
def dana(team, tmp_path):
    """Dana Lee, with her history, is in Recently Deleted; she was copied on a mail, so sync discovered her."""
    ann = ContactFactory(workspace=team, name="Ann Ames", email="ann@example.com")
    dana = ContactFactory(workspace=team, name="Dana Lee", email="dana@example.com", deleted=True)
    TimelineEntryFactory(contact=dana, kind=EntryKind.NOTE, summary="Met at the fair", at=JAN - timedelta(days=90))
    message = email(sender="sales@acme-mail.test", to=[ann.email], cc=["D. Lee <dana@example.com>"], subject="Catch-up")
    sync_mailbox(team, write_mbox(tmp_path, [message], "dana.mbox"))
    assert DiscoveredPerson.objects.get(value="dana@example.com").name == "D. Lee"
    return dana


def found_dana():
    return DiscoveredPerson.objects.get(value="dana@example.com")


def restore(client, found, person_id, **headers):
    return client.post(reverse("discovered-restore", args=[found.pk]), {"person": person_id}, follow=True, **headers)


def test_someone_in_recently_deleted_is_offered_back_instead_of_a_blank_duplicate(client, member, dana):
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Dana Lee is in Recently Deleted" in page
    assert "Restore Dana Lee" in buttons(page) and "Dismiss D. Lee" in buttons(page)
    assert "Add D. Lee" not in buttons(page)

    response = restore(client, found_dana(), dana.pk)

    assert "Dana Lee is back in My People (from Recently Deleted): 1 interaction added to their timeline" in (
        response.content.decode()
    )
    dana.refresh_from_db()
    assert (dana.deleted_at, dana.deleted_by, dana.archived_at, dana.archived_by) == (None, None, None, None)
    assert list(Contact.objects.filter(email="dana@example.com").values_list("pk", flat=True)) == [dana.pk]
    assert [(kind, summary) for kind, _, summary in timeline(dana)] == [
        (EntryKind.NOTE, "Met at the fair"),
        (EntryKind.EMAIL, "Catch-up"),
        (EntryKind.UNDELETED, "Back in Archived People"),
        (EntryKind.RESTORED, "Back in My People"),
    ]
    assert dana.timeline.get(kind=EntryKind.RESTORED).actor == member
    assert dana.last_touch_at == JAN
    assert not DiscoveredPerson.objects.filter(value="dana@example.com").exists()
    assert "Dana Lee" in client.get(reverse("people")).content.decode()


def test_someone_in_archived_people_is_offered_back_to_my_people(client, member, admin_user, dana):
    services.restore_from_deleted(
        actor=admin_user, workspace=dana.workspace, selected=Contact.objects.filter(pk=dana.pk)
    )
    Contact.objects.filter(pk=dana.pk).update(archived_by=admin_user)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "Dana Lee is in Archived People" in page
    assert "Restore Dana Lee" in buttons(page) and "Add D. Lee" not in buttons(page)

    response = restore(client, found_dana(), dana.pk, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert 'hx-swap-oob="innerHTML:#status"' in body
    assert "Dana Lee is back in My People (from Archived People): 1 interaction added to their timeline" in body
    dana.refresh_from_db()
    assert (dana.deleted_at, dana.archived_at, dana.archived_by) == (None, None, None)
    assert Contact.objects.filter(email="dana@example.com").count() == 1
    assert [summary for kind, _, summary in timeline(dana)] == [
        "Met at the fair",
        "Catch-up",
        "Back in Archived People",  # the admin's restore from Recently Deleted, before
        "Back in My People",
    ]
    assert dana.timeline.get(kind=EntryKind.RESTORED).actor == member
    assert not DiscoveredPerson.objects.filter(value="dana@example.com").exists()


def test_add_makes_no_duplicate_of_someone_in_the_bin_and_says_where_they_are(client, member, dana):
    client.force_login(member)
    response = client.post(reverse("discovered-add", args=[found_dana().pk]), follow=True)
    text = response.content.decode()
    assert (
        "Dana Lee is in Recently Deleted: restore Dana Lee instead of adding someone new. Nothing was changed." in text
    )
    assert list(Contact.objects.filter(email="dana@example.com").values_list("pk", flat=True)) == [dana.pk]
    dana.refresh_from_db()
    assert dana.deleted_at is not None
    assert found_dana().interactions.count() == 1


def test_a_stale_or_tampered_restore_changes_nothing_and_says_why(client, member, admin_user, dana):
    found = found_dana()
    ann = Contact.objects.get(email="ann@example.com")
    client.force_login(member)
    for person_id in ("", "abc", "9" * 30, ann.pk, 987654):
        response = restore(client, found, person_id)
        assert "Nothing was changed" in response.content.decode(), person_id
    services.purge(actor=admin_user, workspace=dana.workspace, selected=Contact.objects.filter(pk=dana.pk))

    response = restore(client, found, dana.pk)

    text = response.content.decode()
    assert "Nothing was changed" in text and "Add D. Lee" in buttons(text)
    assert found_dana().interactions.count() == 1
    assert not Contact.objects.filter(email="dana@example.com").exists()


def test_several_people_with_the_address_in_recently_deleted_are_not_guessed(client, member, dana):
    ContactFactory(workspace=dana.workspace, name="Dana Lee (old)", email="dana@example.com", deleted=True)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "2 people with this address are in Recently Deleted: restore the right one there first" in page
    assert "Dismiss D. Lee" in buttons(page)
    assert not {"Add D. Lee", "Restore Dana Lee", "Restore Dana Lee (old)"} & set(buttons(page))
    response = client.post(reverse("discovered-add", args=[found_dana().pk]), follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert Contact.objects.filter(email="dana@example.com", deleted_at__isnull=True).count() == 0
