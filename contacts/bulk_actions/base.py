"""What every bulk action is: its declaration (`BulkAction`), and what it computes for its dialog.

An action module (archive.py, delete.py, ...) subclasses `BulkAction` and declares, in one
place, everything about the action: its words, who may run it (`needs_delete_role`), its rule
(`blockers`), the service that does the work (`execute`), how it is undone (`undo`), its form
and the partials its dialog adds (`choice_template`, `details_template`), the audiences it
appears in (`audiences`, by kind: see `AudienceKind`), and its words in the Django admin
(`admin`). The menu, the dialog, the confirm, the details pane, the admin actions and Undo
all read these declarations; nothing elsewhere branches on an action's name.

The words are translated: the declared ones (`label`, `past`, `description`, `admin`) are lazy
(gettext_lazy, as they are read at import), and the sentences built from them are one message
each, with the number for ngettext and the action's words as named placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django import forms
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts import services
from contacts.models import Workspace
from contacts.rules import Blocker, none_of

NAMES_PER_GROUP = 10


class AudienceKind(StrEnum):
    """Which part of the people an audience shows; it decides the bulk actions the audience offers.

    Actions declare the kinds they appear in (rather than audiences listing action names),
    so a new action appears in its audiences' menus by being declared (audiences.registry
    asks `actions_for(kind)`).
    """

    MY_PEOPLE = "my-people"  # My People and the audiences inside it (stages, assigned, unassigned)
    ARCHIVED = "archived"
    RECENTLY_DELETED = "recently-deleted"


@dataclass(frozen=True)
class AdminWords:
    """An action offered in the Django admin (ContactAdmin), in the admin's words."""

    description: str  # on a person's page: "Archive this person"
    description_plural: str  # on the list: "Archive selected people"
    verb: str  # in "Acme: 3 archived, 1 skipped"


@dataclass(frozen=True)
class PutBack:
    """An action undone by setting each person's `field` back to the value their entry kept.

    (contacts.bulk_actions.undo runs it; the others are undone by a reversing action.)
    """

    field: str  # "stage" or "assignee"
    # Only the entries of this kind (an operation that changed several things, as Fix and archive).
    kind: str | None = None


# How an operation is undone: the reversing action's name, PutBack, or several of them, in order.
Undo = str | PutBack | tuple[str | PutBack, ...] | None


@dataclass
class BlockedGroup:
    blocker: Blocker
    count: int
    examples: list[tuple[str, str]] = field(default_factory=list)  # (name, what is particular to them)

    @property
    def heading(self) -> str:
        """The group's heading, "3 are already archived": the blocker's words for this many people."""
        return self.blocker.group(self.count)

    @property
    def remedy(self) -> str:
        """What to do about it, said once for the group ("Change or remove the stage.")."""
        return str(self.blocker.remedy)

    @property
    def more(self) -> int:
        return self.count - len(self.examples)


@dataclass
class Preview:
    """What confirming would do, for the dialog: counted in a fixed number of queries."""

    total: int
    eligible: int
    groups: list[BlockedGroup]
    # Which people are eligible, sent back with the confirm (see services.Fingerprint).
    fingerprint: services.Fingerprint | None = None

    @property
    def blocked(self) -> int:
        return self.total - self.eligible


