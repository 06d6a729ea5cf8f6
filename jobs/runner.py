"""Starting, running, cancelling and undoing bulk jobs.

`start` fixes the set (the exact-set confirmation holds: a destructive action's fingerprint is
checked here, at confirm time) and enqueues `run_job`. `run_job` repeats `run_batch` until the job
is over; each batch is one transaction that locks the job row, takes the next people after the
cursor, runs the action's own service on them (the rule is in that service's UPDATE) and records
the batch, the counts and the cursor. Killed anywhere, a worker leaves either the whole batch or
none of it; `resume_abandoned` (run when a worker starts) enqueues the job again and it goes on
from its cursor.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import services
from contacts.bulk_actions import ACTIONS
from contacts.bulk_actions.undo import reversal_of
from contacts.bulk_actions.undo import undo as undo_operation
from contacts.exceptions import ContactError, NotAllowed
from contacts.models import Contact
from contacts.rules import none_of
from jobs.models import UNFINISHED, BulkJob, JobBatch, JobPerson, JobState

logger = logging.getLogger(__name__)


def start(*, dialog, data) -> BulkJob:
    """The confirmed dialog's action as a job: the set is fixed now (or StaleConfirmation, nothing kept)."""
    action = dialog.action
    expected = dialog.confirmed_set(data)
    with transaction.atomic():
        if expected is not None:
            # Exactly the people the dialog listed, or nothing (services: the same fingerprint check).
            services.check_expected(expected, dialog.people.filter(none_of_blockers(dialog)), lock=True)
        job = BulkJob.objects.create(
            workspace=dialog.workspace,
            actor=dialog.user,
            action=action.name,
            options=_json_options(dialog.options),
            audience=dialog.selection.audience.slug,
        )
        job.total = _fix_people(job, dialog.people)
        job.save(update_fields=["total"])
        transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def none_of_blockers(dialog):
    return none_of(dialog.action.job_blockers(dialog.workspace, dialog.options))


def _json_options(options: dict) -> dict:
    return {key: str(value) if not isinstance(value, bool | int | None) else value for key, value in options.items()}


def _fix_people(job: BulkJob, people) -> int:
    """Keep who the job is for, in one INSERT ... SELECT whatever their number."""
    sql, params = people.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(JobPerson._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job_id, contact_id) SELECT %s, chosen.pk FROM ({sql}) AS chosen", [job.pk, *params]
        )
        return cursor.rowcount


def start_undo(*, actor, job: BulkJob) -> BulkJob:
    """Undo of a job is a job too: it undoes the job's batches, one per batch, in order."""
    if not can_undo(job, actor):
        raise ContactError(_("This job cannot be undone."))
    services.membership_for(actor, job.workspace)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if BulkJob.objects.filter(undoes=job).exists():
            raise ContactError(_("This was already undone."))
        undo_job = BulkJob.objects.create(
            workspace=job.workspace,
            actor=actor,
            action=f"undo_{job.action}",
            undoes=job,
            audience=job.audience,
            total=job.done,
        )
        transaction.on_commit(lambda: run_job.enqueue(undo_job.pk))
    return undo_job


def can_undo(job: BulkJob, user) -> bool:
    return (
        job.undoes_id is None
        and job.is_finished
        and job.done > 0
        and job.actor_id == user.pk
        and reversal_of(job.action) is not None
        and not BulkJob.objects.filter(undoes=job).exists()
    )


def cancel(job: BulkJob) -> None:
    """Ask the job to stop after its current batch (at once if no batch has started)."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.state in (JobState.QUEUED, JobState.RUNNING):
            job.state = JobState.CANCELLING
            job.save(update_fields=["state"])


@task()
def run_job(job_id: int) -> str:
    """The worker's task: batches until the job is over. Safe to run twice, or on two workers at once."""
    pause = settings.BULK_JOB_PAUSE_MS / 1000
    while run_batch(job_id):
        if pause:
            time.sleep(pause)
    return BulkJob.objects.get(pk=job_id).state


