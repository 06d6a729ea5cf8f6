"""`manage.py run_periodic`: run the PERIODIC_TASKS that are due, here and now (for cron)."""

from django.core.management.base import BaseCommand

from jobs import periodic


class Command(BaseCommand):
    help = (
        "Run the periodic tasks (PERIODIC_TASKS) whose time has come and that no scheduler has run yet, "
        "in this process. For cron, instead of the jobs_worker's scheduler: e.g. every 5 minutes. "
        "Safe beside workers and other cron hosts: each slot runs once."
    )

    def handle(self, *args, **options):
        ran = periodic.run_due_here()
        for run in ran:
            self.stdout.write(f"{run.task} ({run.slot:%Y-%m-%d %H:%M} UTC): {run.outcome}")
            if run.outcome == run.FAILED:
                self.stderr.write(run.output.rstrip())
        if not ran and options["verbosity"] > 1:
            self.stdout.write("Nothing due.")
        if any(run.outcome == run.FAILED for run in ran):
            raise SystemExit(1)
