"""Browser tests: pytest-playwright's `page` driving a real Chromium against pytest-django's `live_server`.

Chromium is found via CHROMIUM_PATH, else `chromium` on PATH, else Playwright's own
download. If none starts, the tests fail (never skip) with a message saying how to get one.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

BROWSER_DIR = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]

HOW_TO_GET_CHROMIUM = (
    "Install one with `apt-get install -y chromium` (puts it on PATH), "
    "or set CHROMIUM_PATH=/path/to/chrome, or run `python -m playwright install chromium`."
)

# tests.factories' default password (factory.django.Password in UserFactory).
TEST_PASSWORD = "pw-for-tests-1"


# What every screen looks like to axe, to a screen reader and in a picture: rendering, not data, so
# .ci/run runs these once (on SQLite) and not again on PostgreSQL.
EVIDENCE_MODULES = {"test_accessibility.py", "test_aria_snapshots.py", "test_screenshots.py"}


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser carries the `browser` marker (select with -m browser / -m 'not browser')."""
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if Path(item.path).name in EVIDENCE_MODULES:
                item.add_marker(pytest.mark.evidence)


def chromium_executable():
    """CHROMIUM_PATH, else `chromium` on PATH, else None (Playwright's own download)."""
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            pytest.fail(f"CHROMIUM_PATH={explicit} is not an executable file. {HOW_TO_GET_CHROMIUM}", pytrace=False)
        return explicit
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name):
    args = dict(browser_type_launch_args)
    if browser_name == "chromium":
        executable = chromium_executable()
        if executable:
            args["executable_path"] = executable
        args["args"] = [*CHROMIUM_ARGS, *args.get("args", [])]
    return args


@pytest.fixture(scope="session")
def launch_browser(launch_browser, browser_type_launch_args, browser_name):
    """Turn "browser would not start" into a clear failure (an error on every browser test, never a skip)."""

    def launch(**kwargs):
        try:
            return launch_browser(**kwargs)
        except Exception as exc:  # playwright.sync_api.Error and friends
            where = browser_type_launch_args.get("executable_path", "Playwright's own download")
            ci = " (CI is set: browser tests are required)" if os.environ.get("CI") else ""
            pytest.fail(
                f"Could not start {browser_name} ({where}){ci}.\n{HOW_TO_GET_CHROMIUM}\n\n{exc}",
                pytrace=False,
            )

    return launch


@pytest.fixture
def page(page):
    # Fail fast instead of Playwright's 30 s default when an element never shows up.
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def login(live_server):
    """login(page, username, password=TEST_PASSWORD): sign in through the real login form."""

    def _login(page, username, password=TEST_PASSWORD):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label(re.compile("username", re.I)).fill(username)
        page.get_by_label(re.compile("password", re.I)).fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(re.compile(r"/people/"))
        return page

    return _login


@pytest.fixture
def logged_in_page(page, live_server, workspace, admin_user, login):
    """A page logged in as `admin_user` (ada, an admin of the `workspace` fixture "Acme"), on /people/.

    Request `workspace` in the test too to create people in the same workspace; create them
    before this fixture runs or reload the page afterwards.
    """
    return login(page, admin_user.username)


@pytest.fixture
def screenshot(request, pytestconfig):
    """screenshot(page, name) or screenshot(name): full-page PNG at the current viewport under
    test-artifacts/screenshots/<name>.png; returns the path."""
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"

    def _shot(page_or_name, name=None):
        if name is None:
            page, name = request.getfixturevalue("page"), page_or_name
        else:
            page = page_or_name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") + ".png")
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot
