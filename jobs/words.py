"""A job's words: its name ("Archiving 1,000,000 people"), its progress and its outcome."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.bulk_actions import ACTIONS
from contacts.bulk_actions.base import skipped_text
from contacts.services import Outcome
from jobs.models import BulkJob, JobState


def number(n: int) -> str:
    return number_format(n, force_grouping=True)


def title(job: BulkJob) -> str:
    """The job's name: "Archiving 1,000,000 people" (the progress bar's accessible name too)."""
    if job.undoes_id:
        return ngettext("Undoing: %(count)s person", "Undoing: %(count)s people", job.total) % {
            "count": number(job.total)
        }
    doing = ACTIONS[job.action].doing_text(job.options)
    return ngettext("%(doing)s %(count)s person", "%(doing)s %(count)s people", job.total) % {
        "doing": doing,
        "count": number(job.total),
    }


def progress(job: BulkJob) -> str:
    """ "230,000 done", with the skipped when there are any."""
    text = _("%(count)s done") % {"count": number(job.done)}
    if job.skipped:
        text += " · " + _("%(count)s skipped") % {"count": number(job.skipped)}
    return text


def outcome(job: BulkJob) -> str:
    """What the job did, as the status message says it ("1,000 people archived · 2 skipped")."""
    if job.state == JobState.FAILED:
        done = _("%(count)s done before it stopped") % {"count": number(job.done)}
        return _("The job stopped: %(error)s (%(done)s)") % {"error": job.error, "done": done}
    if job.undoes_id:
        text = ngettext("Undone: %(count)s person put back", "Undone: %(count)s people put back", job.done) % {
            "count": number(job.done)
        }
        if job.skipped:
            text += " · " + ngettext(
                "%(count)s changed since and left as they are",
                "%(count)s changed since and left as they are",
                job.skipped,
            ) % {"count": number(job.skipped)}
    else:
        action = ACTIONS[job.action]
        reasons = tuple(job.reasons.items())
        text = action.done_text(job.done, job.options) + skipped_text(Outcome(None, job.done, job.skipped, reasons))
    if job.state == JobState.CANCELLED:
        left = max(0, job.total - job.processed)
        text = _("Cancelled: %(outcome)s · %(left)s not reached") % {"outcome": text, "left": number(left)}
    return text
