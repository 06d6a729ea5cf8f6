"""Undelete ("Restore" in Recently Deleted): people go back to Archived People."""

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import RESTORE_FROM_DELETED_BLOCKERS


@register
class Undelete(BulkAction):
    name, label, past = "undelete", "Restore", "restored to Archived People"
    menu_position = 40
    description = "They go back to Archived People with their history."
    audiences = (AudienceKind.RECENTLY_DELETED,)
    undo = "delete"
    admin = AdminWords(
        "Restore this person from Recently Deleted", "Restore selected people from Recently Deleted", verb="restored"
    )

    def blockers(self, workspace, options):
        return RESTORE_FROM_DELETED_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_deleted(actor=actor, workspace=workspace, selected=selected)
