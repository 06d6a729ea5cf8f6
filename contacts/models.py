"""People, their workspace, their timeline, and the rules that keep archived people safe.

The archive rules live here once. Each rule is a `Blocker`: a queryset condition
(`q`) and the same condition for one contact in memory (`applies`), with the
reason a person reads. Bulk writes filter by the conditions inside the UPDATE;
dialogs and single-person checks use the reasons. tests/contacts/test_rules.py
proves the two halves agree on every combination.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from contacts.normalize import normalize_email, normalize_phone


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"


ROLES_THAT_DELETE = frozenset({Role.ADMIN, Role.MANAGER})
# What the others are told, beside the Delete they cannot use.
WHO_MAY_DELETE = "Only admins and managers can delete"


class Stage(models.TextChoices):
    """The five phases; the empty string is "no stage"."""

    NONE = "", "No stage"
    LEAD = "lead", "Lead"
    POTENTIAL = "potential", "Potential"
    ACTIVE = "active", "Active"
    PAST = "past", "Past"
    LOST = "lost", "Lost"


OPEN_STAGES = (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE)
ARCHIVABLE_STAGES = (Stage.PAST, Stage.LOST, Stage.NONE)


class LabelSet(models.TextChoices):
    STANDARD = "standard", "Standard"
    REAL_ESTATE = "real_estate", "Real estate"


STAGE_LABELS = {
    LabelSet.STANDARD: {
        Stage.NONE: "No stage",
        Stage.LEAD: "Lead",
        Stage.POTENTIAL: "Potential",
        Stage.ACTIVE: "Active",
        Stage.PAST: "Past",
        Stage.LOST: "Lost",
    },
    LabelSet.REAL_ESTATE: {
        Stage.NONE: "No stage",
        Stage.LEAD: "Warm",
        Stage.POTENTIAL: "Hot",
        Stage.ACTIVE: "In Contract",
        Stage.PAST: "Inactive",
        Stage.LOST: "Lost",
    },
}


def parse_stage(text: str) -> Stage:
    """A stage from either label set or its key, case-insensitive; blank is no stage."""
    wanted = text.strip().casefold()
    if not wanted or wanted in {"none", "no stage", "-", "—"}:
        return Stage.NONE
    for stage in Stage:
        if wanted == stage.value:
            return stage
    for labels in STAGE_LABELS.values():
        for stage, label in labels.items():
            if wanted == label.casefold():
                return stage
    raise ValueError(f"unknown stage {text.strip()!r}")


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class Workspace(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    label_set = models.CharField(max_length=20, choices=LabelSet.choices, default=LabelSet.STANDARD)
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days in Recently Deleted; blank uses the site default (30)."
    )
    default_region = models.CharField(
        max_length=2, default="US", help_text="Region for phone numbers written without a country code."
    )
    auto_create_people = models.BooleanField(
        "Create people automatically",
        default=False,
        help_text="Sync creates unknown counterparts as people instead of listing them as discovered.",
    )
    own_addresses = models.TextField(
        blank=True,
        help_text=(
            "The team's shared mailboxes or domains, one per line (sales@acme.com, @acme.com), for sync's in/out. "
            "Members' own email addresses count as the team's without being listed."
        ),
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="workspaces")

    def __str__(self) -> str:
        return self.name

    @property
    def retention(self) -> timedelta:
        days = self.retention_days if self.retention_days is not None else settings.CONTACT_RETENTION_DAYS
        return timedelta(days=days)

    def stage_label(self, stage: str) -> str:
        return STAGE_LABELS[self.label_set][Stage(stage)]

    def stage_choices(self) -> list[tuple[str, str]]:
        return [(stage.value, label) for stage, label in STAGE_LABELS[self.label_set].items()]


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The user's last choice of Table View or List and Details View.
    people_view = models.CharField(
        max_length=5, choices=[("table", "Table View"), ("list", "List and Details View")], default="table"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{display_name(self.user)} ({self.get_role_display()}) in {self.workspace}"

    @property
    def can_delete(self) -> bool:
        return self.role in ROLES_THAT_DELETE


@dataclass(frozen=True)
class Reason:
    """Why one person cannot take part in an action, in words a person reads."""

    code: str
    message: str


@dataclass(frozen=True)
class Blocker:
    """One rule: the condition that blocks an action, in SQL and in memory."""

    code: str
    q: Q
    applies: Callable[[Contact], bool]
    explain: Callable[[Contact], str]
    # Heading of the dialog group, after the count: "3 have an open stage", "1 has an open stage".
    group: str
    group_one: str
    # The reason in the outcome message: "0 people archived · 1 skipped: already archived".
    short: str

    def reason(self, contact: Contact) -> Reason:
        return Reason(self.code, self.explain(contact))


IS_DELETED = Blocker(
    code="deleted",
    q=Q(deleted_at__isnull=False),
    applies=lambda c: c.deleted_at is not None,
    explain=lambda c: "In Recently Deleted — restore it first",
    group="are in Recently Deleted",
    group_one="is in Recently Deleted",
    short="in Recently Deleted",
)
IS_ARCHIVED = Blocker(
    code="archived",
    q=Q(archived_at__isnull=False, deleted_at__isnull=True),
    applies=lambda c: c.archived_at is not None and c.deleted_at is None,
    explain=lambda c: "Already archived",
    group="are already archived",
    group_one="is already archived",
    short="already archived",
)
HAS_OPEN_STAGE = Blocker(
    code="open_stage",
    q=Q(stage__in=OPEN_STAGES),
    applies=lambda c: c.stage in OPEN_STAGES,
    explain=lambda c: f"Stage is {c.stage_label} — change or remove the stage",
    group="have an open stage",
    group_one="has an open stage",
    short="in an open stage",
)
IS_ASSIGNED = Blocker(
    code="assigned",
    q=Q(assignee__isnull=False),
    applies=lambda c: c.assignee_id is not None,
    explain=lambda c: f"Assigned to {display_name(c.assignee)} — remove the assignee",
    group="are assigned",
    group_one="is assigned",
    short="assigned",
)
NOT_ARCHIVED = Blocker(
    code="not_archived",
    q=Q(archived_at__isnull=True),
    applies=lambda c: c.archived_at is None,
    explain=lambda c: "Not archived — archive it first",
    group="are not archived",
    group_one="is not archived",
    short="not archived",
)
NOT_DELETED = Blocker(
    code="not_deleted",
    q=Q(deleted_at__isnull=True),
    applies=lambda c: c.deleted_at is None,
    explain=lambda c: "Not in Recently Deleted",
    group="are not in Recently Deleted",
    group_one="is not in Recently Deleted",
    short="not in Recently Deleted",
)
NOT_ASSIGNED = Blocker(
    code="not_assigned",
    q=Q(assignee__isnull=True),
    applies=lambda c: c.assignee_id is None,
    explain=lambda c: "Has no assignee",
    group="have no assignee",
    group_one="has no assignee",
    short="no assignee",
)
ARCHIVED_OR_DELETED = Blocker(
    code="archived_restore_first",
    q=Q(archived_at__isnull=False),
    applies=lambda c: c.archived_at is not None,
    explain=lambda c: "Archived — restore it first",
    group="are archived (restore them first)",
    group_one="is archived (restore first)",
    short="archived (restore first)",
)

# Rule 1: archive only Past/Lost/no-stage, unassigned people still in My People.
ARCHIVE_BLOCKERS = (IS_DELETED, IS_ARCHIVED, HAS_OPEN_STAGE, IS_ASSIGNED)
# Rule 2: delete only archived people (not already deleted).
DELETE_BLOCKERS = (IS_DELETED, NOT_ARCHIVED)
RESTORE_FROM_ARCHIVE_BLOCKERS = (IS_DELETED, NOT_ARCHIVED)
RESTORE_FROM_DELETED_BLOCKERS = (NOT_DELETED,)
PURGE_BLOCKERS = (NOT_DELETED,)
# Rule 3: an archived person gets no open stage and no assignee.
OPEN_STAGE_BLOCKERS = (ARCHIVED_OR_DELETED,)
REMOVE_ASSIGNEE_BLOCKERS = (IS_DELETED, NOT_ASSIGNED)


def none_of(blockers) -> Q:
    """The queryset condition for "no blocker applies"."""
    condition = Q()
    for blocker in blockers:
        condition &= ~blocker.q
    return condition


def reasons(contact: Contact, blockers) -> list[Reason]:
    return [b.reason(contact) for b in blockers if b.applies(contact)]


class ContactQuerySet(models.QuerySet):
    def in_workspace(self, workspace):
        return self.filter(workspace=workspace)

    def visible_to(self, user):
        return self.filter(workspace__memberships__user=user)

    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def in_my_people(self):
        return self.filter(archived_at__isnull=True, deleted_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False, deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)

    def archivable(self):
        return self.filter(none_of(ARCHIVE_BLOCKERS))

    def deletable(self):
        return self.filter(none_of(DELETE_BLOCKERS))

    def with_sync_activity(self):
        """People with email or phone history, whom sync may re-create after deletion."""
        return self.filter(
            models.Exists(TimelineEntry.objects.filter(contact=models.OuterRef("pk"), kind__in=SYNC_KINDS))
        )


MY_PEOPLE_Q = Q(archived_at__isnull=True, deleted_at__isnull=True)
# Sorting by stage goes by phase (Lead -> Lost, then no stage); tables.py orders by this expression.
STAGE_ORDER = (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE)
STAGE_RANK = models.Case(
    *[models.When(stage=stage, then=rank) for rank, stage in enumerate(STAGE_ORDER)], output_field=models.IntegerField()
)


class Contact(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.DB_CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The phone in E.164 (workspace's default region), for matching and suppression.
    phone_e164 = models.CharField(max_length=20, blank=True, editable=False)
    company = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, default=Stage.NONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="assigned_contacts"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    # No index: only a user's deletion looks people up by these, and every archive would pay for it.
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+", db_index=False
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+", db_index=False
    )
    last_touch_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The bulk operation that last changed this person (see services.py): the rule-checking
    # UPDATE sets it, so the next statements in that transaction touch exactly those rows.
    operation = models.ForeignKey(
        "Operation", null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+", editable=False
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            # The default page of My People and of Archived People: ORDER BY name, id from the index.
            models.Index(
                fields=["workspace", "name", "id"],
                condition=Q(archived_at__isnull=True, deleted_at__isnull=True),
                name="my_people_by_name",
            ),
            models.Index(
                fields=["workspace", "name", "id"],
                condition=Q(archived_at__isnull=False, deleted_at__isnull=True),
                name="archived_people_by_name",
            ),
            # The other sorts of My People and its stage audiences, read off an index in order too
            # (last touch, NULLS FIRST, is a PostgreSQL-only index: SQLite cannot declare it).
            models.Index(fields=["workspace", "company", "id"], condition=MY_PEOPLE_Q, name="my_people_by_company"),
            models.Index(F("workspace"), STAGE_RANK, F("id"), condition=MY_PEOPLE_Q, name="my_people_by_stage"),
            # Every list page counts its audience: stage audiences, Unassigned, Assigned to me.
            models.Index(fields=["workspace", "stage"], condition=MY_PEOPLE_Q, name="my_people_stage_count"),
            models.Index(fields=["workspace", "assignee"], condition=MY_PEOPLE_Q, name="my_people_assignee_count"),
            models.Index(fields=["workspace", "deleted_at"], name="contact_deleted"),
            models.Index(fields=["workspace", "email"], name="contact_email"),
            models.Index(fields=["workspace", "phone_e164"], name="contact_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True) | (Q(assignee__isnull=True) & ~Q(stage__in=OPEN_STAGES)),
                name="archived_contact_has_no_open_stage_or_assignee",
                violation_error_message=(
                    "An archived person cannot have an open stage (Lead, Potential, Active) or an assignee. "
                    "Restore the person to My People first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(archived_at__isnull=False),
                name="deleted_contact_was_archived",
                violation_error_message="Only archived people can be deleted. Archive the person first.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_label(self) -> str:
        return self.workspace.stage_label(self.stage)

    @property
    def is_open_stage(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p[:1].isalnum()]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def avatar_color(self) -> int:
        return (self.pk or 0) % 8

    @property
    def status(self) -> str:
        if self.deleted_at:
            return "deleted"
        if self.archived_at:
            return "archived"
        return "active"

    def archive_blockers(self) -> list[Reason]:
        return reasons(self, ARCHIVE_BLOCKERS)

    def delete_blockers(self) -> list[Reason]:
        return reasons(self, DELETE_BLOCKERS)

    def normalize(self) -> None:
        self.email = normalize_email(self.email)
        self.phone = self.phone.strip()
        self.phone_e164 = normalize_phone(self.phone, self.workspace.default_region) or ""

    def save(self, *args, **kwargs):
        self.normalize()
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at", "email", "phone", "phone_e164"}
        super().save(*args, **kwargs)

    def clean(self):
        if self.assignee_id and self.workspace_id:
            if not Membership.objects.filter(workspace_id=self.workspace_id, user_id=self.assignee_id).exists():
                raise ValidationError({"assignee": "The assignee must be a member of this workspace."})


class Operation(models.Model):
    """One bulk action as the user confirmed it: what, by whom, how many. Undo starts here."""

    workspace = models.ForeignKey(Workspace, on_delete=models.DB_CASCADE, related_name="operations")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DB_SET_NULL, related_name="+")
    action = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action} × {self.count} by {display_name(self.actor)}"


class EntryKind(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"
    CREATED = "created", "Created"
    CREATED_BY_SYNC = "created_by_sync", "Created by sync"
    RECREATED_BY_SYNC = "recreated_by_sync", "Re-created by sync"
    STAGE_CHANGED = "stage_changed", "Stage changed"
    ASSIGNED = "assigned", "Assigned"
    UNASSIGNED = "unassigned", "Unassigned"
    ARCHIVED = "archived", "Archived"
    RESTORED = "restored", "Restored"
    DELETED = "deleted", "Deleted"
    UNDELETED = "undeleted", "Restored from Recently Deleted"


INTERACTION_KINDS = (EntryKind.EMAIL, EntryKind.CALL, EntryKind.MEETING, EntryKind.NOTE)
SYNC_KINDS = (EntryKind.EMAIL, EntryKind.CALL)


class TimelineEntry(models.Model):
    """An interaction with a person or something that happened to them."""

    # Indexed by entry_contact_at, which starts with the contact.
    contact = models.ForeignKey(Contact, on_delete=models.DB_CASCADE, related_name="timeline", db_index=False)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    at = models.DateTimeField(default=timezone.now)
    # No index: nothing lists entries by actor, and every bulk change writes thousands of entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+", db_index=False
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="entries"
    )
    summary = models.CharField(max_length=500, blank=True)
    direction = models.CharField(max_length=3, blank=True, choices=[("in", "Incoming"), ("out", "Outgoing")])
    # The value a bulk change replaced (old stage, old assignee id), so Undo can put it back.
    previous = models.CharField(max_length=40, blank=True)
    # Where an interaction came from (Message-ID, call number+time), so sync never adds it twice.
    source_key = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["contact", "-at"], name="entry_contact_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "source_key"], condition=~Q(source_key=""), name="one_entry_per_source_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.contact_id} · {self.at:%Y-%m-%d}"

    @property
    def is_interaction(self) -> bool:
        return self.kind in INTERACTION_KINDS


class SuppressionKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Suppression(models.Model):
    """ "Don't re-create from sync": a normalized address sync must ignore. Holds no other data."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="suppressions")
    kind = models.CharField(max_length=5, choices=SuppressionKind.choices)
    value = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="one_suppression_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


