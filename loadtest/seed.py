"""Seeding for the load test: one workspace, a few members with passwords, N people with timelines.

    python loadtest/seed.py --people 100000 --users 8 --password PASSWORD

Deterministic (one seeded random.Random). People are spread over every stage and audience the way
seed_demo spreads them (open stages mostly assigned; a third of the archivable ones archived, some
of those deleted), each with a short timeline, written by the shared seeder (contacts.seeding:
multi-row INSERTs in batches of 5,000, COPY on PostgreSQL), with one password hash shared by all
users, so 100k people take seconds. Works on PostgreSQL and SQLite (the smoke test seeds a few
hundred people through the same function).

Running it again leaves existing people alone and only ensures the users (like seed_demo).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

WORKSPACE_SLUG = "loadtest"
WORKSPACE_NAME = "Load Test Team"
USERNAME_PREFIX = "loadtest"
DEFAULT_PASSWORD = "loadtest-password"


def username(n: int) -> str:
    """Virtual user n (1-based): loadtest1 is an admin, loadtest2 a manager, the rest members."""
    return f"{USERNAME_PREFIX}{n}"


def seed(*, people: int, users: int = 8, password: str = DEFAULT_PASSWORD, seed: int = 2024, verbose: bool = False):
    """Create the load workspace with `users` members and `people` people. Returns the Workspace."""
    # Imported here: this file is also a script, which sets Django up (main()) before the app's modules load.
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from contacts.models import EntryKind, Membership, Role, Workspace
    from contacts.rules import OPEN_STAGES
    from contacts.seeding.names import COMPANIES, FIRST_NAMES, LAST_NAMES, TITLES
    from contacts.seeding.people import STAGE_WEIGHTS, load_people, next_contact_pk, unique_phone, vacuum

    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    started = time.monotonic()
    rng = random.Random(seed)
    User = get_user_model()
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(slug=WORKSPACE_SLUG, defaults={"name": WORKSPACE_NAME})
        hashed = make_password(password)  # one hash for everyone: hashing costs ~0.5 s each
        members = []
        for n in range(1, max(users, 2) + 1):
            user, _ = User.objects.get_or_create(
                username=username(n),
                defaults={"first_name": "Load", "last_name": f"User {n}", "email": f"{username(n)}@load.example"},
            )
            user.password = hashed
            user.save(update_fields=["password"])
            role = Role.ADMIN if n == 1 else Role.MANAGER if n == 2 else Role.MEMBER
            Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
            members.append(user)
        say(f"Workspace {workspace.slug!r} with {len(members)} users ({username(1)}..{username(len(members))})")
        if not created and workspace.contacts.exists():
            say(f"{workspace.contacts.count()} people already there; left them as they are.")
            return workspace

    now = timezone.now()
    stages, weights = zip(*STAGE_WEIGHTS)
    interaction_kinds = (EntryKind.EMAIL, EntryKind.CALL, EntryKind.MEETING, EntryKind.NOTE)

    def person(pk: int) -> tuple[dict, list[dict]]:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company, domain = rng.choice(COMPANIES)
        stage = str(rng.choices(stages, weights)[0].value)
        assignee = rng.choice(members) if rng.random() < (0.6 if stage in OPEN_STAGES else 0.12) else None
        created_at = now - timedelta(days=rng.randint(200, 900), hours=rng.randint(0, 23))
        phone, e164 = unique_phone(pk) if rng.random() < 0.7 else ("", "")
        archived_at = archived_by = deleted_at = deleted_by = None
        if stage not in OPEN_STAGES and assignee is None and rng.random() < 0.35:
            archived_at, archived_by = now - timedelta(days=rng.randint(2, 150)), rng.choice(members).pk
            if rng.random() < 0.15:
                deleted_at, deleted_by = archived_at + timedelta(hours=rng.randint(1, 24)), members[0].pk
        history = [(EntryKind.CREATED.value, created_at, "Added by hand", "")]
        span = max(int(((archived_at or now) - created_at).total_seconds()), 7200)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            kind = rng.choice(interaction_kinds)
            direction = rng.choice(("in", "out")) if kind in (EntryKind.EMAIL, EntryKind.CALL) else ""
            at = created_at + timedelta(seconds=rng.randint(3600, span))
            history.append((kind.value, at, f"{kind.label} #{pk}", direction))
        touches = [at for kind, at, _, _ in history if kind != EntryKind.CREATED.value]
        if archived_at:
            history.append((EntryKind.ARCHIVED.value, archived_at, "", ""))
        if deleted_at:
            history.append((EntryKind.DELETED.value, deleted_at, "Moved to Recently Deleted", ""))
        email = f"{first}.{last}.{pk}@{domain or 'mail.example'}".lower()
        row = {
            "id": pk,
            "workspace_id": workspace.pk,
            "name": f"{first} {last}",
            "email": email if rng.random() < 0.9 else "",
            "phone": phone,
            "phone_e164": e164,
            "company": company,
            "title": rng.choice(TITLES),
            "stage": stage,
            "assignee_id": assignee.pk if assignee else None,
            "archived_at": archived_at,
            "archived_by_id": archived_by,
            "deleted_at": deleted_at,
            "deleted_by_id": deleted_by,
            "last_touch_at": max(touches) if touches else None,
            "created_at": created_at,
            "updated_at": created_at,
        }
        entries = [
            {"contact_id": pk, "kind": kind, "at": at, "summary": summary, "direction": direction}
            for kind, at, summary, direction in history
        ]
        return row, entries

    first_pk = next_contact_pk()
    load_people(
        (person(pk) for pk in range(first_pk, first_pk + people)),
        progress=lambda done: say(f"  {done}/{people} people ({time.monotonic() - started:.1f} s)"),
    )
    vacuum()  # fresh statistics and visibility map, as autovacuum would give a real PostgreSQL after a bulk load
    say(f"Seeded {people} people in {time.monotonic() - started:.1f} s")
    return workspace


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=int(os.environ.get("LOADTEST_PEOPLE", "100000")))
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOADTEST_USERS", "8")))
    parser.add_argument("--password", default=os.environ.get("LOADTEST_PASSWORD", DEFAULT_PASSWORD))
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    setup_django()
    seed(people=args.people, users=args.users, password=args.password, seed=args.seed, verbose=True)
    return 0


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloze.settings")
    import django

    django.setup()


if __name__ == "__main__":
    sys.exit(main())
