"""`manage.py bench`: our pages and bulk actions against the stock Django admin, on the same data.

Both sides are driven in-process through django.test.Client, logged in as the same user
(an admin of the workspace who is also a superuser), so every figure is a whole request:
middleware, session, view, queries, template rendering. Each scenario alternates ours and
the admin's counterpart for several rounds and keeps median and p95 wall time, the number
of SQL queries, and the peak Python memory of one request (tracemalloc, measured in a
separate untimed run, because tracing slows Python down).

The admin counterpart is the *stock* admin: a plain ModelAdmin for Contact on a private
AdminSite, mounted only here through a URLconf of our own (the project's admin removes
delete_selected, since it would skip the archive rules). It has the stock delete_selected
plus two actions a developer would write: `update_archive` (one queryset.update(), the
floor) and `save_archive` (save() per person).

Data: the main workspace gets N people (30% Past/Lost/no stage of whom half unassigned,
20% archived, the rest in open stages, each with a few timeline entries). Destructive
scenarios get a workspace of their own ("scratch"), seeded before and dropped after, and
put back in bulk between runs, so every run starts from the same state. Each workspace
has its own bench user, since the app works in the user's first workspace.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import logging
import math
import platform
import random
import secrets
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import django
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateTimeField, Max
from django.test import Client
from django.urls import URLResolver, path
from django.utils import timezone

from contacts.models import (
    OPEN_STAGES,
    Contact,
    EntryKind,
    Membership,
    Operation,
    Role,
    Stage,
    TimelineEntry,
    Workspace,
)

PAGE_SIZE = 50
BATCH = 5_000
BIG = 10_000  # the "10k" of confirm_10k, archive_10k, delete_10k (capped at --contacts)
SMALL_DELETE = 900  # under the admin's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
QUERY_CHECK_SIZE = 100  # the same action on 100 people must take as many queries
SCALING_SIZES = (100, 1_000, 10_000, 100_000)
DEEP_PAGE = 1_000
CLOSED_STAGES = (Stage.PAST, Stage.LOST, Stage.NONE)
FORM = "application/x-www-form-urlencoded"
HTMX = {"HX-Request": "true"}
CHANGELIST = "/admin/contacts/contact/"

SCENARIOS = (
    "page_first",
    "page_deep",
    "filtered",
    "confirm_10k",
    "archive_10k",
    "delete_10k",
    "delete_900",
    "scaling",
    "sync_20k",
)
SYNC_MESSAGES = 20_000  # messages in sync_20k's mbox (capped at --contacts); 80% from known people


# --- the admin counterpart ------------------------------------------------------------------------


class PlainContactAdmin(admin.ModelAdmin):
    """What `admin.site.register(Contact)` plus the obvious options gives: the admin on the same table."""

    list_display = ("name", "company", "stage", "assignee", "last_touch_at")
    list_filter = (
        "stage",
        "assignee",
        ("archived_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        "workspace",
    )
    search_fields = ("name", "email", "company")
    list_select_related = ("assignee",)
    list_per_page = PAGE_SIZE
    actions = ["update_archive", "save_archive"]  # plus the site-wide delete_selected

    @admin.action(description="Archive selected (queryset.update)", permissions=["change"])
    def update_archive(self, request, queryset):
        done = queryset.update(archived_at=timezone.now(), archived_by=request.user)
        self.message_user(request, f"{done} archived.")

    @admin.action(description="Archive selected (save() each)", permissions=["change"])
    def save_archive(self, request, queryset):
        now = timezone.now()
        done = 0
        # Contact.save() normalizes the phone with the workspace's region: fetch it with the row.
        for contact in queryset.select_related("workspace"):
            contact.archived_at, contact.archived_by = now, request.user
            contact.save()
            done += 1
        self.message_user(request, f"{done} archived.")


@cache
def admin_site() -> admin.AdminSite:
    site = admin.AdminSite(name="bench_admin")
    site.register(Contact, PlainContactAdmin)
    return site


_project_urlconf = None  # the project's ROOT_URLCONF, remembered before bench_settings() replaces it


@cache
def _urlpatterns() -> list:
    """The project's URLs with its admin swapped for the plain one."""
    project = importlib.import_module(_project_urlconf or "cloze.urls").urlpatterns
    kept = [p for p in project if not (isinstance(p, URLResolver) and p.app_name == "admin")]
    return [path("admin/", admin_site().urls), *kept]


def __getattr__(name):
    # This module is the benchmark's ROOT_URLCONF; built on first use, not at import.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


BENCH_SETTINGS = {
    "ROOT_URLCONF": __name__,
    # The test client speaks plain HTTP to "testserver".
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    # No collectstatic needed; both sides render {% static %} the same way.
    "STORAGES_STATICFILES": "django.contrib.staticfiles.storage.StaticFilesStorage",
    "AXES_ENABLED": False,
}


