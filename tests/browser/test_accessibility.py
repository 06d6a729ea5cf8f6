"""Accessibility audit (issue 8) with axe-core through axe-playwright-python, at 375 px and 1280 px.

Every screen and dialog is audited; a violation of impact "serious" or "critical" fails the test
with the rule, its help and the elements. Violations of every impact are counted and printed as a
summary at the end of the module (run with -s), and written to
test-artifacts/axe-summary.json.
"""

import json
import re
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from contacts.models import Stage
from sync.models import Suppression
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    WIDTHS,
    audience_button,
    bulk_menu,
    choose,
    console_errors,
    dialog,
    open_menu,
    open_people,
    page_checkbox,
    pick_new_stage,
    tick,
)
from tests.factories import ContactFactory, TimelineEntryFactory

IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = {"critical", "serious"}
RESULTS: dict[tuple[str, str], list[dict]] = {}

AXE = Axe()

# Known bugs, each pinned by its own xfail test below: their elements are counted in the summary
# but do not fail the screen audits (so those keep guarding everything else).
KNOWN_BUGS: dict = {}


@pytest.fixture(scope="module", autouse=True)
def summary(pytestconfig):
    yield RESULTS
    if not RESULTS:
        return
    totals = Counter()
    nodes = Counter()
    lines = ["", "axe-core summary (violations: rules / elements, by impact)"]
    lines.append(f"{'screen':<28}{'width':>6}  " + "  ".join(f"{i:>10}" for i in IMPACTS) + "  rules")
    for (screen, width), violations in sorted(RESULTS.items()):
        by = Counter(v["impact"] for v in violations)
        elements = Counter()
        for v in violations:
            elements[v["impact"]] += len(v["nodes"])
        totals.update(by)
        nodes.update(elements)
        cells = "  ".join(f"{by[i]:>4} /{elements[i]:>4}" for i in IMPACTS)
        lines.append(f"{screen:<28}{width:>6}  {cells}  {', '.join(sorted({v['id'] for v in violations})) or '-'}")
    lines.append(
        f"{'TOTAL over ' + str(len(RESULTS)) + ' audits':<34}  "
        + "  ".join(f"{totals[i]:>4} /{nodes[i]:>4}" for i in IMPACTS)
    )
    print("\n".join(lines))
    folder = pytestconfig.rootpath / "test-artifacts"
    folder.mkdir(exist_ok=True)
    (folder / "axe-summary.json").write_text(
        json.dumps(
            {
                f"{screen}@{width}": [
                    {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
                    for v in violations
                ]
                for (screen, width), violations in sorted(RESULTS.items())
            },
            indent=2,
        )
    )


def audit(page, screen: str, width: str) -> None:
    violations = AXE.run(page).response["violations"]
    RESULTS[(screen, width)] = violations
    bad = []
    for v in violations:
        known = KNOWN_BUGS.get(v["id"])
        nodes = [n for n in v["nodes"] if not (known and known.search(n.get("html", "")))]
        if v["impact"] in FAILING and nodes:
            bad.append({**v, "nodes": nodes})
    if bad:
        report = []
        for v in bad:
            report.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for n in v["nodes"][:10]:
                why = (n.get("failureSummary") or "").replace("\n", " ")
                report.append(f"    {', '.join(map(str, n['target']))}  {n.get('html', '')[:120]}\n      {why[:300]}")
        pytest.fail(f"axe: {len(bad)} serious/critical violation(s) on {screen} at {width} px:\n" + "\n".join(report))


@pytest.fixture
def data(workspace, admin_user):
    grace = ContactFactory(workspace=workspace, name="Grace Hopper", company="Navy", stage=Stage.PAST)
    TimelineEntryFactory(contact=grace, kind="email", summary="Lunch next week")
    TimelineEntryFactory(contact=grace, kind="note", summary="Likes compilers", actor=admin_user)
    ContactFactory(workspace=workspace, name="Alan Turing", stage=Stage.ACTIVE, assigned=True)
    ContactFactory(workspace=workspace, name="Ada Lovelace", stage=Stage.LEAD)
    ContactFactory(workspace=workspace, name="Lin Lost", stage=Stage.LOST)
    ContactFactory(workspace=workspace, name="Archie Archived", archived=True, archived_by=admin_user)
    ContactFactory(workspace=workspace, name="Arlo Archived", archived=True)
    ContactFactory(workspace=workspace, name="Dora Deleted", deleted=True, deleted_by=admin_user)
    ContactFactory(workspace=workspace, name="Dirk Deleted", deleted=True)
    Suppression.objects.create(workspace=workspace, kind="email", value="gone@example.com", created_by=admin_user)


def menu_open(page, live_server):
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Alan Turing")
    open_menu(page, 2)


def archive_dialog(page, live_server):
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Alan Turing")
    box = choose(page, "Archive", "Archive 2 people?")
    expect(box.get_by_role("button", name="Archive 1 person")).to_be_visible()


def change_stage_dialog(page, live_server):
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Ada Lovelace")
    box = choose(page, "Change stage", "Change the stage of 2 people?")
    box = pick_new_stage(page, box, "Potential")
    expect(box.get_by_role("button", name="Change stage of 2 people")).to_be_visible()


def delete_dialog(page, live_server):
    open_people(page, live_server, audience="archived")
    tick(page, "Archie Archived", "Arlo Archived")
    box = choose(page, "Delete", "Delete 2 people?")
    expect(box.get_by_role("checkbox", name="Don't re-create from sync")).to_be_visible()


def delete_forever_dialog(page, live_server):
    open_people(page, live_server, audience="deleted")
    page_checkbox(page).check()
    box = choose(page, "Delete forever", "Delete forever 2 people?")
    expect(box.get_by_role("button", name="Delete forever 2 people")).to_be_visible()


def list_with_person(page, live_server):
    open_people(page, live_server, view="list")
    page.get_by_role("list").get_by_role("link", name=re.compile(r"^Grace Hopper")).click()
    expect(page.get_by_role("region", name="Details").get_by_role("heading", name="Grace Hopper")).to_be_visible()


SCREENS = {
    "my-people-table": lambda page, live_server: open_people(page, live_server),
    "list-with-person-open": list_with_person,
    "bulk-menu-open": menu_open,
    "archive-dialog": archive_dialog,
    "change-stage-dialog": change_stage_dialog,
    "delete-dialog": delete_dialog,
    "delete-forever-dialog": delete_forever_dialog,
    "archived-people": lambda page, live_server: open_people(page, live_server, audience="archived"),
    "recently-deleted": lambda page, live_server: open_people(page, live_server, audience="deleted"),
    "suppressions": lambda page, live_server: page.goto(live_server.url + "/settings/suppressions/"),
}


@pytest.mark.parametrize("width", WIDTHS)
def test_login_page(page, live_server, width):
    page.set_viewport_size(WIDTHS[width])
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", name="Log in to My People")).to_be_visible()
    audit(page, "login", width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(logged_in_page, live_server, data, screen, width):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page, live_server)
    audit(page, screen, width)


def test_audience_switcher_is_named_exactly_after_the_audience(logged_in_page, live_server, workspace):
    page = open_people(logged_in_page, live_server)
    expect(audience_button(page, "My People")).to_be_visible()
    expect(page.get_by_role("button", name="My People", exact=True)).to_be_visible(timeout=2_000)


def test_focus_is_trapped_in_the_dialog_and_returns_after(logged_in_page, live_server, data):
    """A modal dialog: Tab stays inside it, and closing returns the focus to the bulk button."""
    page = open_people(logged_in_page, live_server)
    tick(page, "Grace Hopper")
    box = choose(page, "Archive", "Archive 1 person?")
    expect(box.get_by_role("button", name="Archive 1 person")).to_be_focused()
    for _ in range(4):
        page.keyboard.press("Tab")
        inside = box.evaluate("(el) => el.contains(document.activeElement) || document.activeElement === document.body")
        assert inside, "Tab left the modal dialog"
    box.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("button", name="Bulk actions, 1 selected")).to_be_focused()
    expect(bulk_menu(page)).to_be_hidden()


