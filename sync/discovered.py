"""Discovered People: who sync met but nobody added, and what the user does with them.

The page lists them (discovered_people) with an offer each (discovered_offers); the user adds
one (add_discovered), brings back the archived or deleted person who has the address
(restore_discovered), or dismisses it for good (dismiss_discovered). Each of the three locks
the discovered row first, so two clicks at once act once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audiences.registry import ARCHIVED, MY_PEOPLE, RECENTLY_DELETED
from contacts import services
from contacts.exceptions import ContactError
from contacts.models import Contact, EntryKind, TimelineEntry, Workspace
from sync.models import DiscoveredInteraction, DiscoveredPerson
from sync.own_addresses import OwnAddresses
from sync.sightings import EMAIL, PHONE, Address, by_kind, name_from_address
from sync.writer import timeline_entry


def discovered_people(workspace: Workspace) -> QuerySet:
    """Discovered People as the page lists them: not dismissed, most recently seen first.

    Addresses that turned out to be the team's own (a member joined, or own_addresses grew
    after a sync listed them) are left out: they are nobody to add.
    """
    own = OwnAddresses.of(workspace).q("value")
    return (
        DiscoveredPerson.objects.filter(workspace=workspace, dismissed_at__isnull=True)
        .exclude(Q(kind=EMAIL) & own)
        .order_by(F("last_seen_at").desc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class Owner:
    """A person who already has a discovered address, and which audience they are in."""

    pk: int
    name: str
    archived: bool
    deleted: bool

    @property
    def place(self) -> str:
        return str((RECENTLY_DELETED if self.deleted else ARCHIVED if self.archived else MY_PEOPLE).name)


class OfferKind(StrEnum):
    ADD = "add"  # a new person, or the one person in My People who has the address gets the history
    RESTORE = "restore"  # the one person who has it is archived or deleted: bring them back instead
    NONE = "none"  # several people have it: which one is meant is not guessed


@dataclass(frozen=True)
class Offer:
    """What Discovered People offers for one address, from who already has it (the page and the services agree)."""

    kind: OfferKind
    person: Owner | None = None
    note: str = ""


def _offer(owners: list[Owner]) -> Offer:
    # As in sync's own matching, a person in Recently Deleted counts only when nobody else has the address.
    kept = [o for o in owners if not o.deleted]
    candidates = kept or owners
    if len(candidates) > 1:
        if kept:
            # Only ever said of two or more; ngettext all the same, for languages with several plurals.
            note = ngettext(
                "%(count)s person already has this address", "%(count)s people already have this address", len(kept)
            )
            return Offer(OfferKind.NONE, note=note % {"count": len(kept)})
        note = ngettext(
            "%(count)s person with this address is in Recently Deleted: restore the right one there first",
            "%(count)s people with this address are in Recently Deleted: restore the right one there first",
            len(owners),
        )
        return Offer(OfferKind.NONE, note=note % {"count": len(owners)})
    if not candidates:
        return Offer(OfferKind.ADD)
    person = candidates[0]
    if person.archived:
        return Offer(
            OfferKind.RESTORE, person, _("%(name)s is in %(place)s") % {"name": person.name, "place": person.place}
        )
    return Offer(
        OfferKind.ADD,
        person,
        _("%(name)s in %(place)s has this address") % {"name": person.name, "place": person.place},
    )


def discovered_offers(workspace: Workspace, rows: list[DiscoveredPerson]) -> list[Offer]:
    """The offer for each row (Add, Restore <name>, or neither), in one query."""
    owners = _owners(workspace, {Address(row.kind, row.value) for row in rows})
    return [_offer(owners.get(Address(row.kind, row.value), [])) for row in rows]


def _owners(workspace: Workspace, addresses: set[Address]) -> dict[Address, list[Owner]]:
    if not addresses:
        return {}
    emails, phones = by_kind(addresses)
    people = Contact.objects.filter(workspace=workspace).filter(Q(email__in=emails) | Q(phone_e164__in=phones))
    found: dict[Address, list[Owner]] = defaultdict(list)
    for pk, name, email, phone, archived_at, deleted_at in people.order_by("pk").values_list(
        "pk", "name", "email", "phone_e164", "archived_at", "deleted_at"
    ):
        owner = Owner(pk, name, archived_at is not None, deleted_at is not None)
        for address in (Address(EMAIL, email), Address(PHONE, phone)):
            if address in addresses:
                found[address].append(owner)
    return found


def _offer_for(workspace: Workspace, row: DiscoveredPerson) -> Offer:
    return discovered_offers(workspace, [row])[0]


@dataclass(frozen=True)
class Added:
    person: Contact
    created: bool
    interactions: int


GONE = gettext_lazy("This person was already added or dismissed; nothing was changed.")
CHANGED = gettext_lazy(
    "Who has this address changed since the page was shown. Nothing was changed; see the list again."
)


@contextmanager
def _locked_discovered(actor, workspace: Workspace, discovered_id: int) -> Iterator[DiscoveredPerson]:
    """For a member of the workspace: the discovered address, locked in a transaction that ends with the block;
    gone if added or dismissed meanwhile (so two clicks at once act once)."""
    services.membership_for(actor, workspace)
    with transaction.atomic():
        yield _discovered_row(workspace, discovered_id)


def _discovered_row(workspace: Workspace, discovered_id: int) -> DiscoveredPerson:
    row = (
        DiscoveredPerson.objects.select_for_update()
        .filter(workspace=workspace, pk=discovered_id, dismissed_at__isnull=True)
        .first()
    )
    if row is None:
        raise ContactError(str(GONE))
    return row


def add_discovered(*, actor, workspace: Workspace, discovered_id: int) -> Added:
    """A discovered address becomes a person (or joins the one person in My People who has it meanwhile),
    with the kept interactions on their timeline. Someone archived or deleted is restored instead
    (restore_discovered): adding would leave them, with their history, in the bin beside a blank copy."""
    with _locked_discovered(actor, workspace, discovered_id) as row:
        offer = _offer_for(workspace, row)
        if offer.kind is OfferKind.RESTORE:
            name = offer.person.name
            raise ContactError(
                _("%(note)s: restore %(name)s instead of adding someone new. Nothing was changed.")
                % {"note": offer.note, "name": name}
            )
        if offer.kind is OfferKind.NONE:
            raise ContactError(_("%(note)s. Nothing was changed.") % {"note": offer.note})
        interactions = list(row.interactions.all())
        if offer.person is not None:
            person, created = Contact.objects.get(pk=offer.person.pk), False
        else:
            address = Address(row.kind, row.value)
            person, created = (
                Contact(
                    workspace=workspace,
                    name=row.name or name_from_address(address),
                    **address.contact_fields(),
                    last_touch_at=max((i.at for i in interactions), default=None),
                ),
                True,
            )
            person.save()
            TimelineEntry.objects.create(
                contact=person, kind=EntryKind.CREATED_BY_SYNC, actor=actor, summary=_("Added from Discovered People")
            )
        _move_to_timeline(interactions, person.pk)
        row.delete()
    return Added(person, created, len(interactions))


@dataclass(frozen=True)
class Restored:
    person: Contact
    came_from: str  # the audience they were in
    interactions: int


def restore_discovered(*, actor, workspace: Workspace, discovered_id: int, person_id: int | None) -> Restored:
    """The person in Archived People or Recently Deleted who has a discovered address comes back to My People,
    and the interactions kept for the address join their timeline.

    My People, not Archived People: the address turned up because they are in touch again, and
    that is where people one is in touch with are. The way back is the bulk Restore's own
    services (from Recently Deleted, then from Archived People), so the same rules, timeline
    entries and Operations apply. person_id is the person the page offered; if the offer is
    different now, nothing is changed.
    """
    with _locked_discovered(actor, workspace, discovered_id) as row:
        offer = _offer_for(workspace, row)
        if offer.kind is not OfferKind.RESTORE or offer.person.pk != person_id:
            raise ContactError(str(CHANGED))
        came_from = offer.person.place
        selected = Contact.objects.filter(pk=person_id)
        steps = [services.restore_from_archive]
        if offer.person.deleted:
            steps.insert(0, services.restore_from_deleted)
        for step in steps:
            if step(actor=actor, workspace=workspace, selected=selected).done != 1:
                raise ContactError(str(CHANGED))  # changed by someone else meanwhile: rolls back the whole restore
        interactions = list(row.interactions.all())
        _move_to_timeline(interactions, person_id)
        row.delete()
    return Restored(Contact.objects.get(pk=person_id), came_from, len(interactions))


def _move_to_timeline(interactions: list[DiscoveredInteraction], person_id: int) -> None:
    """The kept interactions join the person's timeline (once each); last touch moves forward only."""
    TimelineEntry.objects.bulk_create(
        [timeline_entry(person_id, i) for i in interactions],
        ignore_conflicts=True,
    )
    latest = max((i.at for i in interactions), default=None)
    if latest is not None:
        Contact.objects.filter(pk=person_id).filter(Q(last_touch_at__isnull=True) | Q(last_touch_at__lt=latest)).update(
            last_touch_at=latest
        )


def dismiss_discovered(*, actor, workspace: Workspace, discovered_id: int) -> str:
    """Leave an address out of Discovered People for good: later syncs ignore it (and count it).

    Only the address and the dismissal are kept; the interactions kept for it are erased.
    Its owner can still become a person: added by hand, or re-created by sync if they were one.
    Returns the name the page showed, for the status message.
    """
    with _locked_discovered(actor, workspace, discovered_id) as row:
        row.interactions.all().delete()
        shown = row.display_name
        row.dismissed_at, row.dismissed_by = timezone.now(), actor
        row.name, row.interaction_count, row.last_summary = "", 0, ""
        row.save(update_fields=["dismissed_at", "dismissed_by", "name", "interaction_count", "last_summary"])
    return shown
