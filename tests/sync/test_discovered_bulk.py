"""Discovered People, many at once: the dialog says how many and who; the confirm acts on exactly those."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from contacts.models import Contact, EntryKind, Role
from sync.discovered import fingerprint_of
from sync.models import DiscoveredInteraction, DiscoveredPerson, Suppression
from tests.factories import ContactFactory, MembershipFactory, UserFactory
from tests.sync.files import JAN

HTMX = {"HX-Request": "true", "HX-Target": "dialog-slot"}


def found(workspace, value, name="", n=0, kind="email"):
    row = DiscoveredPerson.objects.create(
        workspace=workspace, kind=kind, value=value, name=name, interaction_count=n, last_seen_at=JAN + timedelta(n)
    )
    for i in range(n):
        DiscoveredInteraction.objects.create(
            discovered=row, kind=EntryKind.EMAIL, at=JAN + timedelta(i), summary=f"Hello {i}", source_key=f"{value}-{i}"
        )
    return row


@pytest.fixture
def three(workspace):
    return (
        found(workspace, "erin@example.com", "Erin Example", 2),
        found(workspace, "finn@example.com", "Finn Other", 1),
        found(workspace, "gail@example.com", "Gail Guest", 0),
    )


def ids(*rows) -> str:
    return ",".join(str(r.pk) for r in rows)


def dialog(client, kind, **data):
    return client.post(reverse("discovered-bulk-dialog", args=[kind]), {"audience": "discovered", **data}, headers=HTMX)


def confirm_fields(html: str) -> dict:
    return {name: value for name, value in re.findall(r'name="(ids|fingerprint)" value="([^"]*)"', html)}


def confirm(client, kind, fields, **headers):
    return client.post(reverse("discovered-bulk", args=[kind]), fields, headers=headers or HTMX)


def test_bulk_add_shows_how_many_and_who_then_adds_exactly_them(as_member, member, three):
    erin, finn, gail = three
    response = dialog(as_member, "add", selection="ids", ids=ids(erin, finn))
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alertdialog"' in html
    assert "Add 2 people to My People?" in html and "Add 2 people</button>" in html
    assert "Erin Example" in html and "Finn Other" in html and "Gail Guest" not in html
    assert not Contact.objects.exists()  # the dialog never acts

    response = confirm(as_member, "add", confirm_fields(html))
    assert response.status_code == 200
    assert "2 people added to My People" in response.content.decode()
    assert "contactsChanged" in response.headers["HX-Trigger"]
    assert set(Contact.objects.values_list("name", flat=True)) == {"Erin Example", "Finn Other"}
    erin_person = Contact.objects.get(email="erin@example.com")
    assert erin_person.timeline.filter(kind=EntryKind.EMAIL).count() == 2
    assert erin_person.timeline.get(kind=EntryKind.CREATED_BY_SYNC).actor == member
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["gail@example.com"]


def test_bulk_dismiss_over_select_all_leaves_out_the_unticked(as_member, member, three):
    erin, finn, gail = three
    html = dialog(as_member, "dismiss", selection="all", **{"except": str(finn.pk)}).content.decode()
    assert "Dismiss 2 people?" in html and "Dismiss 2 people</button>" in html
    response = confirm(as_member, "dismiss", confirm_fields(html))
    assert "2 people dismissed" in response.content.decode()
    dismissed = DiscoveredPerson.objects.filter(dismissed_at__isnull=False)
    assert set(dismissed.values_list("value", flat=True)) == {"erin@example.com", "gail@example.com"}
    assert all(row.dismissed_by == member and row.name == "" for row in dismissed)
    assert not DiscoveredInteraction.objects.filter(discovered=erin).exists()
    assert DiscoveredInteraction.objects.filter(discovered=finn).count() == 1
    assert not Contact.objects.exists()


def test_confirm_acts_on_exactly_the_rows_the_dialog_showed(as_member, workspace, three):
    """Someone discovered after the dialog opened is not swept in by a select-all; those added or
    dismissed meanwhile are skipped, and the outcome says so."""
    erin, finn, gail = three
    fields = confirm_fields(dialog(as_member, "add", selection="all").content.decode())
    later = found(workspace, "hal@example.com", "Hal Later", 1)
    as_member.post(reverse("discovered-add", args=[erin.pk]))  # added meanwhile
    as_member.post(reverse("discovered-dismiss", args=[finn.pk]))  # dismissed meanwhile
    text = confirm(as_member, "add", fields).content.decode()
    assert "1 person added to My People · 2 skipped: already added or dismissed" in text
    assert set(Contact.objects.values_list("name", flat=True)) == {"Erin Example", "Gail Guest"}
    assert DiscoveredPerson.objects.filter(pk=later.pk, dismissed_at__isnull=True).exists()


def test_a_tampered_set_changes_nothing(as_member, three):
    erin, finn, gail = three
    fields = confirm_fields(dialog(as_member, "dismiss", selection="ids", ids=ids(erin)).content.decode())
    response = confirm(as_member, "dismiss", {"ids": ids(erin, finn), "fingerprint": fields["fingerprint"]})
    assert response.status_code == 400 and "open the dialog again" in response.content.decode()
    response = confirm(as_member, "dismiss", {"ids": ids(erin)})
    assert response.status_code == 400
    assert not DiscoveredPerson.objects.filter(dismissed_at__isnull=False).exists()


def test_the_dialog_names_who_is_skipped_and_why(as_member, workspace, three):
    erin, finn, gail = three
    ContactFactory(workspace=workspace, name="Finn Archived", email="finn@example.com", archived=True)
    Suppression.objects.create(workspace=workspace, kind="email", value="gail@example.com")
    gone = found(workspace, "ivy@example.com", "Ivy Gone")
    gone_pk = gone.pk
    gone.delete()  # added by someone else before the dialog opened
    html = dialog(as_member, "add", selection="ids", ids=f"{ids(erin, finn, gail)},{gone_pk}").content.decode()
    assert "Add 4 people to My People?" in html and "Add 1 person</button>" in html
    assert "3 will be skipped." in html
    assert "1 skipped: in Archived People or Recently Deleted: restore them instead" in html
    assert "1 skipped: on the “Don&#x27;t re-create from sync” list" in html
    assert "1 skipped: already added or dismissed" in html
    assert "<strong>Finn Other</strong>" in html and "<strong>Gail Guest</strong>" in html


def test_suppressed_addresses_are_refused_one_at_a_time_and_in_bulk(as_member, workspace, three):
    erin, finn, gail = three
    fields = confirm_fields(dialog(as_member, "add", selection="ids", ids=ids(erin, gail)).content.decode())
    Suppression.objects.create(workspace=workspace, kind="email", value="gail@example.com")  # meanwhile
    text = confirm(as_member, "add", fields).content.decode()
    assert "1 person added to My People · 1 skipped: on the “Don&#x27;t re-create from sync” list" in text
    response = as_member.post(reverse("discovered-add", args=[gail.pk]), follow=True)
    assert "Don&#x27;t re-create from sync” list: lift it there first" in response.content.decode()
    assert list(Contact.objects.values_list("email", flat=True)) == ["erin@example.com"]


def test_with_no_one_to_act_on_there_is_only_close(as_member, workspace, three):
    erin, *_ = three
    ContactFactory(workspace=workspace, name="Erin Deleted", email="erin@example.com", deleted=True)
    html = dialog(as_member, "add", selection="ids", ids=ids(erin)).content.decode()
    assert "No one here can be changed." in html and "Close" in html and "data-confirm" not in html


def test_another_workspaces_rows_are_answered_as_if_they_did_not_exist(as_member, other_workspace, three):
    erin, *_ = three
    theirs = found(other_workspace, "theirs@example.com", "Their Person", 1)
    foreign = dialog(as_member, "dismiss", selection="ids", ids=ids(erin, theirs)).content.decode()
    missing = dialog(as_member, "dismiss", selection="ids", ids=f"{erin.pk},987654").content.decode()
    assert "Dismiss 2 people?" in foreign and "1 skipped: already added or dismissed" in foreign
    assert "Their Person" not in foreign
    assert re.sub(r'value="[^"]*"', "", foreign) == re.sub(r'value="[^"]*"', "", missing)
    forged = {"ids": ids(theirs), "fingerprint": fingerprint_of([theirs.pk])}
    text = confirm(as_member, "dismiss", forged).content.decode()
    assert "0 people dismissed; sync will not list them again · 1 skipped: already added or dismissed" in text
    html = dialog(as_member, "dismiss", selection="all").content.decode()
    assert "Their Person" not in html and "Dismiss 3 people?" in html
    theirs.refresh_from_db()
    assert theirs.dismissed_at is None and theirs.interactions.count() == 1


def test_only_members_and_only_posts(client, workspace, other_workspace, three):
    erin, *_ = three
    fields = {"ids": ids(erin), "fingerprint": fingerprint_of([erin.pk])}
    assert client.post(reverse("discovered-bulk", args=["add"]), fields).status_code == 302  # to the login page
    outsider = UserFactory(username="olga")
    client.force_login(outsider)
    assert client.post(reverse("discovered-bulk", args=["add"]), fields, headers=HTMX).status_code in (403, 404)
    assert not Contact.objects.exists()
    # A member of another workspace: its ids are not theirs to act on.
    MembershipFactory(workspace=other_workspace, user=outsider, role=Role.ADMIN)
    assert "0 people added to My People" in confirm(client, "add", fields).content.decode()
    assert not Contact.objects.exists() and DiscoveredPerson.objects.filter(pk=erin.pk).exists()


def test_bad_input_is_refused_with_a_reason(as_member, three):
    erin, *_ = three
    assert as_member.get(reverse("discovered-bulk-dialog", args=["add"])).status_code == 405
    assert as_member.get(reverse("discovered-bulk", args=["add"])).status_code == 405
    assert dialog(as_member, "archive", selection="ids", ids=ids(erin)).status_code == 404
    for data, words in (
        ({"selection": "ids", "ids": ""}, "Select at least one person first."),
        ({"selection": "ids", "ids": "1,x"}, "is not a person&#x27;s id"),
        ({"selection": "some"}, "Unknown kind of selection."),
    ):
        response = dialog(as_member, "add", **data)
        assert response.status_code == 400 and words in response.content.decode()
    assert not DiscoveredPerson.objects.filter(dismissed_at__isnull=False).exists() and not Contact.objects.exists()


def test_the_page_has_the_selection_machinery(as_member, three):
    html = as_member.get(reverse("discovered")).content.decode()
    assert 'data-selection-region data-audience="discovered" data-total="3"' in html
    assert 'aria-label="Select Erin Example"' in html and "Select all on this page" in html
    assert 'role="menuitem"' in html and ">Add</button>" in html
    assert 'id="selection-form"' in html and 'id="dialog-slot"' in html
    # js/list.js redraws the list alone after a bulk change.
    region = as_member.get(reverse("discovered"), headers={"HX-Request": "true", "HX-Target": "discovered-region"})
    body = region.content.decode()
    assert 'id="discovered-region"' in body and "<html" not in body and 'id="bulk-menu"' not in body