def test_avatar_initials_have_enough_contrast(logged_in_page, live_server, workspace):
    for i in range(8):  # consecutive ids: every avatar colour (id % 8)
        ContactFactory(workspace=workspace, name=f"Colour Person {i}")
    page = open_people(logged_in_page, live_server)
    violations = AXE.run(page, options={"runOnly": ["color-contrast"]}).response["violations"]
    assert [n["html"] for v in violations for n in v["nodes"]] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_members_menu_with_delete_disabled(page, live_server, data, member, login, width):
    page.set_viewport_size(WIDTHS[width])
    login(page, member.username)
    open_people(page, live_server, audience="archived")
    tick(page, "Archie Archived")
    expect(open_menu(page, 1).get_by_role("menuitem", name="Delete", exact=True)).to_be_disabled()
    audit(page, "member-menu-delete-disabled", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dialog_of_a_request_that_failed(logged_in_page, live_server, data, console_errors, width):
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_people(page, live_server)
    page.route(re.compile(r"/bulk/archive/"), lambda route: route.fulfill(status=502, body="Bad Gateway"))
    tick(page, "Grace Hopper")
    expect(choose(page, "Archive", "That did not work")).to_contain_text("Nothing was changed.")
    audit(page, "request-failed-dialog", width)
    console_errors.clear()  # the browser and htmx log the 502, as they should
