"""The bulk actions by name: each declared once, in its own module, and registered here."""

from __future__ import annotations

from contacts.bulk_actions.base import AudienceKind, BulkAction

ACTIONS: dict[str, BulkAction] = {}


def register(action_class: type[BulkAction]) -> type[BulkAction]:
    """Class decorator: one instance of the action, under its name (a second declaration is refused)."""
    action = action_class()
    if action.name in ACTIONS:
        raise ValueError(f"The bulk action {action.name!r} is declared twice.")
    ACTIONS[action.name] = action
    return action_class


def actions_for(kind: AudienceKind) -> tuple[str, ...]:
    """The actions an audience of this kind offers, in menu order."""
    return tuple(action.name for action in in_menu_order() if kind in action.audiences)


def in_menu_order() -> list[BulkAction]:
    return sorted(ACTIONS.values(), key=lambda action: action.menu_position)
