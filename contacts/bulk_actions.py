"""The bulk actions: one small class each, in a registry keyed by the URL name.

An action knows its words, who may run it, the rule it applies (blockers), and
which service does the work. The dialog, the menu and both views all use these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, QuerySet

from contacts import services
from contacts.models import (
    ARCHIVE_BLOCKERS,
    DELETE_BLOCKERS,
    OPEN_STAGES,
    PURGE_BLOCKERS,
    REMOVE_ASSIGNEE_BLOCKERS,
    RESTORE_FROM_ARCHIVE_BLOCKERS,
    RESTORE_FROM_DELETED_BLOCKERS,
    Blocker,
    Stage,
    Workspace,
    none_of,
)
from contacts.services import people

# Deleting more than this many asks the user to type the count.
TYPED_COUNT_OVER = 20
NAMES_PER_GROUP = 10


class StageForm(forms.Form):
    # Not "stage": that name is the stage *filter* of a select-all selection.
    new_stage = forms.ChoiceField(label="New stage", choices=Stage.choices, required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_stage"].choices = [(v or "none", label) for v, label in workspace.stage_choices()]

    def clean_new_stage(self):
        value = self.cleaned_data["new_stage"]
        if value == "":
            raise forms.ValidationError("Pick a stage.")
        return "" if value == "none" else value


class DeleteForm(forms.Form):
    suppress_sync = forms.BooleanField(label="Don't re-create from sync", required=False)


class BulkAction:
    name: str
    label: str  # the menu item and the confirm button's verb
    past: str  # "archived", for "8 people archived"
    destructive = False
    needs_delete_role = False
    typed_count = False
    # Destructive actions refuse to run if the people changed since the dialog opened.
    exact_count = False
    form_class: type[forms.Form] | None = None
    # The dialog cannot show numbers until the user has chosen something (a stage).
    needs_choice = False
    # "Select only those who cannot be ..." can be expressed as a filter.
    narrowable = True
    description = ""

    def make_form(self, data, workspace):
        if self.form_class is None:
            return None
        if self.form_class is StageForm:
            return StageForm(data, workspace=workspace)
        return self.form_class(data)

    def blockers(self, workspace: Workspace, options: dict) -> tuple[Blocker, ...]:
        raise NotImplementedError

    def execute(self, *, actor, workspace, selected: QuerySet, options: dict, expected: services.Fingerprint | None):
        raise NotImplementedError

    def describe(self, options: dict) -> str:
        return self.description

    def will(self, options: dict) -> str:
        """What confirming does to each eligible person: "8 people will {be archived}"."""
        return f"be {self.past}"

    def question(self, n: int) -> str:
        return f"{self.label} {people(n)}?"

    def confirm_label(self, n: int) -> str:
        return f"{self.label} {people(n)}"

    def outcome_text(self, outcome: services.Outcome, options: dict) -> str:
        """The status message after confirming: "8 people archived · 2 skipped: already archived"."""
        return self.done_text(outcome.done, options) + skipped_text(outcome)

    def done_text(self, done: int, options: dict) -> str:
        return f"{people(done)} {self.past}"

    def allowed_for(self, membership) -> bool:
        return membership.can_delete or not self.needs_delete_role


class Archive(BulkAction):
    name, label, past = "archive", "Archive", "archived"
    description = "Archived people leave My People but keep all their details and history."

    def blockers(self, workspace, options):
        return ARCHIVE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.archive(actor=actor, workspace=workspace, selected=selected)


class Restore(BulkAction):
    name, label, past = "restore", "Restore", "restored to My People"
    description = "They go back to My People with their history."

    def blockers(self, workspace, options):
        return RESTORE_FROM_ARCHIVE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_archive(actor=actor, workspace=workspace, selected=selected)


class Delete(BulkAction):
    name, label, past = "delete", "Delete", "moved to Recently Deleted"
    destructive = needs_delete_role = typed_count = exact_count = True
    form_class = DeleteForm

    def blockers(self, workspace, options):
        return DELETE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.delete(
            actor=actor,
            workspace=workspace,
            selected=selected,
            suppress_sync=options.get("suppress_sync", False),
            expected=expected,
        )


class Undelete(BulkAction):
    name, label, past = "undelete", "Restore", "restored to Archived People"
    description = "They go back to Archived People with their history."

    def blockers(self, workspace, options):
        return RESTORE_FROM_DELETED_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_deleted(actor=actor, workspace=workspace, selected=selected)


class Purge(BulkAction):
    name, label, past = "purge", "Delete forever", "deleted forever"
    destructive = needs_delete_role = typed_count = exact_count = True
    description = "They are erased at once with their timeline and interactions. This cannot be undone."

    def blockers(self, workspace, options):
        return PURGE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.purge(actor=actor, workspace=workspace, selected=selected, expected=expected)


class ChangeStage(BulkAction):
    name, label, past = "change_stage", "Change stage", "moved"
    form_class = StageForm
    needs_choice = True
    # Who is blocked depends on the stage picked, which a filter does not carry.
    narrowable = False

    def will(self, options):
        if options.get("stage") == Stage.NONE:
            return "have their stage removed"
        return f"be moved to {options.get('stage_label', '')}"

    def describe(self, options):
        if options.get("stage") in OPEN_STAGES:
            return "Archived people cannot get an open stage; restore them first."
        return ""

    def blockers(self, workspace, options):
        if "stage" not in options:
            return ()
        return services.change_stage_blockers(options["stage"], workspace)

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.change_stage(actor=actor, workspace=workspace, selected=selected, stage=options["stage"])

    def question(self, n):
        return f"Change the stage of {people(n)}?"

    def confirm_label(self, n):
        return f"Change stage of {people(n)}"

    def done_text(self, done, options):
        if options["stage"] == Stage.NONE:
            return f"Stage removed from {people(done)}"
        return f"{people(done)} moved to {options['stage_label']}"


class RemoveAssignee(BulkAction):
    name, label, past = "remove_assignee", "Remove assignee", "unassigned"

    def blockers(self, workspace, options):
        return REMOVE_ASSIGNEE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.remove_assignee(actor=actor, workspace=workspace, selected=selected)

    def question(self, n):
        return f"Remove the assignee of {people(n)}?"

    def confirm_label(self, n):
        return f"Remove assignee of {people(n)}"


def skipped_text(outcome: services.Outcome) -> str:
    """The skipped part of every outcome message, e.g. ' · 3 skipped: already archived'.

    With several reasons each gets its count, as the dialog groups them (one person may have two).
    """
    if not outcome.skipped:
        return ""
    text = f" · {outcome.skipped} skipped"
    if len(outcome.reasons) == 1:
        return f"{text}: {outcome.reasons[0][0]}"
    if outcome.reasons:
        return f"{text}: " + ", ".join(f"{reason} ({n})" for reason, n in outcome.reasons)
    return text


ACTIONS: dict[str, BulkAction] = {
    action.name: action
    for action in (Archive(), Restore(), Delete(), Undelete(), Purge(), ChangeStage(), RemoveAssignee())
}


@dataclass
class BlockedGroup:
    blocker: Blocker
    count: int
    examples: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)

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
    with_sync_activity: int = 0

    @property
    def blocked(self) -> int:
        return self.total - self.eligible


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
                group.examples.append((person.name, blocker.explain(person)))
            groups.append(group)
    result = Preview(
        total=counts["total"],
        eligible=counts["eligible"],
        groups=groups,
        fingerprint=services.Fingerprint.from_aggregates(counts),
    )
    if action.name == "delete" and result.eligible:
        result.with_sync_activity = selected.filter(none_of(blockers)).with_sync_activity().count()
    return result
