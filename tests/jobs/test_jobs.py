"""Bulk actions over BULK_JOB_THRESHOLD people become jobs: batches, progress, cancel, resume, Undo, refusals."""

import re

import pytest
from django_tasks_db.models import DBTaskResult

from contacts.models import Contact, EntryKind, Membership, Operation, Stage, TimelineEntry
from jobs import runner
from jobs.models import BulkJob, JobBatch, JobPerson, JobState
from tests.contacts.bulk_actions.dialogs import confirm, dialog
from tests.helpers import HTMX, HTMX_DIALOG, confirmation_from_dialog, visible_text
from tests.jobs.conftest import make_people

SELECT_ALL = {"audience": "my-people", "selection": "all"}


def start_archive(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, "archive", headers=HTMX_DIALOG, **SELECT_ALL)
    assert response.status_code == 200, response.content.decode()[:500]
    return response, BulkJob.objects.get()


def run_all(job) -> int:
    batches = 0
    while runner.run_batch(job.pk):
        batches += 1
    job.refresh_from_db()
    return batches


def archived_entries() -> int:
    return TimelineEntry.objects.filter(kind=EntryKind.ARCHIVED).count()


def test_a_confirm_over_the_threshold_answers_with_a_progress_view_and_enqueues_a_job(
    as_member, workspace, django_capture_on_commit_callbacks
):
    make_people(workspace, 12)
    response, job = start_archive(as_member, django_capture_on_commit_callbacks)
    body = response.content.decode()
    assert 'role="progressbar"' in body
    assert 'aria-label="Archiving 12 people"' in body
    assert 'aria-valuenow="0"' in body and 'aria-valuemin="0"' in body and 'aria-valuemax="12"' in body
    assert 'hx-trigger="every 1s"' in body
    assert f'hx-get="/jobs/{job.pk}/progress/"' in body
    assert "Archiving 12 people — 0 done" in visible_text(response)
    # Nothing is archived in the request; the job was enqueued for the worker.
    assert Contact.objects.archived().count() == 0
    assert (job.action, job.total, job.state, JobPerson.objects.filter(job=job).count()) == (
        "archive",
        12,
        "queued",
        12,
    )
    task = DBTaskResult.objects.get()
    assert task.task_path == "jobs.runner.run_job" and task.args_kwargs["args"] == [job.pk]


def test_a_confirm_at_the_threshold_still_runs_in_the_request(as_member, workspace):
    make_people(workspace, 10)
    response = confirm(as_member, "archive", headers=HTMX_DIALOG, **SELECT_ALL)
    assert "10 people archived" in visible_text(response)
    assert not BulkJob.objects.exists()


def test_progress_is_recorded_after_every_batch_in_id_order(as_member, workspace, django_capture_on_commit_callbacks):
    people = make_people(workspace, 10, stage=Stage.LOST)
    people += make_people(workspace, 2, prefix="Active", stage=Stage.ACTIVE)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    seen = []
    while runner.run_batch(job.pk):
        job.refresh_from_db()
        seen.append((job.done, job.skipped, job.cursor))
        assert archived_entries() == job.done  # counted and recorded in the same transaction
    ids = [p.pk for p in people]
    assert seen == [(4, 0, ids[3]), (8, 0, ids[7]), (10, 2, ids[11])]
    job.refresh_from_db()
    assert job.state == JobState.FINISHED and job.finished_at and job.started_at
    assert job.reasons == {"in an open stage": 2}
    assert list(JobBatch.objects.filter(job=job).values_list("number", "done")) == [(1, 4), (2, 4), (3, 2)]
    # Each batch is one operation of the action's own service.
    assert Operation.objects.filter(action="archive").count() == 3


