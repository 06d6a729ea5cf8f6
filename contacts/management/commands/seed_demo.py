"""A demo team to click through: people in every stage and audience, each with a history.

Deterministic (one seeded random.Random) and safe to run twice: when the workspace
exists its people are left alone; only the demo users and their passwords are ensured.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Contact,
    EntryKind,
    Membership,
    Role,
    TimelineEntry,
    Workspace,
    display_name,
)
from contacts.rules import OPEN_STAGES
from contacts.seeding.names import AREA_CODES, COMPANIES, FIRST_NAMES, LAST_NAMES, TITLES
from contacts.seeding.people import STAGE_WEIGHTS
from contacts.text import for_terminal

SLUG, NAME = "demo", "Demo Team"
PASSWORD = "demo-password"
# username, first name, last name, role
USERS = [
    ("demo", "Demo", "Admin", Role.ADMIN),
    ("morgan", "Morgan", "Reyes", Role.MANAGER),
    ("sam", "Sam", "Patel", Role.MEMBER),
    ("dana", "Dana", "Lee", Role.MEMBER),
    ("chris", "Chris", "Okafor", Role.MEMBER),
    ("jordan", "Jordan", "Kim", Role.MEMBER),
]

SUMMARIES = {
    EntryKind.EMAIL: [
        "Re: proposal for {company}",
        "Intro — following up on our call",
        "Pricing questions",
        "Contract draft v2 attached",
        "Quick question about onboarding",
        "Thanks for the meeting today",
        "Renewal timeline",
        "Invoice #{number}",
        "Can we move Thursday's call?",
    ],
    EntryKind.CALL: [
        "Discussed Q{quarter} budget",
        "Left a voicemail",
        "Walked through the demo",
        "Scheduling a site visit",
        "Follow-up on open questions",
        "Talked about references",
    ],
    EntryKind.MEETING: [
        "Coffee near {company}",
        "Quarterly review",
        "Product demo with their team",
        "Lunch — talked about expanding to a second office",
        "Kick-off meeting",
    ],
    EntryKind.NOTE: [
        "Prefers email over calls",
        "Decision maker is the CFO",
        "Met at the spring conference",
        "Referred by a current client",
        "Budget frozen until next quarter",
        "Has two kids, loves sailing",
    ],
}
DIRECTED = {EntryKind.EMAIL, EntryKind.CALL}


class Command(BaseCommand):
    help = "Create the 'Demo Team' workspace with users and a few hundred people with timelines. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=300, help="How many people (first run only).")
        parser.add_argument("--seed", type=int, default=2024, help="Random seed; the same seed gives the same people.")
        parser.add_argument(
            "--url",
            default="",
            help="The login page's address, to print (make run passes the one it serves on); "
            "without it only the path is printed.",
        )

    @transaction.atomic
    def handle(self, *args, people, seed, url, **options):
        workspace, created = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": NAME})
        users = self.ensure_users(workspace)
        if created:
            count = self.create_people(workspace, users, random.Random(seed), people)
            self.stdout.write(f"Created {NAME} with {count} people.")
        else:
            count = workspace.contacts.count()
            self.stdout.write(f"{for_terminal(workspace)} already exists with {count} people; left them as they are.")
        self.print_logins(url)

    def ensure_users(self, workspace) -> dict:
        User = get_user_model()
        users = {}
        for username, first, last, role in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.example"},
            )
            if created or not user.check_password(PASSWORD):
                user.password = make_password(PASSWORD)
                user.save(update_fields=["password"])
            if username == "demo" and not (user.is_staff and user.is_superuser):
                # So the demo admin can also explore the Django admin.
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            # An existing membership keeps its role: running again must not undo changes made in the app.
            Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": role})
            users[username] = user
        return users

    def create_people(self, workspace, users: dict, rng: random.Random, count: int) -> int:
        now = timezone.now()
        members = list(users.values())
        stages, weights = zip(*STAGE_WEIGHTS)
        contacts, histories, used_emails = [], [], set()
        for number in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            company, domain = rng.choice(COMPANIES)
            email = f"{first}.{last}@{domain or 'mail.example'}".lower()
            if email in used_emails:
                email = email.replace("@", f"{number}@")
            used_emails.add(email)
            stage = rng.choices(stages, weights)[0]
            assign_chance = 0.6 if stage in OPEN_STAGES else 0.12
            assignee = rng.choice(members) if rng.random() < assign_chance else None
            created_at = now - timedelta(days=rng.randint(200, 900), hours=rng.randint(0, 23))
            contact = Contact(
                workspace=workspace,
                name=f"{first} {last}",
                email=email if rng.random() < 0.9 else "",
                phone=f"+1 {rng.choice(AREA_CODES)} 555 {rng.randint(100, 199):04d}" if rng.random() < 0.7 else "",
                company=company,
                title=rng.choice(TITLES),
                stage=stage,
                assignee=assignee,
                created_at=created_at,
                updated_at=created_at,
            )
            # Only people the rules allow are archived (the database would refuse the rest anyway).
            if not contact.is_open_stage and assignee is None and rng.random() < 0.35:
                contact.archived_at = now - timedelta(days=rng.randint(2, 150))
                contact.archived_by = rng.choice(members)
                if rng.random() < 0.15:
                    days_archived = (now - contact.archived_at).days
                    contact.deleted_at = now - timedelta(days=rng.randint(1, min(25, days_archived - 1)))
                    contact.deleted_by = users["demo"]
            histories.append(self.history(contact, rng, members, now))
            contact.normalize()  # bulk_create skips save(), which normally does this
            contacts.append(contact)

        Contact.objects.bulk_create(contacts, batch_size=500)
        entries = []
        for contact, history in zip(contacts, histories):
            for entry in history:
                entry.contact = contact
                entries.append(entry)
        TimelineEntry.objects.bulk_create(entries, batch_size=1000)
        return len(contacts)

    def history(self, contact: Contact, rng: random.Random, members: list, now) -> list[TimelineEntry]:
        """Created, maybe assigned, some interactions, then archived/deleted; sets last_touch_at."""
        creator = rng.choice(members)
        entries = [TimelineEntry(kind=EntryKind.CREATED, at=contact.created_at, actor=creator, summary="Added by hand")]
        if contact.assignee:
            entries.append(
                TimelineEntry(
                    kind=EntryKind.ASSIGNED,
                    at=contact.created_at + timedelta(hours=1),
                    actor=creator,
                    summary=f"Assigned to {display_name(contact.assignee)}",
                )
            )
        end = contact.archived_at or now
        span = int((end - contact.created_at).total_seconds())
        for _ in range(rng.randint(0, 8)):
            kind = rng.choice(list(SUMMARIES))
            summary = rng.choice(SUMMARIES[kind]).format(
                company=contact.company or "their office", number=rng.randint(1000, 9999), quarter=rng.randint(1, 4)
            )
            entries.append(
                TimelineEntry(
                    kind=kind,
                    at=contact.created_at + timedelta(seconds=rng.randint(3600, max(span, 3601))),
                    actor=contact.assignee or rng.choice(members),
                    summary=summary,
                    direction=rng.choice(["in", "out"]) if kind in DIRECTED else "",
                )
            )
        touches = [e.at for e in entries if e.is_interaction]
        contact.last_touch_at = max(touches) if touches else None
        if contact.archived_at:
            entries.append(TimelineEntry(kind=EntryKind.ARCHIVED, at=contact.archived_at, actor=contact.archived_by))
        if contact.deleted_at:
            entries.append(
                TimelineEntry(
                    kind=EntryKind.DELETED,
                    at=contact.deleted_at,
                    actor=contact.deleted_by,
                    summary="Moved to Recently Deleted",
                )
            )
        return entries

    def print_logins(self, url: str):
        # Only what we know: this command does not start a server, nor know where one listens.
        where = url or f"{reverse('login')} on your server"
        self.stdout.write(f"\nLog in at {where} as any of these (password {PASSWORD}):")
        for username, _, _, role in USERS:
            note = " — also a superuser for the Django admin at /admin/" if username == "demo" else ""
            self.stdout.write(f"  {username} / {PASSWORD}  ({role.label.lower()}){note}")
