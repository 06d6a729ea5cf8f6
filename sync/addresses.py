"""What sync must still recognise after people are gone, written in one statement per kind.

- Suppressions ("Don't re-create from sync"): the deleted people's normalized email and phone,
  which sync then ignores.
- Traces of purged people (DeletedAddress): a keyed one-way digest of each address, so sync can
  re-create someone who keeps writing or calling (rule 7) without the app keeping the address.

contacts.services calls these inside its Delete and purge transactions.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from contacts.models import Contact
from sync.models import DeletedAddress, Suppression


def suppress_addresses_of(people: QuerySet, *, actor) -> int:
    """Record "Don't re-create from sync" for these people's email and phone; keeps nothing else."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    added = 0
    for kind, column in (("email", "email"), ("phone", "phone_e164")):
        added += _insert_addresses(
            Suppression,
            people,
            columns="workspace_id, kind, value, created_at, created_by_id",
            select=f"DISTINCT workspace_id, %s, {column}, %s, %s",
            params=[kind, now, actor.pk if actor else None],
            column=column,
        )
    return added


def remember_purged_addresses(people: QuerySet) -> int:
    """Before people are erased, keep a one-way trace of their email and phone (DeletedAddress).

    Sync uses it to re-create a purged person who keeps writing or calling (rule 7) without
    the app keeping their address or anything else about them. The digest is computed in the
    database with the formula of DeletedAddress.digest_of: one statement per kind, whatever N.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    added = 0
    for kind, column in (("email", "email"), ("phone", "phone_e164")):
        material = f"%s || ':' || CAST(workspace_id AS VARCHAR(20)) || ':{kind}:' || {column}"
        digest = (
            f"encode(sha256(convert_to({material}, 'UTF8')), 'hex')"
            if connection.vendor == "postgresql"
            else f"SHA256_HEX({material})"
        )
        added += _insert_addresses(
            DeletedAddress,
            people,
            columns="workspace_id, kind, digest, purged_at",
            select=f"DISTINCT workspace_id, %s, {digest}, %s",
            params=[kind, DeletedAddress.key(), now],
            column=column,
        )
    return added


def _insert_addresses(model, people: QuerySet, *, columns: str, select: str, params: list, column: str) -> int:
    """INSERT INTO model (columns) SELECT ... FROM the people with a non-empty address; duplicates skipped."""
    ids_sql, ids_params = people.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
            f"SELECT {select} FROM {connection.ops.quote_name(Contact._meta.db_table)} "
            f"WHERE {column} <> '' AND id IN ({ids_sql}) ON CONFLICT DO NOTHING",
            [*params, *ids_params],
        )
        return cursor.rowcount
