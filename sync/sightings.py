"""What readers produce: one Sighting per counterpart of each message or call, or a Skip."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sync.models import DiscoveredPerson, SuppressionKind
from sync.report import Skip

EMAIL = SuppressionKind.EMAIL.value
PHONE = SuppressionKind.PHONE.value
SUMMARY_LENGTH = 500
NAME_LENGTH = 200
# Dates outside these years are typos or forgeries (and near year 1 or 9999 they overflow).
YEARS = range(1900, 2201)


class Unusable(Exception):
    """One message or call cannot be used; the reader turns it into a Skip."""


@dataclass(frozen=True)
class Address:
    kind: str  # EMAIL or PHONE
    value: str  # normalized: email lower-case, phone E.164

    def __str__(self) -> str:
        return self.value

    def contact_fields(self) -> dict[str, str]:
        """The email and phone of a new person known only by this address."""
        return {"email": self.value if self.kind == EMAIL else "", "phone": self.value if self.kind == PHONE else ""}


@dataclass(frozen=True)
class Sighting:
    """One counterpart of one message or call."""

    address: Address
    name: str
    direct: bool
    kind: str
    at: datetime
    direction: str
    summary: str
    source_key: str
    position: str


# What a reader yields per message or call.
Item = list[Sighting] | Skip


def by_kind(addresses: Iterable[Address]) -> tuple[list[str], list[str]]:
    """The emails and the phone numbers among the addresses, for filters on the two columns."""
    addresses = list(addresses)
    return [a.value for a in addresses if a.kind == EMAIL], [a.value for a in addresses if a.kind == PHONE]


def name_from_address(address: Address) -> str:
    """The name of a new person known only by an address: the email, or the number written out."""
    if address.kind == EMAIL:
        return address.value[:NAME_LENGTH]
    return DiscoveredPerson(kind=PHONE, value=address.value).display_address
