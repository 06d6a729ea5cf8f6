"""The audiences a user can look at: who is in each, and which bulk actions it offers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Contact, Stage, Workspace

PEOPLE_ACTIONS = ("archive", "change_stage", "remove_assignee")
ARCHIVE_ACTIONS = ("restore", "delete")
DELETED_ACTIONS = ("undelete", "purge")


@dataclass(frozen=True)
class Audience:
    slug: str
    people: Callable[[Workspace, object], QuerySet]
    actions: tuple[str, ...]
    name: str = ""
    stage: str | None = None
    # Listed under "Other Audiences" in the switcher.
    other: bool = True
    empty: str = "No one here yet."
    # Shown as an extra column: when and by whom people entered this audience.
    since: tuple[str, str] | None = None

    def name_for(self, workspace: Workspace) -> str:
        return workspace.stage_label(self.stage) if self.stage is not None else self.name

    def people_for(self, workspace: Workspace, user) -> QuerySet:
        return self.people(workspace, user)


def _my_people(workspace, user):
    return Contact.objects.in_workspace(workspace).in_my_people()


def _recently_deleted(workspace, user):
    since = timezone.now() - workspace.retention
    return Contact.objects.in_workspace(workspace).filter(deleted_at__gte=since)


def _stage(stage):
    return lambda workspace, user: _my_people(workspace, user).filter(stage=stage)


MY_PEOPLE = Audience(
    slug="my-people",
    name="My People",
    people=_my_people,
    actions=PEOPLE_ACTIONS,
    other=False,
    empty="No one here yet. Import people or add them in the admin.",
)
ARCHIVED = Audience(
    slug="archived",
    name="Archived People",
    people=lambda w, u: Contact.objects.in_workspace(w).archived(),
    actions=ARCHIVE_ACTIONS,
    empty="No one is archived. Archived people keep their history and leave My People.",
    since=("archived", "Archived"),
)
RECENTLY_DELETED = Audience(
    slug="deleted",
    name="Recently Deleted",
    people=_recently_deleted,
    actions=DELETED_ACTIONS,
    empty="Nothing was deleted recently.",
    since=("deleted", "Deleted"),
)
STAGE_AUDIENCES = tuple(
    Audience(
        slug=f"stage-{stage.value or 'none'}",
        stage=stage.value,
        people=_stage(stage.value),
        actions=PEOPLE_ACTIONS,
        empty="No one in this stage.",
    )
    for stage in (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE)
)
ASSIGNED_TO_ME = Audience(
    slug="assigned-to-me",
    name="Assigned to me",
    people=lambda w, u: _my_people(w, u).filter(assignee=u),
    actions=PEOPLE_ACTIONS,
    empty="No one is assigned to you.",
)
UNASSIGNED = Audience(
    slug="unassigned",
    name="Unassigned",
    people=lambda w, u: _my_people(w, u).filter(assignee__isnull=True),
    actions=PEOPLE_ACTIONS,
    empty="Everyone has an assignee.",
)

AUDIENCES = {a.slug: a for a in (MY_PEOPLE, ARCHIVED, RECENTLY_DELETED, *STAGE_AUDIENCES, ASSIGNED_TO_ME, UNASSIGNED)}
DEFAULT = MY_PEOPLE


def get_audience(slug: str | None) -> Audience | None:
    return AUDIENCES.get(slug or DEFAULT.slug)
