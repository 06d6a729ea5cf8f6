"""Undelete ("Restore" in Recently Deleted): people go back to Archived People."""

from django.utils.translation import gettext_lazy

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import RESTORE_FROM_DELETED_BLOCKERS


@register
class Undelete(BulkAction):
    name, label, past = "undelete", gettext_lazy("Restore"), gettext_lazy("restored to Archived People")
    doing = gettext_lazy("Restoring")
    menu_position = 40
    description = gettext_lazy("They go back to Archived People with their history.")
    audiences = (AudienceKind.RECENTLY_DELETED,)
    in_details_pane = True
    undo = "delete"
    admin = AdminWords(
        gettext_lazy("Restore this person from Recently Deleted"),
        gettext_lazy("Restore selected people from Recently Deleted"),
        verb=gettext_lazy("restored"),
    )

    def blockers(self, workspace, options):
        return RESTORE_FROM_DELETED_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_deleted(actor=actor, workspace=workspace, selected=selected)
