"""Screenshots of every screen at 375, 768 and 1280 px, for people to look at (not compared).

Each test opens one screen (tests/browser/screens.py, with the fixed people of evidence.py) once
and takes it at the three widths by resizing the page, so the module stays cheap enough to run
with the suite. Files: test-artifacts/screenshots/<screen>-<width>.png, the viewport (375×812,
768×1024, 1280×900): what the screen shows before scrolling.

`make screenshots` runs this module with WRITE_DOCS_SCREENSHOTS=1, which also writes the three
small PNGs the README shows: docs/table.png (1280), docs/archive-dialog.png (1280) and
docs/phone-list.png (375): the visible viewport (for a dialog: the dialog and a margin around
it) at CSS scale, < 150 KB each. Without the variable docs/ is left alone, so a test run never
changes committed files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.evidence import seed, sign_in
from tests.browser.flows import console_errors  # noqa: F401  (an autouse fixture)
from tests.browser.screens import ANONYMOUS_SCREENS, SCREENS, forgive

SIZES = {"375": (375, 812), "768": (768, 1024), "1280": (1280, 900)}
DOCS_LIMIT = 150_000
# The screens worth a picture: every audience looks alike, so its two views are taken for a few.
SHOTS = [
    name
    for name in SCREENS
    if not name.startswith(("stage-", "assigned-to-me", "unassigned", "bad-request", "that-cannot"))
]
# docs/<file>: (screen, width) — the README's screenshots section.
DOCS = {"table.png": ("my-people-table", "1280"), "archive-dialog.png": ("archive-dialog", "1280")}
DOCS_PHONE = {"phone-list.png": ("my-people-table", "375")}
WRITE_DOCS = os.environ.get("WRITE_DOCS_SCREENSHOTS") == "1"
STYLE = {"animations": "disabled", "caret": "hide", "scale": "css"}
MARGIN = 32


def around(locator) -> dict:
    """The locator's box with a margin, inside the viewport: the dialog and a little of the page behind."""
    box = locator.bounding_box()
    size = locator.page.viewport_size
    x, y = max(0, box["x"] - MARGIN), max(0, box["y"] - MARGIN)
    return {
        "x": x,
        "y": y,
        "width": min(size["width"], box["x"] + box["width"] + MARGIN) - x,
        "height": min(size["height"], box["y"] + box["height"] + MARGIN) - y,
    }


@pytest.fixture
def shots(pytestconfig):
    folder = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def take(page, screen: str, folder: Path, docs: Path) -> list[Path]:
    """The screen as it is at each width: full page into `folder`, the viewport into docs/ when asked."""
    taken = []
    for width, (w, h) in SIZES.items():
        page.set_viewport_size({"width": w, "height": h})
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        path = folder / f"{screen}-{width}.png"
        # What the screen shows: a full-page capture would draw the fixed parts (the round button,
        # its menu, the outcome message, a dialog's dimmed backdrop) where the first screen had them.
        page.screenshot(path=str(path), **STYLE)
        assert path.stat().st_size > 1_000, f"{path} is empty"
        taken.append(path)
        for file, (doc_screen, doc_width) in {**DOCS, **DOCS_PHONE}.items():
            if WRITE_DOCS and (doc_screen, doc_width) == (screen, width):
                docs.mkdir(exist_ok=True)
                modal = page.locator("dialog[open]")
                page.screenshot(path=str(docs / file), clip=around(modal) if modal.count() else None, **STYLE)
                size = (docs / file).stat().st_size
                assert size < DOCS_LIMIT, f"docs/{file} is {size:,} bytes (keep it under {DOCS_LIMIT:,})"
    return taken


@pytest.mark.parametrize("screen", SHOTS)
def test_screen(page, live_server, workspace, admin_user, console_errors, shots, pytestconfig, screen):
    seed(workspace, admin_user)
    sign_in(page, live_server, admin_user)
    page.set_viewport_size({"width": 375, "height": 812})
    SCREENS[screen](page, live_server)
    assert len(take(page, screen, shots, pytestconfig.rootpath / "docs")) == len(SIZES)
    forgive(SCREENS[screen], console_errors)


@pytest.mark.parametrize("screen", ["login", "password-reset"])
def test_anonymous_screen(page, live_server, db, shots, pytestconfig, screen):
    page.set_viewport_size({"width": 375, "height": 812})
    ANONYMOUS_SCREENS[screen](page, live_server)
    assert len(take(page, screen, shots, pytestconfig.rootpath / "docs")) == len(SIZES)