def test_polling_stops_with_286_when_the_job_is_over(as_member, workspace, django_capture_on_commit_callbacks):
    make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    runner.run_batch(job.pk)
    running = as_member.get(f"/jobs/{job.pk}/progress/", headers=HTMX)
    assert running.status_code == 200
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert 'aria-valuenow="4"' in running.content.decode()
    assert "Archiving 12 people — 4 done" in visible_text(running)
    run_all(job)
    over = as_member.get(f"/jobs/{job.pk}/progress/", headers=HTMX)
    assert over.status_code == 286
    body = over.content.decode()
    assert "hx-trigger" not in body and 'aria-valuenow="12"' in body
    assert "12 people archived" in visible_text(over)
    assert f'hx-post="/jobs/{job.pk}/undo/"' in body
    assert "contactsChanged" in over["HX-Trigger"]


def test_cancel_stops_after_the_current_batch_and_undo_covers_exactly_what_was_done(
    as_member, workspace, django_capture_on_commit_callbacks
):
    people = make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    runner.run_batch(job.pk)
    response = as_member.post(f"/jobs/{job.pk}/cancel/", headers=HTMX)
    assert response.status_code == 200
    assert "Stopping after the current batch" in visible_text(response)
    assert runner.run_batch(job.pk) is False
    job.refresh_from_db()
    assert (job.state, job.done) == (JobState.CANCELLED, 4)
    assert set(Contact.objects.archived()) == set(people[:4])
    over = as_member.get(f"/jobs/{job.pk}/progress/", headers=HTMX)
    assert over.status_code == 286
    assert "Cancelled: 4 people archived · 8 not reached" in visible_text(over)
    # Undo of a job is a job too, and puts back exactly those four.
    with django_capture_on_commit_callbacks(execute=True):
        undo = as_member.post(f"/jobs/{job.pk}/undo/", headers=HTMX_DIALOG)
    assert undo.status_code == 200 and 'role="progressbar"' in undo.content.decode()
    undo_job = BulkJob.objects.get(undoes=job)
    assert "Undoing: 4 people" in visible_text(undo)
    run_all(undo_job)
    assert (undo_job.state, undo_job.done) == (JobState.FINISHED, 4)
    assert Contact.objects.archived().count() == 0
    assert TimelineEntry.objects.filter(kind=EntryKind.RESTORED).count() == 4
    # Once undone, no second Undo.
    again = as_member.post(f"/jobs/{job.pk}/undo/", headers=HTMX_DIALOG)
    assert "cannot be undone" in visible_text(again)
    assert BulkJob.objects.count() == 2


def test_undo_of_a_stage_change_job_puts_every_old_stage_back(as_member, workspace, django_capture_on_commit_callbacks):
    lost = make_people(workspace, 7, prefix="Lost", stage=Stage.LOST)
    past = make_people(workspace, 6, prefix="Past", stage=Stage.PAST)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(as_member, "change_stage", headers=HTMX_DIALOG, new_stage="active", **SELECT_ALL)
    assert "Changing the stage of 13 people" in visible_text(response)
    job = BulkJob.objects.get()
    run_all(job)
    assert Contact.objects.filter(stage=Stage.ACTIVE).count() == 13
    undo_job = runner.start_undo(actor=job.actor, job=job)
    run_all(undo_job)
    assert set(Contact.objects.filter(stage=Stage.LOST)) == set(lost)
    assert set(Contact.objects.filter(stage=Stage.PAST)) == set(past)


def test_people_who_change_meanwhile_are_skipped_with_their_reason(
    as_member, member, workspace, django_capture_on_commit_callbacks
):
    people = make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    Contact.objects.filter(pk__in=[people[5].pk, people[9].pk]).update(assignee=member)
    run_all(job)
    assert (job.done, job.skipped) == (10, 2)
    assert Contact.objects.filter(assignee=member, archived_at__isnull=False).count() == 0
    over = as_member.get(f"/jobs/{job.pk}/progress/", headers=HTMX)
    assert "10 people archived · 2 skipped" in visible_text(over)


