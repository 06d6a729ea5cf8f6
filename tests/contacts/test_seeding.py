"""The shared seeder (contacts/seeding) writes exactly the rows it is given, fast, and leaves the
database usable: the id sequence moved past them, so the app's own inserts do not collide."""

from datetime import timedelta

from django.utils import timezone

from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from contacts.normalize import normalize_phone
from contacts.seeding.people import load_people, next_contact_pk, unique_phone
from tests.factories import ContactFactory


def person(workspace, pk, at):
    phone, e164 = unique_phone(pk)
    row = {
        "id": pk,
        "workspace_id": workspace.pk,
        "name": f"Person {pk}",
        "email": f"person.{pk}@example.com",
        "phone": phone,
        "phone_e164": e164,
        "stage": str(Stage.LOST.value),
        "archived_at": at,
        "last_touch_at": at,
        "created_at": at,
        "updated_at": at,
    }
    entries = [
        {"contact_id": pk, "kind": EntryKind.CREATED.value, "at": at},
        {"contact_id": pk, "kind": EntryKind.ARCHIVED.value, "at": at + timedelta(hours=1)},
    ]
    return row, entries


def test_load_people_writes_the_rows_and_their_timelines_in_batches(workspace):
    at = timezone.now().replace(microsecond=0) - timedelta(days=3)
    first = next_contact_pk()
    done = []

    written = load_people((person(workspace, pk, at) for pk in range(first, first + 7)), batch=3, progress=done.append)

    assert written == 7 and done == [3, 6, 7]
    people = Contact.objects.filter(workspace=workspace).order_by("pk")
    assert [c.name for c in people] == [f"Person {pk}" for pk in range(first, first + 7)]
    seeded = people.first()
    assert (seeded.stage, seeded.archived_at, seeded.phone_e164) == (Stage.LOST, at, unique_phone(first)[1])
    assert seeded.title == "" and seeded.deleted_at is None  # columns not given take the field's default
    kinds = TimelineEntry.objects.filter(contact=seeded).order_by("at").values_list("kind", flat=True)
    assert list(kinds) == [EntryKind.CREATED, EntryKind.ARCHIVED]
    assert TimelineEntry.objects.filter(contact__workspace=workspace).count() == 14


def test_after_seeding_the_app_creates_people_with_new_ids(workspace):
    at = timezone.now()
    first = next_contact_pk()
    load_people([person(workspace, first, at), person(workspace, first + 1, at)])

    created = ContactFactory(workspace=workspace)

    assert created.pk > first + 1
    assert next_contact_pk() == created.pk + 1


def test_unique_phones_are_distinct_and_what_normalize_phone_stores():
    phones = [unique_phone(pk) for pk in range(1, 3000, 7)] + [unique_phone(pk) for pk in (99_999, 100_000, 700_001)]
    assert len({e164 for _, e164 in phones}) == len(phones)
    for typed, e164 in phones:
        assert normalize_phone(typed, "US") == e164
