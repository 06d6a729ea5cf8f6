from sync.management.sync_command import SyncCommand
from sync.run import sync_calls


class Command(SyncCommand):
    help = (
        "Sync a call log into people's timelines. CSV columns: number,direction,started_at,duration_seconds,name "
        "(a header row is optional; name and duration_seconds may be blank). Numbers without a country code use "
        "the workspace's default region; times without a zone use the site's time zone. Running the same file "
        "again adds nothing."
    )
    noun = "calls"
    path_help = "The call log, a CSV file (UTF-8)."
    run_sync = staticmethod(sync_calls)
