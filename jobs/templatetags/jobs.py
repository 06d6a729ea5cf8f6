"""{% jobs_link %}: the header's link to the Jobs page, and the outcome of the user's jobs that ended while they were away."""

from django import template
from django.utils import timezone

from jobs import runner, words
from jobs.models import UNFINISHED, BulkJob

register = template.Library()


@register.inclusion_tag("jobs/header.html", takes_context=True)
def jobs_link(context):
    request = context.get("request")
    membership = getattr(request, "membership", None)  # lazy: false when the user is in no workspace
    if not membership:
        return {"outcomes": ()}
    unseen = list(
        BulkJob.objects.filter(workspace=membership.workspace, actor=request.user, seen_at__isnull=True)
        .exclude(state__in=UNFINISHED)
        .order_by("-finished_at")[:3]
    )
    if unseen:
        BulkJob.objects.filter(pk__in=[job.pk for job in unseen]).update(seen_at=timezone.now())
    return {"outcomes": [(job, words.outcome(job), runner.can_undo(job, request.user)) for job in unseen]}
