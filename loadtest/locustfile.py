"""The load test's users, for Locust: logged-in team members working in My People.

    locust -f loadtest/locustfile.py --headless -u 8 -r 4 --run-time 60s --stop-timeout 30s \\
        --host http://127.0.0.1:8123 --csv loadtest/results

Run from the project folder (the user names come from contacts/seeding/names.py). Each user logs
in as one of the seeded accounts (loadtest1 admin, loadtest2 manager, the rest members; see
loadtest/seed.py) through /accounts/login/ like a browser (CSRF token from the page, session
cookie kept), waits until every user has logged in, starts with its share of a "tour" (between them the users do one of every kind of
task, so even a short run covers every write), then picks tasks at random:

    ~45% list pages   every audience, pages near and far, every sort, Table and List views,
                      full pages and htmx partials (HX-Target: people-region)
     ~5% details      a person's details pane
    ~15% searches     name / company / email fragments, with and without a stage filter
    ~10% dialogs      bulk dialogs (POST): ticked ids and "select all" (up to the whole 100k audience)
    ~25% writes       archive a few ticked people (dialog, confirm, sometimes Undo), restore,
                      assign/unassign and change stage in the details pane, bulk change stage,
                      "select all" archive of a small filtered set, delete + Undo (admin, manager)

POSTs send X-CSRFToken, Origin and htmx's HX-Request/HX-Target headers. Dialogs are submitted as
the browser submits them: the dialog's form is read and posted back, so protocol changes in the
templates are followed. Requests are grouped in Locust's statistics by kind: list, search,
details, dialog, each write ("write: archive ids", ...), login page and login.

A failure is any 5xx, network error, unexpected status (a redirect, a 4xx other than the two
below) or an answer without what it must contain. 409 (a stale dialog or a person changed by
another user meanwhile) and 404 (someone deleted meanwhile) are correct answers to races between
users: they are recorded as failures whose message starts "race (expected)", which
loadtest/check.py does not count against the run.

Bounded: the host must be a loopback address and the run must be headless with --run-time of at
most 300 s. Environment: LOADTEST_PASSWORD (the accounts' password), LOADTEST_THINK_MS (250: mean
pause between a user's tasks, uniform 0–2×; 0 = back to back), LOADTEST_ACCOUNTS (seeded accounts;
default -u), LOADTEST_WATCH ("app=PID,db=PID": process trees whose CPU time per request is
written to <csv prefix>_machine.json, with the load average before and after).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import defaultdict, deque
from urllib.parse import urlencode, urlsplit

import gevent
import gevent.event
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser
from locust.stats import CSV_STATS_INTERVAL_SEC

from contacts.seeding.names import FIRST_NAMES, LAST_NAMES
from loadtest import machine
from loadtest.forms import Form, find_form, visible_text

MAX_SECONDS = 300
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "loadtest-password")
THINK_S = float(os.environ.get("LOADTEST_THINK_MS", "250")) / 1000
DELETERS = 2  # loadtest1 (admin) and loadtest2 (manager) may delete
PAGE_SIZE = 50

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
SEARCHES = [*FIRST_NAMES, *LAST_NAMES, "Northwind", "Harbor", "lumen.example", "sparrow", "Summit", "zzq-nobody", "ma"]
RACES = {409, 404}  # correct answers to a race between users

ID_RE = re.compile(r'data-id="(\d+)"')
TOTAL_RE = re.compile(r'data-total="(\d+)"')
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNDO_RE = re.compile(r"/undo/(\d+)/")
STATUS_TEXT_RE = re.compile(r'<p class="status-text">(.*?)</p>', re.S)
NUMBER_RE = re.compile(r"/\d+/")


@events.init.add_listener
def bounded(environment, **kwargs):
    """Refuse to load anything but this machine, or without an end (exceptions here are fatal)."""
    options = environment.parsed_options
    host = urlsplit(environment.host or "").hostname or ""
    if host not in LOOPBACK:
        raise RuntimeError(f"refusing to load {host!r}: only loopback addresses (127.0.0.1) are allowed")
    if options and (not options.headless or not options.run_time or options.run_time > MAX_SECONDS):
        raise RuntimeError(f"run headless with --run-time of at most {MAX_SECONDS} s")


@events.quitting.add_listener
def last_csv_snapshot(environment, **kwargs):
    """Locust rewrites its CSV files every CSV_STATS_INTERVAL_SEC but not when it quits (locust#1806):
    wait for one more write, so that the files also hold the requests of the last second."""
    if environment.parsed_options and environment.parsed_options.csv_prefix:
        gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.5)


class TeamMember(FastHttpUser):
    wait_time = between(0, 2 * THINK_S)
    numbers = itertools.count(1)
    # Everyone logs in before anyone works: password hashing is slow on purpose, and list pages
    # must not queue behind the other users' logins.
    arrived = 0
    everyone_in = gevent.event.Event()

    def on_start(self):
        self.number = next(self.numbers)
        users = self.environment.parsed_options.num_users if self.environment.parsed_options else 1
        accounts = int(os.environ.get("LOADTEST_ACCOUNTS") or users)
        account = (self.number - 1) % accounts + 1
        self.username = f"loadtest{account}"
        self.can_delete = account <= DELETERS
        self.rng = random.Random(self.number)
        self.origin = self.host.rstrip("/")
        self.current_url = "/people/"
        # Ids seen on list pages, by what they are good for.
        self.pools: dict[str, deque] = defaultdict(lambda: deque(maxlen=300))
        self.totals: dict[str, int] = {}
        self.assigned: deque = deque(maxlen=50)  # people this user assigned, to unassign later
        try:
            self.login()
        finally:
            TeamMember.arrived += 1
            if TeamMember.arrived >= users:
                TeamMember.everyone_in.set()
        TeamMember.everyone_in.wait(timeout=120)
        if self.number <= users:
            for method in tour(self.number - 1, min(users, accounts)):
                getattr(self, method)()

    # --- HTTP ---------------------------------------------------------------------------------

    def request(self, name, method, path, *, form=None, htmx_target=None, ok=(200,), check=None):
        """One request, recorded under `name`; the response when its status is in `ok` (and `check`,
        given the body, found nothing wrong), else None (and a failure recorded)."""
        headers = {}
        body = None
        if method == "POST":
            body = urlencode(form or {}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + self.current_url
            if token := self.cookie("csrftoken"):
                headers["X-CSRFToken"] = token
        if htmx_target is not None:
            headers["HX-Request"] = "true"
            headers["HX-Current-URL"] = self.origin + self.current_url
            if htmx_target:
                headers["HX-Target"] = htmx_target
        endpoint = f"{method} {NUMBER_RE.sub('/<id>/', path.split('?', 1)[0])}"
        with self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            status = response.status_code
            problem = None
            if not status:
                problem = f"network error: {endpoint}: {type(response.error).__name__}"
            elif status >= 500:
                problem = f"5xx: {status} {endpoint}"
            elif status in RACES and status not in ok:
                problem = f"race (expected): {status} {endpoint}"
            elif status not in ok:
                where = f" to {response.headers.get('Location')}" if 300 <= status < 400 else ""
                problem = f"unexpected {status}{where}: {endpoint}"
            elif check:
                problem = check(response.text)
            if problem:
                response.failure(problem)
                return None
            response.success()
            return response

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.client.cookiejar if c.name == name), None)

    def login(self) -> None:
        page = self.request(
            "login page", "GET", "/accounts/login/", check=lambda body: has(CSRF_INPUT_RE, body, "token")
        )
        if page is None:
            raise StopUser()
        form = {
            "csrfmiddlewaretoken": CSRF_INPUT_RE.search(page.text).group(1),
            "username": self.username,
            "password": PASSWORD,
            "next": "",
        }
        answer = self.request(
            "login",
            "POST",
            "/accounts/login/",
            form=form,
            ok=(302,),
            check=lambda body: None if self.cookie("sessionid") else f"login failed for {self.username}",
        )
        if answer is None:
            raise StopUser()

    # --- list pages -----------------------------------------------------------------------------

    def list_page(self, name, audience, *, q="", stage="", sort="", page=None, view=None, htmx=None):
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
        response = self.request(
            name,
            "GET",
            path,
            htmx_target="people-region" if htmx else None,
            check=lambda body: None if 'id="people-region"' in body else "no people region in the answer",
        )
        if response is None:
            return []
        self.current_url = path
        if total := TOTAL_RE.search(response.text):
            self.totals[f"{audience}|{q}|{stage}"] = int(total.group(1))
        ids = ID_RE.findall(response.text)
        self.file_ids(audience, stage, ids)
        return ids

    def file_ids(self, audience, stage, ids) -> None:
        if audience == "archived":
            self.pools["archived"].extend(ids)
        elif audience == "unassigned" and stage in ("past", "lost", "none"):
            self.pools["archivable"].extend(ids)
        elif audience in ("stage-lead", "stage-potential", "stage-active"):
            self.pools["open"].extend(ids)
        elif audience == "assigned-to-me":
            self.pools["assigned"].extend(ids)
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

    @task(45)
    def task_list(self):
        audience = self.rng.choices([a for a, _ in AUDIENCES], [w for _, w in AUDIENCES])[0]
        sort = self.rng.choice(SORTS)
        if audience in ("archived", "deleted") and self.rng.random() < 0.4:
            sort = self.rng.choice(["since", "-since"])
        page = self.random_page(f"{audience}||")
        self.list_page("list", audience, sort=sort, page=page, view=self.rng.choice([None, None, "table", "list"]))

    def open_person(self, pk: str, form_field: str | None = None):
        """A person's details pane, as a click in the List and Details View loads it; with
        `form_field`, the pane must hold that field's form. Returns (response, that form)."""
        found = {}

        def check(body):
            if form_field:
                found["form"] = find_form(body, f"/{form_field}/", attr="action")
                if found["form"] is None or form_field not in found["form"].selects:
                    return f"no {form_field} form in the details pane"
            return None

        htmx = self.rng.random() < 0.8
        response = self.request(
            "details",
            "GET",
            f"/people/{pk}/?{urlencode({'audience': 'my-people', 'view': 'list'})}",
            htmx_target="details" if htmx else None,
            check=check,
        )
        return response, found.get("form")

    @task(5)
    def task_details(self):
        ids = self.pools["people"]
        if not ids:
            self.list_page("list", "my-people", view="list")
            return
        self.open_person(self.rng.choice(ids))

    @task(15)
    def task_search(self):
        term = self.rng.choice(SEARCHES)
        if self.rng.random() < 0.2:
            term = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        audience = self.rng.choice(["my-people"] * 6 + ["archived", "unassigned", "stage-lead"])
        stage = self.rng.choice(STAGES) if self.rng.random() < 0.3 and audience == "my-people" else ""
        self.list_page("search", audience, q=term, stage=stage, htmx=True, view=self.rng.choice([None, "list"]))

    # --- dialogs --------------------------------------------------------------------------------

    def dialog(self, action, params) -> Form | None:
        """Open a bulk action's confirmation dialog; its form as the browser would submit it."""
        form = self.dialog_form(action, list(params.items()))
        if form is None:
            return None
        # A choice to make first (the new stage): pick one; htmx asks the dialog again with it.
        for name, options in form.selects.items():
            if not form.values.get(name):
                choices = [value for value in options if value]
                if not choices:
                    return None
                return self.dialog_form(action, [*form.fields(), (name, self.rng.choice(choices))])
        return form

    def dialog_form(self, action, params) -> Form | None:
        """The dialog asked for as the page asks: the selection in a POST body (a long list of
        ticked ids does not fit in an address)."""
        found = {}

        def check(body):
            found["form"] = find_form(body, "data-dialog-form")
            return None if found["form"] else f"no dialog form: {visible_text(body)[:200]}"

        path = f"/bulk/{action}/dialog/"
        response = self.request("dialog", "POST", path, form=params, htmx_target="dialog-slot", check=check)
        return found["form"] if response is not None else None

    @task(10)
    def task_dialog(self):
        roll = self.rng.random()
        if roll < 0.35:
            ids = self.sample("people", 1, 10)
            if ids is None:
                return
            action = self.rng.choice(["archive", "remove_assignee", "change_stage"])
            self.dialog(action, {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)})
        elif roll < 0.55:
            # "Select all" over the whole of My People (~80k people): the heaviest preview.
            self.dialog("archive", {"audience": "my-people", "selection": "all"})
        elif roll < 0.7:
            audience = self.rng.choice(["stage-lead", "stage-past", "unassigned", "assigned-to-me"])
            action = self.rng.choice(["archive", "remove_assignee", "change_stage"])
            self.dialog(action, {"audience": audience, "selection": "all"})
        elif roll < 0.8:
            self.dialog("archive", {"audience": "my-people", "selection": "all", "q": self.rng.choice(SEARCHES)})
        elif roll < 0.9:
            self.dialog("delete" if self.can_delete else "restore", {"audience": "archived", "selection": "all"})
        else:
            self.dialog("purge" if self.can_delete else "undelete", {"audience": "deleted", "selection": "all"})

    def sample(self, pool: str, low: int, high: int) -> list[str] | None:
        """A few distinct ids from a pool, refilling it from a list page when it runs dry."""
        if len(self.pools[pool]) < low:
            audience, stage = {
                "people": ("my-people", ""),
                "open": (self.rng.choice(["stage-lead", "stage-potential", "stage-active"]), ""),
                "archived": ("archived", ""),
                "assigned": ("assigned-to-me", ""),
                "archivable": ("unassigned", self.rng.choice(["past", "lost", "none"])),
            }[pool]
            self.list_page("list", audience, stage=stage, page=self.random_page(f"{audience}||{stage}"))
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

    @task(25)
    def task_write(self):
        kind = self.rng.choices(list(WRITE_WEIGHTS), list(WRITE_WEIGHTS.values()))[0]
        if kind == "delete_undo" and not self.can_delete:
            kind = "archive_ids"
        getattr(self, f"write_{kind}")()

    def bulk(self, action, params, label):
        """Open the dialog, then confirm it as shown (skipped when no one can be acted on: Close only)."""
        form = self.dialog(action, params)
        if form is None or not form.confirm:
            return None
        fields = form.fields()
        if "typed_count" in form.inputs:  # deleting more than 20: type the count
            fields.append(("typed_count", form.values.get("expected", "")))
        return self.request(
            f"write: {label}", "POST", form.action, form=fields, htmx_target="dialog-slot", check=outcome
        )

    def undo(self, response) -> None:
        if response is not None and (match := UNDO_RE.search(response.text)):
            self.request("write: undo", "POST", f"/undo/{match.group(1)}/", htmx_target="dialog-slot", check=outcome)

    def edit_person(self, pk: str, field: str, choose):
        """Open the person's details and change a field in place, as the pane's select does on change."""
        details, form = self.open_person(pk, form_field=field)
        if details is None:
            return None
        value = choose([v for v in form.selects[field] if v != form.values.get(field)])
        if value is None:
            return None
        return self.request(
            f"write: {field} (details pane)",
            "POST",
            form.action,
            form=[*form.fields(), (field, value)],
            htmx_target="details",
        )

    def write_archive_ids(self):
        ids = self.sample("archivable", 1, 5)
        if ids is None:
            return
        response = self.bulk(
            "archive", {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}, "archive ids"
        )
        if response is not None:
            if self.rng.random() < 0.5:
                self.undo(response)
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
        # People with an assignee (their own), so that the dialog has someone to act on.
        ids = self.sample("assigned", 1, 4)
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
        params = {"audience": "my-people", "selection": "ids", "ids": ",".join(ids)}
        response = self.bulk("change_stage", params, "change stage ids")
        if response is not None and self.rng.random() < 0.5:
            self.undo(response)

    def write_archive_select_all(self):
        # A small filtered set: one full name among the unassigned Lost/Past people (a handful of 100k).
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        params = {"audience": "unassigned", "selection": "all", "q": name, "stage": self.rng.choice(["lost", "past"])}
        response = self.bulk("archive", params, "archive all (small filter)")
        if response is not None and self.rng.random() < 0.7:
            self.undo(response)

    def write_delete_undo(self):
        ids = self.sample("archived", 1, 3)
        if ids is None:
            return
        response = self.bulk("delete", {"audience": "archived", "selection": "ids", "ids": ",".join(ids)}, "delete ids")
        if response is not None:
            self.undo(response)


