"""Discovered People in a real browser: sync lists strangers; the user adds one and dismisses another."""

import mailbox
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from playwright.sync_api import expect

from contacts.models import Contact, EntryKind
from sync.models import DiscoveredPerson
from sync.run import sync_mailbox
from tests.browser.flows import WIDTHS, bulk_button, choose, confirm, console_errors, status, tick  # noqa: F401
from tests.factories import ContactFactory

JAN = datetime(2024, 1, 10, 9, 30, tzinfo=UTC)


def mbox_from_strangers(path, *senders):
    box = mailbox.mbox(str(path))
    for n, sender in enumerate(senders):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "sales@acme.test"
        message["Subject"] = f"Hello number {n}"
        message["Date"] = format_datetime(JAN + timedelta(hours=n))
        message["Message-ID"] = f"<browser{n}@mail.test>"
        message.set_content("Hi!\n")
        box.add(message)
    box.flush()
    box.close()
    return path


@pytest.fixture(autouse=True)
def own_domain(workspace):
    workspace.own_addresses = "@acme.test"
    workspace.save()


def test_add_and_dismiss_discovered_people(logged_in_page, live_server, workspace, tmp_path, screenshot):
    sync_mailbox(
        workspace,
        mbox_from_strangers(tmp_path / "in.mbox", "Erin Example <erin@example.com>", "Finn Other <finn@example.com>"),
    )
    page = logged_in_page
    page.goto(live_server.url + "/people/discovered/")

    expect(page.get_by_role("heading", name="Discovered People")).to_be_visible()
    expect(page.get_by_text("2 people", exact=True)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="erin@example.com")).to_contain_text("Erin Example")
    screenshot(page, "discovered-people")

    page.get_by_role("button", name="Add Erin Example", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Erin Example added to My People")
    expect(page.get_by_role("button", name="Add Erin Example", exact=True)).to_have_count(0)
    expect(page.get_by_text("1 person", exact=True)).to_be_visible()

    page.get_by_role("button", name="Dismiss Finn Other", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Finn Other dismissed")
    expect(page.get_by_text("No one discovered.")).to_be_visible()
    screenshot(page, "discovered-people-empty")

    erin = Contact.objects.get(email="erin@example.com")
    assert erin.timeline.filter(kind=EntryKind.CREATED_BY_SYNC).count() == 1
    assert erin.timeline.filter(kind=EntryKind.EMAIL).count() == 1
    assert DiscoveredPerson.objects.get(value="finn@example.com").dismissed_at is not None
    assert not Contact.objects.filter(email="finn@example.com").exists()

    # The audience switcher leads back to My People, where Erin now is.
    page.get_by_role("button", name="Discovered People").click()
    page.get_by_role("link", name="My People", exact=True).click()
    expect(page.get_by_text("Erin Example").first).to_be_visible()


def test_discovered_people_work_without_javascript(browser, live_server, workspace, admin_user, tmp_path, login):
    sync_mailbox(workspace, mbox_from_strangers(tmp_path / "in.mbox", "Gail Guest <gail@example.com>"))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, admin_user.username)
        page.goto(live_server.url + "/people/discovered/")
        page.get_by_role("button", name="Add Gail Guest", exact=True).click()
        expect(page.get_by_text("Gail Guest added to My People")).to_be_visible()
        expect(page.get_by_text("No one discovered.")).to_be_visible()
    finally:
        context.close()
    assert Contact.objects.filter(email="gail@example.com").exists()


def test_someone_in_recently_deleted_is_restored_from_discovered_people(
    logged_in_page, live_server, workspace, tmp_path
):
    """#11.12: the row names where the person is and offers "Restore <name>", never a blank "Add"."""
    dana = ContactFactory(workspace=workspace, name="Dana Lee", email="dana@example.com", deleted=True)
    known = ContactFactory(workspace=workspace, name="Ann Ames", email="ann@example.com")
    box = mailbox.mbox(str(tmp_path / "cc.mbox"))
    message = EmailMessage()
    message["From"] = "sales@acme.test"
    message["To"] = known.email
    message["Cc"] = "D. Lee <dana@example.com>"
    message["Subject"] = "Catch-up"
    message["Date"] = format_datetime(JAN)
    message["Message-ID"] = "<browser-cc@mail.test>"
    message.set_content("Hi!\n")
    box.add(message)
    box.flush()
    box.close()
    sync_mailbox(workspace, tmp_path / "cc.mbox")
    page = logged_in_page
    page.goto(live_server.url + "/people/discovered/")

    entry = page.get_by_role("listitem").filter(has_text="dana@example.com")
    expect(entry).to_contain_text("Dana Lee is in Recently Deleted")
    expect(entry.get_by_role("button", name="Add D. Lee", exact=True)).to_have_count(0)
    entry.get_by_role("button", name="Restore Dana Lee", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Dana Lee is back in My People (from Recently Deleted): 1 interaction added to their timeline"
    )
    expect(page.get_by_text("No one discovered.")).to_be_visible()
    dana.refresh_from_db()
    assert (dana.deleted_at, dana.archived_at) == (None, None)
    assert Contact.objects.filter(email="dana@example.com").count() == 1
    assert dana.timeline.filter(kind=EntryKind.EMAIL, summary="Catch-up").exists()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_bulk_add_and_dismiss_discovered_people(logged_in_page, live_server, workspace, tmp_path, width, screenshot):
    """Tick two, Add them to My People in one go; then Dismiss the rest with the page checkmark."""
    sync_mailbox(
        workspace,
        mbox_from_strangers(
            tmp_path / "in.mbox",
            "Erin Example <erin@example.com>",
            "Finn Other <finn@example.com>",
            "Gail Guest <gail@example.com>",
            "Hal Host <hal@example.com>",
        ),
    )
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    page.goto(live_server.url + "/people/discovered/")
    expect(page.get_by_text("4 people", exact=True)).to_be_visible()
    assert no_sideways_scroll(page)

    tick(page, "Erin Example", "Gail Guest")
    expect(bulk_button(page, 2)).to_be_visible()
    box = choose(page, "Add", "Add 2 people to My People?", selected=2)
    expect(box).to_contain_text("Erin Example")
    expect(box).to_contain_text("Gail Guest")
    expect(box).not_to_contain_text("Finn Other")
    screenshot(page, f"discovered-bulk-add-{width}")
    confirm(box, "Add 2 people")
    expect(status(page)).to_contain_text("2 people added to My People")
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_text("2 people", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Select Erin Example")).to_have_count(0)
    expect(bulk_button(page)).to_be_hidden()  # the selection cleared with the change
    assert set(Contact.objects.values_list("name", flat=True)) == {"Erin Example", "Gail Guest"}

    page.get_by_role("checkbox", name="Select all on this page", exact=True).check()
    box = choose(page, "Dismiss", "Dismiss 2 people?", selected=2)
    box.get_by_role("button", name="Close", exact=True).click()  # the header's ✕, as in every dialog
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    assert DiscoveredPerson.objects.filter(dismissed_at__isnull=False).count() == 0
    box = choose(page, "Dismiss", "Dismiss 2 people?", selected=2)
    confirm(box, "Dismiss 2 people")
    expect(status(page)).to_contain_text("2 people dismissed")
    expect(page.get_by_text("No one discovered.")).to_be_visible()
    assert DiscoveredPerson.objects.filter(dismissed_at__isnull=False).count() == 2

    # They are in My People now.
    page.goto(live_server.url + "/people/?audience=my-people")
    expect(page.get_by_role("checkbox", name="Select Erin Example", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="Select Gail Guest", exact=True)).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_suppressions_page_formats_numbers_and_says_whose(logged_in_page, live_server, workspace, width, screenshot):
    from sync.models import Suppression

    ContactFactory(
        workspace=workspace, name="Dana Lee", email="dana.lee.with.a.long.address@example-company.com", deleted=True
    )
    ContactFactory(workspace=workspace, name="Pat Phone", phone="+1 415 555 0100", deleted=True)
    for kind, value in (
        ("email", "dana.lee.with.a.long.address@example-company.com"),
        ("phone", "+14155550100"),
        ("phone", "+442079460958"),
    ):
        Suppression.objects.create(workspace=workspace, kind=kind, value=value)
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    page.goto(live_server.url + "/settings/suppressions/")

    expect(page.get_by_role("heading", name="Don't re-create from sync", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Don't re-create from sync", exact=True)).to_be_visible()  # the header
    table = page.get_by_role("table", name="Suppressed addresses")
    expect(table.get_by_role("row").filter(has_text="(415) 555-0100")).to_contain_text("Pat Phone (Recently Deleted)")
    expect(table.get_by_role("row").filter(has_text="+44 20 7946 0958")).to_contain_text("No longer known")
    expect(table.get_by_role("row").filter(has_text="example-company.com")).to_contain_text("Dana Lee")
    expect(page.get_by_role("button", name="Lift (415) 555-0100", exact=True)).to_be_visible()
    screenshot(page, f"suppressions-{width}")
    assert no_sideways_scroll(page)
    lift = page.get_by_role("button", name="Lift (415) 555-0100", exact=True).bounding_box()
    assert lift["x"] + lift["width"] <= WIDTHS[width]["width"]


def test_select_all_across_pages_and_dismiss_them(logged_in_page, live_server, workspace, tmp_path, monkeypatch):
    """The page checkmark's banner selects everyone on every page; unticking one leaves them out."""
    from sync import views
    from tests.browser.test_accessibility import audit

    monkeypatch.setattr(views, "DISCOVERED_PAGE_SIZE", 2)
    sync_mailbox(
        workspace,
        mbox_from_strangers(
            tmp_path / "in.mbox", "Ann One <ann@example.com>", "Ben Two <ben@example.com>", "Cy Three <cy@example.com>"
        ),
    )
    page = logged_in_page
    page.goto(live_server.url + "/people/discovered/")
    page.get_by_role("checkbox", name="Select all on this page", exact=True).check()
    page.get_by_role("button", name="Select all 3 people").click()
    expect(page.get_by_text("All 3 people are selected.")).to_be_visible()
    page.get_by_role("checkbox", name="Select Cy Three", exact=True).uncheck()  # newest first: Cy is on page 1
    expect(bulk_button(page, 2)).to_be_visible()
    box = choose(page, "Dismiss", "Dismiss 2 people?", selected=2)
    expect(box).to_contain_text("Ben Two")
    expect(box).to_contain_text("Ann One")
    audit(page, "discovered-dismiss-dialog", "1280")
    confirm(box, "Dismiss 2 people")
    expect(status(page)).to_contain_text("2 people dismissed")
    expect(page.get_by_text("1 person", exact=True)).to_be_visible()
    assert list(DiscoveredPerson.objects.filter(dismissed_at__isnull=True).values_list("name", flat=True)) == [
        "Cy Three"
    ]