def bench_settings() -> dict:
    global _project_urlconf
    if settings.ROOT_URLCONF != __name__:
        _project_urlconf = settings.ROOT_URLCONF
    values = {k: v for k, v in BENCH_SETTINGS.items() if k != "STORAGES_STATICFILES"}
    values["ALLOWED_HOSTS"] = [*settings.ALLOWED_HOSTS, "testserver"]
    values["STORAGES"] = {**settings.STORAGES, "staticfiles": {"BACKEND": BENCH_SETTINGS["STORAGES_STATICFILES"]}}
    return values


# --- seeding ----------------------------------------------------------------------------------------

FIRST = (
    "Avery Blake Carmen Diego Elena Farah Gabriel Hana Isaac Jamal Keiko Liam Maya Nadia Omar Priya Quinn Rosa "
    "Santiago Tara Umar Vera Wes Ximena Yusuf Zoe Aaron Bianca Connor Daria Emeka Freya Gus Helena Ivan Jun"
).split()
LAST = (
    "Abbott Banerjee Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lindqvist Moreau Nakamura "
    "Okonkwo Petrov Quintero Rossi Schmidt Tanaka Ueda Varga Walsh Xu Yilmaz Zhang Alvarez Brennan Chen Duarte"
).split()
COMPANIES = ("Northwind", "Bluebird", "Cedar & Pine", "Harbor Health", "Lumen", "Granite", "Orchard", "")
AREAS = ("212", "312", "415", "503", "617")


@dataclass
class Team:
    """A workspace, the bench user working in it, and its members (possible assignees)."""

    workspace: Workspace
    user: object
    members: list
    size: int
    mix: str
    pks: list[int] = field(default_factory=list)

    @property
    def people(self):
        return Contact.objects.filter(workspace=self.workspace)


