"""Archive: people leave My People and keep everything (rule 1 decides who may go).

"Fix and archive" is Archive's second way to confirm: for people blocked only by an open stage
and/or an assignee, the dialog offers to set a closed stage (Past, Lost or none, the user picks),
remove the assignee and archive them all, in one transaction (services.fix_and_archive). It acts
on exactly the people the dialog counted, or on nobody, as destructive actions do; Undo restores
them and puts each person's own stage and assignee back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction, Preview, PutBack, skipped_text
from contacts.bulk_actions.registry import register
from contacts.models import EntryKind, Stage, Workspace
from contacts.rules import (
    ARCHIVE_BLOCKERS,
    CLOSED_STAGES,
    FIX_AND_ARCHIVE_BLOCKERS,
    HAS_OPEN_STAGE,
    IS_ASSIGNED,
    none_of,
    stage_from_param,
    stage_to_param,
)


class ArchiveForm(forms.Form):
    # Sent by the Fix and archive button only (its name and value); the plain Archive button sends nothing.
    fix = forms.BooleanField(required=False)
    fix_stage = forms.ChoiceField(label=gettext_lazy("Stage to set"), required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fix_stage"].choices = closed_stage_choices(workspace)

    def clean_fix_stage(self):
        value = self.cleaned_data["fix_stage"]
        return stage_from_param(value) if value else Stage.PAST.value


def closed_stage_choices(workspace: Workspace) -> list[tuple[str, str]]:
    return [(stage_to_param(stage), workspace.stage_label(stage)) for stage in CLOSED_STAGES]


@dataclass
class Fix:
    """Who Fix and archive would archive: everyone not blocked for another reason."""

    count: int
    open_stage: int  # of them, how many get the stage picked
    assigned: int  # how many lose their assignee
    fingerprint: services.Fingerprint
    everyone: bool  # all the selected people


@dataclass
class ArchivePreview(Preview):
    fix: Fix | None = None


@register
class Archive(BulkAction):
    name, label, past = "archive", gettext_lazy("Archive"), gettext_lazy("archived")
    doing = gettext_lazy("Archiving")
    menu_position = 10
    description = gettext_lazy("Archived people leave My People but keep all their details and history.")
    audiences = (AudienceKind.MY_PEOPLE,)
    in_details_pane = True
    undo = "restore"
    # Restore first: an archived person can get neither an open stage nor an assignee back (rule 3).
    variants = {
        "fix_and_archive": (
            "restore",
            PutBack("stage", kind=EntryKind.STAGE_CHANGED),
            PutBack("assignee", kind=EntryKind.UNASSIGNED),
        )
    }
    admin = AdminWords(
        gettext_lazy("Archive this person"), gettext_lazy("Archive selected people"), verb=gettext_lazy("archived")
    )
    form_class = ArchiveForm
    choice_fields = ("fix_stage",)
    alternative_field = "fix"
    preview_class = ArchivePreview
    blocked_template = "contacts/bulk_actions/archive.html"

    def make_form(self, data, workspace):
        return ArchiveForm(data, workspace=workspace)

    def options(self, form, workspace):
        stage = form.cleaned_data["fix_stage"]
        return {"fix": form.cleaned_data["fix"], "fix_stage": stage, "fix_stage_label": workspace.stage_label(stage)}

    def blockers(self, workspace, options):
        return ARCHIVE_BLOCKERS

    def measure_blocked(self, summary, selected, workspace):
        fixable = selected.filter(none_of(FIX_AND_ARCHIVE_BLOCKERS))
        counts = fixable.aggregate(
            open_stage=Count("pk", filter=HAS_OPEN_STAGE.q),
            assigned=Count("pk", filter=IS_ASSIGNED.q),
            **services.Fingerprint.aggregates(),
        )
        if counts["open_stage"] or counts["assigned"]:
            found = services.Fingerprint.from_aggregates(counts)
            summary.fix = Fix(
                found.count, counts["open_stage"], counts["assigned"], found, found.count == summary.total
            )

    def job_blockers(self, workspace, options):
        # A Fix and archive job fixes the set the fix acts on (the archivable people and those blocked
        # only by an open stage or an assignee) and checks the fix's fingerprint against it; each
        # batch then runs services.fix_and_archive, which re-checks the rules in its UPDATEs.
        return FIX_AND_ARCHIVE_BLOCKERS if options.get("fix") else self.blockers(workspace, options)

    def doing_text(self, options):
        return _("Fixing and archiving") if options.get("fix") else self.doing

    def confirmed_set_fields(self, options):
        return ("fix_expected", "fix_fingerprint") if options.get("fix") else None

    def alternative_label(self, summary: Preview, options: dict) -> str:
        """The Fix and archive button: exactly what it does ("Set stage to Past, remove the assignee
        and archive all 262"), or "" when no one is blocked only by what it fixes."""
        fix = getattr(summary, "fix", None)
        if fix is None:
            return ""
        stage = options.get("fix_stage", Stage.PAST.value)
        label = options.get("fix_stage_label") or str(Stage.PAST.label)
        if fix.open_stage and fix.assigned:
            what = (
                _("Remove the stage and the assignee")
                if stage == Stage.NONE
                else _("Set stage to %(stage)s, remove the assignee") % {"stage": label}
            )
        elif fix.open_stage:
            what = _("Remove the stage") if stage == Stage.NONE else _("Set stage to %(stage)s") % {"stage": label}
        else:
            what = _("Remove the assignee")
        if fix.everyone:
            archive = ngettext("archive %(count)s person", "archive all %(count)s", fix.count)
        else:
            archive = ngettext("archive %(count)s person", "archive %(count)s people", fix.count)
        return _("%(fix)s and %(archive)s") % {"fix": what, "archive": archive % {"count": fix.count}}

    def execute(self, *, actor, workspace, selected, options, expected):
        if options.get("fix"):
            return services.fix_and_archive(
                actor=actor, workspace=workspace, selected=selected, stage=options["fix_stage"], expected=expected
            )
        return services.archive(actor=actor, workspace=workspace, selected=selected)

    def outcome_text(self, outcome, options):
        if not options.get("fix") or outcome.operation is None:
            return super().outcome_text(outcome, options)
        # Who needed a fix: those with a stage or assignee entry in this operation (not everyone archived).
        fixed = (
            outcome.operation.entries.filter(kind__in=(EntryKind.STAGE_CHANGED, EntryKind.UNASSIGNED))
            .values("contact")
            .distinct()
            .count()
        )
        if fixed == outcome.done:
            text = ngettext("%(count)s person fixed and archived", "%(count)s people fixed and archived", fixed)
            return text % {"count": fixed} + skipped_text(outcome)
        archived = ngettext("%(count)s person archived", "%(count)s people archived", outcome.done)
        first = ngettext("(%(count)s fixed first)", "(%(count)s fixed first)", fixed)
        return f"{archived % {'count': outcome.done}} {first % {'count': fixed}}" + skipped_text(outcome)
