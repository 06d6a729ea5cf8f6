"""The writer: sightings a batch at a time, each address decided and written in a fixed number of queries.

Reading and writing are kept apart. A reader turns the source (an mbox file, a folder of
.eml files, a call-log CSV) into `Sighting`s, one per counterpart of each message or call,
and records what it had to skip, with the reason and where. The writer takes the sightings
a batch at a time and decides, for each address, in a fixed number of queries per batch:

1. one person (not deleted; archived ones too) has it: the interaction joins their
   timeline. Several people have it: "ambiguous", reported and skipped, never guessed;
2. it is suppressed ("Don't re-create from sync"): the interaction is dropped and counted;
3. it belonged to a deleted person (in Recently Deleted, or purged: a `DeletedAddress`
   trace) and the contact was direct: a new person with a "Re-created by sync" entry,
   whatever the workspace's "Create people automatically" setting (rule 7);
4. it was dismissed from Discovered People: ignored and counted;
5. the workspace creates people automatically and the contact was direct: a new person
   with a "Created by sync" entry;
6. otherwise it is listed in Discovered People, where the user adds or dismisses it.

"Direct" is the sender of an incoming message, a To recipient of an outgoing one, or the
other end of a call. People who were only copied are never created, only discovered.
One message brings at most SYNC_MAX_COUNTERPARTS_PER_MESSAGE counterparts (50), the direct
ones first; the rest are counted as skipped, so a mailing to thousands lists no thousands.
Every interaction carries a source key (the Message-ID, or number and time of a call),
unique per person, so syncing the same file again adds nothing.
"""

from __future__ import annotations

import copy
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import INTERACTION_KINDS, Contact, EntryKind, TimelineEntry, Workspace
from sync.models import DeletedAddress, DiscoveredInteraction, DiscoveredPerson, Suppression
from sync.report import Skip, SyncReport
from sync.sightings import EMAIL, PHONE, Address, Sighting, by_kind, name_from_address

# Messages (or calls) written per batch; the query count grows with batches, not messages.
BATCH_SIZE = 500
# A batch also closes at this many sightings, so messages with long To lists keep it bounded.
SIGHTINGS_PER_BATCH_ITEM = 4


class Fate(Enum):
    PERSON = "person"
    AMBIGUOUS = "ambiguous"
    SUPPRESSED = "suppressed"
    RECREATE = "recreate"
    DISMISSED = "dismissed"
    CREATE = "create"
    DISCOVER = "discover"


NEW_PERSON_FATES = (Fate.CREATE, Fate.RECREATE)


@dataclass
class _Decision:
    fate: Fate
    contact_id: int | None = None
    matches: int = 0


class Writer:
    """Writes sightings a batch at a time; every lookup and write is one statement per batch."""

    def __init__(self, workspace: Workspace, actor, report: SyncReport, batch_size: int):
        self.workspace, self.actor, self.report = workspace, actor, report
        self.batch_size = batch_size
        self.pending: list[Sighting] = []
        self.pending_items = 0
        self.counterpart_limit = report.counterpart_limit = settings.SYNC_MAX_COUNTERPARTS_PER_MESSAGE

    def add(self, sightings: list[Sighting]) -> None:
        self.pending += self._capped(sightings)
        self.pending_items += 1
        if self.pending_items >= self.batch_size or len(self.pending) >= self.batch_size * SIGHTINGS_PER_BATCH_ITEM:
            self.flush()

    def _capped(self, sightings: list[Sighting]) -> list[Sighting]:
        """One message brings at most the limit of counterparts, the direct ones first; the rest are counted.

        A mailing with 20,000 addresses in To would otherwise list 20,000 Discovered People.
        """
        if len(sightings) <= self.counterpart_limit:
            return sightings
        self.report.crowded.append(Skip(sightings[0].position, f"{len(sightings)} counterparts"))
        self.report.counterparts_skipped += len(sightings) - self.counterpart_limit
        return sorted(sightings, key=lambda s: not s.direct)[: self.counterpart_limit]

    def flush(self) -> None:
        if self.pending:
            # A message's sightings are added together, and its position names it.
            self._write([list(one) for _, one in itertools.groupby(self.pending, key=lambda s: s.position)])
        self.pending, self.pending_items = [], 0

    def _write(self, messages: list[list[Sighting]]) -> None:
        """The messages in one transaction. If the database refuses a value, the batch is rolled
        back (counts included) and written again in halves, down to the one message that cannot be
        stored, which is skipped with the reason: one bad message never stops the sync.

        Only errors about the data are caught; a lost connection or a lock timeout still ends the
        sync, as nothing after it could be written either.
        """
        counted = {name: copy.copy(value) for name, value in vars(self.report).items()}
        try:
            with transaction.atomic():
                _Batch(self, [s for message in messages for s in message]).write()
        except (DataError, IntegrityError, UnicodeEncodeError) as error:
            vars(self.report).update(counted)
            if len(messages) == 1:
                self.report.skipped.append(Skip(messages[0][0].position, f"cannot be stored: {_first_line(error)}"))
                return
            half = len(messages) // 2
            self._write(messages[:half])
            self._write(messages[half:])


