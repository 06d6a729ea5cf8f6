"""The audiences a user can look at: who is in each, and which bulk actions it offers.

An audience names its kind (My People, Archived, Recently Deleted); the bulk actions declare
the kinds they appear in (contacts.bulk_actions), so `Audience.actions` is read from the
actions' registry and a new action reaches its menus by being declared.

Their words are declared here, at import, so they are lazy: translated when a page shows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from contacts.bulk_actions import AudienceKind, actions_for
from contacts.models import Contact, Stage, Workspace
from contacts.querysets import ARCHIVED_PEOPLE, recently_deleted_people
from contacts.querysets import MY_PEOPLE as MY_PEOPLE_Q
from contacts.rules import stage_to_param


@dataclass(frozen=True)
class Audience:
    slug: str
    # Who is in it, as a condition on the workspace's people (so all the counts are one query).
    where: Callable[[Workspace, object], Q]
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
        return Contact.objects.in_workspace(workspace).filter(self.where(workspace, user))

    @property
    def actions(self) -> tuple[str, ...]:
        """The names of the bulk actions it offers, in menu order."""
        return actions_for(self.kind)


def _stage(stage):
    return lambda workspace, user: MY_PEOPLE_Q & Q(stage=stage)


MY_PEOPLE = Audience(
    slug="my-people",
    name=gettext_lazy("My People"),
    where=lambda w, u: MY_PEOPLE_Q,
    kind=AudienceKind.MY_PEOPLE,
    other=False,
    empty_text=gettext_lazy("No one here yet. Import people or add them in the admin."),
)
ARCHIVED = Audience(
    slug="archived",
    name=gettext_lazy("Archived People"),
    where=lambda w, u: ARCHIVED_PEOPLE,
    kind=AudienceKind.ARCHIVED,
    empty_text=gettext_lazy("No one is archived. Archived people keep their history and leave My People."),
    since=("archived", gettext_lazy("Archived")),
)
RECENTLY_DELETED = Audience(
    slug="deleted",
    name=gettext_lazy("Recently Deleted"),
    where=lambda w, u: recently_deleted_people(w.retention),
    kind=AudienceKind.RECENTLY_DELETED,
    empty_text=gettext_lazy("Nothing was deleted recently."),
    since=("deleted", gettext_lazy("Deleted")),
)
STAGE_AUDIENCES = tuple(
    Audience(
        slug=f"stage-{stage_to_param(stage.value)}",
        stage=stage.value,
        where=_stage(stage.value),
        kind=AudienceKind.MY_PEOPLE,
        empty_text=gettext_lazy("No one in this stage."),
    )
    for stage in (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE)
)
ASSIGNED_TO_ME = Audience(
    slug="assigned-to-me",
    name=gettext_lazy("Assigned to me"),
    where=lambda w, u: MY_PEOPLE_Q & Q(assignee=u),
    kind=AudienceKind.MY_PEOPLE,
    empty_text=gettext_lazy("No one is assigned to you."),
)
UNASSIGNED = Audience(
    slug="unassigned",
    name=gettext_lazy("Unassigned"),
    where=lambda w, u: MY_PEOPLE_Q & Q(assignee__isnull=True),
    kind=AudienceKind.MY_PEOPLE,
    empty_text=gettext_lazy("Everyone has an assignee."),
)

AUDIENCES = {a.slug: a for a in (MY_PEOPLE, ARCHIVED, RECENTLY_DELETED, *STAGE_AUDIENCES, ASSIGNED_TO_ME, UNASSIGNED)}
DEFAULT = MY_PEOPLE


def get_audience(slug: str | None) -> Audience | None:
    return AUDIENCES.get(slug or DEFAULT.slug)


def audience_counts(workspace: Workspace, user) -> dict[str, int]:
    """How many people are in each audience, by slug: one query (a filtered count per audience
    over the workspace's people), however many audiences there are."""
    counts = Contact.objects.in_workspace(workspace).aggregate(
        **{f"n{i}": Count("pk", filter=a.where(workspace, user)) for i, a in enumerate(AUDIENCES.values())}
    )
    return {a.slug: counts[f"n{i}"] for i, a in enumerate(AUDIENCES.values())}
