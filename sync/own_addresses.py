"""The team's own email addresses, which decide in or out and are nobody's counterpart."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from contacts.models import Workspace
from contacts.normalize import normalize_email


class OwnAddresses:
    """The team's own email addresses: mail from them is outgoing, and they are never anyone's counterpart.

    They are the members' own email addresses, always, and whatever Workspace.own_addresses lists
    (shared mailboxes such as sales@, or whole domains as "@acme.test").
    """

    def __init__(self, text: str, members: Iterable[str] = ()):
        self.emails: set[str] = {normalize_email(address) for address in members if address.strip()}
        self.domains: set[str] = set()
        for line in text.splitlines():
            entry = line.strip().lower()
            if not entry:
                continue
            if entry.startswith("@") or "@" not in entry:
                self.domains.add(entry.lstrip("@"))
            else:
                self.emails.add(entry)

    @classmethod
    def of(cls, workspace: Workspace) -> OwnAddresses:
        return cls(workspace.own_addresses, workspace.members.values_list("email", flat=True))

    def __contains__(self, email: str) -> bool:
        return email in self.emails or email.rpartition("@")[2] in self.domains

    def q(self, field_name: str) -> Q:
        """The same addresses as a filter on a column of normalized emails."""
        condition = Q(**{f"{field_name}__in": sorted(self.emails)})
        for domain in sorted(self.domains):
            condition |= Q(**{f"{field_name}__endswith": f"@{domain}"})
        return condition
