from django.core.management.base import BaseCommand

from contacts import services


class Command(BaseCommand):
    help = (
        "Erase for good the people who have been in Recently Deleted longer than their workspace's retention "
        "(30 days unless the workspace sets its own). A periodic task: the job workers run it daily "
        "(PERIODIC_TASKS), or cron does with 'manage.py run_periodic'."
    )

    def handle(self, *args, **options):
        erased = services.purge_expired()
        self.stdout.write(f"Erased {erased} {'person' if erased == 1 else 'people'} from Recently Deleted.")
