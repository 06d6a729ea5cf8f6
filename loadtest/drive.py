"""Drive a running My People server with several logged-in users; report throughput and latency.

    python loadtest/drive.py --base-url http://127.0.0.1:8123 --users 8 --seconds 60 --out loadtest/results.json

Standard library only (threads + http.client), so it runs from any Python 3.12 without the app's
packages. Each virtual user logs in through /accounts/login/ like a browser (CSRF token from the
page, session cookie kept), then loops until the time or request budget is spent, picking a task:

    ~50% list pages   every audience, pages near and far, every sort, Table and List views,
                      full pages and htmx partials (HX-Target: people-region), a person's details
    ~15% searches     name / company / email fragments, with and without a stage filter
    ~10% dialogs      bulk dialogs (POST): ticked ids and "select all" (up to the whole 100k audience)
    ~25% writes       archive a few ticked people (dialog, confirm, sometimes Undo), restore,
                      assign/unassign and change stage in the details pane, bulk change stage,
                      "select all" archive of a small filtered set, delete + Undo (admins)

Writes send X-CSRFToken, Origin and HX-Request headers as htmx in a browser does. Only loopback
addresses are accepted as the target. The run stops by itself at --seconds (at most 300) or
--max-requests, whichever comes first.

Reports per category and overall: count, requests/s, p50/p95/p99/max ms, 4xx (by endpoint, with
the expected ones -- 409 stale/blocked, 404 for someone deleted meanwhile -- marked as such), 5xx
and network errors. Exit status: 0 when there were no 5xx, network errors or unexpected responses.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

MAX_SECONDS = 300
CATEGORIES = ("list", "search", "dialog", "write", "details", "login")
# Category weights of the tasks a virtual user picks (details is part of the 50% list share).
TASK_WEIGHTS = {"list": 45, "details": 5, "search": 15, "dialog": 10, "write": 25}
WRITE_WEIGHTS = {
    "archive_ids": 22,
    "restore_ids": 14,
    "assign": 14,
    "unassign": 8,
    "person_stage": 14,
    "bulk_stage": 10,
    "archive_select_all": 10,
    "delete_undo": 8,
}
AUDIENCES = [
    ("my-people", 40), ("archived", 8), ("deleted", 4), ("stage-lead", 6), ("stage-potential", 5),
    ("stage-active", 5), ("stage-past", 6), ("stage-lost", 4), ("stage-none", 6), ("assigned-to-me", 8),
    ("unassigned", 8),
]  # fmt: skip
# Half the list pages keep the default order (by name); the rest click a column header.
SORTS = [""] * 9 + [
    "-name", "company", "-company", "stage", "-stage", "assignee", "last_touch_at", "-last_touch_at", "name",
]  # fmt: skip
STAGES = ["lead", "potential", "active", "past", "lost", "none"]
FIRST_NAMES = "Avery Blake Carmen Diego Elena Farah Gabriel Hana Isaac Jamal Keiko Liam Maya Nadia Omar Priya".split()
LAST_NAMES = "Abbott Banerjee Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Moreau".split()
SEARCHES = FIRST_NAMES + LAST_NAMES + ["Northwind", "Harbor", "lumen.example", "sparrow", "Summit", "zzq-nobody", "ma"]
# Responses that are a correct answer to a race between users, not a failure.
EXPECTED_4XX = {409, 404}
PAGE_SIZE = 50

ID_RE = re.compile(r'data-id="(\d+)"')
TOTAL_RE = re.compile(r'data-total="(\d+)"')
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNDO_RE = re.compile(r"/undo/(\d+)/")
STATUS_TEXT_RE = re.compile(r'<p class="status-text">(.*?)</p>', re.S)
NUMBER_RE = re.compile(r"/\d+/")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class DriverError(Exception):
    pass


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(pct / 100 * len(sorted_values))))
    return sorted_values[rank - 1]


def endpoint_of(method: str, path: str) -> str:
    """'POST /people/123/stage/?audience=x' -> 'POST /people/<id>/stage/'."""
    return f"{method} {NUMBER_RE.sub('/<id>/', path.split('?', 1)[0])}"


class Recorder:
    """Every request's category, label, status and latency, shared by all virtual users."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, str, str, int, float]] = []  # category, endpoint, label, status, ms
        self.network_errors: Counter = Counter()
        self.failures: list[dict] = []  # 5xx, network errors and unexpected answers, first few kept
        self.unexpected: Counter = Counter()
        self.noop_writes = 0
        self.write_outcomes: Counter = Counter()

    def add(self, category, endpoint, label, status, ms):
        with self.lock:
            self.samples.append((category, endpoint, label, status, ms))

    def fail(self, kind: str, endpoint: str, detail: str):
        with self.lock:
            self.unexpected[(kind, endpoint)] += 1
            if len(self.failures) < 20:
                self.failures.append({"kind": kind, "endpoint": endpoint, "detail": detail[:400]})


