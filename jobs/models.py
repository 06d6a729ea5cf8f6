"""A bulk action too big for one request, run in the background in batches (see jobs.runner)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from contacts.models import Operation, Workspace


class JobState(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    CANCELLING = "cancelling", gettext_lazy("Cancelling")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    FINISHED = "finished", gettext_lazy("Finished")
    FAILED = "failed", gettext_lazy("Failed")


UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.CANCELLING)


class BulkJob(models.Model):
    """One confirmed bulk action (or the Undo of one), over the fixed set of people the dialog showed.

    The people are kept in JobPerson when the user confirms; each batch then takes the next
    `BULK_JOB_BATCH_SIZE` of them after `cursor` (an id), runs the action's own service on them
    (which re-checks the rules inside its UPDATE) and records the batch, the counts and the new
    cursor in the same transaction, so a worker killed at any moment loses nothing and counts
    nothing twice. An Undo job walks the batches of the job it undoes instead (`undoes`).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.DB_CASCADE, related_name="jobs")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DB_SET_NULL, related_name="+")
    action = models.CharField(max_length=30)  # a bulk action's name (contacts.bulk_actions)
    options = models.JSONField(default=dict, blank=True)  # what the dialog's form chose (a stage)
    audience = models.CharField(max_length=40, blank=True)  # where the user was, for the page to show after
    undoes = models.OneToOneField("self", null=True, blank=True, on_delete=models.DB_SET_NULL, related_name="undone_by")
    state = models.CharField(max_length=12, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=dict, blank=True)  # {short reason: how many}, over all batches
    error = models.CharField(max_length=500, blank=True)
    cursor = models.BigIntegerField(default=0)  # the last id (or, for Undo, batch number) committed
    batches = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the last batch committed
    seen_at = models.DateTimeField(null=True, blank=True)  # the actor saw the outcome

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="job_workspace_created")]

    def __str__(self) -> str:
        return f"{self.action} job {self.pk} ({self.state}, {self.done}/{self.total})"

    @property
    def is_finished(self) -> bool:
        return self.state not in UNFINISHED

    @property
    def processed(self) -> int:
        return self.done + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class JobPerson(models.Model):
    """Who a job acts on, fixed when the user confirmed (a plain id: purged people leave no dangling key)."""

    pk = models.CompositePrimaryKey("job", "contact_id")
    job = models.ForeignKey(BulkJob, on_delete=models.DB_CASCADE, related_name="people")
    contact_id = models.BigIntegerField()


class JobBatch(models.Model):
    """One committed batch: its Operation (Undo starts there) and what it did."""

    job = models.ForeignKey(BulkJob, on_delete=models.DB_CASCADE, related_name="batch_set")
    number = models.PositiveIntegerField()
    operation = models.ForeignKey(Operation, null=True, on_delete=models.DB_SET_NULL, related_name="+")
    upper = models.BigIntegerField()  # the last id (or batch number) this batch covered
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Two workers can never both commit the same batch.
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="one_commit_per_batch")]
        ordering = ["job", "number"]


class PeriodicRun(models.Model):
    """One slot of a periodic task (jobs.periodic), claimed by the scheduler that inserted it first."""

    DONE, FAILED = "done", "failed"

    task = models.CharField(max_length=60)  # its name in PERIODIC_TASKS
    slot = models.DateTimeField()  # when the period this run belongs to began
    claimed_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, blank=True)  # "" until it ends, then DONE or FAILED
    output = models.TextField(blank=True)  # what the command printed (its end)
    task_result_id = models.CharField(max_length=64, blank=True)  # the django.tasks result, when enqueued

    class Meta:
        # Two schedulers can never both claim a slot: the second insert does nothing (jobs.periodic.claim).
        constraints = [models.UniqueConstraint(fields=["task", "slot"], name="one_run_per_slot")]
        ordering = ["-slot", "task"]

    def __str__(self) -> str:
        return f"{self.task} at {self.slot:%Y-%m-%d %H:%M} ({self.outcome or 'pending'})"
