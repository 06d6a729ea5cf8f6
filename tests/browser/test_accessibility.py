"""Accessibility audit with axe-core through axe-playwright-python: every page and dialog at
375 px and 1280 px, each in the light and the dark theme (`page.emulate_media(color_scheme=...)`).

A violation of any impact (critical, serious, moderate, minor) fails the test with the rule, its
help and the elements, for each theme it occurs in. Every audit is also counted in a summary
printed at the end of the module (run with -s) and written to test-artifacts/axe-summary.json
(keys `<screen>@<width>@<theme>`), so a run shows the state of every screen at once.

The people are fixed (tests/browser/evidence.py): every audience, dialog and page has someone in
it. Add a screen by adding a function to SCREENS (it gets the page and the live server and leaves
the page showing the screen).
"""

import json
import re
from collections import Counter

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.evidence import seed, sign_in
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    WIDTHS,
    audience_button,
    bulk_menu,
    choose,
    console_errors,
    open_menu,
    open_people,
    open_user_menu,
    tick,
)
from tests.browser.screens import ANONYMOUS_SCREENS, SCREENS, forgive
from tests.factories import ContactFactory, UserFactory

IMPACTS = ("critical", "serious", "moderate", "minor")
FAILING = set(IMPACTS)
THEMES = ("light", "dark")
RESULTS: dict[tuple[str, str, str], list[dict]] = {}

AXE = Axe()

# Known bugs, each pinned by its own xfail test: their elements (matched by this pattern on their
# HTML) are counted in the summary but do not fail the screen audits.
KNOWN_BUGS: dict[str, re.Pattern] = {}

# Finished CSS transitions and animations (a colour fading in would be measured half-way);
# endless ones (a spinner) are left alone.
SETTLED = """() => document.getAnimations().every(
    (a) => a.playState !== "running" || a.effect.getComputedTiming().iterations === Infinity)"""


@pytest.fixture(scope="module", autouse=True)
def summary(pytestconfig):
    yield RESULTS
    if not RESULTS:
        return
    totals = Counter()
    nodes = Counter()
    lines = ["", "axe-core summary (violations: rules / elements, by impact)"]
    lines.append(f"{'screen':<34}{'width':>6} {'theme':>6}  " + "  ".join(f"{i:>10}" for i in IMPACTS) + "  rules")
    for (screen, width, theme), violations in sorted(RESULTS.items()):
        by = Counter(v["impact"] for v in violations)
        elements = Counter()
        for v in violations:
            elements[v["impact"]] += len(v["nodes"])
        totals.update(by)
        nodes.update(elements)
        cells = "  ".join(f"{by[i]:>4} /{elements[i]:>4}" for i in IMPACTS)
        rules = ", ".join(sorted({v["id"] for v in violations})) or "-"
        lines.append(f"{screen:<34}{width:>6} {theme:>6}  {cells}  {rules}")
    lines.append(
        f"{'TOTAL over ' + str(len(RESULTS)) + ' audits':<48}  "
        + "  ".join(f"{totals[i]:>4} /{nodes[i]:>4}" for i in IMPACTS)
    )
    print("\n".join(lines))
    folder = pytestconfig.rootpath / "test-artifacts"
    folder.mkdir(exist_ok=True)
    (folder / "axe-summary.json").write_text(
        json.dumps(
            {
                f"{screen}@{width}@{theme}": [
                    {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
                    for v in violations
                ]
                for (screen, width, theme), violations in sorted(RESULTS.items())
            },
            indent=2,
        )
    )


def violations_in(page, screen: str, width: str, theme: str, options=None) -> list[dict]:
    page.emulate_media(color_scheme=theme)
    page.wait_for_function(SETTLED, timeout=5_000)
    violations = AXE.run(page, options=options).response["violations"]
    RESULTS[(screen, width, theme)] = violations
    bad = []
    for v in violations:
        known = KNOWN_BUGS.get(v["id"])
        nodes = [n for n in v["nodes"] if not (known and known.search(n.get("html", "")))]
        if v["impact"] in FAILING and nodes:
            bad.append({**v, "nodes": nodes})
    return bad


def audit(page, screen: str, width: str) -> None:
    """axe in both themes on the page as it is; fail with every violation of either."""
    report = []
    for theme in THEMES:
        for v in violations_in(page, screen, width, theme):
            report.append(f"- [{theme}] {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
            for n in v["nodes"][:10]:
                why = (n.get("failureSummary") or "").replace("\n", " ")
                report.append(f"    {', '.join(map(str, n['target']))}  {n.get('html', '')[:120]}\n      {why[:300]}")
    page.emulate_media(color_scheme="light")
    if report:
        count = sum(1 for line in report if line.startswith("- ["))
        pytest.fail(f"axe: {count} violation(s) on {screen} at {width} px:\n" + "\n".join(report))


@pytest.fixture
def data(workspace, admin_user):
    return seed(workspace, admin_user)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(page, live_server, data, admin_user, console_errors, screen, width):
    sign_in(page, live_server, admin_user)
    page.set_viewport_size(WIDTHS[width])
    SCREENS[screen](page, live_server)
    audit(page, screen, width)
    forgive(SCREENS[screen], console_errors)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", ANONYMOUS_SCREENS)
def test_anonymous_screen(page, live_server, db, screen, width):
    page.set_viewport_size(WIDTHS[width])
    ANONYMOUS_SCREENS[screen](page, live_server)
    audit(page, screen, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_password_reset_unavailable(page, live_server, settings, width):
    settings.PASSWORD_RESET_BY_EMAIL = False
    page.set_viewport_size(WIDTHS[width])
    page.goto(live_server.url + "/accounts/password_reset/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page, "password-reset-unavailable", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_logged_out_and_stale_token_pages(logged_in_page, live_server, width):
    """Log out (the logged-out page), then log out with the CSRF cookie gone (the "reload" page)."""
    page = logged_in_page
    page.set_viewport_size(WIDTHS[width])
    open_user_menu(page).get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page, "logged-out", width)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label(re.compile("username", re.I)).fill("ada")
    page.get_by_label(re.compile("password", re.I)).fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/people/"))
    page.context.clear_cookies(name="csrftoken")
    open_user_menu(page).get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", name="Please reload the page")).to_be_visible()
    audit(page, "csrf-failure", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_not_allowed_page(page, live_server, db, login, width):
    """Someone who belongs to no workspace yet gets the 403 page."""
    UserFactory(username="nomad")
    page.set_viewport_size(WIDTHS[width])
    login(page, "nomad")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    audit(page, "not-allowed", width)


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
    for theme in THEMES:
        bad = violations_in(page, "avatar-colours", "1280", theme, options={"runOnly": ["color-contrast"]})
        assert [n["html"] for v in bad for n in v["nodes"]] == [], f"low contrast in the {theme} theme"


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