class Response:
    def __init__(self, status: int, body: str, headers: dict[str, str], ms: float):
        self.status, self.body, self.headers, self.ms = status, body, headers, ms


class Budget:
    """When to stop: a deadline and a request count, shared by all virtual users."""

    def __init__(self, seconds: float, max_requests: int):
        self.seconds = seconds
        self.deadline = float("inf")  # the clock starts when every user has finished the tour
        self.remaining = max_requests
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def start_clock(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def take(self) -> bool:
        if self.stopped.is_set() or time.monotonic() >= self.deadline:
            self.stopped.set()
            return False
        with self.lock:
            if self.remaining <= 0:
                self.stopped.set()
                return False
            self.remaining -= 1
            return True


class Stop(Exception):
    """The budget is spent: the virtual user finishes."""


class VirtualUser(threading.Thread):
    def __init__(self, number, base_url, username, password, recorder, budget, rng, think_ms, gate, can_delete):
        super().__init__(name=f"vu-{number}", daemon=True)
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.username, self.password = username, password
        self.recorder, self.budget, self.rng = recorder, budget, rng
        self.think_ms, self.gate, self.can_delete = think_ms, gate, can_delete
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.current_url = "/people/"
        # Ids seen on list pages, by what they are good for.
        self.pools: dict[str, deque] = defaultdict(lambda: deque(maxlen=300))
        self.totals: dict[str, int] = {}
        self.assigned: deque = deque(maxlen=50)  # people this user assigned, to unassign later
        self.error: str | None = None
        self.logged_in = False
        self.tour: list[str] = []
        self.barrier = threading.Barrier(1)

    # --- HTTP ---------------------------------------------------------------------------------

    def request(self, category, method, path, *, label="", form=None, htmx_target=None, count=True) -> Response:
        if count and not self.budget.take():
            raise Stop
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "my-people-loadtest/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(form or {}, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + self.current_url
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if htmx_target is not None:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = self.origin + self.current_url
            if htmx_target:
                headers["HX-Target"] = htmx_target
        endpoint = endpoint_of(method, path)
        with self.gate:
            started = time.perf_counter()
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=headers)
                raw = self.conn.getresponse()
                data = raw.read()
                ms = (time.perf_counter() - started) * 1000
            except (OSError, http.client.HTTPException) as error:
                ms = (time.perf_counter() - started) * 1000
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                with self.recorder.lock:
                    self.recorder.network_errors[endpoint] += 1
                self.recorder.fail("network", endpoint, f"{type(error).__name__}: {error}")
                self.recorder.add(category, endpoint, label or endpoint, 0, ms)
                return Response(0, "", {}, ms)
        for cookie_header in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(cookie_header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        if raw.will_close:
            self.conn.close()
            self.conn = None
        text = data.decode("utf-8", "replace")
        self.recorder.add(category, endpoint, label or endpoint, raw.status, ms)
        if raw.status >= 500:
            self.recorder.fail("5xx", endpoint, f"{method} {path} -> {raw.status}: {text[:300]}")
        elif 400 <= raw.status < 500 and raw.status not in EXPECTED_4XX:
            self.recorder.fail(f"unexpected {raw.status}", endpoint, f"{method} {path}: {_visible_text(text)[:300]}")
        return Response(raw.status, text, dict(raw.headers.items()), ms)

    def get(self, category, path, params=None, **kwargs) -> Response:
        if params:
            path = f"{path}?{urlencode(params)}"
        return self.request(category, "GET", path, **kwargs)

    def post(self, category, path, form, **kwargs) -> Response:
        return self.request(category, "POST", path, form=form, **kwargs)

    def expect(self, response: Response, *statuses: int, what: str) -> bool:
        if response.status in statuses or response.status == 0 or response.status >= 500:
            return response.status in statuses
        if response.status in EXPECTED_4XX:
            return False
        if 300 <= response.status < 400:
            self.recorder.fail("unexpected redirect", what, f"{response.status} to {response.headers.get('Location')}")
        return False

    # --- the session ----------------------------------------------------------------------------

    def login(self) -> None:
        page = self.get("login", "/accounts/login/", count=False)
        match = CSRF_INPUT_RE.search(page.body)
        if page.status != 200 or not match:
            raise DriverError(f"{self.username}: the login page answered {page.status} without a CSRF token")
        answer = self.post(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": match.group(1), "username": self.username, "password": self.password, "next": ""},
            count=False,
        )
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise DriverError(f"{self.username}: login failed ({answer.status}): {_visible_text(answer.body)[:200]}")
        self.logged_in = True

    def run(self) -> None:
        try:
            if not self.logged_in:
                self.login()
            try:
                for method in self.tour:  # between them, the users start with one of every kind of task
                    getattr(self, method)()
            finally:
                # The timed mix starts together, when every user is through the tour (or failed it).
                try:
                    self.barrier.wait(timeout=120)
                except threading.BrokenBarrierError:
                    pass
            while not self.budget.stopped.is_set():
                task = self.pick(TASK_WEIGHTS)
                getattr(self, f"task_{task}")()
                if self.think_ms:
                    time.sleep(self.rng.uniform(0, 2 * self.think_ms) / 1000)
        except Stop:
            pass
        except DriverError as error:
            self.error = str(error)
            self.budget.stopped.set()
        except Exception as error:  # a bug in the driver must not hang the run
            self.error = f"{type(error).__name__}: {error}"
            self.budget.stopped.set()
        finally:
            if self.conn is not None:
                self.conn.close()

    def pick(self, weights: dict[str, int]) -> str:
        names = list(weights)
        return self.rng.choices(names, [weights[n] for n in names])[0]

    # --- list pages -----------------------------------------------------------------------------

    def list_page(self, category, audience, *, q="", stage="", sort="", page=None, view=None, htmx=None, label=""):
        params = {"audience": audience}
        if q:
            params["q"] = q
        if stage:
            params["stage"] = stage
        if sort:
            params["sort"] = sort
        if page and page > 1:
            params["page"] = page
        if view:
            params["view"] = view
        if htmx is None:
            htmx = self.rng.random() < 0.6  # most navigation is an htmx swap of the people region
        path = f"/people/?{urlencode(params)}"
        response = self.get(category, path, htmx_target="people-region" if htmx else None, label=label)
        if not self.expect(response, 200, what="GET /people/"):
            return response, []
        self.current_url = path
        if 'id="people-region"' not in response.body:
            self.recorder.fail("bad page", "GET /people/", f"{path}: no people region in the answer")
        total = TOTAL_RE.search(response.body)
        key = f"{audience}|{q}|{stage}"
        if total:
            self.totals[key] = int(total.group(1))
        ids = ID_RE.findall(response.body)
        self.file_ids(audience, stage, q, ids)
        return response, ids

    def file_ids(self, audience, stage, q, ids) -> None:
        if not ids:
            return
        if audience == "archived":
            self.pools["archived"].extend(ids)
        elif audience == "unassigned" and stage in ("past", "lost", "none"):
            self.pools["archivable"].extend(ids)
        elif audience in ("stage-lead", "stage-potential", "stage-active"):
            self.pools["open"].extend(ids)
        if audience not in ("archived", "deleted"):
            self.pools["people"].extend(ids)

    def random_page(self, key: str) -> int:
        """Mostly the first pages, as people page with Previous/Next (the only page links there are);
        now and then a far page (an edited or shared address), which costs a large OFFSET."""
        total = self.totals.get(key)
        pages = max(1, -(-total // PAGE_SIZE)) if total else 5
        roll = self.rng.random()
        if roll < 0.6:
            page = 1
        elif roll < 0.9:
            page = self.rng.randint(2, 5)
        elif roll < 0.98:
            page = self.rng.randint(6, 20)
        else:
            page = self.rng.randint(21, max(21, pages))
        return min(page, pages)

    def task_list(self):
        audience = self.rng.choices([a for a, _ in AUDIENCES], [w for _, w in AUDIENCES])[0]
        sort = self.rng.choice(SORTS)
        if audience in ("archived", "deleted") and self.rng.random() < 0.4:
            sort = self.rng.choice(["since", "-since"])
        page = self.random_page(f"{audience}||")
        view = self.rng.choice([None, None, "table", "list"])
        depth = "p1" if page == 1 else "p2-5" if page <= 5 else "p6-20" if page <= 20 else "far page"
        label = f"list {audience} sort={sort or 'default'} {depth}"
        self.list_page("list", audience, sort=sort, page=page, view=view, label=label)

    def open_person(self, pk: str, label: str = "") -> Response | None:
        """A person's details pane, as a click in the List and Details View loads it."""
        htmx = self.rng.random() < 0.8
        response = self.get(
            "details",
            f"/people/{pk}/",
            {"audience": "my-people", "view": "list"},
            htmx_target="details" if htmx else None,
            label=label or ("details" + (" (htmx)" if htmx else " (full page)")),
        )
        if not self.expect(response, 200, what="GET /people/<id>/"):
            return None
        return response

    def task_details(self):
        ids = self.pools["people"]
        if not ids:
            self.list_page("list", "my-people", view="list", label="list my-people sort=default p1")
            return
        self.open_person(self.rng.choice(ids))

    def task_search(self):
        term = self.rng.choice(SEARCHES)
        if self.rng.random() < 0.2:
            term = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        audience = self.rng.choice(["my-people"] * 6 + ["archived", "unassigned", "stage-lead"])
        stage = self.rng.choice(STAGES) if self.rng.random() < 0.3 and audience == "my-people" else ""
        self.list_page(
            "search",
            audience,
            q=term,
            stage=stage,
            htmx=True,
            view=self.rng.choice([None, "list"]),
            label=f"search {audience}{' +stage' if stage else ''}",
        )

    # --- dialogs --------------------------------------------------------------------------------

    def dialog(self, action, params, label) -> Form | None:
        """Open a bulk action's confirmation dialog as the page does (the selection in a POST body);
        its form as the browser would submit it."""
        url = f"/bulk/{action}/dialog/"
        response = self.post("dialog", url, params, htmx_target="dialog-slot", label=label)
        if not self.expect(response, 200, what=f"POST {url}"):
            return None
        form = find_form(response.body, "data-dialog-form")
        if form is None:
            self.recorder.fail("bad dialog", f"POST {url}", _visible_text(response.body)[:200])
            return None
        # A choice to make first (the new stage): pick one; htmx asks the dialog again with it.
        for name, options in form.selects.items():
            if not form.values.get(name):
                choices = [value for value in options if value]
                if not choices:
                    return None
                response = self.post(
                    "dialog",
                    url,
                    [*form.fields(), (name, self.rng.choice(choices))],
                    htmx_target="dialog-slot",
                    label=f"{label} + choice",
                )
                if not self.expect(response, 200, what=f"POST {url}"):
                    return None
                form = find_form(response.body, "data-dialog-form")
                break
        return form

    def task_dialog(self):
        roll = self.rng.random()
        if roll < 0.35:
            ids = self.sample("people", 1, 10)
            if ids is None:
                return
            action = self.rng.choice(["archive", "remove_assignee", "change_stage"])
            params = {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}
            self.dialog(action, params, f"dialog {action} ids")
        elif roll < 0.55:
            # "Select all" over the whole of My People (~80k people): the heaviest preview.
            self.dialog("archive", {"audience": "my-people", "selection": "all"}, "dialog archive all my-people")
        elif roll < 0.7:
            audience = self.rng.choice(["stage-lead", "stage-past", "unassigned", "assigned-to-me"])
            action = self.rng.choice(["archive", "remove_assignee", "change_stage"])
            self.dialog(action, {"audience": audience, "selection": "all"}, f"dialog {action} all {audience}")
        elif roll < 0.8:
            params = {"audience": "my-people", "selection": "all", "q": self.rng.choice(SEARCHES)}
            self.dialog("archive", params, "dialog archive all + search")
        elif roll < 0.9:
            action = "delete" if self.can_delete else "restore"
            self.dialog(action, {"audience": "archived", "selection": "all"}, f"dialog {action} all archived")
        else:
            action = "purge" if self.can_delete else "undelete"
            self.dialog(action, {"audience": "deleted", "selection": "all"}, f"dialog {action} all deleted")

    def sample(self, pool: str, low: int, high: int) -> list[str] | None:
        """A few distinct ids from a pool, refilling it from a list page when it runs dry."""
        if len(self.pools[pool]) < low:
            audience, stage = {
                "people": ("my-people", ""),
                "open": (self.rng.choice(["stage-lead", "stage-potential", "stage-active"]), ""),
                "archived": ("archived", ""),
                "archivable": ("unassigned", self.rng.choice(["past", "lost", "none"])),
            }[pool]
            page = self.random_page(f"{audience}||{stage}")
            self.list_page("list", audience, stage=stage, page=page, label=f"list {audience} (refill)")
        ids = list(dict.fromkeys(self.pools[pool]))
        if len(ids) < low:
            return None
        chosen = self.rng.sample(ids, min(len(ids), self.rng.randint(low, high)))
        for pk in chosen:  # taken: another task of this user will not pick them again
            try:
                self.pools[pool].remove(pk)
            except ValueError:
                pass
        return chosen

    # --- writes ---------------------------------------------------------------------------------

    def task_write(self):
        kind = self.pick(WRITE_WEIGHTS)
        if kind == "delete_undo" and not self.can_delete:
            kind = "archive_ids"
        getattr(self, f"write_{kind}")()

    def bulk(self, action, params, label) -> Response | None:
        """Open the dialog, then confirm it as shown (skipped when no one can be acted on: Close only)."""
        form = self.dialog(action, params, f"dialog {label}")
        if form is None or not form.confirm:
            return None
        fields = form.fields()
        if "typed_count" in form.inputs:  # deleting more than 20: type the count
            fields.append(("typed_count", form.values.get("expected", "")))
        response = self.post("write", form.action, fields, htmx_target="dialog-slot", label=label)
        if self.expect(response, 200, what=f"POST /bulk/{action}/"):
            self.note_outcome(f"POST /bulk/{action}/", action, response.body)
            return response
        return None

    def note_outcome(self, endpoint, action, body) -> None:
        text = STATUS_TEXT_RE.search(body)
        if text is None:
            self.recorder.fail("no outcome", endpoint, _visible_text(body)[:200])
            return
        with self.recorder.lock:
            self.recorder.write_outcomes[action] += 1
            if text.group(1).startswith("0 people") or "Nothing" in text.group(1):
                self.recorder.noop_writes += 1

    def undo(self, response: Response | None, label) -> None:
        match = UNDO_RE.search(response.body) if response is not None else None
        if match:
            answer = self.post("write", f"/undo/{match.group(1)}/", {}, htmx_target="dialog-slot", label=label)
            if self.expect(answer, 200, what="POST /undo/<id>/"):
                self.note_outcome("POST /undo/<id>/", "undo", answer.body)

    def edit_person(self, pk: str, field: str, choose) -> Response | None:
        """Open the person's details and change a field in place, as the pane's select does on change."""
        details = self.open_person(pk)
        if details is None:
            return None
        form = find_form(details.body, f"/{field}/", attr="action")
        if form is None or field not in form.selects:
            self.recorder.fail("bad details", "GET /people/<id>/", f"no {field} form for person {pk}")
            return None
        value = choose([v for v in form.selects[field] if v != form.values.get(field)])
        if value is None:
            return None
        response = self.post(
            "write",
            form.action,
            [*form.fields(), (field, value)],
            htmx_target="details",
            label=f"{field} (details pane)",
        )
        return response if self.expect(response, 200, what=f"POST /people/<id>/{field}/") else None

    def write_archive_ids(self):
        ids = self.sample("archivable", 1, 5)
        if ids is None:
            return
        params = {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}
        response = self.bulk("archive", params, "archive ids")
        if response is not None:
            if self.rng.random() < 0.5:
                self.undo(response, "undo archive")
            else:
                self.pools["archived"].extend(ids)

    def write_restore_ids(self):
        ids = self.sample("archived", 1, 5)
        if ids is not None:
            self.bulk("restore", {"audience": "archived", "selection": "ids", "ids": ",".join(ids)}, "restore ids")

    def write_assign(self):
        ids = self.sample("open", 1, 1)
        if ids is None:
            return
        members = lambda values: self.rng.choice([v for v in values if v]) if any(values) else None  # noqa: E731
        if self.edit_person(ids[0], "assignee", members) is not None:
            self.assigned.append(ids[0])

    def write_unassign(self):
        if self.assigned and self.rng.random() < 0.5:
            self.edit_person(self.assigned.popleft(), "assignee", lambda values: "" if "" in values else None)
            return
        ids = self.sample("open", 1, 4)
        if ids is not None:
            params = {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}
            self.bulk("remove_assignee", params, "remove assignee ids")

    def write_person_stage(self):
        ids = self.sample("people", 1, 1)
        if ids is not None:
            self.edit_person(ids[0], "stage", lambda values: self.rng.choice(values) if values else None)

    def write_bulk_stage(self):
        ids = self.sample("people", 2, 6)
        if ids is None:
            return
        response = self.bulk(
            "change_stage", {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}, "change stage ids"
        )
        if response is not None and self.rng.random() < 0.5:
            self.undo(response, "undo change stage")

    def write_archive_select_all(self):
        # A small filtered set: one full name among the unassigned Lost/Past people (a handful of 100k).
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        params = {"audience": "unassigned", "selection": "all", "q": name, "stage": self.rng.choice(["lost", "past"])}
        response = self.bulk("archive", params, "archive all (small filter)")
        if response is not None and self.rng.random() < 0.7:
            self.undo(response, "undo archive all")

    def write_delete_undo(self):
        ids = self.sample("archived", 1, 3)
        if ids is None:
            return
        response = self.bulk("delete", {"audience": "archived", "selection": "ids", "ids": ",".join(ids)}, "delete ids")
        if response is not None:
            self.undo(response, "undo delete")


class Form:
    """One HTML form as a browser would submit it: action, fields, selects and their options."""

    def __init__(self, attrs: dict[str, str]):
        self.attrs = attrs
        self.action = attrs.get("hx-post") or attrs.get("action") or ""
        self.inputs: dict[str, str] = {}  # name -> type
        self.values: dict[str, str] = {}
        self.order: list[str] = []
        self.selects: dict[str, list[str]] = {}
        self.confirm = False  # a submit button is there (not just Close/Cancel)

    def fields(self) -> list[tuple[str, str]]:
        return [(name, self.values.get(name, "")) for name in self.order if self.inputs.get(name) != "unchecked"]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox" and "checked" not in a:
                kind = "unchecked"
            self._field(a["name"], kind, a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self._field(self.select, "select", "")
            self.form.selects[self.select] = []
        elif tag == "option" and self.select is not None:
            self.form.selects[self.select].append(a.get("value", ""))
            if "selected" in a:
                self.form.values[self.select] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.confirm = True

    def _field(self, name, kind, value):
        if name not in self.form.inputs:
            self.form.order.append(name)
        self.form.inputs[name] = kind
        self.form.values[name] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def find_form(html: str, marker: str, attr: str | None = None) -> Form | None:
    """The first form with the attribute `marker` (or whose `attr` contains `marker`)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (attr is None and marker in form.attrs) or (attr is not None and marker in form.attrs.get(attr, "")):
            return form
    return None


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def summarize(samples, seconds: float) -> dict:
    times = sorted(ms for *_, ms in samples)
    statuses = Counter(status for *_, status, _ in samples)
    return {
        "count": len(samples),
        "rps": round(len(samples) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(times[-1], 1) if times else 0.0,
        "mean_ms": round(sum(times) / len(times), 1) if times else 0.0,
        "status": {str(k): v for k, v in sorted(statuses.items())},
        "4xx": sum(v for k, v in statuses.items() if 400 <= k < 500),
        "5xx": sum(v for k, v in statuses.items() if k >= 500),
        "network_errors": statuses.get(0, 0),
    }


def run(
    base_url: str,
    accounts: list[tuple[str, str]],
    *,
    seconds: float = 60,
    max_requests: int = 200_000,
    think_ms: float = 0,
    seed: int = 1,
    max_in_flight: int = 0,
    delete_roles: int = 2,
    tour: bool = True,
    watch: dict[str, int] | None = None,
) -> dict:
    """Log in every account, drive the server, return the results (see module docstring).

    `max_in_flight` > 0 caps requests in flight across all users (the smoke test uses 1 when the
    test server shares one in-memory SQLite connection between its threads). The first
    `delete_roles` accounts are admins/managers and also delete (and Undo). With `tour`, the users
    start with one of every kind of task and write between them, before the random mix.
    """
    host = urlsplit(base_url).hostname or ""
    if host not in LOOPBACK:
        raise DriverError(f"refusing to load {host!r}: only loopback addresses (127.0.0.1) are allowed")
    seconds = max(1.0, min(float(seconds), MAX_SECONDS))
    recorder = Recorder()
    gate = threading.BoundedSemaphore(max_in_flight) if max_in_flight > 0 else _NoGate()
    master = random.Random(seed)
    budget = Budget(seconds, max_requests)
    users = [
        VirtualUser(
            n,
            base_url,
            name,
            password,
            recorder,
            budget,
            random.Random(master.random()),
            think_ms,
            gate,
            can_delete=n < delete_roles,
        )  # fmt: skip
        for n, (name, password) in enumerate(accounts)
    ]
    # Log everyone in first, in parallel (password hashing is slow on purpose), then start the clock.
    login_errors: list[str] = []

    def log_in(user):
        try:
            user.login()
        except DriverError as error:
            login_errors.append(str(error))

    logins = [threading.Thread(target=log_in, args=(user,)) for user in users]
    for thread in logins:
        thread.start()
    for thread in logins:
        thread.join(timeout=120)
    if login_errors or not all(user.logged_in for user in users):
        raise DriverError("; ".join(login_errors) or "some virtual users could not log in in time")
    barrier = threading.Barrier(len(users), action=budget.start_clock)
    for user in users:
        user.barrier = barrier
    if tour:  # deleting needs an admin or a manager: the first users get it
        methods = [f"write_{kind}" for kind in sorted(WRITE_WEIGHTS, key=lambda k: k != "delete_undo")]
        methods += [f"task_{kind}" for kind in TASK_WEIGHTS if kind != "write"]
        for n, method in enumerate(methods):
            among = min(delete_roles, len(users)) if method == "write_delete_undo" else len(users)
            users[n % among].tour.append(method)
    load_before = _load_average()
    driver_cpu_before = time.process_time()
    watch = watch or {}
    cpu_before = {name: _cpu_seconds(pid) for name, pid in watch.items()}
    started = time.monotonic()
    for user in users:
        user.start()
    for user in users:
        user.join(timeout=seconds + 180)
    elapsed = time.monotonic() - started
    cpu_after = {name: _cpu_seconds(pid) for name, pid in watch.items()}
    driver_cpu = time.process_time() - driver_cpu_before
    budget.stopped.set()
    errors = [f"{u.username}: {u.error}" for u in users if u.error]
    stuck = [u.username for u in users if u.is_alive()]
    results = _results(recorder, elapsed, base_url, accounts, seconds, max_requests, think_ms, errors, stuck)
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": _load_average(),
    }
    # The server's own CPU time per request does not depend on what else runs on the machine.
    requests = results["overall"]["count"]
    server = {}
    for name in watch:
        if cpu_before.get(name) is not None and cpu_after.get(name) is not None and requests:
            used = cpu_after[name] - cpu_before[name]
            server[name] = {"cpu_seconds": round(used, 2), "cpu_ms_per_request": round(used * 1000 / requests, 1)}
    if server:
        total = sum(v["cpu_ms_per_request"] for v in server.values())
        # The driver runs on the same CPUs; what it uses is not available to the server.
        server["driver"] = {
            "cpu_seconds": round(driver_cpu, 2),
            "cpu_ms_per_request": round(driver_cpu * 1000 / requests, 1),
        }
        server["total_cpu_ms_per_request"] = round(total, 1)
        if total:
            server["capacity_rps_estimate"] = round((os.cpu_count() or 1) * 1000 / total, 1)
    results["server_cpu"] = server
    return results


def _cpu_seconds(root_pid: int) -> float | None:
    """CPU time (user + system) of a process tree on Linux: the process, its live descendants,
    and the children it already reaped. None where /proc is not available."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry)
            parents[pid] = int(fields[1])
            own = int(fields[11]) + int(fields[12])
            times[pid] = own + (int(fields[13]) + int(fields[14]) if pid == root_pid else 0)
        if root_pid not in times:
            return None
        tree, frontier = {root_pid}, [root_pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
            tree.update(children)
            frontier.extend(children)
        return sum(times[pid] for pid in tree) / ticks
    except (OSError, ValueError, IndexError):
        return None


def _load_average() -> float | None:
    """1-minute load average: other work on the machine competes with the server for the CPUs."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


class _NoGate:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _results(recorder, elapsed, base_url, accounts, seconds, max_requests, think_ms, errors, stuck) -> dict:
    samples = [s for s in recorder.samples if s[0] != "login"]
    by_category = defaultdict(list)
    by_label = defaultdict(list)
    four = Counter()
    for sample in samples:
        category, endpoint, label, status, _ = sample
        by_category[category].append(sample)
        by_label[label].append(sample)
        if 400 <= status < 500:
            four[(endpoint, status)] += 1
    categories = {c: summarize(by_category[c], elapsed) for c in CATEGORIES if by_category.get(c)}
    # List pages broken down by audience, sort and depth (labels read "list <audience> sort=<s> <depth>").
    list_parts = {"audience": defaultdict(list), "sort": defaultdict(list), "page": defaultdict(list)}
    for sample in by_category.get("list", []):
        words = sample[2].split(" ", 3)
        if len(words) == 4 and words[2].startswith("sort="):
            list_parts["audience"][words[1]].append(sample)
            list_parts["sort"][words[2][5:]].append(sample)
            list_parts["page"][words[3]].append(sample)
    list_breakdown = {
        part: {key: summarize(group, elapsed) for key, group in sorted(groups.items())}
        for part, groups in list_parts.items()
    }
    labels = {label: summarize(s, elapsed) for label, s in by_label.items()}
    slowest = sorted(labels.items(), key=lambda item: -item[1]["p95_ms"])
    return {
        "base_url": base_url,
        "users": len(accounts),
        "seconds_requested": seconds,
        "seconds": round(elapsed, 2),
        "max_requests": max_requests,
        "think_ms": think_ms,
        "overall": summarize(samples, elapsed),
        "categories": categories,
        "list_breakdown": list_breakdown,
        "by_label": {label: labels[label] for label, _ in slowest},
        "4xx": [
            {"endpoint": e, "status": s, "count": n, "expected": s in EXPECTED_4XX}
            for (e, s), n in sorted(four.items(), key=lambda item: -item[1])
        ],
        "unexpected": [{"kind": k, "endpoint": e, "count": n} for (k, e), n in recorder.unexpected.most_common()],
        "failures": recorder.failures,
        "writes_confirmed": dict(recorder.write_outcomes),
        "writes_changing_nothing": recorder.noop_writes,
        "driver_errors": errors,
        "stuck_users": stuck,
    }


def healthy(results: dict) -> bool:
    """No 5xx, no network errors, no unexpected answers, every virtual user ran to the end."""
    overall = results["overall"]
    return (
        overall["count"] > 0
        and overall["5xx"] == 0
        and overall["network_errors"] == 0
        and not results["unexpected"]
        and not results["driver_errors"]
        and not results["stuck_users"]
    )


def report(results: dict, out=sys.stdout) -> None:
    def line(name, s):
        print(
            f"  {name:<10} {s['count']:>7} {s['rps']:>8.1f} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} "
            f"{s['p99_ms']:>8.1f} {s['max_ms']:>8.1f} {s['4xx']:>6} {s['5xx']:>5} {s['network_errors']:>5}",
            file=out,
        )

    print(
        f"\n{results['users']} users for {results['seconds']} s against {results['base_url']}"
        f" (think time {results['think_ms']:g} ms avg)",
        file=out,
    )
    machine = results.get("machine", {})
    if machine.get("load_average_before") is not None:
        busy = machine["load_average_before"] > 1
        print(
            f"  machine: {machine['cpus']} CPUs, load average {machine['load_average_before']} before the run,"
            f" {machine['load_average_after']} after"
            + (" (other work was already competing for the CPUs: latencies include it)" if busy else ""),
            file=out,
        )
    server = results.get("server_cpu") or {}
    if server.get("total_cpu_ms_per_request"):
        parts = ", ".join(
            f"{k} {v['cpu_ms_per_request']}" for k, v in server.items() if isinstance(v, dict) and k != "driver"
        )
        print(
            f"  server CPU per request: {server['total_cpu_ms_per_request']} ms ({parts}) -> at most"
            f" ~{server.get('capacity_rps_estimate')} req/s on these CPUs with nothing else running"
            f" (the driver itself used {server.get('driver', {}).get('cpu_ms_per_request', '?')} ms per request)",
            file=out,
        )
    print(
        f"  {'category':<10} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'4xx':>6} {'5xx':>5} {'net':>5}",
        file=out,
    )
    for name, s in results["categories"].items():
        line(name, s)
    line("overall", results["overall"])
    for part, groups in results.get("list_breakdown", {}).items():
        ranked = sorted(groups.items(), key=lambda kv: -kv[1]["p95_ms"])
        cells = "  ".join(f"{key} {g['p95_ms']:.0f}" for key, g in ranked)
        print(f"  list p95 ms by {part}: {cells}", file=out)
    print("\n  slowest request kinds by p95 (ms):", file=out)
    for label, s in list(results["by_label"].items())[:10]:
        print(f"    {s['p95_ms']:>8.1f}  p50 {s['p50_ms']:>7.1f}  n={s['count']:<6} {label}", file=out)
    if results["4xx"]:
        print("\n  4xx answers:", file=out)
        for row in results["4xx"]:
            note = "expected (a race between users)" if row["expected"] else "UNEXPECTED"
            print(f"    {row['count']:>6} x {row['status']} {row['endpoint']}  {note}", file=out)
    confirmed = sum(results["writes_confirmed"].values())
    print(
        f"\n  confirmed writes: {confirmed} ({results['writes_changing_nothing']} changed nothing: "
        f"people already taken by another user)  {results['writes_confirmed']}",
        file=out,
    )
    for failure in results["failures"][:10]:
        print(f"  FAILURE {failure['kind']} {failure['endpoint']}: {failure['detail']}", file=out)
    for error in results["driver_errors"]:
        print(f"  DRIVER ERROR {error}", file=out)
    if results["stuck_users"]:
        print(f"  STUCK virtual users: {results['stuck_users']}", file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8123 (loopback only)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", "8")))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOADTEST_SECONDS", "60")))
    parser.add_argument("--max-requests", type=int, default=int(os.environ.get("LOADTEST_MAX_REQUESTS", "200000")))
    parser.add_argument(
        "--think-ms",
        type=float,
        default=float(os.environ.get("LOADTEST_THINK_MS", "250")),
        help="mean pause between a user's tasks (uniform 0..2x); 0 = back to back, to find the capacity",
    )
    parser.add_argument("--username-prefix", default="loadtest")
    parser.add_argument("--password", default=os.environ.get("LOADTEST_PASSWORD", "loadtest-password"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-in-flight", type=int, default=0, help="cap on concurrent requests (0: one per user)")
    parser.add_argument(
        "--watch-pid",
        action="append",
        default=[],
        metavar="NAME=PID",
        help="measure the CPU time of this process tree during the run (e.g. app=<gunicorn master>)",
    )
    parser.add_argument("--out", default="", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.seconds > MAX_SECONDS:
        print(f"--seconds {args.seconds:g} is over the limit; running {MAX_SECONDS} s", file=sys.stderr)
    accounts = [(f"{args.username_prefix}{n}", args.password) for n in range(1, args.users + 1)]
    try:
        results = run(
            args.base_url,
            accounts,
            seconds=args.seconds,
            max_requests=args.max_requests,
            think_ms=args.think_ms,
            seed=args.seed,
            max_in_flight=args.max_in_flight,
            watch={name: int(pid) for name, _, pid in (w.partition("=") for w in args.watch_pid)},
        )
    except DriverError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report(results)
    if args.out:
        with open(args.out, "w") as handle:
            json.dump(results, handle, indent=2)
        print(f"\n  results written to {args.out}")
    return 0 if healthy(results) else 1


if __name__ == "__main__":
    sys.exit(main())