def tour(index: int, users: int) -> list[str]:
    """User `index`'s share of one of every kind of task; deleting goes to the first users (admin, manager)."""
    methods = [f"write_{kind}" for kind in sorted(WRITE_WEIGHTS, key=lambda k: k != "delete_undo")]
    methods += ["task_list", "task_details", "task_search", "task_dialog"]
    mine = []
    for n, method in enumerate(methods):
        among = min(DELETERS, users) if method == "write_delete_undo" else users
        if n % among == index:
            mine.append(method)
    return mine


def outcome(body: str) -> str | None:
    """A write's answer must say what happened (the status text)."""
    return None if STATUS_TEXT_RE.search(body) else f"no outcome in the answer: {visible_text(body)[:200]}"


def has(pattern: re.Pattern, body: str, what: str) -> str | None:
    return None if pattern.search(body) else f"no {what} in the answer"


# --- what the machine did meanwhile (a shared machine makes latencies hard to read) ----------------

_before: dict = {}


def _watched() -> list[tuple[str, int]]:
    pairs = (item.partition("=") for item in os.environ.get("LOADTEST_WATCH", "").split(",") if item)
    return [(name, int(pid)) for name, _, pid in pairs]


@events.test_start.add_listener
def machine_before(environment, **kwargs):
    _before.update(machine.snapshot(_watched()))


@events.test_stop.add_listener
def machine_after(environment, **kwargs):
    """Written next to the CSV files, for loadtest/report.py."""
    prefix = environment.parsed_options.csv_prefix if environment.parsed_options else None
    if prefix:
        with open(f"{prefix}_machine.json", "w") as handle:
            json.dump(machine.figures(_before, _watched(), environment.stats.total.num_requests), handle, indent=2)
