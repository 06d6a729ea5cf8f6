"""Delete: archived people move to Recently Deleted (rules 2, 5, 6), optionally kept from sync (rule 7)."""

from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction, Preview
from contacts.bulk_actions.registry import register
from contacts.models import SYNC_KINDS, TimelineEntry
from contacts.rules import DELETE_BLOCKERS


class DeleteForm(forms.Form):
    suppress_sync = forms.BooleanField(label=gettext_lazy("Don't re-create from sync"), required=False)


@dataclass
class DeletePreview(Preview):
    # Of the eligible, how many have email or phone history: sync may re-create them after deletion.
    with_sync_activity: int = 0


@register
class Delete(BulkAction):
    name, label, past = "delete", gettext_lazy("Delete"), gettext_lazy("moved to Recently Deleted")
    doing = gettext_lazy("Deleting")
    menu_position = 30
    destructive = needs_delete_role = typed_count = exact_count = True
    audiences = (AudienceKind.ARCHIVED,)
    in_details_pane = True
    undo = "undelete"
    admin = AdminWords(
        gettext_lazy("Delete this person (move to Recently Deleted)"),
        gettext_lazy("Delete selected people (move to Recently Deleted)"),
        verb=gettext_lazy("moved to Recently Deleted"),
    )
    form_class = DeleteForm
    preview_class = DeletePreview
    details_template = "contacts/bulk_actions/delete.html"

    def blockers(self, workspace, options):
        return DELETE_BLOCKERS

    def measure(self, summary, eligible):
        history = TimelineEntry.objects.filter(contact=OuterRef("pk"), kind__in=SYNC_KINDS)
        summary.with_sync_activity = eligible.filter(Exists(history)).count()

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.delete(
            actor=actor,
            workspace=workspace,
            selected=selected,
            suppress_sync=options.get("suppress_sync", False),
            expected=expected,
        )
