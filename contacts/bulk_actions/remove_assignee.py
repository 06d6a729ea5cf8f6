"""Remove assignee: people keep everything but their assignee (Undo gives each their own back)."""

from contacts import services
from contacts.bulk_actions.base import AudienceKind, BulkAction, PutBack
from contacts.bulk_actions.registry import register
from contacts.rules import REMOVE_ASSIGNEE_BLOCKERS
from contacts.services import people


@register
class RemoveAssignee(BulkAction):
    name, label, past = "remove_assignee", "Remove assignee", "unassigned"
    menu_position = 70
    audiences = (AudienceKind.MY_PEOPLE,)
    undo = PutBack("assignee")

    def blockers(self, workspace, options):
        return REMOVE_ASSIGNEE_BLOCKERS

    def execute(self, *, actor, workspace, selected, options, expected):
        return services.remove_assignee(actor=actor, workspace=workspace, selected=selected)

    def question(self, n):
        return f"Remove the assignee of {people(n)}?"

    def confirm_label(self, n):
        return f"Remove assignee of {people(n)}"
