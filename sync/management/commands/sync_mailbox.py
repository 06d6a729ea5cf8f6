from sync.management.sync_command import SyncCommand
from sync.run import sync_mailbox


class Command(SyncCommand):
    help = (
        "Sync email into people's timelines from a Unix mbox file or a folder of .eml files. "
        "Each message is an interaction with every counterpart in From/To/Cc (in or out by the "
        "workspace's own addresses). Unknown people are discovered (or created when the workspace "
        "creates people automatically); deleted people are re-created unless suppressed. Running "
        "the same file again adds nothing."
    )
    noun = "messages"
    path_help = "An mbox file, a folder of .eml files, or one .eml file."
    run_sync = staticmethod(sync_mailbox)
