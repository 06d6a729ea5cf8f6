"""Archive: people leave My People and keep everything (rule 1 decides who may go)."""

from django.utils.translation import gettext_lazy

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import ARCHIVE_BLOCKERS


@register
class Archive(BulkAction):
    name, label, past = "archive", gettext_lazy("Archive"), gettext_lazy("archived")
    menu_position = 10
    description = gettext_lazy("Archived people leave My People but keep all their details and history.")
    audiences = (AudienceKind.MY_PEOPLE,)
    in_details_pane = True
    undo = "restore"
    admin = AdminWords(
        gettext_lazy("Archive this person"), gettext_lazy("Archive selected people"), verb=gettext_lazy("archived")
    )

    def blockers(self, workspace, options):
        return ARCHIVE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.archive(actor=actor, workspace=workspace, selected=selected)
