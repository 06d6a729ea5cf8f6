"""What sync keeps: suppressions, Discovered People with their interactions, and traces of purged people.

These models began in the contacts app and moved here without touching the database: each
keeps its contacts_* table (Meta.db_table), and the move was a state-only migration.
"""

from __future__ import annotations

import hashlib

import phonenumbers
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy

from contacts.models import EntryKind, Workspace


class SuppressionKind(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    PHONE = "phone", gettext_lazy("Phone")


class Suppression(models.Model):
    """ "Don't re-create from sync": a normalized address sync must ignore. Holds no other data."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="suppressions")
    kind = models.CharField(max_length=5, choices=SuppressionKind.choices)
    value = models.CharField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "contacts_suppression"
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "value"], name="one_suppression_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


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
    name = models.CharField(gettext_lazy("name guess"), max_length=200, blank=True)
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
        db_table = "contacts_discoveredperson"
        verbose_name_plural = gettext_lazy("discovered people")
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
    direction = models.CharField(
        max_length=3, blank=True, choices=[("in", gettext_lazy("Incoming")), ("out", gettext_lazy("Outgoing"))]
    )
    summary = models.CharField(max_length=500, blank=True)
    source_key = models.CharField(max_length=300)

    class Meta:
        db_table = "contacts_discoveredinteraction"
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
        db_table = "contacts_deletedaddress"
        verbose_name_plural = gettext_lazy("deleted addresses")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "digest"], name="one_trace_per_deleted_address")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.digest[:12]}…"

    @staticmethod
    def key() -> str:
        """The secret prefix of every digest, derived from SECRET_KEY."""
        # The salt names the model's first home: changing it would make every stored trace unrecognizable.
        return salted_hmac("contacts.DeletedAddress", "digest key", algorithm="sha256").hexdigest()

    @classmethod
    def digest_of(cls, workspace_id: int, kind: str, value: str) -> str:
        # The same formula runs in SQL when people are purged (sync.addresses.remember_purged_addresses),
        # so purging any number of people is one INSERT ... SELECT.
        return hashlib.sha256(f"{cls.key()}:{workspace_id}:{kind}:{value}".encode()).hexdigest()
