"""The audiences a user can look at: who is in each, and which bulk actions it offers.

An audience names its kind (My People, Archived, Recently Deleted); the bulk actions declare
the kinds they appear in (contacts.bulk_actions), so `Audience.actions` is read from the
actions' registry and a new action reaches its menus by being declared.

Their words are declared here, at import, so they are lazy: translated when a page shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from contacts.bulk_actions import AudienceKind, actions_for
from contacts.models import Contact, Stage, Workspace
from contacts.rules import stage_to_param


@dataclass(frozen=True)
class Audience:
    slug: str
    people: Callable[[Workspace, object], QuerySet]
    kind: AudienceKind
    name: str | Promise = ""
    stage: str | None = None
    # Listed under "Other Audiences" in the switcher.
    other: bool = True
    # What the list says when no one is in it: read it as `empty`, in the active language.
    empty_text: str | Promise = gettext_lazy("No one here yet.")
    # Shown as an extra column: when and by whom people entered this audience (the event, the header).
    since: tuple[str, str | Promise] | None = None

    def name_for(self, workspace: Workspace) -> str:
        return workspace.stage_label(self.stage) if self.stage is not None else str(self.name)

    @property
    def empty(self) -> str:
        return str(self.empty_text)

    def people_for(self, workspace: Workspace, user) -> QuerySet:
        return self.people(workspace, user)

    @property
    def actions(self) -> tuple[str, ...]:
        """The names of the bulk actions it offers, in menu order."""
        return actions_for(self.kind)


def _my_people(workspace, user):
    return Contact.objects.in_workspace(workspace).in_my_people()


def _recently_deleted(workspace, user):
    return Contact.objects.in_workspace(workspace).recently_deleted(workspace.retention)


def _stage(stage):
    return lambda workspace, user: _my_people(workspace, user).filter(stage=stage)


MY_PEOPLE = Audience(
    slug="my-people",
    name=gettext_lazy("My People"),
    people=_my_people,
    kind=AudienceKind.MY_PEOPLE,
    other=False,
    empty_text=gettext_lazy("No one here yet. Import people or add them in the admin."),
)
ARCHIVED = Audience(
    slug="archived",
    name=gettext_lazy("Archived People"),
    people=lambda w, u: Contact.objects.in_workspace(w).archived(),
    kind=AudienceKind.ARCHIVED,
    empty_text=gettext_lazy("No one is archived. Archived people keep their history and leave My People."),
    since=("archived", gettext_lazy("Archived")),
)
RECENTLY_DELETED = Audience(
    slug="deleted",
    name=gettext_lazy("Recently Deleted"),
    people=_recently_deleted,
    kind=AudienceKind.RECENTLY_DELETED,
    empty_text=gettext_lazy("Nothing was deleted recently."),
    since=("deleted", gettext_lazy("Deleted")),
)
STAGE_AUDIENCES = tuple(
    Audience(
        slug=f"stage-{stage_to_param(stage.value)}",
        stage=stage.value,
        people=_stage(stage.value),
        kind=AudienceKind.MY_PEOPLE,
        empty_text=gettext_lazy("No one in this stage."),
    )
    for stage in (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE)
)
ASSIGNED_TO_ME = Audience(
    slug="assigned-to-me",
    name=gettext_lazy("Assigned to me"),
    people=lambda w, u: _my_people(w, u).filter(assignee=u),
    kind=AudienceKind.MY_PEOPLE,
    empty_text=gettext_lazy("No one is assigned to you."),
)
UNASSIGNED = Audience(
    slug="unassigned",
    name=gettext_lazy("Unassigned"),
    people=lambda w, u: _my_people(w, u).filter(assignee__isnull=True),
    kind=AudienceKind.MY_PEOPLE,
    empty_text=gettext_lazy("Everyone has an assignee."),
)

AUDIENCES = {a.slug: a for a in (MY_PEOPLE, ARCHIVED, RECENTLY_DELETED, *STAGE_AUDIENCES, ASSIGNED_TO_ME, UNASSIGNED)}
DEFAULT = MY_PEOPLE


def get_audience(slug: str | None) -> Audience | None:
    return AUDIENCES.get(slug or DEFAULT.slug)
