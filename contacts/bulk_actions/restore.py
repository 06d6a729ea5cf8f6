"""Restore: archived people go back to My People."""

from django.utils.translation import gettext_lazy

from contacts import services
from contacts.bulk_actions.base import AdminWords, AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import RESTORE_FROM_ARCHIVE_BLOCKERS


@register
class Restore(BulkAction):
    name, label, past = "restore", gettext_lazy("Restore"), gettext_lazy("restored to My People")
    doing = gettext_lazy("Restoring")
    menu_position = 20
    description = gettext_lazy("They go back to My People with their history.")
    audiences = (AudienceKind.ARCHIVED,)
    in_details_pane = True
    undo = "archive"
    admin = AdminWords(
        gettext_lazy("Restore this person from the archive"),
        gettext_lazy("Restore selected people from the archive"),
        verb=gettext_lazy("restored"),
    )

    def blockers(self, workspace, options):
        return RESTORE_FROM_ARCHIVE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.restore_from_archive(actor=actor, workspace=workspace, selected=selected)
