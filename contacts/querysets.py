"""Which people are where: My People, Archived People, Recently Deleted, written once.

The conditions (`MY_PEOPLE`, `ARCHIVED_PEOPLE`, `DELETED_PEOPLE`, `recently_deleted_people`) are the only copies: the
queryset methods, the rules (contacts.rules) and the partial indexes (contacts.models) use them.

Two meanings of "deleted" stay apart by name: `deleted()` is everyone deleted, whether or not
their retention ran out (purge_expired erases those); `recently_deleted(retention)` is the
Recently Deleted audience, the deleted still within their workspace's retention.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

MY_PEOPLE = Q(archived_at__isnull=True, deleted_at__isnull=True)
ARCHIVED_PEOPLE = Q(archived_at__isnull=False, deleted_at__isnull=True)
DELETED_PEOPLE = Q(deleted_at__isnull=False)


def recently_deleted_people(retention: timedelta, *, now=None) -> Q:
    """Recently Deleted: deleted within the retention."""
    return Q(deleted_at__gte=(now or timezone.now()) - retention)


class ContactQuerySet(models.QuerySet):
    def in_workspace(self, workspace):
        return self.filter(workspace=workspace)

    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def in_my_people(self):
        return self.filter(MY_PEOPLE)

    def archived(self):
        return self.filter(ARCHIVED_PEOPLE)

    def deleted(self):
        """Everyone deleted, retention over or not (see the module docstring)."""
        return self.filter(DELETED_PEOPLE)

    def recently_deleted(self, retention: timedelta, *, now=None):
        """Recently Deleted: deleted within the retention."""
        return self.filter(recently_deleted_people(retention, now=now))

    def not_erased(self, retention: timedelta, *, now=None):
        """Everyone still kept: not deleted, or deleted within the retention (purge_expired has not come)."""
        return self.filter(Q(deleted_at__isnull=True) | Q(deleted_at__gte=(now or timezone.now()) - retention))

    def sharing_address(self, email: str, phone_e164: str):
        """People with this (normalized) email or phone: the ones a new person would duplicate."""
        condition = Q()
        if email:
            condition |= Q(email=email)
        if phone_e164:
            condition |= Q(phone_e164=phone_e164)
        return self.filter(condition) if condition else self.none()

    def retention_over(self, retention: timedelta, *, now=None):
        """Deleted longer ago than the retention: purged for good by purge_expired."""
        return self.filter(deleted_at__lt=(now or timezone.now()) - retention)


def days_until_erased(deleted_at, retention: timedelta, *, now=None) -> int:
    """Whole days (rounded up) until a deleted person's retention runs out and purge_expired erases them."""
    left = deleted_at + retention - (now or timezone.now())
    return max(0, -(-left // timedelta(days=1)))
