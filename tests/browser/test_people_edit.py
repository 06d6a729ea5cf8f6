"""Add person and Edit (issue 13), at 375 and 1280 px: adding, editing, a rule's refusal by the field
with Restore, and Recently Deleted's read-only pane with Restore."""

import re

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, EntryKind, Stage
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    WIDTHS,
    confirm,
    console_errors,
    dialog,
    open_people,
    status,
)
from tests.factories import ContactFactory

# htmx logs every 4xx it swaps in; the form's refusal (400, the reasons by the fields) is one on purpose.
REFUSED = re.compile(r"Response Status Error Code 400 from /people/(add|\d+/edit)/")


def forgive_refusals(errors: list[str]) -> None:
    errors[:] = [error for error in errors if not REFUSED.search(error)]


def details(page):
    return page.get_by_role("region", name="Details")


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture(params=sorted(WIDTHS), ids=lambda w: f"{w}px")
def sized(request, logged_in_page):
    logged_in_page.set_viewport_size(WIDTHS[request.param])
    return logged_in_page


def test_add_a_person(sized, live_server, workspace):
    ContactFactory(workspace=workspace, name="Already Here")
    page = open_people(sized, live_server, view="table")
    page.get_by_role("link", name="Add person", exact=True).click()
    pane = details(page)
    expect(pane.get_by_role("heading", name="Add person")).to_be_visible()
    no_sideways_scroll(page)
    pane.get_by_role("textbox", name="Name").fill("Pat Quinn")
    pane.get_by_role("textbox", name="Email").fill("Pat@Example.com")
    pane.get_by_role("textbox", name="Phone").fill("(415) 555-0100")
    pane.get_by_role("combobox", name="Stage").select_option(label="Lead")
    pane.get_by_role("button", name="Save", exact=True).click()

    expect(pane.get_by_role("heading", name="Pat Quinn", level=2, exact=True)).to_be_visible()
    expect(status(page)).to_contain_text("Pat Quinn added")
    expect(pane.get_by_role("link", name="pat@example.com")).to_have_attribute("href", "mailto:pat@example.com")
    expect(pane.get_by_role("link", name="(415) 555-0100")).to_have_attribute("href", "tel:+14155550100")
    person = Contact.objects.get(name="Pat Quinn")
    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/\?audience=my-people&view=list$"))
    assert person.stage == Stage.LEAD and person.timeline.get().kind == EntryKind.CREATED