def run_batch(job_id: int) -> bool:
    """One batch in one transaction; False when the job is over (finished, cancelled, failed)."""
    try:
        with transaction.atomic():
            # Locked: a second worker on the same job waits here, then sees the new cursor.
            job = BulkJob.objects.select_for_update(of=("self",)).select_related("workspace", "actor").get(pk=job_id)
            if job.state not in UNFINISHED:
                return False
            now = timezone.now()
            if job.state == JobState.CANCELLING:
                return _end(job, JobState.CANCELLED, now)
            if job.started_at is None:
                job.started_at, job.state = now, JobState.RUNNING
            if job.actor is None:
                raise NotAllowed(_("The person who started this job is no longer here."))
            batch = _undo_batch(job) if job.undoes_id else _action_batch(job)
            if batch is None:
                return _end(job, JobState.FINISHED, now)
            upper, outcome = batch
            JobBatch.objects.create(
                job=job,
                number=job.batches + 1,
                operation=outcome.operation if outcome else None,
                upper=upper,
                done=outcome.done if outcome else 0,
                skipped=outcome.skipped if outcome else 0,
            )
            if outcome:
                job.done += outcome.done
                job.skipped += outcome.skipped
                for reason, count in outcome.reasons:
                    job.reasons[str(reason)] = job.reasons.get(str(reason), 0) + count
            job.cursor, job.batches, job.heartbeat_at = upper, job.batches + 1, now
            job.save()
            return True
    except ContactError as error:  # refused (the user left the workspace, lost the role, ...): nothing of it kept
        _fail(job_id, error.message)
        return False
    except Exception as error:
        logger.exception("Bulk job %s failed", job_id)
        _fail(job_id, _("Something went wrong; what was done so far is kept."))
        raise error


def _action_batch(job: BulkJob):
    """The next people after the cursor, through the action's own service (the rules in its UPDATE)."""
    mine = JobPerson.objects.filter(job=job, contact_id__gt=job.cursor).order_by("contact_id")
    size = settings.BULK_JOB_BATCH_SIZE
    upper = mine.values_list("contact_id", flat=True)[size - 1 : size].first()
    if upper is None:
        upper = mine.aggregate(last=Max("contact_id"))["last"]
    if upper is None:
        return None
    batch = JobPerson.objects.filter(job=job, contact_id__gt=job.cursor, contact_id__lte=upper)
    selected = Contact.objects.filter(workspace=job.workspace, pk__in=batch.values("contact_id"))
    action = ACTIONS[job.action]
    options = dict(job.options)
    # The set was fixed (and its fingerprint checked) when the user confirmed; each batch re-checks the rules.
    outcome = action.execute(
        actor=job.actor, workspace=job.workspace, selected=selected, options=options, expected=None
    )
    # People who were purged meanwhile are no longer there to be counted: they are skipped too.
    gone = batch.count() - outcome.done - outcome.skipped
    if gone > 0:
        outcome = services.Outcome(
            outcome.operation, outcome.done, outcome.skipped + gone, (*outcome.reasons, (_("no longer here"), gone))
        )
    return upper, outcome


def _undo_batch(job: BulkJob):
    """Undo the next batch of the undone job (its Operation, through contacts' own Undo)."""
    original = (
        JobBatch.objects.select_related("operation")
        .filter(job_id=job.undoes_id, number__gt=job.cursor)
        .order_by("number")
        .first()
    )
    if original is None:
        return None
    if original.operation is None or not original.done or original.operation.undone_at:
        return original.number, None  # nothing to put back (or someone undid that batch already)
    return original.number, undo_operation(actor=job.actor, operation=original.operation)


def _end(job: BulkJob, state: JobState, now) -> bool:
    job.state, job.finished_at, job.heartbeat_at = state, now, now
    job.save()
    return False


def _fail(job_id: int, message: str) -> None:
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job_id)
        if job.state in UNFINISHED:
            job.state, job.error, job.finished_at = JobState.FAILED, message[:500], timezone.now()
            job.save(update_fields=["state", "error", "finished_at"])


def resume_abandoned() -> list[int]:
    """Enqueue again the unfinished jobs whose worker went silent (killed): they go on from their cursor."""
    cutoff = timezone.now() - timedelta(seconds=settings.BULK_JOB_STALE_SECONDS)
    stale = BulkJob.objects.filter(state__in=UNFINISHED).exclude(heartbeat_at__gt=cutoff)
    stale = stale.exclude(heartbeat_at__isnull=True, created_at__gt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    for job_id in ids:
        run_job.enqueue(job_id)
    return ids