def test_running_again_resumes_from_the_last_committed_batch(as_member, workspace, django_capture_on_commit_callbacks):
    make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    runner.run_batch(job.pk)
    runner.run_batch(job.pk)
    # A second task for the same job (a worker taking over) goes on from the cursor.
    assert runner.run_job.call(job.pk) == JobState.FINISHED
    assert runner.run_job.call(job.pk) == JobState.FINISHED  # and a third does nothing
    job.refresh_from_db()
    assert (job.done, job.batches) == (12, 3)
    assert archived_entries() == 12
    assert TimelineEntry.objects.values("contact").distinct().count() == 12


def test_a_job_for_a_workspace_the_user_left_is_refused(
    as_member, member, workspace, django_capture_on_commit_callbacks
):
    make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    runner.run_batch(job.pk)
    Membership.objects.filter(user=member, workspace=workspace).delete()
    assert runner.run_batch(job.pk) is False
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "not a member" in job.error
    assert job.done == 4 and Contact.objects.archived().count() == 4  # the batch before stays, nothing after


def confirm_delete_all(client, opened, django_capture_on_commit_callbacks):
    """Confirm Delete of all archived people (12), with what the dialog `opened` showed."""
    with django_capture_on_commit_callbacks(execute=True):
        return confirm(
            client,
            "delete",
            headers=HTMX_DIALOG,
            audience="archived",
            selection="all",
            typed_count="12",
            **confirmation_from_dialog(opened),
        )


def test_a_stale_delete_confirmation_starts_no_job(as_admin, workspace, django_capture_on_commit_callbacks):
    people = make_people(workspace, 12, archived_at="2026-01-01T00:00:00Z")
    opened = dialog(as_admin, "delete", headers=HTMX_DIALOG, audience="archived", selection="all")
    Contact.objects.filter(pk=people[0].pk).update(archived_at=None)  # restored by someone meanwhile
    response = confirm_delete_all(as_admin, opened, django_capture_on_commit_callbacks)
    assert response.status_code == 409
    assert "Nothing was changed" in visible_text(response)
    assert not BulkJob.objects.exists() and not DBTaskResult.objects.exists()


def test_a_delete_job_acts_on_the_confirmed_set(as_admin, workspace, django_capture_on_commit_callbacks):
    make_people(workspace, 12, archived_at="2026-01-01T00:00:00Z")
    opened = dialog(as_admin, "delete", headers=HTMX_DIALOG, audience="archived", selection="all")
    response = confirm_delete_all(as_admin, opened, django_capture_on_commit_callbacks)
    assert "Deleting 12 people" in visible_text(response)
    job = BulkJob.objects.get()
    run_all(job)
    assert Contact.objects.filter(deleted_at__isnull=False).count() == 12


def test_the_jobs_page_lists_only_the_workspaces_jobs(
    as_member, member, workspace, other_workspace, django_capture_on_commit_callbacks
):
    make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    run_all(job)
    theirs = BulkJob.objects.create(workspace=other_workspace, action="archive", total=99)
    page = as_member.get("/jobs/")
    assert page.status_code == 200
    text = visible_text(page)
    assert "Archiving 12 people" in text and "12 people archived" in text
    assert "99" not in text
    assert re.search(rf'action="/jobs/{job.pk}/undo/"', page.content.decode())
    # Another workspace's job is not found by its address either.
    assert as_member.get(f"/jobs/{theirs.pk}/progress/", headers=HTMX).status_code == 404
    assert as_member.post(f"/jobs/{theirs.pk}/cancel/", headers=HTMX).status_code == 404
    assert as_member.post(f"/jobs/{theirs.pk}/undo/", headers=HTMX).status_code == 404


