"""The benchmark's workspaces ("teams"): seeded, put back between runs, dropped.

The main workspace gets N people: 20% archived; 30% Past/Lost/no stage, half of them assigned;
50% in open stages, 60% of those assigned; each with three or four timeline entries. Destructive
scenarios get a scratch workspace of their own ("eligible": may all be archived; "archived": may
all be deleted), put back in bulk between runs so every run starts from the same state. Each
workspace has its own bench user, since the app works in the user's first workspace.

Rows are written by the shared seeder (contacts.seeding): multi-row INSERTs, COPY on PostgreSQL.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contacts.models import (
    Contact,
    EntryKind,
    Membership,
    Operation,
    Role,
    Stage,
    TimelineEntry,
    Workspace,
)
from contacts.rules import OPEN_STAGES
from contacts.seeding.names import COMPANIES, FIRST_NAMES, LAST_NAMES, TITLES
from contacts.seeding.people import analyze, load_people, next_contact_pk, unique_phone, vacuum

CLOSED_STAGES = (Stage.PAST, Stage.LOST, Stage.NONE)


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
    """Creates teams and their people in one transaction each; `cleanup` deletes every bench-*
    workspace and user at the end (for --in-place runs; a fresh database is dropped as a whole)."""

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
                other = User.objects.create(username=f"{name}-m{i}", first_name=FIRST_NAMES[i], last_name=LAST_NAMES[i])
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
            first_pk = next_contact_pk()
            pks = team.pks = list(range(first_pk, first_pk + team.size))
        people = (self.person(team, i, pk) for i, pk in enumerate(pks))
        load_people((person, self.history(person, team)) for person in people)

    def person(self, team: Team, i: int, pk: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        company, domain = rng.choice(COMPANIES)
        phone, e164 = unique_phone(pk)
        created = self.now - timedelta(days=rng.randint(30, 900), minutes=rng.randint(0, 1440))
        stage, assignee, archived = self.shape(team, i)
        return {
            "id": pk,
            "workspace_id": team.workspace.pk,
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{pk}@{domain or 'mail.example'}".lower(),
            "phone": phone,
            "phone_e164": e164,
            "company": company,
            "title": rng.choice(TITLES),
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
