"""Deterministic people for the evidence modules (ARIA snapshots, axe, screenshots).

Fixed names, companies, addresses, phones and dates, so that a snapshot or a screenshot only
changes when the UI does. Every audience has someone in it, so no audit looks at an empty page
by accident: My People (every stage, assigned and unassigned), Archived People, Recently
Deleted, Discovered People and the suppressions page.

`seed(workspace, admin_user)` returns the members it made: `{"dana": <User Dana Lee>}`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contacts.models import Membership, Role, Stage
from sync.models import DiscoveredPerson, Suppression
from tests.factories import ContactFactory, TimelineEntryFactory, UserFactory

# One fixed moment: last touches and timelines are this many days before it.
BASE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

# name, company, title, stage, assignee ("me": the logged-in admin, "dana": Dana Lee), days since last touch
MY_PEOPLE = [
    ("Grace Hopper", "Navy", "Rear Admiral", Stage.PAST, None, 1),
    ("Alan Turing", "Bletchley Park", "Cryptanalyst", Stage.ACTIVE, "dana", 2),
    ("Ada Lovelace", "Analytical Engines", "Analyst", Stage.LEAD, None, 3),
    ("Lin Lost", "Lost & Found", "Clerk", Stage.LOST, None, 40),
    ("Katherine Johnson", "NASA", "Mathematician", Stage.POTENTIAL, "me", 5),
    ("Margaret Hamilton", "MIT", "Director", Stage.ACTIVE, None, 8),
    ("Edsger Dijkstra", "Eindhoven University", "Professor", Stage.NONE, None, None),
    ("Barbara Liskov", "MIT", "Professor", Stage.PAST, None, 13),
    ("Dennis Ritchie", "Bell Labs", "Researcher", Stage.LOST, None, 21),
    ("Ken Thompson", "Bell Labs", "Researcher", Stage.LEAD, "dana", 34),
    ("Radia Perlman", "DEC", "Engineer", Stage.POTENTIAL, None, 55),
    ("Frances Allen", "IBM", "Fellow", Stage.NONE, None, 89),
]
ARCHIVED = [("Archie Archived", "Old Co", Stage.LOST), ("Arlo Archived", "Gone Ltd", Stage.PAST)]
DELETED = [("Dora Deleted", "Bygone Inc"), ("Dirk Deleted", "Erstwhile plc")]


def slug(name: str) -> str:
    return name.lower().replace(" ", ".")


def seed(workspace, admin_user) -> dict:
    dana = UserFactory(username="dana", first_name="Dana", last_name="Lee")
    Membership.objects.create(workspace=workspace, user=dana, role=Role.MEMBER)
    owners = {"me": admin_user, "dana": dana, None: None}
    for n, (name, company, title, stage, owner, days) in enumerate(MY_PEOPLE):
        person = ContactFactory(
            workspace=workspace,
            name=name,
            company=company,
            title=title,
            stage=stage,
            assignee=owners[owner],
            email=f"{slug(name)}@example.com",
            phone=f"+1 202 555 01{n:02d}",
            last_touch_at=None if days is None else BASE - timedelta(days=days),
        )
        if name == "Grace Hopper":
            TimelineEntryFactory(contact=person, kind="email", summary="Lunch next week", at=BASE - timedelta(days=1))
            TimelineEntryFactory(
                contact=person, kind="note", summary="Likes compilers", actor=admin_user, at=BASE - timedelta(days=4)
            )
            TimelineEntryFactory(contact=person, kind="call", summary="", direction="in", at=BASE - timedelta(days=9))
    for name, company, stage in ARCHIVED:
        ContactFactory(
            workspace=workspace,
            name=name,
            company=company,
            stage=stage,
            email=f"{slug(name)}@example.com",
            archived_at=BASE,
            archived_by=admin_user,
        )
    for name, company in DELETED:
        ContactFactory(
            workspace=workspace,
            name=name,
            company=company,
            email=f"{slug(name)}@example.com",
            deleted=True,
            deleted_by=admin_user,
        )
    Suppression.objects.create(workspace=workspace, kind="email", value="gone@example.com", created_by=admin_user)
    for n, (name, address) in enumerate([("Erin Example", "erin@example.com"), ("Finn Other", "finn@example.com")]):
        DiscoveredPerson.objects.create(
            workspace=workspace,
            kind="email",
            value=address,
            name=name,
            first_seen_at=BASE - timedelta(days=10 + n),
            last_seen_at=BASE - timedelta(days=n),
            interaction_count=3 - n,
            last_summary=f"Hello number {n}",
        )
    return {"dana": dana}


def sign_in(page, live_server, user) -> None:
    """Log `user` in without the login form (a session made by Django's test client, handed to the
    browser as its cookie): the evidence modules open dozens of screens, each in a fresh page."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
