"""Discovered People: who sync met but nobody added, and what the user does with them.

The page lists them (discovered_people) with an offer each (discovered_offers); the user adds
one (add_discovered), brings back the archived or deleted person who has the address
(restore_discovered), or dismisses it for good (dismiss_discovered). Each of the three locks
the discovered row first, so two clicks at once act once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audiences.registry import ARCHIVED, MY_PEOPLE, RECENTLY_DELETED
from contacts import services
from contacts.exceptions import BadSelection, ContactError
from contacts.models import Contact, EntryKind, TimelineEntry, Workspace
from contacts.selection import ticked_ids, unticked_ids
from sync.models import DiscoveredInteraction, DiscoveredPerson, Suppression
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
    owners = owners_of(workspace, {Address(row.kind, row.value) for row in rows})
    return [_offer(owners.get(Address(row.kind, row.value), [])) for row in rows]


def owners_of(workspace: Workspace, addresses: set[Address]) -> dict[Address, list[Owner]]:
    """Who has each of these addresses now (in any audience, Recently Deleted too), in one query."""
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
        if _suppressed(workspace, [row]):
            raise ContactError(str(SUPPRESSED) + " " + _("Nothing was changed."))
        return _add_row(actor, workspace, row, offer)


def _add_row(actor, workspace: Workspace, row: DiscoveredPerson, offer: Offer) -> Added:
    """Add one locked row whose offer is ADD (checked by the caller): a new person, or the owner gets the history."""
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


SUPPRESSED = gettext_lazy(
    "This address is on the “Don't re-create from sync” list: lift it there first to add this person."
)


def _suppressed(workspace: Workspace, rows: list[DiscoveredPerson]) -> set[int]:
    """The ids of the rows whose address is suppressed ("Don't re-create from sync"): they are not added."""
    if not rows:
        return set()
    values = {(row.kind, row.value): row.pk for row in rows}
    found = Suppression.objects.filter(workspace=workspace, value__in={v for _k, v in values}).values_list(
        "kind", "value"
    )
    return {values[address] for address in found if address in values}


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
        shown = row.display_name
        _dismiss_rows(actor, [row.pk])
    return shown


def _dismiss_rows(actor, ids: list[int]) -> None:
    """Dismiss these (locked) rows: their interactions are erased, only the address and the dismissal stay."""
    DiscoveredInteraction.objects.filter(discovered_id__in=ids).delete()
    DiscoveredPerson.objects.filter(pk__in=ids).update(
        dismissed_at=timezone.now(), dismissed_by=actor, name="", interaction_count=0, last_summary=""
    )


# --- Many at once: Add and Dismiss over ticked rows (or all of them), exactly those the dialog showed ----------


class BulkKind(StrEnum):
    ADD = "add"
    DISMISS = "dismiss"


NAMES_SHOWN = 10
GONE_REASON = gettext_lazy("already added or dismissed")
RESTORE_REASON = gettext_lazy("in Archived People or Recently Deleted: restore them instead")
SEVERAL_REASON = gettext_lazy("several people have the address")
SUPPRESSED_REASON = gettext_lazy("on the “Don't re-create from sync” list")


@dataclass(frozen=True)
class DiscoveredSelection:
    """Ticked rows (ids), or everyone on the list less those unticked since (ids None, excluded)."""

    ids: tuple[int, ...] | None
    excluded: tuple[int, ...] = ()

    @classmethod
    def from_params(cls, params) -> DiscoveredSelection:
        mode = params.get("selection", "ids")
        if mode not in ("all", "ids"):
            raise BadSelection(_("Unknown kind of selection."))
        if mode == "all":
            return cls(None, unticked_ids(params))
        return cls(ticked_ids(params))

    def rows(self, workspace: Workspace) -> QuerySet:
        """The selected rows still on the list. Another workspace's ids are not on it: they count as
        gone (added or dismissed), exactly like ids that no longer exist, so neither is told apart."""
        if self.ids is None:
            return discovered_people(workspace).exclude(pk__in=self.excluded)
        return discovered_people(workspace).filter(pk__in=self.ids)

    @property
    def count(self) -> int | None:
        return None if self.ids is None else len(self.ids)


@dataclass
class SkippedGroup:
    reason: str
    names: list[str] = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass
class BulkPreview:
    """What the dialog shows, and the confirm acts on: the eligible rows (exactly), and who is skipped and why."""

    kind: BulkKind
    eligible: list[DiscoveredPerson]
    groups: list[SkippedGroup]

    @property
    def total(self) -> int:
        return len(self.eligible) + self.skipped

    @property
    def skipped(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def ids(self) -> str:
        return ",".join(str(row.pk) for row in self.eligible)

    @property
    def fingerprint(self) -> str:
        return fingerprint_of([row.pk for row in self.eligible])

    @property
    def names(self) -> list[str]:
        return [row.display_name for row in self.eligible[:NAMES_SHOWN]]

    @property
    def more(self) -> int:
        return max(0, len(self.eligible) - NAMES_SHOWN)


def fingerprint_of(ids) -> str:
    """The exact set of rows a dialog showed: their count and a digest of their ids (sent back with the confirm)."""
    ordered = sorted(set(ids))
    digest = hashlib.sha256(",".join(map(str, ordered)).encode()).hexdigest()[:20]
    return f"{len(ordered)}-{digest}"


def _sort(kind: BulkKind, workspace: Workspace, rows: list[DiscoveredPerson], wanted: int | None):
    """The eligible rows and the skipped groups (rows already added or dismissed first, by count)."""
    groups: dict[str, SkippedGroup] = {}

    def skip(reason, row=None, n=1):
        group = groups.setdefault(str(reason), SkippedGroup(str(reason)))
        group.count += n
        if row is not None and len(group.names) < NAMES_SHOWN:
            group.names.append(row.display_name)

    if wanted is not None and wanted > len(rows):
        skip(GONE_REASON, n=wanted - len(rows))
    if kind is BulkKind.DISMISS:
        return rows, list(groups.values()), {}
    eligible, offers = [], {}
    suppressed = _suppressed(workspace, rows)
    for row, offer in zip(rows, discovered_offers(workspace, rows)):
        if offer.kind is OfferKind.RESTORE:
            skip(RESTORE_REASON, row)
        elif offer.kind is OfferKind.NONE:
            skip(SEVERAL_REASON, row)
        elif row.pk in suppressed:
            skip(SUPPRESSED_REASON, row)
        else:
            eligible.append(row)
            offers[row.pk] = offer
    return eligible, list(groups.values()), offers


def bulk_preview(*, actor, workspace: Workspace, kind: BulkKind, selection: DiscoveredSelection) -> BulkPreview:
    services.membership_for(actor, workspace)
    rows = list(selection.rows(workspace).order_by(F("last_seen_at").desc(nulls_last=True), "pk"))
    eligible, groups, _offers = _sort(kind, workspace, rows, selection.count)
    if len(eligible) > settings.MAX_SELECTED_IDS:
        raise BadSelection(
            _("Too many people at once (at most %(limit)s); narrow the selection.")
            % {"limit": settings.MAX_SELECTED_IDS}
        )
    return BulkPreview(kind, eligible, groups)


@dataclass(frozen=True)
class BulkOutcome:
    kind: BulkKind
    done: int
    skipped: list[tuple[str, int]]  # (reason, how many)

    @property
    def text(self) -> str:
        if self.kind is BulkKind.ADD:
            text = ngettext("%(count)s person added to My People", "%(count)s people added to My People", self.done) % {
                "count": self.done
            }
        else:
            text = ngettext(
                "%(count)s person dismissed; sync will not list them again",
                "%(count)s people dismissed; sync will not list them again",
                self.done,
            ) % {"count": self.done}
        for reason, n in self.skipped:
            text += " · " + ngettext("%(count)s skipped: %(reason)s", "%(count)s skipped: %(reason)s", n) % {
                "count": n,
                "reason": reason,
            }
        return text


def bulk_discovered(*, actor, workspace: Workspace, kind: BulkKind, ids: tuple[int, ...], fingerprint: str):
    """Add or dismiss exactly the rows the dialog showed (ids, with their fingerprint), in one transaction.

    Rows added or dismissed meanwhile, and rows whose offer changed (someone got the address, it
    was suppressed), are skipped and counted by reason; rows not in the dialog are never touched.
    """
    services.membership_for(actor, workspace)
    if not ids or fingerprint != fingerprint_of(ids):
        raise BadSelection(_("The confirmation does not say which people it is for; open the dialog again."))
    selection = DiscoveredSelection(ids)
    with transaction.atomic():
        rows = list(selection.rows(workspace).select_for_update().order_by("pk"))
        eligible, groups, offers = _sort(kind, workspace, rows, len(ids))
        if kind is BulkKind.DISMISS:
            _dismiss_rows(actor, [row.pk for row in eligible])
        else:
            for row in eligible:
                _add_row(actor, workspace, row, offers[row.pk])
    return BulkOutcome(kind, len(eligible), [(g.reason, g.count) for g in groups])