class Seeder:
    """Bulk inserts only: contacts and timeline entries in batches of 5,000, in one transaction.

    Contacts get their ids from us (after the current largest), so their timeline rows can be
    written in the same pass; the id sequence is moved past them afterwards."""

    def __init__(self, seed: int, cleanup: bool = True):
        self.keep_nothing = cleanup
        self.rng = random.Random(seed)
        self.token = secrets.token_hex(3)
        self.now = timezone.now()
        self.teams: list[Team] = []
        self.users: list = []
        self.serial = 0

    def team(self, label: str, size: int, mix: str, members: int = 0) -> Team:
        User = get_user_model()
        with transaction.atomic():
            self.serial += 1
            name = f"bench-{self.token}-{self.serial}-{label}"
            workspace = Workspace.objects.create(name=name, slug=name)
            user = User.objects.create(
                username=name, first_name="Bench", last_name=label.title(), is_staff=True, is_superuser=True
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            Membership.objects.create(workspace=workspace, user=user, role=Role.ADMIN)
            others = []
            for i in range(members):
                other = User.objects.create(username=f"{name}-m{i}", first_name=FIRST[i], last_name=LAST[i])
                Membership.objects.create(workspace=workspace, user=other, role=Role.MEMBER)
                others.append(other)
            self.users += [user, *others]
            team = Team(workspace, user, others, size, mix)
            self.fill(team)
        self.teams.append(team)
        analyze()
        return team

    def fill(self, team: Team, pks: list[int] | None = None) -> None:
        """Insert the team's people and their timelines; given pks, re-create exactly those people."""
        if pks is None:
            first_pk = (Contact.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
            pks = team.pks = list(range(first_pk, first_pk + team.size))
        with transaction.atomic():
            for start in range(0, len(pks), BATCH):
                people = [self.person(team, i, pk) for i, pk in enumerate(pks[start : start + BATCH], start)]
                insert_rows(Contact, people)
                insert_rows(TimelineEntry, [entry for person in people for entry in self.history(person, team)])
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Contact]):
                    cursor.execute(sql)

    def person(self, team: Team, i: int, pk: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        # Unique per person (sync matches people by phone), and what normalize_phone() gives.
        area, exchange, line = AREAS[pk % 5], 200 + (pk // 5 // 10_000) % 800, f"{pk // 5 % 10_000:04d}"
        created = self.now - timedelta(days=rng.randint(30, 900), minutes=rng.randint(0, 1440))
        stage, assignee, archived = self.shape(team, i)
        return {
            "id": pk,
            "workspace_id": team.workspace.pk,
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{pk}@{(company or 'mail').split()[0].lower()}.example".lower(),
            "phone": f"+1 {area} {exchange} {line}",
            # What Contact.normalize() would store (save() is not called here).
            "phone_e164": f"+1{area}{exchange}{line}",
            "company": company,
            "title": rng.choice(("CEO", "Buyer", "Engineer", "")),
            "stage": str(stage.value),  # plain str: psycopg's COPY would write an Enum by its name
            "assignee_id": assignee.pk if assignee else None,
            "archived_at": self.now - timedelta(days=rng.randint(1, 20)) if archived else None,
            "archived_by_id": team.user.pk if archived else None,
            "last_touch_at": created + timedelta(days=rng.randint(1, 25)),
            "created_at": created,
            "updated_at": created,
        }

    def shape(self, team: Team, i: int) -> tuple[str, object, bool]:
        """Stage, assignee, archived. 'main': 20% archived, 30% closed (half assigned), 50% open."""
        rng = self.rng
        if team.mix == "eligible":
            return rng.choice(CLOSED_STAGES), None, False
        if team.mix == "archived":
            return rng.choice(CLOSED_STAGES), None, True
        bucket = i % 10
        if bucket < 2:
            return rng.choice(CLOSED_STAGES), None, True
        if bucket < 5:
            assignee = rng.choice(team.members) if (i // 10) % 2 and team.members else None
            return rng.choice(CLOSED_STAGES), assignee, False
        assignee = rng.choice(team.members) if team.members and rng.random() < 0.6 else None
        return rng.choice(OPEN_STAGES), assignee, False

    def history(self, person: dict, team: Team) -> list[dict]:
        """Created, an email or a call (sync activity), a note or meeting; archived when archived."""
        rng = self.rng
        interaction = rng.choice((EntryKind.EMAIL, EntryKind.CALL))
        pk, user = person["id"], team.user.pk
        entries = [
            {"contact_id": pk, "kind": EntryKind.CREATED.value, "at": person["created_at"], "actor_id": user},
            {
                "contact_id": pk,
                "kind": interaction.value,
                "at": person["last_touch_at"],
                "direction": rng.choice(("in", "out")),
                "summary": "Re: proposal" if interaction == EntryKind.EMAIL else "Left a voicemail",
            },
            {
                "contact_id": pk,
                "kind": rng.choice((EntryKind.NOTE, EntryKind.MEETING)).value,
                "at": person["created_at"] + timedelta(hours=1),
                "actor_id": user,
                "summary": "Met at the spring conference",
            },
        ]
        if person["archived_at"]:
            entries.append(
                {"contact_id": pk, "kind": EntryKind.ARCHIVED.value, "at": person["archived_at"], "actor_id": user}
            )
        return entries

    # -- putting a scratch team back between runs, in bulk --

    def reset(self, team: Team) -> None:
        """Back to as seeded: eligible people not archived, archived people not deleted, none missing."""
        with transaction.atomic():
            if team.mix == "eligible":
                team.people.filter(archived_at__isnull=False).update(
                    archived_at=None, archived_by=None, deleted_at=None, deleted_by=None
                )
            elif team.mix == "archived":
                team.people.filter(deleted_at__isnull=False).update(deleted_at=None, deleted_by=None)
            if team.people.count() != team.size:  # the admin's delete_selected really deletes
                missing = sorted(set(team.pks) - set(team.people.values_list("pk", flat=True)))
                self.fill(team, pks=missing)
            # What our actions wrote: their timeline entries and the operations.
            TimelineEntry.objects.filter(operation__workspace=team.workspace).delete()
            Operation.objects.filter(workspace=team.workspace).delete()
        vacuum()

    def drop(self, team: Team) -> None:
        team.workspace.delete()  # people, timeline and operations go by ON DELETE CASCADE
        self.teams.remove(team)

    def cleanup(self) -> None:
        if not self.keep_nothing:
            return  # a database of our own, dropped as a whole
        for team in list(self.teams):
            self.drop(team)
        get_user_model().objects.filter(pk__in=[u.pk for u in self.users]).delete()


def insert_rows(model, rows: list[dict]) -> None:
    """INSERT rows given by attname, without building model instances (the ORM's per-value work
    dominated seeding). Columns not given take the field's default, so new fields need no change here.
    PostgreSQL gets COPY; other databases executemany."""
    if not rows:
        return
    given = set().union(*rows)
    columns, defaults = [], {}
    for f in model._meta.concrete_fields:
        if f.attname not in given and (f.primary_key or (f.has_db_default() and not f.has_default())):
            continue  # the database fills it in
        columns.append(f)
        defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    # Plain str/int/None go as they are; only datetimes need the backend's form (not for psycopg).
    adapt = connection.ops.adapt_datetimefield_value
    dated = {f.attname for f in columns if isinstance(f, DateTimeField)} if connection.vendor != "postgresql" else set()
    plan = [(f.attname, f.attname in dated) for f in columns]

    def values(row):
        out = []
        for attname, is_date in plan:
            if attname in row:
                value = row[attname]
                out.append(adapt(value) if is_date else value)
            else:
                out.append(defaults[attname])
        return tuple(out)

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", [values(r) for r in rows])


def analyze() -> None:
    """Fresh statistics after bulk loads, as autovacuum would give a real PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def vacuum() -> None:
    """Clear dead rows a reset left, so neither side pays for the other's leftovers."""
    if connection.vendor != "postgresql":
        return
    tables = f"{Contact._meta.db_table}, {TimelineEntry._meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")


# --- measuring ------------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class SecurityLog(logging.Handler):
    """Catches why Django refused a request (e.g. TooManyFieldsSent) to report it as the failure."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{record.name.rsplit('.', 1)[-1]}: {record.getMessage()}")


@dataclass
class Side:
    """One way of doing a task: a request, a check of its response (and of the data), a reset before."""

    label: str
    request: Callable[[], object]
    check: Callable[[object], str | None]
    prepare: Callable[[], None] = lambda: None


@dataclass
class Result:
    label: str
    ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    peak_kib: float | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.ms)

    @property
    def p50(self) -> float | None:
        return statistics.median(self.ms) if self.ok else None

    @property
    def p95(self) -> float | None:
        if not self.ok:
            return None
        ordered = sorted(self.ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def query_count(self) -> int | None:
        return max(self.queries) if self.queries else None


def expect(status: int, *texts: str) -> Callable[[object], str | None]:
    def check(response) -> str | None:
        if response.status_code != status:
            return f"HTTP {response.status_code} (expected {status})"
        body = response.content.decode(errors="replace")
        missing = [t for t in texts if t not in body]
        return f"response lacks {missing[0]!r}" if missing else None

    return check


def then(check, verify: Callable[[], str | None]):
    """A response check followed by a look at the database."""

    def both(response):
        return check(response) or verify()

    return both


class Runner:
    def __init__(self, stdout):
        self.stdout = stdout
        self.security = SecurityLog()

    def once(self, side: Side, traced: bool = False) -> tuple[float, int, float | None, str]:
        side.prepare()
        counter = QueryCounter()
        self.security.messages.clear()
        gc.collect()
        if traced:
            tracemalloc.start()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        crash = ""
        try:
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                response = side.request()
                elapsed = (time.perf_counter() - start) * 1000
        except Exception as error:  # a crash on either side is a failed result, not the end of the run
            crash, elapsed = f"{type(error).__name__}: {error}", 0.0
        peak = None
        if traced:
            peak = (tracemalloc.get_traced_memory()[1] - base) / 1024
            tracemalloc.stop()
        error = crash or side.check(response) or ""
        if error and self.security.messages:
            error += " — " + "; ".join(self.security.messages)
        return elapsed, counter.count, peak, error

    def compare(self, sides: list[Side], rounds: int) -> list[Result]:
        """A traced (untimed) run of each side for memory, then timed rounds in alternating order."""
        results = [Result(side.label) for side in sides]
        for side, result in zip(sides, results):
            _, _, result.peak_kib, result.error = self.once(side, traced=True)
        for round_ in range(rounds):
            pairs = list(zip(sides, results))
            for side, result in pairs if round_ % 2 == 0 else reversed(pairs):
                if result.error:
                    continue  # a failure is recorded as such, not timed again
                ms, queries, _, result.error = self.once(side)
                if not result.error:
                    result.ms.append(ms)
                    result.queries.append(queries)
        return results


# --- the benchmark ----------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    scenario: str
    n: int
    ours: Result
    admin: Result | None = None
    counterpart: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.admin is None or not self.ours.ok or not self.admin.ok or not self.admin.p50:
            return None
        return self.ours.p50 / self.admin.p50

    def as_json(self) -> dict:
        def num(value, digits=2):
            return None if value is None else round(value, digits)

        admin = self.admin
        return {
            "name": self.name,
            "scenario": self.scenario,
            "n": self.n,
            "counterpart": self.counterpart,
            "status": "ok" if self.ours.ok else "failed",
            "error": self.ours.error,
            "ours_ms_p50": num(self.ours.p50),
            "ours_ms_p95": num(self.ours.p95),
            "admin_ms_p50": num(admin.p50) if admin else None,
            "admin_ms_p95": num(admin.p95) if admin else None,
            "admin_status": None if admin is None else ("ok" if admin.ok else "failed"),
            "admin_error": admin.error if admin else "",
            "ratio": num(self.ratio, 3),
            "queries": self.ours.query_count,
            "admin_queries": admin.query_count if admin else None,
            "peak_kib": num(self.ours.peak_kib, 1),
            "admin_peak_kib": num(admin.peak_kib, 1) if admin else None,
            "rounds": len(self.ours.ms),
            **self.extra,
        }


@dataclass
class Target:
    scenario: str
    text: str
    met: bool
    detail: str


class Benchmark:
    def __init__(
        self, *, contacts: int, rounds: int, heavy_rounds: int, seed: int, only: list[str], stdout, cleanup: bool
    ):
        self.n = contacts
        self.rounds = rounds
        self.heavy_rounds = heavy_rounds
        self.only = only or list(SCENARIOS)
        self.out = stdout
        self.seeder = Seeder(seed, cleanup=cleanup)
        self.runner = Runner(stdout)
        self.rows: list[Row] = []
        self.meta: dict = {}
        self.big = min(BIG, contacts)
        self.small_delete = min(SMALL_DELETE, contacts)

    def say(self, text: str) -> None:
        self.out.write(text, ending="")
        self.out.flush()

    def run(self) -> dict:
        security = logging.getLogger("django.security")
        request_log = logging.getLogger("django.request")
        saved = security.handlers[:], security.propagate, request_log.level
        security.handlers, security.propagate = [self.runner.security], False
        request_log.setLevel(logging.ERROR)  # the admin's 400s are recorded as failures, not logged
        try:
            with uninstrumented_templates():
                self._run()
        finally:
            security.handlers, security.propagate = saved[0], saved[1]
            request_log.setLevel(saved[2])
            self.seeder.cleanup()
        return self.report()

    def _run(self) -> None:
        self.meta = {
            "database": connection.vendor,
            "database_version": ".".join(map(str, connection.Database.sqlite_version_info))
            if connection.vendor == "sqlite"
            else "{}.{}".format(*divmod(getattr(connection, "pg_version", 0), 10_000)),
            "contacts": self.n,
            "rounds": self.rounds,
            "heavy_rounds": self.heavy_rounds,
            "page_size": PAGE_SIZE,
            "python": platform.python_version(),
            "django": django.get_version(),
            "started_at": timezone.now().isoformat(timespec="seconds"),
        }
        begun = started = time.perf_counter()
        self.say(f"Seeding {self.n:,} people with their timelines … ")
        self.main = self.seeder.team("main", self.n, "main", members=5)
        seconds = time.perf_counter() - started
        entries = TimelineEntry.objects.filter(contact__workspace=self.main.workspace).count()
        self.meta |= {"seed_seconds": round(seconds, 2), "seed_timeline_entries": entries}
        self.say(f"{seconds:.1f} s ({entries:,} timeline entries)\n")
        self.warm_up()
        for name in SCENARIOS:
            if name in self.only:
                self.say(f"{name} … ")
                started = time.perf_counter()
                getattr(self, name)()
                self.say(f"{time.perf_counter() - started:.1f} s\n")
        self.meta["total_seconds"] = round(time.perf_counter() - begun, 1)

    # -- clients and requests --

    def client(self, team: Team) -> Client:
        client = Client()
        client.force_login(team.user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    @staticmethod
    def post(client, url: str, data: list[tuple[str, object]], htmx: bool = False):
        return client.post(url, urlencode(data), content_type=FORM, headers=HTMX if htmx else None)

    def ours_archive(self, client):
        return lambda: self.post(client, "/bulk/archive/", [("audience", "my-people"), ("selection", "all")], True)

    def ours_delete(self, client, count: int):
        data = [("audience", "archived"), ("selection", "all"), ("expected", count), ("typed_count", count)]
        return lambda: self.post(client, "/bulk/delete/", data, True)

    def admin_action(self, client, team: Team, action: str, *, select_across: bool = False, ids=None, post=False):
        """A POST to the changelist the way its form sends it, filtered to the team's workspace."""
        url = f"{CHANGELIST}?workspace__id__exact={team.workspace.pk}"
        if select_across:
            # "Select all N" in the admin ticks the page's boxes and sets select_across.
            page = team.people.order_by("name", "pk").values_list("pk", flat=True)[:PAGE_SIZE]
            data = [("action", action), ("index", 0), ("select_across", 1)]
            data += [("_selected_action", pk) for pk in page]
        else:
            # What delete_selected's confirmation page posts: every id, action, post=yes.
            data = [("_selected_action", pk) for pk in ids] + [("action", action)]
        if post:
            data.append(("post", "yes"))
        return lambda: self.post(client, url, data)

    def warm_up(self) -> None:
        """Every request once on a small team, so templates and URL resolvers are loaded before timing."""
        team = self.seeder.team("warmup", 60, "eligible")
        client = self.client(team)
        client.get("/people/")
        client.get("/bulk/archive/?audience=my-people&selection=all", headers=HTMX)
        self.ours_archive(client)()
        client.get("/bulk/delete/?audience=archived&selection=all", headers=HTMX)
        self.ours_delete(client, 60)()
        client.get(CHANGELIST)
        self.admin_action(client, team, "delete_selected", select_across=True)()
        self.seeder.reset(team)
        self.admin_action(client, team, "update_archive", select_across=True)()
        self.admin_action(client, team, "save_archive", select_across=True)()
        self.admin_action(client, team, "delete_selected", ids=team.pks, post=True)()
        self.seeder.drop(team)

    def archived_count(self, team: Team, count: int) -> Callable[[], str | None]:
        def verify():
            archived = team.people.filter(archived_at__isnull=False).count()
            return None if archived == count else f"{archived} archived, expected {count}"

        return verify

    # -- scenarios --

    def page_first(self) -> None:
        client = self.client(self.main)
        my_people = self.main.people.in_my_people().count()
        ours = Side("ours", lambda: client.get("/people/"), expect(200, str(my_people)))
        theirs = Side("admin", lambda: client.get(CHANGELIST), expect(200, f"{self.n} contacts"))
        self.pair("page_first", self.n, ours, theirs, "changelist page 1 (all contacts)")

    def page_deep(self) -> None:
        client = self.client(self.main)
        pages = math.ceil(self.main.people.in_my_people().count() / PAGE_SIZE)
        page = min(DEEP_PAGE, pages)
        ours = Side("ours", lambda: client.get(f"/people/?page={page}"), expect(200, f"{page}", f"{pages}"))
        # Admin pages are 1-based since Django 4.x: ?p=1000 is the 1,000th page.
        theirs = Side(
            "admin", lambda: client.get(f"{CHANGELIST}?p={page}"), expect(200, f'aria-current="page">{page}<')
        )
        self.pair("page_deep", self.n, ours, theirs, f"changelist ?p={page}", page=page)

    def filtered(self) -> None:
        client = self.client(self.main)
        count = self.main.people.in_my_people().filter(stage=Stage.LOST, assignee__isnull=True).count()
        ours = Side("ours", lambda: client.get("/people/?audience=unassigned&stage=lost"), expect(200, str(count)))
        query = "assignee__isnull=True&stage__exact=lost&archived_at__isempty=1&deleted_at__isempty=1"
        theirs = Side("admin", lambda: client.get(f"{CHANGELIST}?{query}"), expect(200, f"{count} contacts"))
        self.pair(
            "filtered", self.n, ours, theirs, "changelist filtered: Lost, no assignee, not archived", matches=count
        )

    def confirm_10k(self) -> None:
        k = self.big
        team = self.seeder.team("confirm", k, "eligible")
        client = self.client(team)
        url = "/bulk/archive/?audience=my-people&selection=all"
        ours = Side("ours", lambda: client.get(url, headers=HTMX), expect(200, f"Archive {k} people"))
        theirs = Side(
            "admin",
            self.admin_action(client, team, "delete_selected", select_across=True),
            expect(200, "Are you sure", f"Contacts: {k}"),
        )
        small = self.queries_at_small("eligible", lambda c, t: lambda: c.get(url, headers=HTMX))
        self.pair("confirm_10k", k, ours, theirs, "delete_selected confirmation page (select all)", heavy=True, **small)
        self.seeder.drop(team)

    def archive_10k(self) -> None:
        k = self.big
        team = self.seeder.team("archive", k, "eligible")
        client = self.client(team)
        reset = lambda: self.seeder.reset(team)  # noqa: E731
        verify = self.archived_count(team, k)
        sides = [
            Side("ours", self.ours_archive(client), then(expect(200, f"{k} people"), verify), reset),
            Side(
                "admin update()",
                self.admin_action(client, team, "update_archive", select_across=True),
                then(expect(302), verify),
                reset,
            ),
            Side(
                "admin save()",
                self.admin_action(client, team, "save_archive", select_across=True),
                then(expect(302), verify),
                reset,
            ),
        ]
        ours, floor, saves = self.runner.compare(sides, self.heavy_rounds)
        small = self.queries_at_small("eligible", lambda c, t: self.ours_archive(c))
        self.rows.append(Row("archive_10k", "archive_10k", k, ours, floor, "action: queryset.update() (floor)", small))
        self.rows.append(Row("archive_10k_vs_save", "archive_10k", k, ours, saves, "action: save() per person", small))
        self.seeder.drop(team)

    def delete_10k(self) -> None:
        self.delete_scenario("delete_10k", self.big)

    def delete_900(self) -> None:
        self.delete_scenario("delete_900", self.small_delete)

    def delete_scenario(self, name: str, k: int) -> None:
        team = self.seeder.team(name, k, "archived")
        client = self.client(team)
        reset = lambda: self.seeder.reset(team)  # noqa: E731

        def gone():
            left = team.people.count()
            return None if left == 0 else f"{left} people left"

        def soft_deleted():
            deleted = team.people.filter(deleted_at__isnull=False).count()
            return None if deleted == k else f"{deleted} deleted, expected {k}"

        ours = Side("ours", self.ours_delete(client, k), then(expect(200, f"{k} people"), soft_deleted), reset)
        theirs = Side(
            "admin",
            self.admin_action(client, team, "delete_selected", ids=team.pks, post=True),
            then(expect(302), gone),
            reset,
        )
        small = {}
        if name == "delete_10k":
            small = self.queries_at_small("archived", lambda c, t: self.ours_delete(c, QUERY_CHECK_SIZE))
        self.pair(name, k, ours, theirs, f"delete_selected, confirmed ({k} ids posted)", heavy=True, **small)
        self.seeder.drop(team)

    def scaling(self) -> None:
        sizes = [s for s in SCALING_SIZES if s <= self.n] or [self.n]
        for size in sizes:
            team = self.seeder.team(f"scale{size}", size, "eligible")
            client = self.client(team)
            side = Side(
                "ours",
                self.ours_archive(client),
                then(expect(200, f"{size} people"), self.archived_count(team, size)),
                lambda team=team: self.seeder.reset(team),
            )
            (result,) = self.runner.compare([side], self.heavy_rounds)
            per = result.p50 / size * 1000 if result.ok else None
            extra = {"us_per_person": None if per is None else round(per, 2)}
            self.rows.append(Row(f"scaling_{size}", "scaling", size, result, None, "", extra))
            self.seeder.drop(team)

    def sync_20k(self) -> None:
        """Sync a generated 20,000-message mbox into the main workspace: 80% of the messages from
        known people, 20% from strangers (who go to Discovered People). Reports messages per second.

        No admin counterpart: the admin has no sync."""
        from contacts.sync import sync_mailbox

        messages = min(SYNC_MESSAGES, self.n)
        known = messages * 4 // 5
        team = self.main
        rng = random.Random(7)
        emails = list(team.people.filter(deleted_at__isnull=True).exclude(email="").values_list("email", flat=True))
        senders = rng.sample(emails, known) + [f"stranger{i}@elsewhere.example" for i in range(messages - known)]
        box = Path(tempfile.mkdtemp(prefix="bench-sync-")) / "inbox.mbox"
        write_mbox(box, senders, start=self.seeder.now - timedelta(days=2))
        own_before = team.workspace.own_addresses
        team.workspace.own_addresses = "bench.example"
        team.workspace.save(update_fields=["own_addresses"])

        def reset():
            with transaction.atomic():
                TimelineEntry.objects.filter(contact__workspace=team.workspace, source_key__startswith="msg:").delete()
                for model in sync_models():
                    model.objects.filter(workspace=team.workspace).delete()
            vacuum()

        def run():
            return sync_mailbox(team.workspace, box, actor=team.user)

        def check(report):
            added = getattr(report, "added", None)
            return None if added == known else f"{added} emails added to people, expected {known}"

        side = Side("ours", run, check, reset)
        try:
            (result,) = self.runner.compare([side], self.heavy_rounds)
        except Exception as error:  # reported as a failed scenario, not a traceback
            result = Result("ours", error=f"{type(error).__name__}: {error}")
        finally:
            shutil.rmtree(box.parent, ignore_errors=True)
            team.workspace.own_addresses = own_before
            team.workspace.save(update_fields=["own_addresses"])
        reset()
        per_second = round(messages / (result.p50 / 1000)) if result.p50 else None
        extra = {"messages_known": known, "messages_unknown": messages - known, "messages_per_s": per_second}
        self.rows.append(Row("sync_20k", "sync_20k", messages, result, None, "", extra))

    # -- helpers --

    def pair(self, name: str, n: int, ours: Side, theirs: Side, counterpart: str, heavy=False, **extra) -> None:
        result_ours, result_admin = self.runner.compare([ours, theirs], self.heavy_rounds if heavy else self.rounds)
        self.rows.append(Row(name, name, n, result_ours, result_admin, counterpart, extra))

    def queries_at_small(self, mix: str, make_request) -> dict:
        """The same request of ours on 100 people: its query count must equal the one at full size."""
        team = self.seeder.team(f"{mix}{QUERY_CHECK_SIZE}", QUERY_CHECK_SIZE, mix)
        _, queries, _, error = self.runner.once(Side("ours", make_request(self.client(team), team), expect(200)))
        self.seeder.drop(team)
        return {f"queries_at_{QUERY_CHECK_SIZE}": None if error else queries}

    # -- report --

    def targets(self) -> list[Target]:
        rows = {row.name: row for row in self.rows}
        found = []

        def add(scenario, text, met, detail):
            found.append(Target(scenario, text, bool(met), detail))

        def ms(value):
            return "—" if value is None else f"{value:.1f} ms"

        for name in ("page_first", "filtered"):
            if row := rows.get(name):
                add(
                    name,
                    "median ≤ admin's",
                    row.ratio is not None and row.ratio <= 1,
                    f"{ms(row.ours.p50)} vs {ms(row.admin.p50)}",
                )
        if row := rows.get("page_deep"):
            add(
                "page_deep",
                "median ≤ ½ admin's",
                row.ratio is not None and row.ratio <= 0.5,
                f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} (ratio {row.ratio or 0:.2f})",
            )
        for name in ("confirm_10k", "archive_10k", "delete_10k"):
            if row := rows.get(name):
                small = row.extra.get(f"queries_at_{QUERY_CHECK_SIZE}")
                flat = row.ours.ok and small == row.ours.query_count and len(set(row.ours.queries)) == 1
                add(
                    name,
                    "completes, queries independent of N",
                    flat,
                    f"{row.ours.error or 'ok'}; {row.ours.query_count} queries at {row.n:,}, {small} at {QUERY_CHECK_SIZE}",
                )
        if row := rows.get("archive_10k"):
            add(
                "archive_10k",
                "within 1.5× the update() floor",
                row.ratio is not None and row.ratio <= 1.5,
                f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} (ratio {row.ratio or 0:.2f})",
            )
        if row := rows.get("archive_10k_vs_save"):
            speedup = (row.admin.p50 / row.ours.p50) if row.ratio else None
            add(
                "archive_10k",
                "≥ 20× faster than save() per person",
                speedup is not None and speedup >= 20,
                f"{ms(row.ours.p50)} vs {ms(row.admin.p50)} ({speedup or 0:.0f}× faster)",
            )
        scaling = [row for row in self.rows if row.scenario == "scaling"]
        if scaling:
            counts = {row.ours.query_count for row in scaling}
            add(
                "scaling",
                "same query count at every size",
                len(counts) == 1 and all(r.ours.ok for r in scaling),
                ", ".join(f"{r.n:,}: {r.ours.query_count}" for r in scaling),
            )
            add("scaling", "time roughly linear (never grows faster than the size)", *self.linear(scaling))
        return found

    @staticmethod
    def linear(rows: list[Row]) -> tuple[bool, str]:
        """Each 10× step may cost at most ~1.5× its share (sub-linear is fine: fixed costs dominate small sizes)."""
        steps, ok = [], True
        for smaller, larger in zip(rows, rows[1:]):
            if not (smaller.ours.ok and larger.ours.ok):
                return False, "a size failed"
            growth = larger.ours.p50 / smaller.ours.p50
            size_growth = larger.n / smaller.n
            ok &= growth <= 1.5 * size_growth
            steps.append(f"×{size_growth:g} people → ×{growth:.1f} time")
        last = rows[-1]
        per = last.ours.p50 / last.n * 1000 if last.ours.ok else 0
        return ok, "; ".join(steps) + f"; {per:.0f} µs per person at {last.n:,}"

    def report(self) -> dict:
        targets = self.targets()
        self.print_table(targets)
        return {
            "meta": self.meta,
            "scenarios": [row.as_json() for row in self.rows],
            "targets": [t.__dict__ for t in targets],
        }

    def print_table(self, targets: list[Target]) -> None:
        def ms(value):
            return "" if value is None else f"{value:,.1f}"

        def kib(value):
            return "" if value is None else f"{value:,.0f}"

        head = (
            "scenario",
            "n",
            "ours p50",
            "ours p95",
            "admin p50",
            "admin p95",
            "ours/admin",
            "queries",
            "peak KiB",
            "admin is",
        )
        lines = [head]
        for row in self.rows:
            admin = row.admin
            if admin is None:
                admin_cells = ("", "", "", "", "")
            elif admin.ok:
                admin_cells = (
                    ms(admin.p50),
                    ms(admin.p95),
                    f"{row.ratio:.2f}" if row.ratio is not None else "",
                    str(admin.query_count),
                    kib(admin.peak_kib),
                )
            else:
                admin_cells = ("FAILED", "", "", "", kib(admin.peak_kib))
            ours_cells = (ms(row.ours.p50), ms(row.ours.p95)) if row.ours.ok else ("FAILED", "")
            lines.append(
                (
                    row.name,
                    f"{row.n:,}",
                    *ours_cells,
                    admin_cells[0],
                    admin_cells[1],
                    admin_cells[2],
                    f"{row.ours.query_count if row.ours.query_count is not None else ''}"
                    + (f" / {admin_cells[3]}" if admin_cells[3] else ""),
                    kib(row.ours.peak_kib) + (f" / {admin_cells[4]}" if admin_cells[4] else ""),
                    row.counterpart,
                )
            )
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
        m = self.meta
        self.say(
            f"\n{m['database']} {m['database_version']} · {m['contacts']:,} contacts · "
            f"seeded in {m['seed_seconds']} s · rounds {m['rounds']} (heavy {m['heavy_rounds']}) · "
            "milliseconds per request; queries and peak KiB ours / admin\n\n"
        )
        for i, line in enumerate(lines):
            cells = [
                str(c).ljust(w) if j in (0, len(head) - 1) else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(line, widths))
            ]
            self.say("  ".join(cells).rstrip() + "\n")
            if i == 0:
                self.say("  ".join("-" * w for w in widths) + "\n")
        failures = [(row, side) for row in self.rows for side in (row.ours, row.admin) if side and side.error]
        if failures:
            self.say("\nFailed:\n")
            for row, side in failures:
                who = "ours" if side is row.ours else f"admin ({row.counterpart})"
                self.say(f"  {row.name}: {who}: {side.error}\n")
        for row in self.rows:
            if row.extra.get("messages_per_s"):
                self.say(
                    f"\n{row.name}: {row.extra['messages_per_s']:,} messages per second "
                    f"({row.extra['messages_known']:,} from known people, {row.extra['messages_unknown']:,} discovered)\n"
                )
        self.say("\nTargets:\n")
        for target in targets:
            self.say(f"  [{'met' if target.met else 'MISSED'}] {target.scenario}: {target.text} — {target.detail}\n")


