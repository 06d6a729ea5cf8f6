"""A big archive in Chromium (threshold lowered): confirmed, it runs as a job with a worker beside the
live server (batches every quarter second); the progress bar reaches 100%, the outcome is announced, and Undo (a job too) puts everyone back."""

import contextlib
import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from playwright.sync_api import expect

from contacts.models import Contact, Stage
from jobs import runner
from jobs.models import UNFINISHED, BulkJob
from tests.browser.flows import (  # noqa: F401  (console_errors is an autouse fixture)
    DESKTOP,
    PHONE,
    choose,
    confirm,
    console_errors,
    open_people,
    open_user_menu,
    page_checkbox,
    status,
)

PEOPLE = 60


@pytest.fixture
def job_worker(settings, monkeypatch):
    """A worker beside the live server, in a thread of the test process, running the jobs' batches.

    The live server's SQLite test database is in memory with a shared cache, whose table locks do
    not wait (no busy timeout, unlike the WAL file `make run` uses, which tests/jobs/test_workers.py
    drives with real worker processes); so on SQLite each request and each batch take turns.
    """
    settings.BULK_JOB_THRESHOLD, settings.BULK_JOB_BATCH_SIZE = 20, 10
    turns = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    handle = WSGIHandler.__call__

    def one_at_a_time(self, environ, start_response):
        with turns:
            return handle(self, environ, start_response)

    monkeypatch.setattr(WSGIHandler, "__call__", one_at_a_time)
    stop, errors = threading.Event(), []

    def work():
        try:
            while not stop.wait(0.25):  # a batch every quarter second: the bar is seen moving
                with turns:
                    for job_id in BulkJob.objects.filter(state__in=UNFINISHED).values_list("pk", flat=True):
                        runner.run_batch(job_id)
        except Exception as error:  # reported by the test's teardown
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)
    assert not errors, errors


def test_a_big_archive_runs_as_a_job_with_progress_an_outcome_and_undo(
    logged_in_page, live_server, workspace, job_worker
):
    Contact.objects.bulk_create(
        Contact(workspace=workspace, name=f"Person {i:03}", stage=Stage.LOST) for i in range(PEOPLE)
    )
    page = open_people(logged_in_page, live_server)
    page_checkbox(page).check()
    page.get_by_role("button", name=f"Select all {PEOPLE} people", exact=True).click()
    box = choose(page, "Archive", f"Archive {PEOPLE} people?", selected=PEOPLE)
    confirm(box, f"Archive {PEOPLE} people")

    bar = page.get_by_role("progressbar", name=f"Archiving {PEOPLE} people")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("aria-valuemax", str(PEOPLE))
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Archiving {PEOPLE} people — ")
    expect(bar).to_have_attribute("aria-valuenow", str(PEOPLE), timeout=30_000)
    expect(page.get_by_role("alertdialog")).to_contain_text(f"{PEOPLE} people archived")
    expect(status(page)).to_contain_text(f"{PEOPLE} people archived")
    assert Contact.objects.filter(archived_at__isnull=False).count() == PEOPLE
    # The list updated in place: no one is left in My People.
    expect(page.get_by_role("checkbox", name="Select Person 000")).to_have_count(0)

    page.get_by_role("alertdialog").get_by_role("button", name="Undo").click()
    undo_bar = page.get_by_role("progressbar", name=f"Undoing: {PEOPLE} people")
    expect(undo_bar).to_have_attribute("aria-valuenow", str(PEOPLE), timeout=30_000)
    expect(page.get_by_role("alertdialog")).to_contain_text(f"Undone: {PEOPLE} people put back")
    assert Contact.objects.filter(archived_at__isnull=False).count() == 0
    page.get_by_role("alertdialog").get_by_role("button", name="Close").click()
    expect(page.get_by_role("alertdialog")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Select Person 000")).to_be_visible()


def test_a_phone_reaches_the_jobs_page_from_the_user_menu(logged_in_page, live_server):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/people/")
    expect(page.get_by_role("banner").get_by_role("link", name="Jobs")).to_be_hidden()
    open_user_menu(page).get_by_role("menuitem", name="Jobs").click()
    expect(page.get_by_role("heading", name="Jobs in Acme", level=1)).to_be_visible()


def test_on_a_desk_the_header_jobs_link_looks_like_a_header_control(logged_in_page, live_server):
    page = logged_in_page
    page.set_viewport_size(DESKTOP)
    page.goto(live_server.url + "/people/")
    link = page.get_by_role("banner").get_by_role("link", name="Jobs")
    expect(link).to_be_visible()
    expect(link).to_have_css("text-decoration-line", "none")
    assert link.bounding_box()["height"] >= 44
