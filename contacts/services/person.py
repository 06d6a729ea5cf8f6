"""Adding one person and editing one person's fields, under the rules the bulk changes keep.

Rule 3 for one person (`field_refusals`): an archived person gets no open stage and no
assignee; the form asks it first so the reason stands by the field, and `update_person`
asks it again on the locked row (someone may have archived them meanwhile), as the
database's check constraint would. Every change writes the person's timeline: Created,
Stage changed and Assigned/Unassigned (keeping the value replaced, as bulk changes do),
and Details edited naming the other fields that changed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.exceptions import ContactError, NotAllowed, NotFound
from contacts.models import Contact, EntryKind, Membership, TimelineEntry, Workspace, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, OPEN_STAGES, reasons
from contacts.services import membership_for

# The fields a person edits in the app, in the order the form shows them.
PERSON_FIELDS = ("name", "email", "phone", "company", "title", "stage", "assignee")
_DETAILS = ("name", "email", "phone", "company", "title")


class PersonRefused(ContactError):
    """A rule refused some fields: {field: reason}. Nothing was changed."""

    status = 409

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(dict.fromkeys(errors.values())))
        self.errors = errors


def field_refusals(person: Contact | None, *, stage: str, assignee) -> dict[str, str]:
    """Rule 3 for one person: what an archived (or deleted) person may not get, by field, with the reason."""
    if person is None:
        return {}
    blocked = reasons(person, OPEN_STAGE_BLOCKERS)
    if not blocked:
        return {}
    refused = {}
    if stage in OPEN_STAGES:
        refused["stage"] = blocked[0].message
    if assignee is not None:
        refused["assignee"] = blocked[0].message
    return refused


def _require_member(assignee, workspace: Workspace) -> None:
    if assignee is not None and not Membership.objects.filter(user=assignee, workspace=workspace).exists():
        raise NotAllowed(_("The assignee must be a member of this workspace."))


def create_person(*, actor, workspace: Workspace, fields: dict) -> Contact:
    """A new person in My People, with a Created entry on their timeline."""
    membership_for(actor, workspace)
    _require_member(fields.get("assignee"), workspace)
    with transaction.atomic():
        person = Contact(workspace=workspace, **{name: fields[name] for name in PERSON_FIELDS if name in fields})
        person.save()
        TimelineEntry.objects.create(contact=person, kind=EntryKind.CREATED, actor=actor, summary="Added in the app")
    return person


def update_person(*, actor, workspace: Workspace, person_id: int, fields: dict) -> list[str]:
    """Change one person's fields; returns the names of those that changed (none: nothing written)."""
    membership_for(actor, workspace)
    _require_member(fields.get("assignee"), workspace)
    with transaction.atomic():
        person = (
            Contact.objects.in_workspace(workspace)
            .select_for_update(
                of=("self",)
            )  # the person alone: the assignee join is nullable (PostgreSQL refuses to lock it)
            .select_related("workspace", "assignee")
            .filter(pk=person_id)
            .first()
        )
        if person is None:
            raise NotFound(_("There is no such person."))
        if person.deleted_at is not None:
            raise ContactError(_("In Recently Deleted — restore it first"))
        refused = field_refusals(person, stage=fields["stage"], assignee=fields["assignee"])
        if refused:
            raise PersonRefused(refused)
        before = {name: getattr(person, name) for name in PERSON_FIELDS}
        old_assignee_id = person.assignee_id
        for name in PERSON_FIELDS:
            setattr(person, name, fields[name])
        person.normalize()
        changed = [name for name in PERSON_FIELDS if getattr(person, name) != before[name]]
        if not changed:
            return []
        person.save(update_fields=changed)
        _record(person, actor, changed, before["stage"], old_assignee_id)
    return changed


def _record(person: Contact, actor, changed: list[str], old_stage: str, old_assignee_id) -> None:
    now = timezone.now()
    entries = []
    if "stage" in changed:
        summary = f"Stage set to {person.stage_label}"
        entries.append((EntryKind.STAGE_CHANGED, summary, old_stage))
    if "assignee" in changed:
        previous = "" if old_assignee_id is None else str(old_assignee_id)
        if person.assignee_id is None:
            entries.append((EntryKind.UNASSIGNED, "Assignee removed", previous))
        else:
            entries.append((EntryKind.ASSIGNED, f"Assigned to {display_name(person.assignee)}", previous))
    details = [name for name in changed if name in _DETAILS]
    if details:
        entries.append((EntryKind.EDITED, "Changed " + ", ".join(details), ""))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(contact=person, kind=kind, at=now, actor=actor, summary=summary, previous=previous)
        for kind, summary, previous in entries
    )
