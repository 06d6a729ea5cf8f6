"""Layout (issue 13, "Lists" and "Look"): density on a desk, cards on a phone, room for the round button,
no sideways scrolling, tap targets, the logo, and a dark theme; measured in Chromium by accessible names.

Screenshots land in test-artifacts/screenshots/layout-*.png.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from jobs.models import BulkJob, JobState
from sync.models import DiscoveredPerson, Suppression
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    DESKTOP,
    PHONE,
    WIDTHS,
    bulk_button,
    open_people,
    page_checkbox,
    people_url,
    row,
    tick,
)
from tests.factories import ContactFactory

STAGES = [Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, ""]
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausen-Bergerdorff"


def test_a_job_on_the_jobs_page_is_a_card_with_its_outcome_and_undo_on_screen_on_a_phone(
    logged_in_page, live_server, crowd
):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/jobs/")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"1,?195 people archived"))
    expect(row.get_by_role("time")).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2}$"))
    undo = row.get_by_role("button", name="Undo")
    expect(undo).to_be_in_viewport(ratio=1)
    assert box_of(undo)["x"] + box_of(undo)["width"] <= PHONE["width"]
    assert_no_sideways_scroll(page)


LONG_COMPANY = "International Consolidated Widgets and Sprockets Holding Company"


@pytest.fixture
def crowd(workspace, admin_user):
    """60 people (more than a page of 50), some with long names, companies and addresses, every stage;
    a few archived and deleted; a suppression and a discovered address with long values."""
    ContactFactory(
        workspace=workspace,
        name=LONG_NAME,
        company=LONG_COMPANY,
        email="maximiliana.wolfeschlegelsteinhausen@international-widgets.example.com",
        stage=Stage.POTENTIAL,
    )
    for i in range(59):
        ContactFactory(workspace=workspace, name=f"Person {i:02}", company=f"Company {i % 7}", stage=STAGES[i % 6])
    for i in range(3):
        ContactFactory(workspace=workspace, name=f"Archie {i}", archived=True, archived_by=admin_user)
        ContactFactory(workspace=workspace, name=f"Dora {i}", deleted=True, deleted_by=admin_user)
    Suppression.objects.create(
        workspace=workspace,
        kind="email",
        value="a.really.long.address.for.testing.wrapping@subdomain.example-company.com",
        created_by=admin_user,
    )
    DiscoveredPerson.objects.create(
        workspace=workspace,
        kind="email",
        value="someone.with.a.very.long.address@another-long-domain.example.org",
        interaction_count=3,
        last_summary="Re: the quarterly planning meeting agenda and the follow-up notes",
    )
    # A finished job, so the Jobs page has a row (what, who, when, progress, outcome, Undo) to lay out.
    BulkJob.objects.create(
        workspace=workspace,
        actor=admin_user,
        action="archive",
        state=JobState.FINISHED,
        total=1200,
        done=1195,
        skipped=5,
        reasons={"already archived": 5},
        batches=3,
        finished_at=timezone.now(),
    )


def viewport_shot(pytestconfig, page, name):
    """What fits on the screen (the screenshot fixture takes the whole page)."""
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-viewport.png"))


def body_rows(page):
    """The rows of people in the Table View (each has a row checkmark)."""
    return page.locator("tbody tr").filter(has=page.get_by_role("checkbox", name=re.compile(r"^Select ")))


def box_of(locator):
    box = locator.bounding_box()
    assert box is not None, f"{locator} has no box"
    return box


def centre_y(box):
    return box["y"] + box["height"] / 2


def intersects(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def long_name_row(page, live_server, size):
    """The Table View at `size`, and the row (a card on a phone) of the person with the long name."""
    page.set_viewport_size(size)
    open_people(page, live_server)
    return body_rows(page).filter(has=row(page, LONG_NAME))


def last_row_name(page):
    """The name of the last person on the page (Table View or List and Details View)."""
    boxes = page.get_by_role("checkbox", name=re.compile(r"^Select (?!all on this page$)"))
    return boxes.last.get_attribute("aria-label").removeprefix("Select ")


# ---- density on a desk ------------------------------------------------------------------------------


def test_table_rows_are_44_to_48_px_and_14_fit_at_1280x900(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server)
    rows = body_rows(page)
    expect(rows).to_have_count(50)
    heights = rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
    assert all(44 <= h <= 48 for h in heights), sorted(set(heights))
    visible = rows.evaluate_all(
        "rs => rs.filter(r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; }).length"
    )
    assert visible >= 14


def test_list_view_rows_have_the_same_density(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server, view="list")
    rows = page.locator("[data-people-list] > li")
    expect(rows).to_have_count(50)
    heights = rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
    assert all(44 <= h <= 48 for h in heights), sorted(set(heights))


def test_every_cell_is_vertically_centred_and_the_email_stays_inside_the_row(logged_in_page, live_server, crowd):
    page = logged_in_page
    tr = long_name_row(page, live_server, DESKTOP)
    row_box = box_of(tr)
    checkbox = box_of(row(page, LONG_NAME))
    name = box_of(tr.get_by_role("link", name=LONG_NAME, exact=True))
    email = box_of(tr.get_by_text("maximiliana.wolfeschlegelsteinhausen@", exact=False))
    avatar = box_of(tr.locator(".avatar"))
    stage = box_of(tr.get_by_text("Potential", exact=True))
    middle = centre_y(row_box)
    assert abs(centre_y(checkbox) - middle) <= 2
    assert abs(centre_y(avatar) - middle) <= 2
    assert abs(centre_y(stage) - middle) <= 2
    # Name over email: one block centred in the row, both lines inside it.
    assert abs((name["y"] + email["y"] + email["height"]) / 2 - middle) <= 3
    assert email["y"] >= name["y"] + name["height"] - 1
    assert row_box["y"] <= name["y"] and email["y"] + email["height"] <= row_box["y"] + row_box["height"]
    assert email["height"] < name["height"]  # the smaller line


# ---- the round button covers nothing -------------------------------------------------------------------


@pytest.mark.parametrize("view", ["table", "list"])
@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_under_the_round_button(logged_in_page, live_server, crowd, width, view):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server, view=view)
    page_checkbox(page).check()
    button = bulk_button(page, 50)
    expect(button).to_be_visible()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    fab = box_of(button)
    last = box_of(row(page, last_row_name(page)).locator("xpath=ancestor::*[self::tr or self::li][1]"))
    assert not intersects(fab, last), (fab, last)
    next_link = page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next")
    assert not intersects(fab, box_of(next_link))
    if view == "table" and width == "1280":
        # The last column, top to bottom of the page: every cell of it at any scroll position.
        cells = page.locator("tbody tr td:last-child").evaluate_all(
            "tds => tds.map(td => { const b = td.getBoundingClientRect(); return b.right; })"
        )
        assert max(cells) <= fab["x"], (max(cells), fab)


def test_nothing_in_discovered_people_is_under_the_round_button(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(WIDTHS["1280"])
    page.goto(live_server.url + "/people/discovered/")
    page.get_by_role("checkbox", name="Select all on this page", exact=True).check()
    fab = box_of(page.get_by_role("button", name=re.compile("^Bulk actions")))
    rights = page.locator("#discovered-region button, #discovered-region a").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right)"
    )
    assert rights and max(rights) <= fab["x"], (max(rights), fab)


# ---- a phone: cards, no sideways scroll, tap targets ----------------------------------------------------

# Every page that must not scroll sideways at 375 px: (name, address after the host). Add pages here.
PHONE_PAGES = [
    ("my-people-table", "/people/?audience=my-people&view=table"),
    ("my-people-list", "/people/?audience=my-people&view=list"),
    ("archived", "/people/?audience=archived&view=table"),
    ("archived-list", "/people/?audience=archived&view=list"),
    ("recently-deleted", "/people/?audience=deleted&view=table"),
    ("recently-deleted-list", "/people/?audience=deleted&view=list"),
    ("stage-audience", "/people/?audience=stage-potential&view=table"),
    ("assigned-to-me", "/people/?audience=assigned-to-me&view=table"),
    ("unassigned", "/people/?audience=unassigned&view=table"),
    ("search-empty", "/people/?audience=my-people&view=table&q=nobody-matches-this-long-search"),
    ("suppressions", "/settings/suppressions/"),
    ("discovered", "/people/discovered/"),
    ("not-found", "/people/999999/"),
    ("bad-request", "/people/?audience=no-such-audience"),
    ("add-person", "/people/add/"),
    ("jobs", "/jobs/"),
    ("logout", "/accounts/logout/"),
]
LOGGED_OUT_PAGES = [("login", "/accounts/login/"), ("password-reset", "/accounts/password_reset/")]


def assert_no_sideways_scroll(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: scrollWidth {widths[0]} > innerWidth {widths[1]}"


@pytest.mark.parametrize(("name", "path"), PHONE_PAGES, ids=[n for n, _ in PHONE_PAGES])
def test_no_page_scrolls_sideways_on_a_phone(logged_in_page, live_server, crowd, screenshot, name, path):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"layout-{name}-375")


@pytest.mark.parametrize(("name", "path"), LOGGED_OUT_PAGES, ids=[n for n, _ in LOGGED_OUT_PAGES])
def test_no_logged_out_page_scrolls_sideways_on_a_phone(page, live_server, screenshot, name, path):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"layout-{name}-375")


def test_editing_the_longest_person_does_not_scroll_sideways_on_a_phone(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    person = Contact.objects.get(name=LONG_NAME)
    page.goto(f"{live_server.url}/people/{person.pk}/edit/")
    expect(page.get_by_role("textbox", name=re.compile("^Name"))).to_have_value(LONG_NAME)
    assert_no_sideways_scroll(page)


def test_the_list_with_a_person_open_does_not_scroll_sideways_on_a_phone(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server, view="list")
    page.get_by_role("link", name=re.compile(f"^{LONG_NAME}")).click()
    expect(page.get_by_role("region", name="Details").get_by_role("heading", name=LONG_NAME)).to_be_visible()
    assert_no_sideways_scroll(page)


TAP_TARGETS = """() => {
  const sel = 'a[href], button, input, select, textarea, summary, [role=button], [role=link], [role=menuitem]';
  return [...document.querySelectorAll(sel)].flatMap(el => {
    if (el.type === 'hidden') return [];
    const b = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (b.width === 0 || b.height === 0 || style.visibility === 'hidden') return [];
    if (b.right <= 0 || b.bottom <= 0 || b.left >= innerWidth) return [];  // off-screen (the skip link)
    if (el.closest('.visually-hidden')) return [];
    return [{what: el.outerHTML.slice(0, 90), width: b.width, height: b.height}];
  });
}"""


def small_tap_targets(page):
    return [t for t in page.evaluate(TAP_TARGETS) if t["width"] < 44 or t["height"] < 44]


@pytest.mark.parametrize("view", ["table", "list"])
def test_every_tap_target_is_at_least_44_px_on_a_phone(logged_in_page, live_server, crowd, view):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server, view=view)
    tick(page, "Person 00")
    expect(bulk_button(page, 1)).to_be_visible()
    assert page.evaluate(TAP_TARGETS), "found nothing to measure"
    assert small_tap_targets(page) == []
    page.get_by_role("button", name="My People", exact=True).click()
    expect(page.get_by_role("navigation", name="Audiences")).to_be_visible()
    assert small_tap_targets(page) == []


def test_back_and_the_details_pane_have_44_px_targets_on_a_phone(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server, view="list")
    page.get_by_role("link", name=re.compile(r"^Person 03")).click()
    back = page.get_by_role("region", name="Details").get_by_role("link", name="Back")
    expect(back).to_be_visible()
    box = box_of(back)
    assert box["width"] >= 44 and box["height"] >= 44
    assert small_tap_targets(page) == []


def test_a_phone_shows_cards_with_name_company_and_the_whole_stage_pill(logged_in_page, live_server, crowd):
    page = logged_in_page
    card = long_name_row(page, live_server, PHONE)
    card_box = box_of(card)
    assert card_box["width"] <= PHONE["width"]
    expect(card.get_by_role("link", name=LONG_NAME, exact=True)).to_be_visible()
    company = card.get_by_text(LONG_COMPANY, exact=True).locator("visible=true")
    expect(company).to_be_visible()
    expect(card.get_by_text("maximiliana.wolfeschlegelsteinhausen@", exact=False)).to_be_hidden()
    pill = card.get_by_text("Potential", exact=True)
    expect(pill).to_be_visible()
    whole = pill.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert whole, "the stage pill is cut"
    pill_box = box_of(pill)
    assert pill_box["x"] + pill_box["width"] <= card_box["x"] + card_box["width"]
    # Company under the name, beside the avatar; the checkmark first, the pill last.
    name_box = box_of(card.get_by_role("link", name=LONG_NAME, exact=True))
    assert box_of(company)["y"] > name_box["y"]
    assert box_of(row(page, LONG_NAME))["x"] < name_box["x"] < pill_box["x"]
    # One card a row: the other columns stay out of the card.
    expect(card.get_by_role("cell").filter(has_text="Never")).to_be_hidden()


def test_the_phone_toolbar_is_one_line(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    open_people(page, live_server)
    search = page.get_by_role("searchbox", name="Search people")
    stage = page.get_by_role("combobox", name="Stage")
    views = page.get_by_role("navigation", name="Views")
    boxes = [box_of(search), box_of(stage), box_of(views)]
    tops = [b["y"] for b in boxes]
    assert max(tops) - min(tops) <= 2, tops
    assert all(b["height"] <= 48 for b in boxes)
    # The view links keep their names (visually hidden labels beside the icons).
    expect(views.get_by_role("link", name="Table View", exact=True)).to_be_visible()
    expect(views.get_by_role("link", name="List and Details View", exact=True)).to_be_visible()


def test_a_desk_keeps_a_real_table(logged_in_page, live_server, crowd):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server)
    table = page.get_by_role("table", name="My People")
    expect(table.get_by_role("columnheader", name="Company")).to_be_visible()
    expect(table.get_by_role("row").filter(has=row(page, "Person 00")).get_by_role("cell")).to_have_count(6)


# ---- the logo, the dark theme -----------------------------------------------------------------------


def test_the_logo_is_not_the_bulk_buttons_checkmark(logged_in_page, live_server, crowd):
    page = logged_in_page
    open_people(page, live_server)
    tick(page, "Person 00")
    logo = page.get_by_role("link", name="My People home")
    expect(logo).to_be_visible()
    assert "✓" not in logo.inner_html()
    assert "✓" in bulk_button(page, 1).inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_follow_the_colour_scheme(logged_in_page, live_server, crowd, screenshot, pytestconfig, scheme):
    page = logged_in_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server)
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    text = page.evaluate("getComputedStyle(document.documentElement).color")
    luminance = [int(n) for n in re.findall(r"\d+", background)[:3]]
    assert (sum(luminance) < 200) == (scheme == "dark"), background
    assert background != text
    tick(page, "Person 01")
    screenshot(page, f"layout-table-{scheme}-1280")
    viewport_shot(pytestconfig, page, f"layout-table-{scheme}-1280")
    page.set_viewport_size(PHONE)
    screenshot(page, f"layout-table-{scheme}-375")
    viewport_shot(pytestconfig, page, f"layout-table-{scheme}-375")
    page.goto(people_url(live_server, view="list"))
    page.get_by_role("link", name=re.compile(r"^Person 03")).click()
    expect(page.get_by_role("region", name="Details").get_by_role("link", name="Back")).to_be_visible()
    viewport_shot(pytestconfig, page, f"layout-details-{scheme}-375")
    page.set_viewport_size(DESKTOP)
    page.reload()
    viewport_shot(pytestconfig, page, f"layout-details-{scheme}-1280")


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots_with_a_selection(logged_in_page, live_server, crowd, screenshot, width):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    for view in ("table", "list"):
        page.goto(people_url(live_server, view=view))
        tick(page, "Person 01", "Person 02")
        expect(bulk_button(page, 2)).to_be_visible()
        screenshot(page, f"layout-{view}-selected-{width}")
        page.keyboard.press("Escape")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_passes_axe_in_both_themes(logged_in_page, live_server, crowd, width, scheme):
    """axe-core's color-contrast over the people pages with a selection and the menu open, a person's
    details, the Archive dialog, Archived People and the suppressions page."""
    page = logged_in_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(WIDTHS[width])
    failures = {}

    def check(screen):
        result = Axe().run(page, options={"runOnly": ["color-contrast"]}).response
        bad = [n["html"][:100] for v in result["violations"] for n in v["nodes"]]
        if bad:
            failures[screen] = bad

    open_people(page, live_server)
    tick(page, "Person 01", "Person 03")
    bulk_button(page, 2).click()
    expect(page.get_by_role("menu", name="Bulk Actions")).to_be_visible()
    check("table-with-menu")
    page.get_by_role("menuitem", name="Archive", exact=True).click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    check("archive-dialog")
    open_people(page, live_server, view="list")
    page.get_by_role("link", name=re.compile(r"^Person 03")).click()
    expect(page.get_by_role("region", name="Details").get_by_role("heading", name="Person 03")).to_be_visible()
    check("list-with-person")
    open_people(page, live_server, audience="archived")
    check("archived")
    page.goto(live_server.url + "/settings/suppressions/")
    check("suppressions")
    page.goto(live_server.url + "/people/discovered/")
    check("discovered")
    assert failures == {}
