"""A job's words: its name ("Archiving 1,000,000 people"), its progress and its outcome."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts.bulk_actions import ACTIONS
from contacts.bulk_actions.base import skipped_text
from contacts.services import Outcome
from jobs.models import BulkJob, JobState

# What a running job of each action is doing, for "Archiving 1,000,000 people".
DOING = {
    "archive": gettext_lazy("Archiving"),
    "restore": gettext_lazy("Restoring"),
    "delete": gettext_lazy("Deleting"),
    "undelete": gettext_lazy("Restoring"),
    "purge": gettext_lazy("Deleting forever"),
    "change_stage": gettext_lazy("Changing the stage of"),
    "remove_assignee": gettext_lazy("Removing the assignee of"),
}


def number(n: int) -> str:
    return number_format(n, force_grouping=True)


def title(job: BulkJob) -> str:
    """The job's name: "Archiving 1,000,000 people" (the progress bar's accessible name too)."""
    if job.undoes_id:
        return ngettext("Undoing: %(count)s person", "Undoing: %(count)s people", job.total) % {
            "count": number(job.total)
        }
    doing = DOING.get(job.action) or ACTIONS[job.action].label
    if job.options.get("fix"):
        doing = _("Fixing and archiving")
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
