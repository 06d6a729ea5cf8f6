"""Delete forever: people in Recently Deleted are erased at once (erasure); it cannot be undone."""

from django.utils.translation import gettext_lazy

from contacts import services
from contacts.bulk_actions.base import AudienceKind, BulkAction
from contacts.bulk_actions.registry import register
from contacts.rules import PURGE_BLOCKERS


@register
class Purge(BulkAction):
    name, label, past = "purge", gettext_lazy("Delete forever"), gettext_lazy("deleted forever")
    doing = gettext_lazy("Deleting forever")
    menu_position = 50
    destructive = needs_delete_role = typed_count = exact_count = True
    description = gettext_lazy("They are erased at once with their timeline and interactions. This cannot be undone.")
    audiences = (AudienceKind.RECENTLY_DELETED,)

    def blockers(self, workspace, options):
        return PURGE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.purge(actor=actor, workspace=workspace, selected=selected, expected=expected)
