from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts import importing
from contacts.management.progress import Bars, add_progress_argument
from contacts.management.workspaces import find_workspace, no_such_workspace
from contacts.text import for_terminal


class Command(BaseCommand):
    help = (
        "Import people from a CSV file with a header row. Columns: name (required), email, phone, company, "
        "title, stage (either label set, or blank), assignee (a member's username, or blank), archived (yes/no). "
        "Every row is checked first; if any row is bad, nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug or name.")
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")
        add_progress_argument(parser)

    def handle(self, *args, workspace, file, **options):
        found = find_workspace(workspace)
        if found is None:
            raise no_such_workspace(workspace)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {for_terminal(file)}: {error.strerror or error}") from None
        try:
            # Checked and written in one transaction, so the duplicate check still holds at the insert.
            with transaction.atomic(), Bars(self, options) as bars:
                people = importing.check_csv(found, data, progress=bars.bar("rows checked"))
                count = importing.save_people(people, source=path.name, progress=bars.bar("people saved"))
        except importing.ImportFailed as failed:
            raise CommandError(f"Nothing imported from {for_terminal(path.name)}:\n{failed.report()}") from None
        people = "person" if count == 1 else "people"
        self.stdout.write(self.style.SUCCESS(f"Imported {count} {people} into {for_terminal(found)}."))
