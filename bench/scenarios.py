"""The scenarios: ours against the stock admin's counterpart, on the same data, as one user.

Both sides are driven in-process through django.test.Client, logged in as the same user (an
admin of the workspace who is also a superuser). A global warm-up on a small team loads
templates and URL resolvers before anything is timed. Every response is checked (status, the
count it shows) and destructive runs also check the database afterwards, so a fast error page
can never pass for a fast action. The table in bench/README.md says what each scenario does.
"""

from __future__ import annotations

import math
import platform
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlencode

import django
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench import SCENARIOS
from bench.admin import CHANGELIST, PAGE_SIZE
from bench.data import Seeder, Team
from bench.harness import FORM, HTMX, Result, Runner, Side, expect, then
from bench.report import QUERY_CHECK_SIZE, Row, report
from contacts import services
from contacts.models import Stage, TimelineEntry
from contacts.seeding.people import vacuum
from sync.run import sync_mailbox

BIG = 10_000  # the "10k" of confirm_10k, archive_10k, delete_10k (capped at --contacts)
SMALL_DELETE = 900  # under the admin's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000)
SCALING_SIZES = (100, 1_000, 10_000, 100_000)
DEEP_PAGE = 1_000
SYNC_MESSAGES = 20_000  # messages in sync_20k's mbox (capped at --contacts); 80% from known people


class Benchmark:
    """Runs the chosen scenarios in order; each appends its rows (bench.report.Row)."""

    def __init__(
        self, *, contacts: int, rounds: int, heavy_rounds: int, seed: int, only: list[str], stdout, cleanup: bool
    ):
        self.n = contacts
        self.rounds = rounds
        self.heavy_rounds = heavy_rounds
        self.only = only or list(SCENARIOS)
        self.out = stdout
        self.seeder = Seeder(seed, cleanup=cleanup)
        self.runner = Runner()
        self.rows: list[Row] = []
        self.meta: dict = {}
        self.big = min(BIG, contacts)
        self.small_delete = min(SMALL_DELETE, contacts)

    def say(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def run(self) -> dict:
        """Seed, run every chosen scenario, clean up; print the table and return the JSON's data."""
        try:
            with self.runner.catching_refusals():
                self._run()
        finally:
            self.seeder.cleanup()
        return report(self.rows, self.meta, self.say)

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

    def ours_delete(self, client, team: Team):
        """The confirm as the dialog's form sends it: the count and the fingerprint of whom it listed.

        Measured once here, outside the timing: every reset puts the same archived people back.
        """
        listed = services.fingerprint(team.people.archived())
        count = listed.count
        data = [("audience", "archived"), ("selection", "all"), ("expected", count), ("typed_count", count)]
        data.append(("fingerprint", str(listed)))
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
        self.ours_delete(client, team)()
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

        ours = Side("ours", self.ours_delete(client, team), then(expect(200, f"{k} people"), soft_deleted), reset)
        theirs = Side(
            "admin",
            self.admin_action(client, team, "delete_selected", ids=team.pks, post=True),
            then(expect(302), gone),
            reset,
        )
        small = {}
        if name == "delete_10k":
            small = self.queries_at_small("archived", lambda c, t: self.ours_delete(c, t))
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


def write_mbox(path: Path, senders: list[str], *, start) -> None:
    """A Unix mbox with one short message from each sender to the team, a minute apart."""
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
    names = ("DiscoveredPerson",)  # its interactions go with it (ON DELETE CASCADE)
    return [m for m in apps.get_models() if m.__name__ in names]


def scenario_names() -> list[str]:
    return list(SCENARIOS)