class _Batch:
    def __init__(self, writer: Writer, sightings: list[Sighting]):
        self.workspace, self.actor, self.report = writer.workspace, writer.actor, writer.report
        self.sightings = sightings
        self.now = timezone.now()

    def write(self) -> None:
        addresses = {s.address for s in self.sightings}
        live = self._live_people(addresses)
        discovered = self._discovered_rows(addresses)
        unknown = addresses - live.keys()
        suppressed = self._suppressed(unknown)
        direct = {s.address for s in self.sightings if s.direct}
        deleted = self._deleted_before((unknown - suppressed) & direct)
        decisions = {
            address: self._decide(address, live, suppressed, deleted, discovered, direct) for address in addresses
        }
        promoted = self._promoted(decisions, discovered)
        new_people = self._create_people(decisions, promoted, discovered)
        self._record_on_timelines(decisions, new_people, promoted)
        self._record_discovered(decisions, discovered)

    # Lookups: one query each.

    def _live_people(self, addresses: set[Address]) -> dict[Address, list[int]]:
        people = Contact.objects.filter(workspace=self.workspace, deleted_at__isnull=True).order_by()
        found: dict[Address, list[int]] = defaultdict(list)
        emails, phones = by_kind(addresses)
        if emails:
            for pk, email in people.filter(email__in=emails).values_list("pk", "email"):
                found[Address(EMAIL, email)].append(pk)
        if phones:
            for pk, phone in people.filter(phone_e164__in=phones).values_list("pk", "phone_e164"):
                found[Address(PHONE, phone)].append(pk)
        return found

    def _discovered_rows(self, addresses: set[Address]) -> dict[Address, DiscoveredPerson]:
        if not addresses:
            return {}
        rows = DiscoveredPerson.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(row.kind, row.value): row for row in rows}

    def _suppressed(self, addresses: set[Address]) -> set[Address]:
        if not addresses:
            return set()
        rows = Suppression.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(kind, value) for kind, value in rows.values_list("kind", "value")}

    def _deleted_before(self, addresses: set[Address]) -> set[Address]:
        """Addresses of people in Recently Deleted or purged (by their DeletedAddress trace)."""
        if not addresses:
            return set()
        emails, phones = by_kind(addresses)
        found = set()
        rows = Contact.objects.filter(workspace=self.workspace, deleted_at__isnull=False).filter(
            Q(email__in=emails) | Q(phone_e164__in=phones)
        )
        for email, phone in rows.values_list("email", "phone_e164"):
            found.add(Address(EMAIL, email))
            found.add(Address(PHONE, phone))
        by_digest = {(a.kind, DeletedAddress.digest_of(self.workspace.pk, a.kind, a.value)): a for a in addresses}
        traces = DeletedAddress.objects.filter(
            workspace=self.workspace, digest__in=[digest for _, digest in by_digest]
        ).values_list("kind", "digest")
        found.update(by_digest[trace] for trace in traces if trace in by_digest)
        return found & addresses

    def _decide(self, address, live, suppressed, deleted, discovered, direct) -> _Decision:
        people = live.get(address, [])
        if len(people) == 1:
            return _Decision(Fate.PERSON, contact_id=people[0])
        if people:
            return _Decision(Fate.AMBIGUOUS, matches=len(people))
        if address in suppressed:
            return _Decision(Fate.SUPPRESSED)
        if address in direct and address in deleted:
            return _Decision(Fate.RECREATE)
        row = discovered.get(address)
        if row is not None and row.dismissed_at is not None:
            return _Decision(Fate.DISMISSED)
        if address in direct and self.workspace.auto_create_people:
            return _Decision(Fate.CREATE)
        return _Decision(Fate.DISCOVER)

    # People and their timelines.

    def _promoted(self, decisions, discovered) -> dict[Address, list[DiscoveredInteraction]]:
        """Discovered addresses that now belong to a person: their kept interactions move to the timeline."""
        rows = {
            row.pk: address
            for address, row in discovered.items()
            if decisions[address].fate in (Fate.PERSON, *NEW_PERSON_FATES)
        }
        if not rows:
            return {}
        moved: dict[Address, list[DiscoveredInteraction]] = {address: [] for address in rows.values()}
        for interaction in DiscoveredInteraction.objects.filter(discovered_id__in=rows):
            moved[rows[interaction.discovered_id]].append(interaction)
        DiscoveredPerson.objects.filter(pk__in=rows).delete()
        return moved

    def _create_people(self, decisions, promoted, discovered) -> dict[Address, Contact]:
        wanted = [address for address, decision in decisions.items() if decision.fate in NEW_PERSON_FATES]
        if not wanted:
            return {}
        names: dict[Address, str] = {}
        latest: dict[Address, datetime] = {}
        for s in self.sightings:
            if s.address in decisions and decisions[s.address].fate in NEW_PERSON_FATES:
                names[s.address] = names.get(s.address) or s.name
                latest[s.address] = max(latest.get(s.address, s.at), s.at)
        for address, interactions in promoted.items():
            for interaction in interactions:
                latest[address] = max(latest.get(address, interaction.at), interaction.at)
        people = {}
        for address in wanted:
            person = Contact(
                workspace=self.workspace,
                name=names.get(address) or getattr(discovered.get(address), "name", "") or name_from_address(address),
                **address.contact_fields(),
                last_touch_at=latest.get(address),
                created_at=self.now,
                updated_at=self.now,
            )
            person.normalize()  # bulk_create skips save(), which normally does this
            people[address] = person
        Contact.objects.bulk_create(people.values())
        if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - SQLite >= 3.35, PostgreSQL
            raise RuntimeError("sync needs a database that returns ids from bulk inserts")
        for address in wanted:
            if decisions[address].fate is Fate.RECREATE:
                self.report.recreated += 1
            else:
                self.report.created += 1
        return people

    def _record_on_timelines(self, decisions, new_people, promoted) -> None:
        entries: dict[tuple[int, str], TimelineEntry] = {}
        lifecycle = []
        for address, person in new_people.items():
            recreated = decisions[address].fate is Fate.RECREATE
            lifecycle.append(
                TimelineEntry(
                    contact=person,
                    kind=EntryKind.RECREATED_BY_SYNC if recreated else EntryKind.CREATED_BY_SYNC,
                    at=self.now,
                    actor=self.actor,
                    summary=_lifecycle_summary(address, recreated),
                )
            )
        for s in self.sightings:
            decision = decisions[s.address]
            if decision.fate is Fate.PERSON:
                contact_id = decision.contact_id
            elif decision.fate in NEW_PERSON_FATES:
                contact_id = new_people[s.address].pk
            else:
                self._count_unrecorded(s, decision)
                continue
            if (contact_id, s.source_key) in entries:
                continue  # the same message twice in one batch, or an address in both To and Cc
            entries[(contact_id, s.source_key)] = timeline_entry(contact_id, s)
        for address, interactions in promoted.items():
            decision = decisions[address]
            contact_id = decision.contact_id if decision.fate is Fate.PERSON else new_people[address].pk
            for i in interactions:
                entries.setdefault((contact_id, i.source_key), timeline_entry(contact_id, i))
        self._drop_already_synced(entries, existing_people={d.contact_id for d in decisions.values() if d.contact_id})
        TimelineEntry.objects.bulk_create([*lifecycle, *entries.values()], ignore_conflicts=True)
        self.report.added += len(entries)
        self._touch({contact_id for contact_id, _ in entries} - {p.pk for p in new_people.values()})

    def _count_unrecorded(self, s: Sighting, decision: _Decision) -> None:
        if decision.fate is Fate.AMBIGUOUS:
            self.report.ambiguous.append(
                Skip(s.position, f"{s.address} matches {decision.matches} people; add it to one of them only")
            )
        elif decision.fate is Fate.SUPPRESSED:
            self.report.suppressed += 1
        elif decision.fate is Fate.DISMISSED:
            self.report.dismissed += 1

    def _drop_already_synced(self, entries: dict, existing_people: set[int]) -> None:
        keys = {key for contact_id, key in entries if contact_id in existing_people}
        if not keys:
            return
        stored = TimelineEntry.objects.filter(contact_id__in=existing_people, source_key__in=keys).values_list(
            "contact_id", "source_key"
        )
        for pair in stored:
            if entries.pop(pair, None) is not None:
                self.report.already_synced += 1

    def _touch(self, contact_ids: set[int]) -> None:
        """Last touch moves forward to the newest interaction on the timeline: one UPDATE for the batch.

        The newest interaction is read from the (contact, -at) index inside the statement, which is
        far cheaper to build than a CASE with one branch per person.
        """
        if not contact_ids:
            return
        newest = Subquery(
            TimelineEntry.objects.filter(contact=OuterRef("pk"), kind__in=INTERACTION_KINDS)
            .order_by("-at")
            .values("at")[:1]
        )
        Contact.objects.filter(pk__in=contact_ids).update(
            last_touch_at=Greatest(Coalesce(F("last_touch_at"), newest), Coalesce(newest, F("last_touch_at")))
        )

    # Discovered People.

    def _record_discovered(self, decisions, discovered) -> None:
        wanted = {s.address for s in self.sightings if decisions[s.address].fate is Fate.DISCOVER}
        if not wanted:
            return
        rows = {address: row for address, row in discovered.items() if address in wanted}
        rows.update(self._new_discovered(wanted - rows.keys()))
        interactions: dict[tuple[int, str], DiscoveredInteraction] = {}
        for s in self.sightings:
            if s.address in rows:
                row = rows[s.address]
                interactions.setdefault(
                    (row.pk, s.source_key),
                    DiscoveredInteraction(
                        discovered=row,
                        kind=s.kind,
                        at=s.at,
                        direction=s.direction,
                        summary=s.summary,
                        source_key=s.source_key,
                    ),
                )
        earlier = {row.pk for address, row in discovered.items() if address in wanted}
        keys = {key for pk, key in interactions if pk in earlier}
        if keys:
            stored = DiscoveredInteraction.objects.filter(discovered_id__in=earlier, source_key__in=keys)
            for pair in stored.values_list("discovered_id", "source_key"):
                if interactions.pop(pair, None) is not None:
                    self.report.already_synced += 1
        DiscoveredInteraction.objects.bulk_create(interactions.values(), ignore_conflicts=True)
        self.report.discovered_interactions += len(interactions)
        self._name_unnamed(rows)
        _refresh_discovered(DiscoveredPerson.objects.filter(pk__in={row.pk for row in rows.values()}))

    def _new_discovered(self, addresses: set[Address]) -> dict[Address, DiscoveredPerson]:
        if not addresses:
            return {}
        names: dict[Address, str] = {}
        for s in self.sightings:
            if s.address in addresses:
                names[s.address] = names.get(s.address) or s.name
        DiscoveredPerson.objects.bulk_create(
            [
                DiscoveredPerson(
                    workspace=self.workspace, kind=a.kind, value=a.value, name=names.get(a, ""), created_at=self.now
                )
                for a in addresses
            ],
            ignore_conflicts=True,  # another sync may have discovered them a moment ago
        )
        self.report.discovered += len(addresses)
        rows = DiscoveredPerson.objects.filter(workspace=self.workspace).filter(_address_q(addresses, "value"))
        return {Address(row.kind, row.value): row for row in rows}

    def _name_unnamed(self, rows: dict[Address, DiscoveredPerson]) -> None:
        named = []
        for s in self.sightings:
            row = rows.get(s.address)
            if row is not None and not row.name and s.name:
                row.name = s.name
                named.append(row)
        if named:
            DiscoveredPerson.objects.bulk_update(set(named), ["name"])


