"""The "Don't re-create from sync" page: the people pages' layout, numbers as people write them, and whose."""

from django.urls import reverse

from contacts.normalize import display_phone
from sync.models import Suppression
from tests.factories import ContactFactory
from tests.helpers import visible_text


def suppress(workspace, kind, value):
    return Suppression.objects.create(workspace=workspace, kind=kind, value=value)


def test_phone_numbers_are_national_in_the_workspaces_region_and_international_otherwise():
    assert display_phone("+14155550100", "US") == "(415) 555-0100"
    assert display_phone("+442079460958", "US") == "+44 20 7946 0958"
    assert display_phone("+442079460958", "GB") == "020 7946 0958"
    assert display_phone("not a number", "US") == "not a number"


def test_the_page_formats_numbers_and_says_whose_address_it_was(as_manager, workspace, other_workspace):
    ContactFactory(workspace=workspace, name="Dana Lee", email="dana@example.com", deleted=True)
    ContactFactory(workspace=workspace, name="Pat Phone", phone="+1 415 555 0100", deleted=True)
    ContactFactory(workspace=other_workspace, name="Their Person", email="gone@example.com")
    suppress(workspace, "email", "dana@example.com")
    suppress(workspace, "phone", "+14155550100")
    suppress(workspace, "phone", "+442079460958")
    suppress(workspace, "email", "gone@example.com")  # purged here; someone elsewhere has it
    response = as_manager.get(reverse("suppressions"))
    html = response.content.decode()
    text = visible_text(response)
    assert 'class="page-heading"' in html and "people-table" in html and "4 addresses" in text
    assert "(415) 555-0100" in text and "+44 20 7946 0958" in text and "+14155550100" not in text
    assert "Dana Lee (Recently Deleted)" in text and "Pat Phone (Recently Deleted)" in text
    assert "Their Person" not in text
    assert text.count("No longer known") == 2
    assert 'aria-label="Lift (415) 555-0100"' in html


def test_members_see_the_list_without_lift(as_member, workspace):
    ContactFactory(workspace=workspace, name="Ann Ames", email="ann@example.com")
    suppress(workspace, "email", "ann@example.com")
    response = as_member.get(reverse("suppressions"))
    text = visible_text(response)
    assert "Ann Ames (My People)" in text and "Lift ann@example.com" not in response.content.decode()


def test_the_help_line_tells_members_who_can_lift(as_member, workspace):
    suppress(workspace, "email", "ann@example.com")
    text = visible_text(as_member.get(reverse("suppressions")))
    assert "Admins and managers can lift one to let sync create that person again." in text
    assert "Lift one to let sync" not in text


def test_the_help_line_tells_managers_that_they_can_lift(as_manager, workspace):
    suppress(workspace, "email", "ann@example.com")
    text = visible_text(as_manager.get(reverse("suppressions")))
    assert "Lift one to let sync create that person again." in text
    assert "Admins and managers can lift one" not in text