# --- Sync: discovered people and traces of purged ones ---------------------------------------------


class DiscoveredPerson(models.Model):
    """Someone sync met by email or phone who is not among the workspace's people (Discovered People).

    One row per normalized address. The user adds them (a new person, with the interactions
    kept here moved onto their timeline) or dismisses them: a dismissed address keeps its row,
    without interactions, so later syncs do not discover it again.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DB_CASCADE, related_name="discovered_people")
    kind = models.CharField(max_length=5, choices=SuppressionKind.choices)
    # Normalized like Suppression.value: email lower-case, phone E.164.
    value = models.CharField(max_length=254)
    name = models.CharField("name guess", max_length=200, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    interaction_count = models.PositiveIntegerField(default=0)
    last_summary = models.CharField(max_length=500, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "discovered people"
        ordering = ["-last_seen_at", "pk"]
        indexes = [models.Index(fields=["workspace", "dismissed_at", "-last_seen_at"], name="discovered_listing")]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="one_discovered_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.display_address} (discovered)"

    @property
    def display_address(self) -> str:
        if self.kind == SuppressionKind.PHONE:
            import phonenumbers

            try:
                return phonenumbers.format_number(
                    phonenumbers.parse(self.value), phonenumbers.PhoneNumberFormat.INTERNATIONAL
                )
            except phonenumbers.NumberParseException:
                return self.value
        return self.value

    @property
    def display_name(self) -> str:
        return self.name or self.display_address

    # The avatar template's interface, as on Contact.
    @property
    def initials(self) -> str:
        parts = [p for p in self.name.split() if p[:1].isalnum()]
        return "".join(p[0] for p in parts[:2]).upper() or ("@" if self.kind == SuppressionKind.EMAIL else "#")

    @property
    def avatar_color(self) -> int:
        return (self.pk or 0) % 8


class DiscoveredInteraction(models.Model):
    """An email or call with a discovered person, kept until they are added (then it joins their timeline)."""

    discovered = models.ForeignKey(DiscoveredPerson, on_delete=models.DB_CASCADE, related_name="interactions")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    at = models.DateTimeField()
    direction = models.CharField(max_length=3, blank=True, choices=[("in", "Incoming"), ("out", "Outgoing")])
    summary = models.CharField(max_length=500, blank=True)
    source_key = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["discovered", "source_key"], name="one_discovered_entry_per_source_item")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d}"


class DeletedAddress(models.Model):
    """A one-way trace of a purged person's email or phone, so sync can re-create them (rule 7).

    Only a keyed SHA-256 digest of the normalized address is kept: it answers "was this
    address a person here before?" and nothing else. The key is derived from SECRET_KEY, so
    rotating SECRET_KEY without a fallback makes old traces unrecognizable (sync would then
    treat those addresses as unknown rather than as deleted).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DB_CASCADE, related_name="deleted_addresses")
    kind = models.CharField(max_length=5, choices=SuppressionKind.choices)
    digest = models.CharField(max_length=64)
    purged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deleted addresses"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "digest"], name="one_trace_per_deleted_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.digest[:12]}…"

    @staticmethod
    def key() -> str:
        """The secret prefix of every digest, derived from SECRET_KEY."""
        from django.utils.crypto import salted_hmac

        return salted_hmac("contacts.DeletedAddress", "digest key", algorithm="sha256").hexdigest()

    @classmethod
    def digest_of(cls, workspace_id: int, kind: str, value: str) -> str:
        # The same formula runs in SQL when people are purged (services.remember_purged_addresses),
        # so purging any number of people is one INSERT ... SELECT.
        return hashlib.sha256(f"{cls.key()}:{workspace_id}:{kind}:{value}".encode()).hexdigest()
