"""The rules of PRODUCT.md, each written once, and the vocabulary they are written in.

- Roles, and rule 6: who may delete (`may_delete`, `ROLES_THAT_DELETE`, `WHO_MAY_DELETE`).
- Stages, the open ones (rule 1 and 3), and the "none" that stands for no stage in forms
  and addresses (`stage_to_param`, `stage_from_param`: the only place it is converted).
- Every rule as a `Blocker`: a queryset condition (`q`) and the same condition for one
  contact in memory (`applies`), with the words a person reads (translated: `explain` and
  `group` are called when a page is made, `short` is lazy). Bulk writes filter by the
  conditions inside the UPDATE (`none_of`); dialogs and single-person checks use the reasons
  (`reasons`). tests/contacts/test_rules.py proves the two halves agree on every combination.

Nothing here imports the models (they import this): a rule sees a contact only through
its fields and properties.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts.querysets import ARCHIVED_PEOPLE, DELETED_PEOPLE

if TYPE_CHECKING:
    from contacts.models import Contact, Workspace


class Role(models.TextChoices):
    ADMIN = "admin", gettext_lazy("Admin")
    MANAGER = "manager", gettext_lazy("Manager")
    MEMBER = "member", gettext_lazy("Member")


# Rule 6: deleting needs an admin or a manager; archive and restore are open to members.
ROLES_THAT_DELETE = frozenset({Role.ADMIN, Role.MANAGER})
# What the others are told: beside the Delete they cannot use, and when they ask for it anyway.
WHO_MAY_DELETE = gettext_lazy("Only admins and managers can delete")
ONLY_DELETERS_MAY_DELETE = gettext_lazy("Only admins and managers can delete people.")


def may_delete(role: str) -> bool:
    return role in ROLES_THAT_DELETE


class Stage(models.TextChoices):
    """The five phases; the empty string is "no stage"."""

    NONE = "", gettext_lazy("No stage")
    LEAD = "lead", gettext_lazy("Lead")
    POTENTIAL = "potential", gettext_lazy("Potential")
    ACTIVE = "active", gettext_lazy("Active")
    PAST = "past", gettext_lazy("Past")
    LOST = "lost", gettext_lazy("Lost")


OPEN_STAGES = (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE)

# "No stage" is the empty string in the database; in a form or an address it is "none", so that
# an empty value can still mean "nothing chosen" (a stage filter left blank, a picker not used).
NO_STAGE_PARAM = "none"


def stage_to_param(stage: str) -> str:
    return stage or NO_STAGE_PARAM


def stage_from_param(value: str) -> str:
    """The stage a form or an address names ("none" is no stage); not checked against Stage."""
    return Stage.NONE.value if value == NO_STAGE_PARAM else value


@dataclass(frozen=True)
class Reason:
    """Why one person cannot take part in an action, in words a person reads."""

    code: str
    message: str


@dataclass(frozen=True)
class Blocker:
    """One rule: the condition that blocks an action, in SQL and in memory."""

    code: str
    q: Q
    applies: Callable[[Contact], bool]
    explain: Callable[[Contact], str]
    # Heading of the dialog group for this many people (by ngettext): "3 have an open stage", "1 has an open stage".
    group: Callable[[int], str]
    # The reason in the outcome message: "0 people archived · 1 skipped: already archived".
    short: str
    # What to do about it, said once under the dialog's group heading ("Change or remove the stage."),
    # and what is particular to each person on its lines ("Active", "Dana Lee"): the group's lines
    # then name the people without repeating the reason.
    remedy: str = ""
    detail: Callable[[Contact], str] | None = None

    def reason(self, contact: Contact) -> Reason:
        return Reason(self.code, self.explain(contact))


IS_DELETED = Blocker(
    code="deleted",
    q=DELETED_PEOPLE,
    applies=lambda c: c.deleted_at is not None,
    explain=lambda c: _("In Recently Deleted — restore it first"),
    group=lambda n: ngettext("%(count)s is in Recently Deleted", "%(count)s are in Recently Deleted", n) % {"count": n},
    short=gettext_lazy("in Recently Deleted"),
    remedy=gettext_lazy("Restore them from Recently Deleted first."),
)
IS_ARCHIVED = Blocker(
    code="archived",
    q=ARCHIVED_PEOPLE,
    applies=lambda c: c.archived_at is not None and c.deleted_at is None,
    explain=lambda c: _("Already archived"),
    group=lambda n: ngettext("%(count)s is already archived", "%(count)s are already archived", n) % {"count": n},
    short=gettext_lazy("already archived"),
)
HAS_OPEN_STAGE = Blocker(
    code="open_stage",
    q=Q(stage__in=OPEN_STAGES),
    applies=lambda c: c.stage in OPEN_STAGES,
    explain=lambda c: _("Stage is %(stage)s — change or remove the stage") % {"stage": c.stage_label},
    group=lambda n: ngettext("%(count)s has an open stage", "%(count)s have an open stage", n) % {"count": n},
    short=gettext_lazy("in an open stage"),
    remedy=gettext_lazy("Change or remove the stage."),
    detail=lambda c: c.stage_label,
)
IS_ASSIGNED = Blocker(
    code="assigned",
    q=Q(assignee__isnull=False),
    applies=lambda c: c.assignee_id is not None,
    explain=lambda c: _("Assigned to %(name)s — remove the assignee") % {"name": c.assignee_name},
    group=lambda n: ngettext("%(count)s is assigned", "%(count)s are assigned", n) % {"count": n},
    short=gettext_lazy("assigned"),
    remedy=gettext_lazy("Remove the assignee."),
    detail=lambda c: c.assignee_name,
)
NOT_ARCHIVED = Blocker(
    code="not_archived",
    q=Q(archived_at__isnull=True),
    applies=lambda c: c.archived_at is None,
    explain=lambda c: _("Not archived — archive it first"),
    group=lambda n: ngettext("%(count)s is not archived", "%(count)s are not archived", n) % {"count": n},
    short=gettext_lazy("not archived"),
    remedy=gettext_lazy("Archive them first."),
)
NOT_DELETED = Blocker(
    code="not_deleted",
    q=Q(deleted_at__isnull=True),
    applies=lambda c: c.deleted_at is None,
    explain=lambda c: _("Not in Recently Deleted"),
    group=lambda n: (
        ngettext("%(count)s is not in Recently Deleted", "%(count)s are not in Recently Deleted", n) % {"count": n}
    ),
    short=gettext_lazy("not in Recently Deleted"),
)
NOT_ASSIGNED = Blocker(
    code="not_assigned",
    q=Q(assignee__isnull=True),
    applies=lambda c: c.assignee_id is None,
    explain=lambda c: _("Has no assignee"),
    group=lambda n: ngettext("%(count)s has no assignee", "%(count)s have no assignee", n) % {"count": n},
    short=gettext_lazy("no assignee"),
)
ARCHIVED_OR_DELETED = Blocker(
    code="archived_restore_first",
    q=Q(archived_at__isnull=False),
    applies=lambda c: c.archived_at is not None,
    explain=lambda c: _("Archived — restore it first"),
    group=lambda n: (
        ngettext("%(count)s is archived (restore first)", "%(count)s are archived (restore them first)", n)
        % {"count": n}
    ),
    short=gettext_lazy("archived (restore first)"),
)

# Rule 1: archive only Past/Lost/no-stage, unassigned people still in My People.
ARCHIVE_BLOCKERS = (IS_DELETED, IS_ARCHIVED, HAS_OPEN_STAGE, IS_ASSIGNED)
# Of those, the ones "Fix and archive" removes (a closed stage, no assignee) before it archives;
# the others still block it.
ARCHIVE_FIXABLE_BLOCKERS = (HAS_OPEN_STAGE, IS_ASSIGNED)
FIX_AND_ARCHIVE_BLOCKERS = tuple(b for b in ARCHIVE_BLOCKERS if b not in ARCHIVE_FIXABLE_BLOCKERS)
# The stages "Fix and archive" may set: the closed ones (rule 1).
CLOSED_STAGES = (Stage.PAST, Stage.LOST, Stage.NONE)
# Rule 2: delete only archived people (not already deleted).
DELETE_BLOCKERS = (IS_DELETED, NOT_ARCHIVED)
RESTORE_FROM_ARCHIVE_BLOCKERS = (IS_DELETED, NOT_ARCHIVED)
RESTORE_FROM_DELETED_BLOCKERS = (NOT_DELETED,)
PURGE_BLOCKERS = (NOT_DELETED,)
# Rule 3: an archived person gets no open stage and no assignee.
OPEN_STAGE_BLOCKERS = (ARCHIVED_OR_DELETED,)
REMOVE_ASSIGNEE_BLOCKERS = (IS_DELETED, NOT_ASSIGNED)


def change_stage_blockers(stage: str, workspace: Workspace) -> tuple[Blocker, ...]:
    """Rule 3 for an open stage (none for a closed one, but Recently Deleted), and "already there"."""
    label = workspace.stage_label(stage)
    already = Blocker(
        code="same_stage",
        q=Q(stage=stage),
        applies=lambda c: c.stage == stage,
        explain=lambda c: _("Already %(stage)s") % {"stage": label},
        group=lambda n: (
            ngettext("%(count)s is already %(stage)s", "%(count)s are already %(stage)s", n)
            % {"count": n, "stage": label}
        ),
        short=_("already %(stage)s") % {"stage": label},
    )
    rule = OPEN_STAGE_BLOCKERS if stage in OPEN_STAGES else (IS_DELETED,)
    return (*rule, already)


def none_of(blockers) -> Q:
    """The queryset condition for "no blocker applies"."""
    condition = Q()
    for blocker in blockers:
        condition &= ~blocker.q
    return condition


def reasons(contact: Contact, blockers) -> list[Reason]:
    return [b.reason(contact) for b in blockers if b.applies(contact)]
