"""`manage.py jobs_worker`: django-tasks-db's `db_worker`, after taking over jobs whose worker died,
with a scheduler beside it for PERIODIC_TASKS.

A worker killed mid-job (SIGKILL, a lost machine) leaves its task marked running for ever; the
job itself only ever committed whole batches. Starting a worker enqueues such jobs again (silent
for BULK_JOB_STALE_SECONDS), and they go on from their last committed batch.

The scheduler (jobs.periodic) enqueues the periodic tasks that are due every PERIODIC_TICK_SECONDS
(with --batch: once, before the queue is worked off); any number of workers may run it, each slot
is claimed once. Takes db_worker's options, and --no-schedule.
"""

import logging
import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from jobs import periodic
from jobs.runner import resume_abandoned


class Command(DbWorker):
    help = (
        "Run the background job worker (db_worker), resuming jobs abandoned by a killed worker first, "
        "and enqueue the periodic tasks (PERIODIC_TASKS) when they are due."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="Do not enqueue PERIODIC_TASKS from this worker (another worker or cron does).",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        # The scheduler says what it enqueued (-v 1) and what it found claimed already (-v 2).
        logger = logging.getLogger(periodic.__name__)
        logger.setLevel({0: logging.CRITICAL, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        if not logger.hasHandlers():
            logger.addHandler(logging.StreamHandler(self.stdout))

    def handle(self, *args, schedule=True, **options):
        resumed = resume_abandoned()
        if resumed and options.get("verbosity", 1):
            self.stdout.write(f"Resumed abandoned jobs: {', '.join(map(str, resumed))}")
        if schedule:
            if options.get("batch"):
                periodic.enqueue_due()
            elif not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # Not in the reloader's parent process: only the process that works the queue schedules.
                periodic.Scheduler(settings.PERIODIC_TICK_SECONDS).start()
        return super().handle(*args, **options)
