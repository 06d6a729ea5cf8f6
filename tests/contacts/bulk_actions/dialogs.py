"""Opening, reading and confirming a bulk action's dialog over HTTP; the snapshot of what an action may change."""

import html
import re

from contacts.models import Contact, Operation, TimelineEntry
from sync.models import Suppression
from tests.helpers import HTMX, confirmation_from_dialog


def action_buttons(response) -> list[str]:
    """The labels in the dialog's button row (Cancel/Close and the confirm button)."""
    row = re.search(r'<div class="dialog-actions">(.*?)</div>', response.content.decode(), re.S)
    assert row, "the response has no dialog button row"
    labels = re.findall(r"<(?:button|a)\b[^>]*>(.*?)</(?:button|a)>", row.group(1), re.S)
    return [" ".join(html.unescape(label).split()) for label in labels]


def confirm_button(response) -> str | None:
    found = re.search(r'<button type="submit"[^>]*data-confirm[^>]*>(.*?)</button>', response.content.decode(), re.S)
    return " ".join(html.unescape(found.group(1)).split()) if found else None


def snapshot():
    """Everything a bulk action may change."""
    return (
        list(Contact.objects.order_by("pk").values_list("pk", "stage", "assignee_id", "archived_at", "deleted_at")),
        TimelineEntry.objects.count(),
        Suppression.objects.count(),
        Operation.objects.filter(count__gt=0).count(),
    )


def dialog(client, action, headers=HTMX, **params):
    return client.get(f"/bulk/{action}/", params, headers=headers)


def confirm(client, action, headers=HTMX, **params):
    return client.post(f"/bulk/{action}/", params, headers=headers)


def shown(client, action, **params) -> dict[str, str]:
    """Open the dialog: the count and fingerprint its form sends back with a Delete or Delete forever."""
    return confirmation_from_dialog(dialog(client, action, **params))


def confirm_as_shown(client, action, headers=HTMX, **params):
    """Open the dialog, then confirm it as its form does (with what it showed, and the user's extras)."""
    extras = {k: params.pop(k) for k in ("suppress_sync", "typed_count") if k in params}
    return confirm(client, action, headers=headers, **params, **shown(client, action, **params), **extras)