class BulkAction:
    name: str  # the URL's <action> and the Operation's action
    label: str  # the menu item and the confirm button's verb
    past: str  # "archived", for "8 people archived"
    doing: str = ""  # "Archiving", for a job's name: "Archiving 1,000,000 people" (jobs.words)
    audiences: tuple[AudienceKind, ...] = ()
    # Where it sits in the menu of each of its audiences (and in the admin's list), smallest first.
    menu_position = 100
    # Offered in the details pane too (the lifecycle actions; stage and assignee are edited in place there).
    in_details_pane = False
    admin: AdminWords | None = None
    # The action whose service reverses this one ("restore" for "archive"), PutBack, several, or None.
    undo: Undo = None
    # Operations this action records under another name, with how each is undone (Archive's
    # "fix_and_archive"): contacts.bulk_actions.undo reads them.
    variants: dict[str, Undo] = {}
    destructive = False
    needs_delete_role = False
    typed_count = False
    # Destructive actions refuse to run if the people changed since the dialog opened.
    exact_count = False
    form_class: type[forms.Form] | None = None
    # What the dialog counts (Delete's adds who has sync activity; see `measure`).
    preview_class: type[Preview] = Preview
    # The dialog cannot show numbers until the user has chosen something (a stage).
    needs_choice = False
    # Partials of the dialog: the choice to make first (under the question), and more about what
    # confirming does (under the description, when someone is eligible).
    choice_template: str | None = None
    details_template: str | None = None
    # And one shown under who cannot be acted on: what the action offers them (Archive's Fix and archive).
    blocked_template: str | None = None
    # Fields of `form_class` that, sent with the dialog's request, re-render it with that choice
    # (Archive's stage for Fix and archive); a `needs_choice` action's fields all are.
    choice_fields: tuple[str, ...] = ()
    # The form's field the second confirm button sends (see `alternative_label`).
    alternative_field = ""
    # "Select only those who cannot be ..." can be expressed as a filter.
    narrowable = True
    description = ""

    def make_form(self, data, workspace: Workspace) -> forms.Form | None:
        return self.form_class(data) if self.form_class is not None else None

    def options(self, form: forms.Form, workspace: Workspace) -> dict:
        """What the valid form chose, as `blockers`, `execute` and the words read it."""
        return dict(form.cleaned_data)

    def blockers(self, workspace: Workspace, options: dict) -> tuple[Blocker, ...]:
        raise NotImplementedError

    def execute(self, *, actor, workspace, selected: QuerySet, options: dict, expected: services.Fingerprint | None):
        raise NotImplementedError

    def measure(self, summary: Preview, eligible: QuerySet) -> None:
        """Add this action's own counts to its preview (see Delete); most actions have none."""

    def measure_blocked(self, summary: Preview, selected: QuerySet, workspace: Workspace) -> None:
        """Add what the dialog offers those who cannot be acted on (see Archive); most actions offer nothing."""

    def job_blockers(self, workspace: Workspace, options: dict) -> tuple[Blocker, ...]:
        """Who a job of this action leaves out when the user confirms: its blockers (see Archive)."""
        return self.blockers(workspace, options)

    def confirmed_set_fields(self, options: dict) -> tuple[str, str] | None:
        """The form's fields with the count and fingerprint of the people the user confirmed, for an
        action that acts on exactly those or on nobody (see Dialog); None when it needs none."""
        return ("expected", "fingerprint") if self.exact_count else None

    def alternative_label(self, summary: Preview, options: dict) -> str:
        """A second way to confirm, as its button says (Archive's Fix and archive); "" for none.

        The button sends `alternative_field`=1; the action's form reads it (see Archive)."""
        return ""

    def describe(self, options: dict) -> str:
        return self.description

    def will(self, options: dict) -> str:
        """What confirming does to each eligible person: "8 people will {be archived}"."""
        return _("be %(past)s") % {"past": self.past}

    def question(self, n: int) -> str:
        return ngettext("%(action)s %(count)s person?", "%(action)s %(count)s people?", n) % {
            "action": self.label,
            "count": n,
        }

    def confirm_label(self, n: int) -> str:
        return ngettext("%(action)s %(count)s person", "%(action)s %(count)s people", n) % {
            "action": self.label,
            "count": n,
        }

    def outcome_text(self, outcome: services.Outcome, options: dict) -> str:
        """The status message after confirming: "8 people archived · 2 skipped: already archived"."""
        return self.done_text(outcome.done, options) + skipped_text(outcome)

    def done_text(self, done: int, options: dict) -> str:
        return ngettext("%(count)s person %(past)s", "%(count)s people %(past)s", done) % {
            "count": done,
            "past": self.past,
        }

    def doing_text(self, options: dict) -> str:
        """What a job of this action is doing, for "Archiving 1,000,000 people" (see Archive)."""
        return self.doing or self.label

    def allowed_for(self, membership) -> bool:
        return membership.can_delete or not self.needs_delete_role


def skipped_text(outcome: services.Outcome) -> str:
    """The skipped part of every outcome message, e.g. ' · 3 skipped: already archived'.

    With several reasons each gets its count, as the dialog groups them (one person may have two).
    """
    if not outcome.skipped:
        return ""
    skipped = ngettext("%(count)s skipped", "%(count)s skipped", outcome.skipped) % {"count": outcome.skipped}
    if not outcome.reasons:
        return f" · {skipped}"
    if len(outcome.reasons) == 1:
        reasons = str(outcome.reasons[0][0])
    else:
        reasons = ", ".join(
            _("%(reason)s (%(count)s)") % {"reason": reason, "count": n} for reason, n in outcome.reasons
        )
    return " · " + _("%(skipped)s: %(reasons)s") % {"skipped": skipped, "reasons": reasons}


def preview(action: BulkAction, selected: QuerySet, workspace: Workspace, options: dict) -> Preview:
    blockers = action.blockers(workspace, options)
    counts = selected.aggregate(
        total=Count("pk"),
        eligible=Count("pk", filter=none_of(blockers)),
        **{f"b{i}": Count("pk", filter=b.q) for i, b in enumerate(blockers)},
        **services.Fingerprint.aggregates(none_of(blockers)),
    )
    groups = []
    for i, blocker in enumerate(blockers):
        if counts[f"b{i}"]:
            examples = selected.filter(blocker.q).select_related("assignee").order_by("name", "pk")[:NAMES_PER_GROUP]
            group = BlockedGroup(blocker, counts[f"b{i}"])
            for person in examples:
                person.workspace = workspace
                group.examples.append((person.name, blocker.detail(person) if blocker.detail else ""))
            groups.append(group)
    summary = action.preview_class(
        total=counts["total"],
        eligible=counts["eligible"],
        groups=groups,
        fingerprint=services.Fingerprint.from_aggregates(counts),
    )
    if summary.eligible:
        action.measure(summary, selected.filter(none_of(blockers)))
    if summary.blocked:
        action.measure_blocked(summary, selected, workspace)
    return summary
