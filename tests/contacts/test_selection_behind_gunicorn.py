"""Ticked people up to the app's own limit (settings.MAX_SELECTED_IDS) behind the README's production
server, gunicorn, whose request line stops at 4,094 bytes (#11.7).

The live test server is not gunicorn (Python's http.server reads request lines of 64 KiB), so this
starts the real one on a free 127.0.0.1 port over a SQLite file made here, with production settings
(DEBUG off, a real SECRET_KEY), and drives it by HTTP the way the page's htmx does: each request's
method, address and fields are read from the HTML the server sent (the menu item, the hidden
selection form the JavaScript fills in, the dialog's form), so the test follows whatever transport
the page uses rather than one of its own.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from django.conf import settings

from tests.helpers import HTMX, visible_text

ROOT = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "gus", "gunicorn-test-password-1"
PEOPLE = settings.MAX_SELECTED_IDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Elements(HTMLParser):
    """Every element's attributes and the text inside buttons, with the form each field belongs to."""

    def __init__(self, body: str):
        super().__init__()
        self.elements: list[dict] = []
        self._form: dict | None = None
        self._button: dict | None = None
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "text": "", "form": self._form, **{k: v or "" for k, v in attrs}}
        self.elements.append(element)
        if tag == "form":
            self._form = element
        elif tag == "button":
            self._button = element

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = None

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data

    def find(self, **wanted) -> dict:
        for element in self.elements:
            if all(element.get(k) == v or (k == "text" and element["text"].strip() == v) for k, v in wanted.items()):
                return element
        raise AssertionError(f"no element with {wanted}")

    def fields(self, form: dict) -> list[tuple[str, str]]:
        return [
            (e["name"], e.get("value", ""))
            for e in self.elements
            if e["form"] is form and e["tag"] == "input" and e.get("name") and e.get("type") == "hidden"
        ]


class Session:
    """A logged-in user agent: cookies, the CSRF header htmx sends, and htmx's request headers."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def request(self, method: str, path: str, fields=(), htmx_target: str | None = None) -> tuple[int, str]:
        url = self.base_url + path
        data = None
        headers = {}
        if htmx_target:
            headers |= HTMX | {"HX-Target": htmx_target}
        encoded = urllib.parse.urlencode(list(fields))
        if method == "GET":
            url += ("&" if "?" in url else "?") + encoded if encoded else ""
        else:
            data = encoded.encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = next(c.value for c in self.cookies if c.name == "csrftoken")
        try:
            with self.opener.open(urllib.request.Request(url, data=data, headers=headers, method=method)) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def log_in(self) -> None:
        status, body = self.request("GET", "/accounts/login/")
        assert status == 200, body[:300]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        status, body = self.request(
            "POST", "/accounts/login/", [("csrfmiddlewaretoken", token), ("username", USERNAME), ("password", PASSWORD)]
        )
        assert status == 200 and 'id="people-region"' in body, visible_text(body)[:300]

    def htmx(self, element: dict, fields, target: str) -> tuple[int, str]:
        """What htmx sends for an element with hx-get or hx-post: the fields in the address or in the body."""
        method = "POST" if element.get("hx-post") else "GET"
        return self.request(method, element.get("hx-post") or element["hx-get"], fields, htmx_target=target)


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """gunicorn as the README runs it (2 sync workers) over a fresh SQLite file with PEOPLE people."""
    folder = tmp_path_factory.mktemp("gunicorn")
    database = folder / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "cloze.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "INSECURE_HTTP": "1",  # plain http://127.0.0.1: no HTTPS redirect, no Secure cookies
        "TESTING": "1",  # static files without collectstatic's manifest; the pages themselves are unchanged
    }

    # One Django start-up for all of it: migrate, the admin, PEOPLE people in an open stage.
    setup = (
        "from django.core.management import call_command; "
        "from contacts.models import Contact, Stage, Workspace; "
        "call_command('migrate', verbosity=0); "
        f"call_command('add_member', 'acme', {USERNAME!r}, role='admin', password={PASSWORD!r}); "
        "w = Workspace.objects.get(slug='acme'); "
        f"Contact.objects.bulk_create([Contact(workspace=w, name=f'Person {{i:05}}', stage=Stage.LEAD) "
        f"for i in range({PEOPLE})], batch_size=1000)"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True, capture_output=True
    )

    port = free_port()
    log = folder / "gunicorn.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cloze.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--timeout", "120", "--error-logfile", str(log), "--capture-output"],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base_url + "/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start; its log:\n{log.read_text() if log.exists() else ''}")
            time.sleep(0.2)
        yield base_url, database
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def in_database(database: Path, sql: str):
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchone()[0]


def ticked(page: Elements, ids: list[int]) -> list[tuple[str, str]]:
    """The hidden selection form as the JavaScript fills it when these ids are ticked one by one."""
    form = page.find(tag="form", id="selection-form")
    values = {"selection": "ids", "ids": ",".join(map(str, ids))}
    return [(name, values.get(name, value)) for name, value in page.fields(form)]


def test_ticking_the_most_people_allowed_works_through_dialog_and_confirm_behind_gunicorn(gunicorn):
    base_url, database = gunicorn
    ids = [row[0] for row in sqlite3.connect(database).execute("SELECT id FROM contacts_contact ORDER BY id")]
    assert len(ids) == PEOPLE == settings.MAX_SELECTED_IDS
    assert len(",".join(map(str, ids))) > 4094, "the ticked ids alone are longer than gunicorn's request line"
    user = Session(base_url)
    user.log_in()
    status, body = user.request("GET", "/people/?audience=my-people&view=table")
    assert status == 200
    people_page = Elements(body)
    selection = ticked(people_page, ids)

    # Change stage: the dialog, then the stage picker inside it, then the confirm.
    status, body = user.htmx(people_page.find(role="menuitem", text="Change stage"), selection, "dialog-slot")
    assert status == 200, visible_text(body)[:300]
    assert f"Change the stage of {PEOPLE} people?" in visible_text(body)
    dialog = Elements(body)
    form = dialog.find(tag="form")
    status, body = user.htmx(
        dialog.find(tag="select", name="new_stage"), dialog.fields(form) + [("new_stage", "past")], "dialog-slot"
    )
    assert status == 200, visible_text(body)[:300]
    assert f"{PEOPLE} people will be moved to Past." in visible_text(body)
    dialog = Elements(body)
    form = dialog.find(tag="form")
    assert dialog.find(tag="button", type="submit")["text"].strip() == f"Change stage of {PEOPLE} people"
    status, body = user.htmx(form, dialog.fields(form) + [("new_stage", "past")], "dialog-slot")
    assert status == 200, visible_text(body)[:300]
    assert f"{PEOPLE} people moved to Past" in visible_text(body)
    assert in_database(database, "SELECT count(*) FROM contacts_contact WHERE stage = 'past'") == PEOPLE

    # Archive: the dialog names everyone, and confirming archives exactly them.
    status, body = user.htmx(people_page.find(role="menuitem", text="Archive"), selection, "dialog-slot")
    assert status == 200, visible_text(body)[:300]
    assert f"Archive {PEOPLE} people?" in visible_text(body)
    assert f"{PEOPLE} people will be archived." in visible_text(body)
    dialog = Elements(body)
    form = dialog.find(tag="form")
    status, body = user.htmx(form, dialog.fields(form), "dialog-slot")
    assert status == 200, visible_text(body)[:300]
    assert f"{PEOPLE} people archived" in visible_text(body)
    assert in_database(database, "SELECT count(*) FROM contacts_contact WHERE archived_at IS NOT NULL") == PEOPLE