@contextmanager
def uninstrumented_templates():
    """Under the test runner every template render also sends a signal and copies its context;
    that is the tests' cost, not the app's, so the benchmark (the smoke test) renders without it."""
    from django.template.base import PartialTemplate, Template
    from django.test import utils

    saved = getattr(utils._TestState, "saved_data", None)
    if saved is None or Template._render is not utils.instrumented_test_render:
        yield
        return
    Template._render, PartialTemplate._render = saved.template_render, saved.partial_template_render
    try:
        yield
    finally:
        Template._render = PartialTemplate._render = utils.instrumented_test_render


def write_json(data: dict, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(data, indent=2) + "\n")


def write_mbox(path: Path, senders: list[str], *, start) -> None:
    """A Unix mbox with one short message from each sender to the team, a minute apart."""
    from email.utils import format_datetime

    with path.open("w") as box:
        for i, sender in enumerate(senders):
            at = start + timedelta(minutes=i)
            box.write(
                f"From {sender} {at:%a %b %d %H:%M:%S %Y}\n"
                f"From: {sender}\nTo: team@bench.example\nSubject: Message {i}\n"
                f"Date: {format_datetime(at)}\nMessage-ID: <bench-{i}@bench.example>\n\nHello from {sender}.\n\n"
            )


def sync_models() -> list:
    """What a sync writes besides timeline entries (Discovered People), to put back between runs."""
    from django.apps import apps

    names = ("DiscoveredPerson",)  # its interactions go with it (ON DELETE CASCADE)
    return [m for m in apps.get_app_config("contacts").get_models() if m.__name__ in names]


def scenario_names() -> list[str]:
    return list(SCENARIOS)