def test_the_outcome_is_shown_once_when_the_user_is_back(as_member, workspace, django_capture_on_commit_callbacks):
    make_people(workspace, 12)
    _, job = start_archive(as_member, django_capture_on_commit_callbacks)
    run_all(job)
    page = as_member.get("/people/")
    assert "12 people archived" in visible_text(page)
    assert f'hx-post="/jobs/{job.pk}/undo/"' in page.content.decode()
    assert "12 people archived" not in visible_text(as_member.get("/people/"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_job_addresses_need_the_right_method(as_member, workspace, method):
    job = BulkJob.objects.create(workspace=workspace, action="archive", total=1)
    url = f"/jobs/{job.pk}/cancel/" if method == "get" else f"/jobs/{job.pk}/progress/"
    assert getattr(as_member, method)(url, headers=HTMX).status_code == 405


def test_without_javascript_the_confirm_starts_the_job_and_shows_the_jobs_page(
    as_member, workspace, django_capture_on_commit_callbacks
):
    make_people(workspace, 12)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(as_member, "archive", headers={}, **SELECT_ALL)
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    job = BulkJob.objects.get()
    page = as_member.get("/jobs/")
    assert "Archiving 12 people" in visible_text(page) and "Queued" in visible_text(page)
    run_all(job)
    assert "12 people archived" in visible_text(as_member.get("/jobs/"))


def open_fix_and_archive(client):
    """The Archive dialog's Fix and archive choice, as the user confirms it (its own count and fingerprint)."""
    opened = dialog(client, "archive", **SELECT_ALL).content.decode()
    shown = re.search(r'name="fix_expected" value="(\d+)"', opened)
    fingerprint = re.search(r'name="fix_fingerprint" value="([^"]*)"', opened)
    assert shown and fingerprint
    data = {**SELECT_ALL, "fix": "1", "fix_stage": "past", "fix_expected": shown.group(1)}
    return data | {"fix_fingerprint": fingerprint.group(1)}


def test_fix_and_archive_over_the_threshold_is_a_job_on_exactly_the_confirmed_set_and_undo_puts_all_back(
    as_member, member, workspace, django_capture_on_commit_callbacks
):
    leads = make_people(workspace, 5, prefix="Lead", stage=Stage.LEAD)
    assigned = make_people(workspace, 4, prefix="Mine", assignee=member)
    lost = make_people(workspace, 3, prefix="Lost")
    data = open_fix_and_archive(as_member)
    assert data["fix_expected"] == "12"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post("/bulk/archive/", data, headers=HTMX_DIALOG)
    assert response.status_code == 200, response.content.decode()[:500]
    assert "Fixing and archiving 12 people — 0 done" in visible_text(response)
    job = BulkJob.objects.get()
    assert (job.total, job.options["fix"], job.options["fix_stage"]) == (12, True, "past")
    assert Contact.objects.archived().count() == 0  # nothing in the request
    assert run_all(job) == 3  # batches of at most 4
    assert (job.state, job.done, job.skipped) == (JobState.FINISHED, 12, 0)
    assert Contact.objects.archived().count() == 12
    assert set(Contact.objects.filter(pk__in=[p.pk for p in leads]).values_list("stage", flat=True)) == {Stage.PAST}
    assert not Contact.objects.filter(assignee__isnull=False).exists()
    assert archived_entries() == 12
    # Undo (a job too) restores each person's own stage, assignee and place in My People.
    undo_job = runner.start_undo(actor=job.actor, job=job)
    run_all(undo_job)
    assert (undo_job.state, undo_job.done) == (JobState.FINISHED, 12)
    assert Contact.objects.archived().count() == 0
    assert set(Contact.objects.filter(pk__in=[p.pk for p in leads]).values_list("stage", flat=True)) == {Stage.LEAD}
    assert set(Contact.objects.filter(assignee=member)) == set(assigned)
    assert set(Contact.objects.filter(stage=Stage.LOST, assignee=None)) == set(lost)


def test_a_stale_fix_and_archive_confirmation_starts_no_job(as_member, workspace, django_capture_on_commit_callbacks):
    make_people(workspace, 12, stage=Stage.LEAD)
    data = open_fix_and_archive(as_member)
    make_people(workspace, 1, prefix="Newcomer", stage=Stage.ACTIVE)  # one more the dialog never counted
    with django_capture_on_commit_callbacks(execute=True):
        response = as_member.post("/bulk/archive/", data, headers=HTMX_DIALOG)
    assert response.status_code == 409
    assert not BulkJob.objects.exists() and not JobPerson.objects.exists()
    assert Contact.objects.archived().count() == 0
