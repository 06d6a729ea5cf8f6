"""`manage.py jobs_worker`: django-tasks-db's `db_worker`, after taking over jobs whose worker died.

A worker killed mid-job (SIGKILL, a lost machine) leaves its task marked running for ever; the
job itself only ever committed whole batches. Starting a worker enqueues such jobs again (silent
for BULK_JOB_STALE_SECONDS), and they go on from their last committed batch. Takes db_worker's options.
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from jobs.runner import resume_abandoned


class Command(DbWorker):
    help = "Run the background job worker (db_worker), resuming jobs abandoned by a killed worker first."

    def handle(self, *args, **options):
        resumed = resume_abandoned()
        if resumed and options.get("verbosity", 1):
            self.stdout.write(f"Resumed abandoned jobs: {', '.join(map(str, resumed))}")
        return super().handle(*args, **options)
