"""People, their workspace, their timeline, and the bulk operations that changed them.

The rules that keep archived people safe live in contacts.rules (rule 3 is also a
CheckConstraint here, so the database itself holds it); which people are in My People,
Archived People and Recently Deleted, in contacts.querysets.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from contacts.normalize import normalize_email, normalize_phone
from contacts.querysets import ARCHIVED_PEOPLE, MY_PEOPLE, ContactQuerySet
from contacts.rules import (
    ARCHIVE_BLOCKERS,
    DELETE_BLOCKERS,
    OPEN_STAGES,
    Reason,
    Role,
    Stage,
    may_delete,
    reasons,
    stage_to_param,
)


class LabelSet(models.TextChoices):
    STANDARD = "standard", gettext_lazy("Standard")
    REAL_ESTATE = "real_estate", gettext_lazy("Real estate")


# The labels in English (import files are read in them: parse_stage, contacts.importing);
# Workspace.stage_label and stage_choices translate them for a page.
STAGE_LABELS = {
    LabelSet.STANDARD: {
        Stage.NONE: gettext_noop("No stage"),
        Stage.LEAD: gettext_noop("Lead"),
        Stage.POTENTIAL: gettext_noop("Potential"),
        Stage.ACTIVE: gettext_noop("Active"),
        Stage.PAST: gettext_noop("Past"),
        Stage.LOST: gettext_noop("Lost"),
    },
    LabelSet.REAL_ESTATE: {
        Stage.NONE: gettext_noop("No stage"),
        Stage.LEAD: gettext_noop("Warm"),
        Stage.POTENTIAL: gettext_noop("Hot"),
        Stage.ACTIVE: gettext_noop("In Contract"),
        Stage.PAST: gettext_noop("Inactive"),
        Stage.LOST: gettext_noop("Lost"),
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
        null=True, blank=True, help_text=gettext_lazy("Days in Recently Deleted; blank uses the site default (30).")
    )
    default_region = models.CharField(
        max_length=2,
        default="US",
        help_text=gettext_lazy("Region for phone numbers written without a country code."),
    )
    auto_create_people = models.BooleanField(
        gettext_lazy("Create people automatically"),
        default=False,
        help_text=gettext_lazy("Sync creates unknown counterparts as people instead of listing them as discovered."),
    )
    own_addresses = models.TextField(
        blank=True,
        help_text=gettext_lazy(
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
        return gettext(STAGE_LABELS[self.label_set][Stage(stage)])

    def stage_choices(self) -> list[tuple[str, str]]:
        return [(stage.value, gettext(label)) for stage, label in STAGE_LABELS[self.label_set].items()]

    def stage_param_choices(self) -> list[tuple[str, str]]:
        """The stages as a form or an address names them ("none" for no stage)."""
        return [(stage_to_param(value), label) for value, label in self.stage_choices()]


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The user's last choice of Table View or List and Details View.
    people_view = models.CharField(
        max_length=5,
        choices=[("table", gettext_lazy("Table View")), ("list", gettext_lazy("List and Details View"))],
        default="table",
    )
    # When the user last switched to this workspace: the newest is where they land after logging
    # in again (contacts.membership). Kept here, not on the user, so it goes with the membership.
    last_chosen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return gettext("%(user)s (%(role)s) in %(workspace)s") % {
            "user": display_name(self.user),
            "role": self.get_role_display(),
            "workspace": self.workspace,
        }

    @property
    def can_delete(self) -> bool:
        return may_delete(self.role)


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
                condition=MY_PEOPLE,
                name="my_people_by_name",
            ),
            models.Index(
                fields=["workspace", "name", "id"],
                condition=ARCHIVED_PEOPLE,
                name="archived_people_by_name",
            ),
            # The other sorts of My People and its stage audiences, read off an index in order too
            # (last touch, NULLS FIRST, is a PostgreSQL-only index: SQLite cannot declare it).
            models.Index(fields=["workspace", "company", "id"], condition=MY_PEOPLE, name="my_people_by_company"),
            models.Index(F("workspace"), STAGE_RANK, F("id"), condition=MY_PEOPLE, name="my_people_by_stage"),
            # Every list page counts its audience: stage audiences, Unassigned, Assigned to me.
            models.Index(fields=["workspace", "stage"], condition=MY_PEOPLE, name="my_people_stage_count"),
            models.Index(fields=["workspace", "assignee"], condition=MY_PEOPLE, name="my_people_assignee_count"),
            models.Index(fields=["workspace", "deleted_at"], name="contact_deleted"),
            models.Index(fields=["workspace", "email"], name="contact_email"),
            models.Index(fields=["workspace", "phone_e164"], name="contact_phone"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True) | (Q(assignee__isnull=True) & ~Q(stage__in=OPEN_STAGES)),
                name="archived_contact_has_no_open_stage_or_assignee",
                violation_error_message=gettext_lazy(
                    "An archived person cannot have an open stage (Lead, Potential, Active) or an assignee. "
                    "Restore the person to My People first."
                ),
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(archived_at__isnull=False),
                name="deleted_contact_was_archived",
                violation_error_message=gettext_lazy("Only archived people can be deleted. Archive the person first."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def stage_label(self) -> str:
        return self.workspace.stage_label(self.stage)

    @property
    def assignee_name(self) -> str:
        return display_name(self.assignee)

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
                raise ValidationError({"assignee": gettext("The assignee must be a member of this workspace.")})


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
    EMAIL = "email", gettext_lazy("Email")
    CALL = "call", gettext_lazy("Call")
    MEETING = "meeting", gettext_lazy("Meeting")
    NOTE = "note", gettext_lazy("Note")
    CREATED = "created", gettext_lazy("Created")
    EDITED = "edited", gettext_lazy("Details edited")
    CREATED_BY_SYNC = "created_by_sync", gettext_lazy("Created by sync")
    RECREATED_BY_SYNC = "recreated_by_sync", gettext_lazy("Re-created by sync")
    STAGE_CHANGED = "stage_changed", gettext_lazy("Stage changed")
    ASSIGNED = "assigned", gettext_lazy("Assigned")
    UNASSIGNED = "unassigned", gettext_lazy("Unassigned")
    ARCHIVED = "archived", gettext_lazy("Archived")
    RESTORED = "restored", gettext_lazy("Restored")
    DELETED = "deleted", gettext_lazy("Deleted")
    UNDELETED = "undeleted", gettext_lazy("Restored from Recently Deleted")


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
    direction = models.CharField(
        max_length=3, blank=True, choices=[("in", gettext_lazy("Incoming")), ("out", gettext_lazy("Outgoing"))]
    )
    # The value a bulk change replaced (old stage, old assignee id), so Undo can put it back.
    previous = models.CharField(max_length=40, blank=True)
    # Where an interaction came from (Message-ID, call number+time), so sync never adds it twice.
    source_key = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = gettext_lazy("timeline entries")
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