def test_edit_a_person(sized, live_server, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", title="Buyer", stage=Stage.PAST)
    page = sized
    page.goto(f"{live_server.url}/people/{person.pk}/?audience=my-people&view=list")
    pane = details(page)
    pane.get_by_role("link", name="Edit", exact=True).click()
    expect(pane.get_by_role("heading", name="Edit Pat Quinn")).to_be_visible()
    no_sideways_scroll(page)
    pane.get_by_role("textbox", name="Title").fill("Head of Buying")
    pane.get_by_role("button", name="Save", exact=True).click()

    expect(status(page)).to_contain_text("Pat Quinn saved")
    expect(pane.get_by_role("heading", name="Pat Quinn", level=2, exact=True)).to_be_visible()
    expect(pane).to_contain_text("Head of Buying")
    expect(pane.get_by_role("list", name="Timeline of Pat Quinn")).to_contain_text("Changed title")
    assert Contact.objects.get(pk=person.pk).title == "Head of Buying"


def test_cancel_leaves_the_edit_form_for_the_persons_pane_unchanged(sized, live_server, workspace):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", title="Buyer")
    page = sized
    page.goto(f"{live_server.url}/people/{person.pk}/?audience=my-people&view=list")
    pane = details(page)
    pane.get_by_role("link", name="Edit", exact=True).click()
    pane.get_by_role("textbox", name="Title").fill("Head of Buying")
    pane.get_by_role("link", name="Cancel", exact=True).click()

    expect(pane.get_by_role("heading", name="Pat Quinn", level=2, exact=True)).to_be_visible()
    expect(pane.get_by_role("textbox", name="Title")).to_have_count(0)
    expect(pane).to_contain_text("Buyer")
    assert Contact.objects.get(pk=person.pk).title == "Buyer"


def test_an_edit_refused_by_a_rule_says_why_by_the_field_and_offers_restore(
    sized, live_server, workspace, console_errors
):
    person = ContactFactory(workspace=workspace, name="Pat Quinn", archived=True)
    page = sized
    page.goto(f"{live_server.url}/people/{person.pk}/?audience=archived&view=list")
    pane = details(page)
    # In the pane itself the stage is read-only, with the reason.
    expect(pane.get_by_role("combobox", name="Stage")).to_have_count(0)
    expect(pane).to_contain_text("Archived — restore it first")
    pane.get_by_role("link", name="Edit", exact=True).click()
    stage = pane.get_by_role("combobox", name="Stage")
    stage.select_option(label="Lead")
    pane.get_by_role("button", name="Save", exact=True).click()

    expect(stage).to_have_accessible_description(re.compile("Archived — restore it first"))
    expect(pane.get_by_role("alert").first).to_contain_text("Nothing was saved")
    assert Contact.objects.get(pk=person.pk).stage == Stage.LOST

    pane.get_by_role("link", name="Restore Pat Quinn").click()
    box = dialog(page, "Restore 1 person?")
    expect(box).to_be_visible()
    confirm(box, "Restore 1 person")
    expect(status(page)).to_contain_text("1 person restored to My People")
    # The list redraws, and the pane with it: back in My People, the stage is theirs to change again.
    expect(pane.get_by_role("combobox", name="Stage")).to_be_visible()
    assert Contact.objects.get(pk=person.pk).archived_at is None
    forgive_refusals(console_errors)


def test_adding_someone_deleted_offers_to_restore_them(sized, live_server, workspace, console_errors):
    ContactFactory(workspace=workspace, name="Old Pat", email="pat@example.com", deleted=True)
    page = open_people(sized, live_server, view="list")
    page.get_by_role("link", name="Add person", exact=True).click()
    pane = details(page)
    pane.get_by_role("textbox", name="Name").fill("Pat Quinn")
    email = pane.get_by_role("textbox", name="Email")
    email.fill("pat@example.com")
    pane.get_by_role("button", name="Save", exact=True).click()
    expect(email).to_have_accessible_description(re.compile(r"Old Pat \(in Recently Deleted\) already has this email"))
    pane.get_by_role("link", name="Restore Old Pat").click()
    confirm(dialog(page, "Restore 1 person?"), "Restore 1 person")
    expect(status(page)).to_contain_text("1 person restored to Archived People")
    page.wait_for_load_state("networkidle")  # the list's redraw after the change
    assert not Contact.objects.filter(name="Pat Quinn").exists()
    assert Contact.objects.get(name="Old Pat").deleted_at is None
    forgive_refusals(console_errors)


def test_a_recently_deleted_row_opens_a_read_only_pane_and_restore_works(sized, live_server, workspace):
    ContactFactory(workspace=workspace, name="Gone Person", deleted=True)
    page = open_people(sized, live_server, audience="deleted", view="list")
    expect(page.get_by_role("list").first).to_contain_text("Erased in 30 days")
    page.get_by_role("link", name=re.compile(r"^Gone Person")).click()
    pane = details(page)
    expect(pane.get_by_role("heading", name="Gone Person", level=2, exact=True)).to_be_visible()
    expect(pane).to_contain_text("Erased in 30 days")
    expect(pane.get_by_role("combobox")).to_have_count(0)
    expect(pane.get_by_role("link", name="Edit")).to_have_count(0)
    no_sideways_scroll(page)
    pane.get_by_role("button", name="Restore", exact=True).click()
    confirm(dialog(page, "Restore 1 person?"), "Restore 1 person")
    expect(status(page)).to_contain_text("1 person restored to Archived People")
    # The list redraws: Recently Deleted is empty now, and its pane closed with it.
    expect(page.get_by_text("Nothing was deleted recently.")).to_be_visible()
    assert Contact.objects.get(name="Gone Person").deleted_at is None
