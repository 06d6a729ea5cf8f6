"""Restore: archived people go back to My People."""

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import RESTORE_FROM_ARCHIVE_BLOCKERS


@register
class Restore(BulkAction):
    name, label, past = "restore", "Restore", "restored to My People"
    menu_position = 20
    description = "They go back to My People with their history."
    audiences = (AudienceKind.ARCHIVED,)
    in_details_pane = True
    undo = "archive"
    admin = AdminWords(
        "Restore this person from the archive", "Restore selected people from the archive", verb="restored"
    )

    def blockers(self, workspace, options):
        return RESTORE_FROM_ARCHIVE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_archive(actor=actor, workspace=workspace, selected=selected)
