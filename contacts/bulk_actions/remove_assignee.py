"""Remove assignee: people keep everything but their assignee (Undo gives each their own back)."""

from django.utils.translation import gettext_lazy, ngettext

from contacts import services
from contacts.bulk_actions.base import AudienceKind, BulkAction, PutBack
from contacts.bulk_actions.registry import register
from contacts.rules import REMOVE_ASSIGNEE_BLOCKERS


@register
class RemoveAssignee(BulkAction):
    name, label, past = "remove_assignee", gettext_lazy("Remove assignee"), gettext_lazy("unassigned")
    doing = gettext_lazy("Removing the assignee of")
    menu_position = 70
    audiences = (AudienceKind.MY_PEOPLE,)
    undo = PutBack("assignee")

    def blockers(self, workspace, options):
        return REMOVE_ASSIGNEE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.remove_assignee(actor=actor, workspace=workspace, selected=selected)

    def question(self, n):
        return ngettext("Remove the assignee of %(count)s person?", "Remove the assignee of %(count)s people?", n) % {
            "count": n
        }

    def confirm_label(self, n):
        return ngettext("Remove assignee of %(count)s person", "Remove assignee of %(count)s people", n) % {"count": n}
