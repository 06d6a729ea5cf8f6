"""The bulk actions: one module per action declares all of it (see base.py); registry.py keys them by name.

Importing the package imports every module in it, so each action module registers itself:
adding an action is adding its module (and its templates and tests), nothing else.
"""

import importlib
import pkgutil

from contacts.bulk_actions.base import AudienceKind, BulkAction, Preview, preview, skipped_text
from contacts.bulk_actions.dialog import Dialog
from contacts.bulk_actions.registry import ACTIONS, actions_for, register

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "ACTIONS",
    "AudienceKind",
    "BulkAction",
    "Dialog",
    "Preview",
    "actions_for",
    "preview",
    "register",
    "skipped_text",
]
