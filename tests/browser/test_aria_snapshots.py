"""ARIA snapshots: the accessibility tree a screen reader gets, pinned for the main subjects.

Each subject's expected tree is a YAML file in tests/browser/aria/ (Playwright's ARIA snapshot
format: roles, accessible names, states such as [checked] or [expanded], and text):

    table-1280.yaml, table-375.yaml  the Table View's region (heading, toolbar, table, pagination)
    bulk-menu.yaml                   the Bulk Actions menu opened with two people ticked
    archive-dialog.yaml              the Archive dialog for one archivable and one blocked person
    details-pane.yaml                the List and Details View's Details region for Grace Hopper

The tests compare with `expect(locator).to_match_aria_snapshot(yaml)`, which matches a subset:
every node in the file must be there, in order, with its name and states; the page may have
more. The data is fixed (tests/browser/evidence.py), so names and counts are stable.

Updating the snapshots after a deliberate UI change (one command, then review the diff):

    UPDATE_ARIA_SNAPSHOTS=1 TESTING=1 .venv/bin/python -m pytest -p no:cacheprovider \
        tests/browser/test_aria_snapshots.py

With UPDATE_ARIA_SNAPSHOTS=1 each test writes `locator.aria_snapshot()` to its file instead of
comparing (and still passes). `make aria-snapshots` does the same. Before writing, volatile text
is generalised so a snapshot does not depend on the day it was taken: a date such as
"Nov 19, 2026" (with or without a time) becomes a regular expression, and link targets
(`/url:` lines, which carry database ids) are left out — a screen reader announces a link by its
name, not its address. Review `git diff tests/browser/aria/` before committing: a role or name
that disappeared there is a regression, not an update.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect

from tests.browser.evidence import seed
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    DESKTOP,
    PHONE,
    bulk_menu,
    choose,
    console_errors,
    open_menu,
    open_people,
    tick,
)

SNAPSHOTS = Path(__file__).resolve().parent / "aria"
UPDATE = os.environ.get("UPDATE_ARIA_SNAPSHOTS") == "1"

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# No ": " or " #" in a pattern: inside the YAML they would start a mapping or a comment.
DATE_PATTERN = MONTH + r"\.? \d{1,2}, \d{4}(?:\s\d{1,2}:\d{2})?"
DATE = re.compile(DATE_PATTERN)
# "- role "name" [attrs]" or "- role: text" / "- text: text": the name or the text of a node.
QUOTED = re.compile(r'^(?P<head>\s*- [\w-]+ )(?P<name>"(?:[^"\\]|\\.)*")(?P<tail>.*)$')
TEXT = re.compile(r"^(?P<head>\s*- [\w-]+(?: \[[^\]]*\])*: )(?P<text>[^\"/].*)$")
REGEX_SPECIAL = re.compile(r"([\\^$.|?*+()\[\]{}/])")


def as_regex(text: str) -> str:
    """A JavaScript regular expression (in slashes) matching `text` with any date in place of its dates."""
    parts = DATE.split(text)
    literal = (REGEX_SPECIAL.sub(r"\\\1", p).replace(": ", r":\x20").replace(" #", r"\x20#") for p in parts)
    return "/^" + DATE_PATTERN.join(literal) + "$/"


def generalise(snapshot: str) -> str:
    """Dates to regular expressions; `/url:` lines out (see the module docstring)."""
    lines = []
    for line in snapshot.splitlines():
        if line.lstrip().startswith("- /url:"):
            continue
        quoted = QUOTED.match(line)
        if quoted and DATE.search(json.loads(quoted["name"])):
            line = quoted["head"] + as_regex(json.loads(quoted["name"])) + quoted["tail"]
        else:
            text = TEXT.match(line)
            if text and DATE.search(text["text"]):
                value = text["text"].strip()
                if value[:1] in "'\"":
                    value = json.loads(value) if value[0] == '"' else value[1:-1].replace("''", "'")
                line = text["head"] + as_regex(value)
        lines.append(line)
    # A node whose only child was a `/url:` line is left without children: no trailing colon then.
    for n, line in enumerate(lines):
        if line.endswith(":") and not (n + 1 < len(lines) and indent(lines[n + 1]) > indent(line)):
            lines[n] = line[:-1]
    return "\n".join(lines) + "\n"


def indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def match_snapshot(locator: Locator, subject: str) -> None:
    path = SNAPSHOTS / f"{subject}.yaml"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(generalise(locator.aria_snapshot()))
        return
    if not path.exists():
        pytest.fail(f"No ARIA snapshot {path}; write it with UPDATE_ARIA_SNAPSHOTS=1 (see this module's docstring).")
    expect(locator).to_match_aria_snapshot(path.read_text(), timeout=5_000)


@pytest.fixture
def people(workspace, admin_user):
    return seed(workspace, admin_user)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_table_view(logged_in_page, live_server, people, viewport):
    page = logged_in_page
    page.set_viewport_size(viewport)
    open_people(page, live_server)
    tick(page, "Grace Hopper")
    match_snapshot(page.locator("#people-region"), f"table-{viewport['width']}")


def test_bulk_actions_menu(logged_in_page, live_server, people):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Alan Turing")
    open_menu(page, 2)
    match_snapshot(bulk_menu(page), "bulk-menu")


def test_archive_dialog(logged_in_page, live_server, people):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server)
    tick(page, "Grace Hopper", "Alan Turing")
    box = choose(page, "Archive", "Archive 2 people?")
    expect(box.get_by_role("button", name="Archive 1 person")).to_be_visible()
    match_snapshot(box, "archive-dialog")


def test_details_pane(logged_in_page, live_server, people):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    open_people(page, live_server, view="list")
    page.get_by_role("list").get_by_role("link", name=re.compile(r"^Grace Hopper")).click()
    details = page.get_by_role("region", name="Details")
    expect(details.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    match_snapshot(details, "details-pane")


def test_generalise_turns_dates_into_patterns_and_drops_link_targets():
    """The normaliser itself: a date anywhere in a name or a text becomes a pattern; the rest is kept."""
    snapshot = "\n".join(
        [
            '- cell "Nov 19, 2026"',
            '- link "Grace Hopper":',
            "  - /url: /people/12/?audience=my-people",
            "- listitem: Email · Lunch next week Nov 19, 2026 10:00 · Ada Admin",
            '- checkbox "Select Grace Hopper" [checked]',
        ]
    )
    assert generalise(snapshot).splitlines() == [
        "- cell /^" + DATE_PATTERN + "$/",
        '- link "Grace Hopper"',
        "- listitem: /^Email · Lunch next week " + DATE_PATTERN + r" · Ada Admin$/",
        '- checkbox "Select Grace Hopper" [checked]',
    ]
