"""The bulk dialogs at 375 and 1280 px: a long dialog keeps its question and buttons in view and opens
at its top; the header's ✕ closes it; Fix and archive, then Undo, from both views."""

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    WIDTHS,
    choose,
    console_errors,
    dialog,
    open_people,
    page_checkbox,
    status,
    tick,
)
from tests.factories import ContactFactory

# Shorter than either screen, so that the dialog's body must scroll at both widths.
HEIGHT = 640


@pytest.fixture
def many_blocked(workspace, admin_user):
    """Twelve in an open stage and twelve assigned: two groups of ten names and more."""
    for i in range(12):
        ContactFactory(workspace=workspace, name=f"Ann Open {i:02}", stage=Stage.ACTIVE)
        ContactFactory(workspace=workspace, name=f"Bob Taken {i:02}", stage=Stage.PAST, assignee=admin_user)
    ContactFactory(workspace=workspace, name="Cy Free", stage=Stage.PAST)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_dialog_opens_at_its_top_with_question_and_buttons_in_view_and_the_x_closes_it(
    logged_in_page, live_server, many_blocked, width
):
    page = logged_in_page
    page.set_viewport_size({"width": WIDTHS[width]["width"], "height": HEIGHT})
    open_people(page, live_server)
    page_checkbox(page).check()
    box = choose(page, "Archive", "Archive 25 people?", selected=25)
    body = box.locator(".dialog-body")
    assert body.evaluate("b => b.scrollHeight > b.clientHeight"), "the dialog is not long enough to test"
    assert body.evaluate("b => b.scrollTop") == 0
    expect(box.get_by_role("heading", name="Archive 25 people?")).to_be_in_viewport()
    expect(box.get_by_text("1 person will be archived.")).to_be_in_viewport()
    confirm_button = box.get_by_role("button", name="Archive 1 person", exact=True)
    expect(confirm_button).to_be_in_viewport()
    expect(confirm_button).to_be_focused()

    # Scrolled to the end of the names, the question and the buttons are still there.
    body.evaluate("b => { b.scrollTop = b.scrollHeight; }")
    expect(box.get_by_role("heading", name="Archive 25 people?")).to_be_in_viewport()
    expect(confirm_button).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    close = box.get_by_role("button", name="Close", exact=True)
    expect(close).to_be_in_viewport()
    box_width = close.bounding_box()
    assert box_width["width"] >= 44 and box_width["height"] >= 44
    close.click()
    expect(dialog(page)).to_have_count(0)
    assert not Contact.objects.archived().exists()


@pytest.mark.parametrize("view", ["table", "list"])
@pytest.mark.parametrize("width", WIDTHS)
def test_fix_and_archive_then_undo(logged_in_page, live_server, workspace, admin_user, view, width):
    ada = ContactFactory(workspace=workspace, name="Ada Active", stage=Stage.ACTIVE, assignee=admin_user)
    ContactFactory(workspace=workspace, name="Pam Past", stage=Stage.PAST)
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server, view=view)
    tick(page, "Ada Active", "Pam Past")
    box = choose(page, "Archive", "Archive 2 people?", selected=2)
    expect(box.get_by_role("button", name="Archive 1 person", exact=True)).to_be_visible()
    expect(box.get_by_role("button", name="Set stage to Past, remove the assignee and archive all 2")).to_be_visible()

    box.get_by_role("combobox", name="Stage to set").select_option(label="Lost")
    fix = dialog(page).get_by_role("button", name="Set stage to Lost, remove the assignee and archive all 2")
    expect(fix).to_be_visible()
    fix.click()
    expect(status(page)).to_contain_text("2 people archived (1 fixed first)")  # Pam Past needed no fix
    expect(dialog(page)).to_have_count(0)
    ada.refresh_from_db()
    assert (ada.stage, ada.assignee, ada.archived_at is not None) == (Stage.LOST, None, True)

    status(page).get_by_role("button", name="Undo").click()
    expect(status(page)).to_contain_text("Undone: 2 people put back")
    ada.refresh_from_db()
    assert (ada.stage, ada.assignee, ada.archived_at) == (Stage.ACTIVE, admin_user, None)
    assert not Contact.objects.archived().exists()
    expect(page.get_by_role("checkbox", name="Select Ada Active", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_one_person_who_cannot_be_archived_is_told_why_and_offered_the_fix(
    logged_in_page, live_server, workspace, width
):
    ContactFactory(workspace=workspace, name="Ada Open", stage=Stage.ACTIVE)
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server)
    tick(page, "Ada Open")
    box = choose(page, "Archive", "Archive 1 person?", selected=1)
    expect(box).to_contain_text("Ada Open cannot be archived:")
    expect(box).to_contain_text("Stage is Active — change or remove the stage")
    expect(box.get_by_role("button", name="Select only", exact=False)).to_have_count(0)
    expect(box.get_by_role("button", name="Cancel")).to_have_count(0)
    box.get_by_role("button", name="Set stage to Past and archive 1 person").click()
    expect(status(page)).to_contain_text("1 person fixed and archived")
    assert Contact.objects.get(name="Ada Open").stage == Stage.PAST


def test_a_stale_fix_and_archive_changes_nothing_and_is_shown_without_a_console_error(
    logged_in_page, live_server, workspace, admin_user
):
    """Someone changes a person between the dialog and the confirm: the 409 dialog says so (the
    console_errors fixture fails the test on htmx's error log; the browser's own network line is expected)."""
    ContactFactory(workspace=workspace, name="Ada Active", stage=Stage.ACTIVE)
    pam = ContactFactory(workspace=workspace, name="Pam Past", stage=Stage.PAST)
    page = open_people(logged_in_page, live_server)
    tick(page, "Ada Active", "Pam Past")
    box = choose(page, "Archive", "Archive 2 people?", selected=2)
    # Meanwhile someone else closes Ada's stage and archives her: she is no longer one of the two.
    Contact.objects.filter(name="Ada Active").update(stage=Stage.LOST, archived_at=pam.created_at)
    box.get_by_role("button", name="Set stage to Past and archive all 2").click()
    expect(dialog(page)).to_contain_text("Nothing was changed")
    assert Contact.objects.get(pk=pam.pk).archived_at is None
