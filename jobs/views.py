"""The job's pages: the progress view in the dialog (polled), Cancel, Undo, and the Jobs list."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling, trigger_client_event

from contacts.exceptions import ContactError, NotAllowed
from contacts.htmx import fragment_or_redirect, wants_fragment
from contacts.membership import require_membership
from jobs import runner, words
from jobs.models import BulkJob


def runs_as_job(dialog) -> bool:
    """A confirm over more than BULK_JOB_THRESHOLD people goes to the background (counted up to the threshold)."""
    threshold = settings.BULK_JOB_THRESHOLD
    return dialog.people.order_by().values("pk")[threshold : threshold + 1].exists()


def start_job(request, dialog):
    """The confirm's answer when it runs as a job: the progress view (ContactError: nothing started)."""
    job = runner.start(dialog=dialog, data=request.POST)
    if not wants_fragment(request):
        return redirect("jobs")
    return _progress(request, job, whole=True)


def _job(request, pk: int) -> BulkJob:
    """A job of the workspace the user works in (anyone else's is not found)."""
    membership = require_membership(request)
    return get_object_or_404(BulkJob.objects.select_related("actor"), pk=pk, workspace=membership.workspace)


def _progress(request, job: BulkJob, *, whole: bool = False):
    """The progress view: the whole dialog (`whole`, after a confirm or an Undo) or what the poll swaps."""
    template = "jobs/progress.html" if whole else "jobs/progress.html#body"
    context = {"job": job, "title": words.title(job), "progress": words.progress(job)}
    if not job.is_finished:
        return render(request, template, context)
    if job.actor_id == request.user.pk and job.seen_at is None:
        BulkJob.objects.filter(pk=job.pk).update(seen_at=timezone.now())
    context |= {"outcome": words.outcome(job), "undoable": runner.can_undo(job, request.user)}
    response = render(request, template, context)
    response = HttpResponseStopPolling(response.content)  # 286: htmx swaps it in and stops polling
    return trigger_client_event(response, "contactsChanged", {"message": context["outcome"]})


@login_required
@require_GET
def progress(request, pk: int):
    job = _job(request, pk)
    if not wants_fragment(request):
        return redirect("jobs")
    return _progress(request, job)


@login_required
@require_POST
def cancel(request, pk: int):
    membership = require_membership(request)
    job = _job(request, pk)
    if job.actor_id != request.user.pk and not membership.can_delete:
        raise NotAllowed(_("Only the person who started this job, an admin or a manager can cancel it."))
    runner.cancel(job)
    job.refresh_from_db()
    if not wants_fragment(request):
        return redirect("jobs")
    return _progress(request, job)


@login_required
@require_POST
def undo(request, pk: int):
    job = _job(request, pk)
    try:
        undo_job = runner.start_undo(actor=request.user, job=job)
    except ContactError as error:
        message = error.message
        fragment = partial(render, request, "contacts/outcome.html", {"text": message})
        return fragment_or_redirect(request, fragment, message=message, to="jobs", error=True)
    if not wants_fragment(request):
        return redirect("jobs")
    return _progress(request, undo_job, whole=True)


@login_required
@require_GET
def jobs(request):
    """Running and recent jobs of the workspace: who, what, when, progress, outcome, Undo."""
    membership = require_membership(request)
    rows = []
    for job in (
        BulkJob.objects.filter(workspace=membership.workspace).select_related("actor").order_by("-created_at")[:50]
    ):
        rows.append(
            {
                "job": job,
                "title": words.title(job),
                "progress": words.progress(job),
                "outcome": words.outcome(job) if job.is_finished else "",
                "undoable": runner.can_undo(job, request.user),
            }
        )
    return render(request, "jobs/jobs.html", {"rows": rows, "workspace": membership.workspace})