def _lifecycle_summary(address: Address, recreated: bool) -> str:
    """The timeline entry of a person sync created (the timeline shows it)."""
    if recreated:
        summary = gettext("Re-created by sync: %(address)s belonged to a deleted person")
    elif address.kind == EMAIL:
        summary = gettext("Created by sync from email with %(address)s")
    else:
        summary = gettext("Created by sync from calls with %(address)s")
    return summary % {"address": address}


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [error.__class__.__name__])[0][:200]


def timeline_entry(contact_id: int, interaction: Sighting | DiscoveredInteraction) -> TimelineEntry:
    """The timeline entry of an email or call, from a sighting or from an interaction kept in Discovered People."""
    i = interaction
    return TimelineEntry(
        contact_id=contact_id, kind=i.kind, at=i.at, direction=i.direction, summary=i.summary, source_key=i.source_key
    )


def _address_q(addresses: Iterable[Address], field_name: str) -> Q:
    emails, phones = by_kind(addresses)
    condition = Q(pk__in=[])
    if emails:
        condition |= Q(kind=EMAIL, **{f"{field_name}__in": emails})
    if phones:
        condition |= Q(kind=PHONE, **{f"{field_name}__in": phones})
    return condition


def _refresh_discovered(rows: QuerySet) -> None:
    """Count, first/last seen and last summary from the kept interactions: one UPDATE."""
    kept = DiscoveredInteraction.objects.filter(discovered=OuterRef("pk")).order_by().values("discovered")
    rows.update(
        interaction_count=Coalesce(Subquery(kept.annotate(n=Count("pk")).values("n")), 0),
        first_seen_at=Subquery(kept.annotate(first=Min("at")).values("first")),
        last_seen_at=Subquery(kept.annotate(last=Max("at")).values("last")),
        last_summary=Coalesce(
            Subquery(
                DiscoveredInteraction.objects.filter(discovered=OuterRef("pk"))
                .order_by("-at", "-pk")
                .values("summary")[:1]
            ),
            Value(""),
        ),
    )
