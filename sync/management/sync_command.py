"""What sync_mailbox and sync_calls share: the arguments, the progress bar, the summary, the errors."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contacts.management.workspaces import find_workspace, no_such_workspace
from contacts.text import for_terminal
from sync.report import SourceUnreadable

# Below this many messages or calls a sync is quick enough to need no progress bar.
PROGRESS_FROM = 1000


def plain(text: str) -> str:
    return text


class TerminalProgress:
    """A one-line progress bar on stderr, redrawn with a carriage return about every 1%."""

    def __init__(self, stream, noun: str):
        self.stream, self.noun = stream, noun
        self.shown = -1

    def __call__(self, done: int, total: int | None) -> None:
        if not total or total < PROGRESS_FROM:
            return
        percent = done * 100 // total
        if percent == self.shown and done != total:
            return
        self.shown = percent
        bar = "#" * (percent // 4)
        # Plain text: Django would otherwise colour everything on stderr as an error.
        self.stream.write(f"\r[{bar:<25}] {percent:3d}%  {done:,} of {total:,} {self.noun}", plain, ending="")
        if done == total:
            self.stream.write("", plain)
        self.stream.flush()


class SyncCommand(BaseCommand):
    """A command that syncs one file or folder into a workspace; each command names its source."""

    noun = "messages"
    path_help = ""
    # sync.run.sync_mailbox or sync_calls: (workspace, path, *, progress) -> SyncReport.
    run_sync = None

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug or name.")
        parser.add_argument("path", help=self.path_help)

    def handle(self, *args, workspace, path, **options):
        found = find_workspace(workspace)
        if found is None:
            raise no_such_workspace(workspace)
        progress = TerminalProgress(self.stderr, self.noun) if self.stderr.isatty() else None
        try:
            report = self.run_sync(found, Path(path), progress=progress)
        except SourceUnreadable as error:
            raise CommandError(f"Nothing synced: {for_terminal(error.message)}") from None
        self.stdout.write(self.style.SUCCESS(f"Synced {for_terminal(Path(path).name)} into {for_terminal(found)}."))
        # File names, addresses and reasons come from the source: nothing in them may steer the terminal.
        for line in report.lines():
            self.stdout.write(for_terminal(line))
