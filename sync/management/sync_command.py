"""What sync_mailbox and sync_calls share: the arguments, the progress bar, the summary, the errors."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.management.progress import Bars, add_progress_argument
from contacts.management.workspaces import find_workspace, no_such_workspace
from contacts.text import for_terminal
from sync.report import SourceUnreadable


class SyncCommand(BaseCommand):
    """A command that syncs one file or folder into a workspace; each command names its source."""

    noun = "messages"
    path_help = ""
    # sync.run.sync_mailbox or sync_calls: (workspace, path, *, progress) -> SyncReport.
    run_sync = None

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug or name.")
        parser.add_argument("path", help=self.path_help)
        add_progress_argument(parser)

    def handle(self, *args, workspace, path, **options):
        found = find_workspace(workspace)
        if found is None:
            raise no_such_workspace(workspace)
        try:
            with Bars(self, options) as bars:
                report = self.run_sync(found, Path(path), progress=bars.bar(self.noun))
        except SourceUnreadable as error:
            raise CommandError(f"Nothing synced: {for_terminal(error.message)}") from None
        self.stdout.write(self.style.SUCCESS(f"Synced {for_terminal(Path(path).name)} into {for_terminal(found)}."))
        # File names, addresses and reasons come from the source: nothing in them may steer the terminal.
        for line in report.lines():
            self.stdout.write(for_terminal(line))
