"""The "Don't re-create from sync" page's rows: each address as people write it, and whose it was.

A suppression keeps only the normalized address (rule 7: not the person's data), so whose it
was is known only while someone with that address still exists here: in Recently Deleted until
they are purged, or restored since. After the purge the page says it is no longer known.
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts.models import Workspace
from contacts.normalize import display_phone
from sync.discovered import Owner, owners_of
from sync.models import Suppression, SuppressionKind
from sync.sightings import Address


@dataclass(frozen=True)
class SuppressionRow:
    suppression: Suppression
    address: str  # formatted for the workspace's region
    owners: list[Owner]


def suppression_rows(workspace: Workspace) -> list[SuppressionRow]:
    suppressions = list(Suppression.objects.filter(workspace=workspace).select_related("created_by"))
    owners = owners_of(workspace, {Address(s.kind, s.value) for s in suppressions})
    return [
        SuppressionRow(
            s,
            display_phone(s.value, workspace.default_region) if s.kind == SuppressionKind.PHONE else s.value,
            owners.get(Address(s.kind, s.value), []),
        )
        for s in suppressions
    ]
